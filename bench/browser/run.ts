/**
 * Runs the built benchmark page in headless Chromium and prints its table:
 * serves the folder with `scratchnet serve` (dist/cli/main.js, so run
 * `npm run build` first), opens the page, waits for `window.benchResult`.
 * Then it times the same job in Node (bench/scratchnet_epoch.ts, a fresh
 * process, same data, weights and batches) and prints it as a row next to
 * the browser's. `npm run bench:browser` builds the library and the page,
 * then runs this.
 *
 * Usage: tsx bench/browser/run.ts [--dir bench/browser/dist] [--arch mlp|lenet5|cnn] [--subset N] [--epochs N] [--no-node]
 * Prints the table on stdout, then the result as one JSON line.
 * To watch it in a browser instead: scratchnet serve --dir bench/browser/dist
 */
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from '../../test/support/browser.js';
import type { BenchResult } from './bench.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `scratchnet serve --dir dir --port 0` (the built CLI); resolves with its URL and a stop function. */
export function serveDir(dir: string): Promise<{ url: string; stop: () => void }> {
  const server = spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'serve', '--dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`scratchnet serve printed no URL: ${stdout}`)), 15_000);
    server.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout);
      if (m !== null) {
        clearTimeout(timer);
        done({ url: m[0], stop: () => server.kill('SIGTERM') });
      }
    });
    server.on('exit', (code) => fail(new Error(`scratchnet serve exited with ${code}: ${stdout}`)));
  });
}

export interface PageRun {
  result: BenchResult | { ok: false; error: string };
  /** Every URL the page and its workers requested. */
  requests: string[];
  /** Page errors and console errors (page and workers). */
  errors: string[];
  /** Console warnings (page and workers), for the record. */
  warnings: string[];
}

/** Opens `url` in a fresh headless Chromium and waits (up to timeoutMs) for window.benchResult. */
export async function runPage(url: string, timeoutMs = 600_000): Promise<PageRun> {
  const browser = await launchChromium();
  const requests: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  try {
    const context = await browser.newContext();
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      if (m.type() === 'warning') warnings.push(`console: ${m.text()}`);
    });
    page.on('worker', (w) =>
      w.on('console', (m) => {
        if (m.type() === 'error') errors.push(`worker console: ${m.text()}`);
        if (m.type() === 'warning') warnings.push(`worker console: ${m.text()}`);
      }),
    );
    await page.goto(url);
    await page.waitForFunction(() => window.benchResult !== undefined, undefined, { timeout: timeoutMs, polling: 250 });
    const result = await page.evaluate(() => window.benchResult as NonNullable<typeof window.benchResult>);
    return { result, requests, errors, warnings };
  } finally {
    await browser.close();
  }
}

/** scratchnet_epoch.ts's result line: the same job in Node. */
export interface NodeRun {
  epochSeconds: number[];
  trainLoss: number[];
  testAccuracy: number;
  trainCount: number;
  maxRssMB: number;
  version: string;
}

/** Times the page's job in a fresh Node process (bench/scratchnet_epoch.ts on the built dist/), for the row next to the browser's. */
export function runNode(job: { arch: string; subset?: number; epochs: number }): NodeRun {
  const args = ['--import', 'tsx', join(root, 'bench/scratchnet_epoch.ts'), '--arch', job.arch, '--epochs', String(job.epochs)];
  if (job.subset !== undefined) args.push('--limit', String(job.subset));
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`bench/scratchnet_epoch.ts exited with ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as NodeRun;
}

/** The page's table as text, with Node's row after the browser's when given. */
export function formatTable(result: BenchResult, node?: NodeRun): string {
  const rows = [['library', 's/epoch', 'images/s', 'test acc', 'backend']];
  for (const r of result.results) {
    const where = r.library === 'scratchnet' ? 'scratchnet (Chromium Worker)' : `${r.library} (Chromium Worker)`;
    rows.push([where, r.secondsPerEpoch.toFixed(3), Math.round(r.imagesPerSecond).toString(), `${(r.testAccuracy * 100).toFixed(2)} %`, r.backend]);
  }
  let nodeLine: string[] = [];
  if (node !== undefined) {
    const seconds = node.epochSeconds.reduce((a, b) => a + b, 0) / node.epochSeconds.length;
    rows.push(['scratchnet (Node)', seconds.toFixed(3), Math.round(node.trainCount / seconds).toString(), `${(node.testAccuracy * 100).toFixed(2)} %`, `${process.version}, peak RSS ${Math.round(node.maxRssMB)} MB`]);
    nodeLine = [`browser ÷ Node (scratchnet s/epoch): ${(result.results[0].secondsPerEpoch / seconds).toFixed(2)}×`];
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]): string => row.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    '',
    result.ratio === null
      ? `--arch ${result.job.arch}: scratchnet alone in the browser (TF.js's wasm backend cannot train a convolution) — ${result.results[0].trainCount} training images, ${result.job.epochs} epoch(s)`
      : `ratio (TF.js-wasm s/epoch ÷ scratchnet s/epoch): ${result.ratio.toFixed(1)}×  — ${result.results[0].trainCount} training images, ${result.job.epochs} epoch(s)`,
    ...nodeLine,
    `browser: ${result.userAgent} (${result.hardwareConcurrency} logical cores)`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, arch: { type: 'string' }, subset: { type: 'string' }, epochs: { type: 'string' }, 'no-node': { type: 'boolean', default: false } },
  });
  const dir = resolve(values.dir ?? join(root, 'bench/browser/dist'));
  const query = new URLSearchParams();
  if (values.arch !== undefined) query.set('arch', values.arch);
  if (values.subset !== undefined) query.set('subset', values.subset);
  if (values.epochs !== undefined) query.set('epochs', values.epochs);
  const { url, stop } = await serveDir(dir);
  try {
    const pageUrl = `${url}${query.size > 0 ? `?${query}` : ''}`;
    process.stderr.write(`bench:browser: ${pageUrl} in headless Chromium (${values.arch === undefined || values.arch === 'mlp' ? 'scratchnet, then TF.js-wasm, each in a Worker' : 'scratchnet in a Worker'})…\n`);
    const run = await runPage(pageUrl);
    for (const e of run.errors) process.stderr.write(`bench:browser: ${e}\n`);
    if (!run.result.ok) throw new Error(run.result.error);
    let node: NodeRun | undefined;
    if (!values['no-node']) {
      process.stderr.write(`bench:browser: the same job in Node (bench/scratchnet_epoch.ts --arch ${run.result.job.arch})…\n`);
      node = runNode(run.result.job);
    }
    process.stdout.write(`${formatTable(run.result, node)}\n${JSON.stringify({ ...run.result, node: node ?? null })}\n`);
    process.stderr.write(`To run it in your own browser: scratchnet serve --dir ${dir}\n`);
  } finally {
    stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench:browser: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
