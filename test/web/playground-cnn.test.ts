import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Conv2D, decodeModel, tensor } from '../../src/browser.js';
import { launchChromium } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { buildPlayground, servePlayground } from '../support/playground.js';
import { DIGIT_STROKES, DIGIT_STYLES, drawOnPad, placeDigit } from '../support/digit-strokes.js';

// The playground with a CNN: a 1-epoch `scratchnet train --arch cnn` (the
// tutorial's recipe otherwise: SGD 0.1, batch 32) served with --model, and the
// default MLP (1-epoch `scratchnet train`) loaded from its file; thirty digits
// drawn on the pad as a person draws them (test/support/digit-strokes.ts).
const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-web-cnn-'));
const dist = join(tmp, 'web-dist');
const cnnFile = join(tmp, 'cnn', 'model.safetensors');
const mlpFile = join(tmp, 'mlp', 'model.safetensors');
const fashionFile = join(tmp, 'fashion', 'model.safetensors');
let server: ChildProcess;
let browser: Browser;
let page: Page;
const errors: string[] = [];

/** The 28 × 28 image the page made of the drawing (#mnist), as bytes. */
const seenPixels = (): Promise<number[]> =>
  page.$eval('#mnist', (c) => {
    const data = (c as HTMLCanvasElement).getContext('2d')?.getImageData(0, 0, 28, 28).data ?? [];
    return Array.from({ length: 784 }, (_, i) => data[4 * i]);
  });

/** A canvas's pixels (red channel) and size. */
const canvasPixels = (selector: string): Promise<{ width: number; height: number; red: number[] }> =>
  page.$eval(selector, (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
    return { width: canvas.width, height: canvas.height, red: Array.from({ length: data.length / 4 }, (_, i) => data[4 * i]) };
  });

/** Draws the thirty digits (0–9 in each of DIGIT_STYLES) and returns what the page read, with a sheet of the 28 × 28 images. */
async function readThirty(): Promise<{ right: number; wrong: string[]; sheet: Buffer }> {
  const wrong: string[] = [];
  const seen: string[] = [];
  for (const style of DIGIT_STYLES) {
    for (let digit = 0; digit < 10; digit++) {
      await page.click('#clear');
      await drawOnPad(page, placeDigit(DIGIT_STROKES[digit], style));
      const [shown, text] = await page.$eval('#prediction', (el) => [(el as HTMLElement).dataset.digit, el.textContent] as const);
      if (shown !== String(digit)) wrong.push(`${digit} ${style.name}: ${text}`);
      seen.push(await page.$eval('#mnist', (c) => (c as HTMLCanvasElement).toDataURL()));
    }
  }
  // The thirty 28 × 28 images, 2× in three rows, for a person to look at when this fails.
  const url = await page.evaluate(async (urls) => {
    const sheet = document.createElement('canvas');
    sheet.width = 10 * 60;
    sheet.height = 3 * 60;
    const ctx = sheet.getContext('2d') as CanvasRenderingContext2D;
    ctx.imageSmoothingEnabled = false;
    for (let i = 0; i < urls.length; i++) {
      const img = new Image();
      img.src = urls[i];
      await img.decode();
      ctx.drawImage(img, (i % 10) * 60 + 2, Math.floor(i / 10) * 60 + 2, 56, 56);
    }
    return sheet.toDataURL('image/png');
  }, seen);
  return { right: 30 - wrong.length, wrong, sheet: Buffer.from(url.split(',')[1], 'base64') };
}

before(async () => {
  buildPlayground(dist);
  for (const [arch, file] of [['cnn', cnnFile], ['mlp', mlpFile]] as const) {
    const trained = runCli(['train', '--arch', arch, '--epochs', '1', '--no-report', '--quiet', '--out', join(file, '..')]);
    assert.equal(trained.code, 0, trained.stderr);
  }
  const fashion = runCli(['train', '--dataset', 'fashion-mnist', '--subset', '3000', '--epochs', '1', '--no-report', '--quiet', '--out', join(fashionFile, '..')]);
  assert.equal(fashion.code, 0, fashion.stderr);
  let url: string;
  ({ server, url } = await servePlayground(['--dir', dist, '--model', cnnFile]));
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  await page.goto(url);
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 10_000 });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('a CNN served with --model is described by its layers and shows its conv filters', async () => {
  assert.equal(await page.textContent('#model-status'), 'Model: CNN: conv 16·3×3, pool, conv 32·3×3, pool, 64, 10, relu (served by scratchnet serve).');
  assert.match((await page.textContent('#weights-note')) ?? '', /^The 16 filters of layer 0 \(Conv2D 1 → 16, 3×3\)/);
  // Sixteen 3 × 3 tiles in a row, each weight a 16 px square, 8 px apart: filter 0's top-left weight is the model's.
  const weights = await canvasPixels('#weights');
  assert.equal(weights.width, 16 * (3 * 16 + 8) - 8);
  assert.equal(weights.height, 3 * 16);
  const conv = decodeModel(readFileSync(cnnFile), cnnFile).model.layers[0];
  assert.ok(conv instanceof Conv2D);
  const w = conv.weight.value.subarray(0, 9);
  const max = Math.max(...Array.from(w, Math.abs));
  w.forEach((v, i) => {
    const at = (16 * Math.floor(i / 3) + 8) * weights.width + 16 * (i % 3) + 8;
    assert.ok(Math.abs(weights.red[at] - (127.5 + (127.5 * v) / max)) <= 1, `filter 0 weight ${i}: ${weights.red[at]} for ${v}`);
  });
  assert.equal(await page.isVisible('#feature-maps'), true);
  assert.match((await page.textContent('#maps')) ?? '', /^Draw a digit/);
});

