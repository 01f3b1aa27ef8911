import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { DataError } from '../errors.js';
import { readFileBytes } from '../io/files.js';
import { loadModel } from '../io/model-files.js';
import { digitPngDataUrl, rgbPngDataUrl, svgToPng } from '../io/png.js';
import { makeFolder, writeFileAtomic } from '../io/write.js';
import { buildReport, type ReportInput, type RunHistory } from '../report/report.js';
import { Rng } from '../rng.js';
import { DATASET_NAMES } from '../data/classes.js';
import { TOY_NAMES } from '../data/toy.js';
import { loadData, type DataSource } from './data-source.js';
import type { Output } from './progress.js';

/** An image of the data as a `data:` PNG: MNIST's 28 × 28 grey, or an image folder's [channels, height, width] (RGB planes made pixels). */
function imageUrl(pixels: Uint8Array, shape: readonly number[] = [1, 28, 28]): string {
  const [channels, height, width] = shape;
  if (channels === 1) return digitPngDataUrl(pixels, width, height, Math.max(1, Math.round(84 / Math.max(width, height))));
  const rgb = new Uint8Array(3 * height * width);
  for (let p = 0; p < height * width; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = pixels[c * height * width + p];
  return rgbPngDataUrl(rgb, width, height);
}

/** Writes `report.html` (or `htmlPath`) for a run and, with `pngDir`, one PNG per chart; returns the files written. */
export async function writeReport(
  input: Omit<ReportInput, 'imageUrl' | 'tileUrl'>,
  htmlPath: string,
  pngDir: string | undefined,
): Promise<string[]> {
  const { html, svgs } = await buildReport({ ...input, imageUrl, tileUrl: (t) => rgbPngDataUrl(t.rgb, t.width, t.height) });
  writeFileAtomic(htmlPath, html);
  const written = [htmlPath];
  if (pngDir !== undefined) {
    makeFolder(pngDir);
    for (const [id, svg] of svgs) {
      const path = join(pngDir, `${id}.png`);
      writeFileAtomic(path, svgToPng(svg));
      written.push(path);
    }
  }
  return written;
}

/** The newest folder under runs/ that holds a history.json. */
function latestRun(): string {
  const runs = existsSync('runs')
    ? readdirSync('runs')
        .map((name) => join('runs', name))
        .filter((dir) => existsSync(join(dir, 'history.json')))
    : [];
  if (runs.length === 0) throw new DataError('runs/: no run folder with a history.json; train one first (scratchnet train) or name one');
  return runs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** Reads and checks a run's history.json. */
export function readHistory(path: string): RunHistory & { settings: { seed: number; valSplit: number; data: DataSource } } {
  const text = new TextDecoder().decode(readFileBytes(path));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const h = json as Record<string, unknown>;
  const settings = h.settings as Record<string, unknown> | undefined;
  const arrays = ['batchLoss', 'trainLoss', 'valAccuracy'] as const;
  for (const key of arrays) {
    if (!Array.isArray(h[key]) || !(h[key] as unknown[]).every((v) => typeof v === 'number')) {
      throw new DataError(`${path}: expected "${key}" to be an array of numbers`);
    }
  }
  if (typeof settings !== 'object' || settings === null || typeof settings.seed !== 'number' || typeof settings.valSplit !== 'number') {
    throw new DataError(`${path}: expected "settings" with a numeric "seed" and "valSplit"`);
  }
  const data = settings.data as DataSource | undefined;
  if (typeof data !== 'object' || data === null || !['bundled', 'csv', 'idx', 'dataset', 'table', 'images', 'toy'].includes(data.kind)) {
    throw new DataError(`${path}: expected "settings.data" to name the data source (bundled, csv, idx, dataset, table, images or toy)`);
  }
  if (data.kind === 'toy' && !(TOY_NAMES as readonly unknown[]).includes(data.name)) {
    throw new DataError(`${path}: "settings.data.name": expected one of ${TOY_NAMES.join(', ')}, got ${JSON.stringify(data.name)}`);
  }
  if (data.kind === 'dataset' && !(DATASET_NAMES as readonly unknown[]).includes(data.name)) {
    throw new DataError(`${path}: "settings.data.name": expected one of ${DATASET_NAMES.join(', ')}, got ${JSON.stringify(data.name)}`);
  }
  return json as RunHistory & { settings: { seed: number; valSplit: number; data: DataSource } };
}

const examples = `
Examples:
  $ scratchnet report                          # the newest run under runs/
  $ scratchnet report runs/20261124-233512 --png figures/
  $ scratchnet report my-run --out my-run/report-copy.html
`;

/** The `report` command. */
export function reportCommand(): Command {
  return new Command('report')
    .description('write the HTML report of a training run (every plot of the tutorial), and PNGs of its charts')
    .argument('[run-dir]', 'a run folder written by scratchnet train (default: the newest under runs/)')
    .option('--out <file>', 'the HTML file to write (default: RUN_DIR/report.html)')
    .option('--png <dir>', 'also write each chart as a PNG into this folder')
    .addHelpText('after', examples)
    .action(async (runDir: string | undefined, flags: { out?: string; png?: string }) => {
      const out: Output = { log: (line) => console.log(line) };
      const dir = runDir ?? latestRun();
      const history = readHistory(join(dir, 'history.json'));
      const { model } = loadModel(join(dir, 'model.safetensors'));
      // The same seed and split as the run, so the report shows the same images.
      const data = await loadData(history.settings.data, history.settings.valSplit, new Rng(history.settings.seed), out);
      const written = await writeReport(
        { history, model, train: data.train, test: data.test, seed: history.settings.seed },
        flags.out ?? join(dir, 'report.html'),
        flags.png,
      );
      for (const path of written) out.log(`Wrote ${path}`);
    });
}
