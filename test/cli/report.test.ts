import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-report-'));
const run = join(tmp, 'run');
let browser: Browser;

const sections = [
  'Activation functions',
  'Activation functions and their derivatives',
  'Matrix operations in a forward pass',
  'MNIST samples',
  'The ReLU layer test',
  'Training',
  'Predictions on test images',
  'Where it goes wrong',
  'What the first layer learnt',
  'Confusion matrix and per-class metrics',
  'The network and the run’s settings',
];
const chartTitles: Record<string, string[]> = {
  'activation-functions': ['Common Activation Functions in Neural Networks', 'Sigmoid: σ(x) = 1 / (1 + e⁻ˣ)', 'ReLU: f(x) = max(0, x)', 'Tanh: f(x) = tanh(x)', 'Leaky ReLU: f(x) = max(0.1x, x)'],
  'activation-derivatives': ['Sigmoid and Its Derivative', 'ReLU and Its Derivative', 'Tanh and Its Derivative', 'Leaky ReLU and Its Derivative'],
  'mnist-samples': ['MNIST Samples', 'Label: 5'],
  'relu-test': ['ReLU Forward Pass', 'ReLU Backward Pass'],
  'training-history': ['Training Loss', 'Validation Accuracy'],
  predictions: ['Model Predictions on Test Images', 'Confidence: '],
  mistakes: ['Where It Goes Wrong: the Surest Mistakes', 'Confidence: '],
  'confusion-matrix': ['Confusion Matrix'],
};

