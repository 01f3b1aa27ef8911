import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { buildPlayground, servePlayground } from '../support/playground.js';

// The built playground (scripts/build-web.ts into a temp folder, so the test
// sees the current web/ sources), served by `scratchnet serve` with a model
// trained by the CLI, in a real headless Chromium.
const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-web-'));
const dist = join(tmp, 'web-dist');
let server: ChildProcess;
let url: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const errors: string[] = [];

/** Draws a vertical stroke (a "1") down the middle of the pad with mouse events. */
async function drawOne(): Promise<void> {
  const box = await page.locator('#pad').boundingBox();
  assert.ok(box !== null);
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + 50);
  await page.mouse.down();
  for (let y = 50; y <= 230; y += 10) await page.mouse.move(x + (y - 50) * -0.04, box.y + y);
  await page.mouse.up();
}

/** The top class the page shows (data-digit of #prediction), once it shows one. */
async function shownPrediction(): Promise<string> {
  await page.waitForFunction(() => document.getElementById('prediction')?.dataset.digit !== undefined, undefined, { timeout: 5000 });
  return page.$eval('#prediction', (el) => `${(el as HTMLElement).dataset.digit}|${el.textContent}`);
}

before(async () => {
  buildPlayground(dist);
  const run = join(tmp, 'run');
  const trained = runCli(['train', '--epochs', '1', '--subset', '10000', '--no-report', '--out', run]);
  assert.equal(trained.code, 0, trained.stderr);
  ({ server, url } = await servePlayground(['--dir', dist, '--model', join(run, 'model.safetensors')]));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && errors.push(`worker console: ${m.text()}`)));
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('the built JavaScript is small (measured, reported)', (t) => {
  const gz = ['app.js', 'worker.js'].reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f))).length, 0);
  t.diagnostic(`app.js + worker.js gzipped: ${(gz / 1024).toFixed(1)} KB`);
  assert.ok(gz < 300 * 1024, `${gz} bytes gzipped`);
});

test('a model trained by the CLI, served with --model, reads a drawn "1" as 1', async (t) => {
  await page.goto(url);
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 10_000 });
  await drawOne();
  const [digit, text] = (await shownPrediction()).split('|');
  assert.equal(digit, '1', text);
  assert.match(await page.$eval('.bars li.top', (el) => el.textContent ?? ''), /^1.*◀ top$/);
  // An MLP has no conv layers: no feature maps.
  assert.equal(await page.isHidden('#feature-maps'), true);
  assert.equal(await page.textContent('#model-status'), 'Model: 784-64-32-10, relu (served by scratchnet serve).');
  const shot = join(tmp, 'before-training.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`screenshot before training: ${shot}`);
});