test("while drawing, each conv layer's feature maps update on each stroke and are the model's outputs", async (t) => {
  await page.click('#clear');
  const [first, second] = placeDigit(DIGIT_STROKES[4], DIGIT_STYLES[0]);
  await drawOnPad(page, [first]);
  assert.deepEqual(await page.$$eval('#maps figcaption', (els) => els.map((e) => e.textContent)), [
    'conv 1: 16 maps of 28 × 28 after ReLU',
    'conv 2: 32 maps of 14 × 14 after ReLU',
  ]);
  const before = await canvasPixels('#maps canvas[data-layer="1"]');
  await drawOnPad(page, [second]);
  const after = await canvasPixels('#maps canvas[data-layer="1"]');
  assert.notDeepEqual(after.red, before.red, 'the second stroke changed the first layer’s maps');

  // Layer 1 (the ReLU after conv 1) of the same model on the image the page shows, as the page scales it:
  // channel c's map is tile c, 28 + 1 px apart, black 0 and white the layer's largest value.
  const model = decodeModel(readFileSync(cnnFile), cnnFile).model;
  const pixels = await seenPixels();
  const maps = model.forwardAll(tensor(Float32Array.from(pixels, (v) => v / 255), [1, 784]))[1].data;
  const max = Math.max(...Array.from(maps, Math.abs));
  assert.equal(after.width, 16 * 29 - 1);
  let worst = 0;
  for (let c = 0; c < 16; c++) {
    for (let p = 0; p < 784; p++) {
      const shown = after.red[Math.floor(p / 28) * after.width + c * 29 + (p % 28)];
      worst = Math.max(worst, Math.abs(shown - (255 * maps[c * 784 + p]) / max));
    }
  }
  assert.ok(worst <= 1, `a feature-map pixel differs from the model's output by ${worst.toFixed(2)} grey levels`);
  const shot = join(tmp, 'cnn-drawing.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`screenshot with the CNN while drawing a 4: ${shot}`);
});

test('the 1-epoch CNN reads at least 29 of the thirty drawn digits (upright, slanted right, slanted left and small)', async (t) => {
  const { right, wrong, sheet } = await readThirty();
  const file = join(tmp, 'thirty-digits-cnn.png');
  writeFileSync(file, sheet);
  t.diagnostic(`CNN (1 epoch): ${right}/30 right${wrong.length > 0 ? `; wrong: ${wrong.join('; ')}` : ''}; the images it saw: ${file}`);
  assert.ok(right >= 29, `the CNN read ${right} of 30: ${wrong.join('; ')}`);
});

test('the default MLP loaded from its file: no feature maps; how many of the thirty it reads (reported)', async (t) => {
  await page.setInputFiles('#model-file', mlpFile);
  await page.waitForFunction(() => /loaded from/.test(document.getElementById('model-status')?.textContent ?? ''));
  assert.equal(await page.textContent('#model-status'), 'Model: 784-64-32-10, relu (loaded from model.safetensors).');
  assert.equal(await page.isHidden('#feature-maps'), true);
  assert.match((await page.textContent('#weights-note')) ?? '', /^The first 64 of 64 units of layer 0 \(Dense 784 → 64\)/);
  const { right, wrong } = await readThirty();
  console.log(`the default MLP (1 epoch) read ${right}/30 of the drawn digits`);
  t.diagnostic(`MLP (1 epoch): ${right}/30 right${wrong.length > 0 ? `; wrong: ${wrong.join('; ')}` : ''}`);
  assert.equal(await page.isHidden('#feature-maps'), true);
});

test('a Fashion-MNIST model from its file: the bars and the prediction say its class names; an MNIST model brings the digits back', async (t) => {
  await page.setInputFiles('#model-file', fashionFile);
  await page.waitForFunction(() => /loaded from/.test(document.getElementById('model-status')?.textContent ?? ''));
  const labels = () => page.$$eval('#bars li .digit', (els) => els.map((e) => e.textContent));
  assert.deepEqual(await labels(), ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  await page.click('#clear');
  await drawOnPad(page, placeDigit(DIGIT_STROKES[1], DIGIT_STYLES[0]));
  const [shown, text] = await page.$eval('#prediction', (el) => [(el as HTMLElement).dataset.digit, el.textContent ?? ''] as const);
  const names = await labels();
  assert.equal(text.replace(/ \(.*$/, ''), `It looks like: ${names[Number(shown)]}`);
  const shot = join(tmp, 'fashion-model.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`the pad with a Fashion-MNIST model (a drawn 1 reads as "${text}"): ${shot}`);
  await page.setInputFiles('#model-file', mlpFile);
  await page.waitForFunction(() => /784-64-32-10/.test(document.getElementById('model-status')?.textContent ?? ''));
  assert.deepEqual(await labels(), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});

test('nothing was logged as an error', () => {
  assert.deepEqual(errors, []);
});