before(async () => {
  const r = runCli(['train', '--epochs', '2', '--subset', '6000', '--out', run]);
  assert.equal(r.code, 0, r.stderr);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('train writes report.html; Chromium shows all eleven sections and every chart, with no console error and no network request', async (t) => {
  const html = join(run, 'report.html');
  const size = statSync(html).size;
  assert.ok(size < 5 * 1024 * 1024, `report is ${size} bytes`);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

  const headings = await page.locator('section h2').allTextContents();
  assert.deepEqual(headings, sections.map((s, i) => `${i + 1}. ${s}`));
  for (const [id, titles] of Object.entries(chartTitles)) {
    const svg = page.locator(`figure[data-chart="${id}"] svg`);
    assert.equal(await svg.count(), 1, `chart ${id} has one SVG`);
    const box = await svg.boundingBox();
    assert.ok(box !== null && box.width > 100 && box.height > 50, `chart ${id} is drawn (${JSON.stringify(box)})`);
    assert.ok((await svg.locator('path, rect, image, line').count()) > 5, `chart ${id} has marks`);
    const text = (await svg.textContent()) ?? '';
    for (const title of titles) assert.ok(text.includes(title), `chart ${id} shows "${title}"`);
  }
  // The digits are images inside the SVG, as data: URLs.
  assert.equal(await page.locator('figure[data-chart="mnist-samples"] svg image').count(), 10);
  assert.equal(await page.locator('figure[data-chart="predictions"] svg image').count(), 10);
  // Predictions are coloured: green when right, red when wrong.
  const predColors = await page.locator('figure[data-chart="predictions"] svg text').evaluateAll((nodes) =>
    nodes.filter((n) => n.textContent?.startsWith('Pred: ')).map((n) => n.getAttribute('fill')),
  );
  assert.equal(predColors.length, 10);
  assert.ok(predColors.every((c) => c === '#2ca02c' || c === '#d62728'), predColors.join());
  // The first layer's 64 units, as 28 × 28 pictures.
  assert.equal(await page.locator('#first-layer img.tile').count(), 64);
  // The matrix walkthrough: every matrix, and softmax rows summing to 1.
  assert.equal(await page.locator('.matrix-step').count(), 9);
  assert.match((await page.locator('#matrix-operations .sums').textContent()) ?? '', /1\.000000, 1\.000000, 1\.000000/);
  // The confusion matrix covers the test set and its trace is the reported accuracy.
  const history = JSON.parse(readFileSync(join(run, 'history.json'), 'utf8')) as { testAccuracy: number };
  const table = page.locator('table.metrics');
  const total = Number(await table.getAttribute('data-total'));
  const trace = Number(await table.getAttribute('data-trace'));
  assert.equal(total, 10000);
  assert.equal(trace / total, history.testAccuracy);
  assert.equal(await page.locator('table.metrics tbody tr').count(), 10);
  // The network summary: five layers and the total parameter count.
  assert.equal(await page.locator('table.summary tbody tr').count(), 5);
  assert.match((await page.locator('table.summary tfoot').textContent()) ?? '', /52,650/);

  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')), []);
  assert.ok(!/(src|href)="https?:/.test(readFileSync(html, 'utf8')), 'no external URL in src/href');
  const shot = join(run, 'report-screenshot.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`full-page screenshot: ${shot}`);
  const png = PNG.sync.read(readFileSync(shot));
  assert.ok(png.height > 3000, `the page is long (${png.height}px)`);
  await page.close();
});

test('a CNN run’s report: Chromium shows the filters and feature maps as crisp, decoded PNG tiles, one per channel', async () => {
  const cnn = join(tmp, 'cnn');
  const r = runCli(['train', '--layers', 'conv(4,3,p1),relu,maxpool(2),flatten,dense(10)', '--epochs', '1', '--subset', '600', '--quiet', '--out', cnn]);
  assert.equal(r.code, 0, r.stderr);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(join(cnn, 'report.html')).href, { waitUntil: 'load' });
  const headings = await page.locator('section h2').allTextContents();
  assert.deepEqual(headings.slice(6, 11), [
    '7. Predictions on test images',
    '8. Where it goes wrong',
    '9. What the first convolution learnt: its filters',
    '10. Feature maps: what each layer sees of two test digits',
    '11. Confusion matrix and per-class metrics',
  ]);
  assert.equal(headings.length, 12);
  // Every tile is a PNG the browser decoded, at its own size (3 × 3 filters, 28 × 28 and 14 × 14 maps), enlarged with square pixels.
  const tiles = await page.locator('img.tile').evaluateAll((imgs) =>
    (imgs as HTMLImageElement[]).map((img) => ({
      natural: `${img.naturalWidth}x${img.naturalHeight}`,
      shown: `${img.getBoundingClientRect().width - 2}x${img.getBoundingClientRect().height - 2}`,
      rendering: getComputedStyle(img).imageRendering,
      complete: img.complete,
      where: img.closest('[data-layer]')?.getAttribute('data-layer'),
    })),
  );
  const count = (where: string, natural: string, shown: string) => tiles.filter((t) => t.where === where && t.natural === natural && t.shown === shown).length;
  assert.equal(count('0', '3x3', '63x63'), 4, 'the four filters');
  assert.equal(count('0', '28x28', '56x56'), 4 * 2, 'four maps of each digit');
  assert.equal(count('input', '28x28', '56x56'), 2);
  assert.equal(count('2', '14x14', '56x56'), 4 * 2);
  assert.equal(tiles.length, 4 + 2 + 4 * 2 + 4 * 2);
  assert.ok(tiles.every((t) => t.complete && t.rendering === 'pixelated'), JSON.stringify(tiles[0]));
  assert.deepEqual(errors, []);
  await page.close();
});

test('scratchnet report --png writes one PNG per chart, at twice the SVG size', () => {
  const pngDir = join(tmp, 'png');
  const out = join(tmp, 'again.html');
  const r = runCli(['report', run, '--out', out, '--png', pngDir]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  // The same run gives the same report, whether written by train or by report.
  assert.equal(html, readFileSync(join(run, 'report.html'), 'utf8'));
  const files = readdirSync(pngDir).sort();
  assert.deepEqual(files, Object.keys(chartTitles).map((id) => `${id}.png`).sort());
  for (const id of Object.keys(chartTitles)) {
    const svg = new RegExp(`data-chart="${id}"><svg[^>]* width="(\\d+)" height="(\\d+)"`).exec(html);
    assert.ok(svg !== null, `svg size of ${id}`);
    const png = PNG.sync.read(readFileSync(join(pngDir, `${id}.png`)));
    assert.equal(png.width, 2 * Number(svg[1]), `${id} width`);
    assert.equal(png.height, 2 * Number(svg[2]), `${id} height`);
  }
});

test('scratchnet report: a missing run or model file is one clear line, exit 2', () => {
  const r = runCli(['report', join(tmp, 'nope')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^scratchnet: error: .*nope\/history\.json: file not found$/);
});

test('scratchnet demo prints the matrix walkthrough', () => {
  const r = runCli(['demo']);
  assert.equal(r.code, 0, r.stderr);
  for (const line of ['Input X (batch_size=3, features=4):', 'A2 = softmax(Z2) (batch_size=3, output_units=2):', 'Sum of probabilities for each example (should be 1):', '[1.000000 1.000000 1.000000]', 'W1: (4, 5)', 'b2: (2,)']) {
    assert.ok(r.stdout.includes(line), `demo prints "${line}"`);
  }
});