test('one epoch in the page worker: the page stays responsive and reaches ≥ 95 % validation accuracy', async (t) => {
  await page.fill('#epochs', '1');
  const started = Date.now();
  await page.click('#start');
  // The first progress message: training is under way.
  await page.waitForFunction(() => /^Epoch 1\/1, batch/.test(document.getElementById('train-status')?.textContent ?? ''), undefined, { timeout: 60_000 });
  const stateBefore = await page.$eval('#train', (el) => (el as HTMLElement).dataset.state);

  // UI interactions while the worker trains, each answered by the page's own code.
  let t0 = Date.now();
  await page.click('#clear');
  await page.waitForFunction(() => document.getElementById('prediction')?.textContent === 'Draw a digit.', undefined, { timeout: 500 });
  const clearMs = Date.now() - t0;
  t0 = Date.now();
  await page.focus('#hidden');
  await page.keyboard.press('End');
  await page.keyboard.type(',16');
  await page.waitForFunction(() => (document.getElementById('hidden') as HTMLInputElement).value === '128,64,16', undefined, { timeout: 500 });
  const typeMs = Date.now() - t0;
  const stateAfter = await page.$eval('#train', (el) => (el as HTMLElement).dataset.state);
  t.diagnostic(`while training (state ${stateBefore} → ${stateAfter}): Clear answered in ${clearMs} ms, typing in ${typeMs} ms`);
  assert.equal(stateBefore, 'training');

  await page.waitForSelector('#train[data-state="done"]', { timeout: 180_000 });
  const wall = (Date.now() - started) / 1000;
  const val = Number(await page.$eval('#val-accuracy', (el) => (el as HTMLElement).dataset.value));
  const seconds = Number(await page.$eval('#epoch-time', (el) => (el as HTMLElement).dataset.seconds));
  const speed = await page.$eval('#speed', (el) => el.textContent);
  t.diagnostic(`one epoch in the page: ${seconds.toFixed(2)} s of training steps; Start → done ${wall.toFixed(1)} s (MNIST download and gunzip, validation and test included); last images/s ${speed}; val accuracy ${val}`);
  assert.ok(val >= 0.95, `validation accuracy ${val}`);
  // scratchnet serve makes the page cross-origin isolated; the default MLP still runs on one thread (a second does not win at 128 units).
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  assert.equal(await page.textContent('#kernels'), 'WebAssembly SIMD, 1 thread');
  assert.equal(await page.$$eval('#confusion td', (cells) => cells.reduce((s, c) => s + Number(c.textContent), 0)), 10_000);
  assert.match(await page.$eval('#model-status', (el) => el.textContent ?? ''), /trained in this page/);

  // The pad now uses the page-trained model.
  await page.fill('#hidden', '128,64');
  await drawOne();
  const [digit, text] = (await shownPrediction()).split('|');
  assert.equal(digit, '1', text);
  const shot = join(tmp, 'after-training.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`screenshot after training: ${shot}`);
});

test('Stop halts training after the current step and Resume finishes the run', async () => {
  await page.fill('#epochs', '2');
  await page.click('#start');
  await page.waitForFunction(() => /^Epoch 1\/2, batch/.test(document.getElementById('train-status')?.textContent ?? ''), undefined, { timeout: 60_000 });
  await page.click('#stop');
  await page.waitForSelector('#train[data-state="stopped"]', { timeout: 10_000 });
  assert.equal(await page.$eval('#resume', (el) => (el as HTMLButtonElement).disabled), false);
  assert.match(await page.$eval('#model-status', (el) => el.textContent ?? ''), /stopped early/);
  await page.click('#resume');
  await page.waitForSelector('#train[data-state="done"]', { timeout: 180_000 });
  // Both epochs' validation accuracies are charted (two points), the run ends as an uninterrupted one would.
  assert.equal(await page.$$eval('#val-chart circle', (c) => c.length), 2);
  assert.match(await page.$eval('#val-accuracy', (el) => el.textContent ?? ''), /after epoch 2$/);
});

test('the Train panel: MLP by default; a CNN trains in the worker with the live charts, and Stop gives the pad a CNN with feature maps', async (t) => {
  assert.equal(await page.$eval('#arch', (el) => (el as HTMLSelectElement).value), 'mlp');
  assert.equal(await page.isEnabled('#hidden'), true);
  await page.selectOption('#arch', 'lenet5');
  assert.equal(await page.textContent('#arch-help'), 'conv 6·5×5, pool, conv 16·5×5, pool, 120, 84, 10, relu (44,426 params)');
  await page.selectOption('#arch', 'cnn');
  assert.equal(await page.textContent('#arch-help'), 'conv 16·3×3, pool, conv 32·3×3, pool, 64, 10, relu (105,866 params)');
  // Hidden layers and Activation shape the MLP only.
  assert.equal(await page.isDisabled('#hidden'), true);
  assert.equal(await page.isDisabled('#activation'), true);
  await page.fill('#epochs', '1');
  await page.click('#start');
  await page.waitForFunction(() => /^Epoch 1\/1, batch/.test(document.getElementById('train-status')?.textContent ?? ''), undefined, { timeout: 60_000 });
  // A few progress messages: the loss chart draws the CNN's batches.
  await page.waitForFunction(() => (document.querySelector('#loss-chart polyline')?.getAttribute('points') ?? '').split(' ').length >= 5, undefined, { timeout: 60_000 });
  const speed = await page.$eval('#speed', (el) => el.textContent);
  // Two kernel threads where two cores are: the worker started its own worker and runs the convolutions on both.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(await page.textContent('#kernels'), cores >= 2 ? 'WebAssembly SIMD, 2 threads' : 'WebAssembly SIMD, 1 thread');
  await page.click('#stop');
  await page.waitForSelector('#train[data-state="stopped"]', { timeout: 60_000 });
  t.diagnostic(`CNN in the page worker: ${speed}, ${cores} cores`);
  assert.match((await page.textContent('#model-status')) ?? '', /^Model: CNN: conv 16·3×3, pool, conv 32·3×3, pool, 64, 10, relu \(trained in this page, stopped early\)\.$/);
  assert.match((await page.textContent('#weights-note')) ?? '', /^The 16 filters of layer 0/);
  await page.click('#clear');
  await drawOne();
  await shownPrediction();
  assert.equal(await page.$$eval('#maps canvas', (c) => c.length), 2);
  const shot = join(tmp, 'cnn-trained-in-page.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`screenshot with the page's CNN: ${shot}`);
  // Back to the MLP: its fields again.
  await page.selectOption('#arch', 'mlp');
  assert.equal(await page.isEnabled('#hidden'), true);
});

test('served without cross-origin isolation, a CNN trains on one thread and the page says why', async () => {
  const plain = await browser.newPage();
  plain.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // The same server with its two isolation headers taken off, as a plain static host would serve the files.
  await plain.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  await plain.goto(url);
  assert.equal(await plain.evaluate(() => crossOriginIsolated), false);
  await plain.selectOption('#arch', 'cnn');
  await plain.fill('#epochs', '1');
  await plain.click('#start');
  await plain.waitForFunction(() => /^Epoch 1\/1, batch/.test(document.getElementById('train-status')?.textContent ?? ''), undefined, { timeout: 60_000 });
  assert.equal(
    await plain.textContent('#kernels'),
    'WebAssembly SIMD, 1 thread (a second thread needs a cross-origin-isolated page: serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, as `scratchnet serve` does)',
  );
  await plain.click('#stop');
  await plain.waitForSelector('#train[data-state="stopped"]', { timeout: 60_000 });
  await plain.close();
});

test('no request left 127.0.0.1 and nothing was logged as an error', () => {
  const outside = requests.filter((r) => {
    const u = new URL(r);
    return !(u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1');
  });
  assert.ok(requests.some((r) => r.endsWith('/mnist/train-images-idx3-ubyte.gz')), requests.join('\n'));
  assert.deepEqual(outside, []);
  assert.deepEqual(errors, []);
});
