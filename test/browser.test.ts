import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { subset } from '../src/data/dataset.js';
import { kernelBackend } from '../src/kernels/index.js';
import { loadBundledMnist } from '../src/io/mnist.js';
import { encodeModel } from '../src/io/model-file.js';
import { mlp } from '../src/model/mlp.js';
import { fit } from '../src/train/fit.js';
import { launchChromium } from './support/browser.js';

// The browser build (npm run build writes it) in a real headless Chromium.
const bundle = fileURLToPath(new URL('../dist/browser/scratchnet.iife.js', import.meta.url));
let browser: Browser;
let page: Page;
const errors: string[] = [];

before(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.setContent('<!doctype html><title>scratchnet</title>');
  await page.addScriptTag({ path: bundle });
});
after(async () => {
  await browser?.close();
});

test('the browser build runs the WebAssembly SIMD kernels in Chromium', async () => {
  const backend = await page.evaluate(() => (window as unknown as { scratchnet: { kernels: { kernelBackend: string } } }).scratchnet.kernels.kernelBackend);
  assert.equal(kernelBackend, 'wasm-simd');
  assert.equal(backend, 'wasm-simd');
  assert.deepEqual(errors, []);
});

test('a model file saved in Node loads in the browser and predicts the same probabilities', async () => {
  const data = loadBundledMnist(0.1, 42);
  const model = mlp({ rng: 1 });
  await fit(model, { train: subset(data.train, Array.from({ length: 3000 }, (_, i) => i)) }, { epochs: 1, rng: 2 });
  const n = 50;
  const pixels = Array.from(data.test.x.subarray(0, n * 784), (b) => b / 255);
  const want = Array.from(model.predictProba({ data: Float32Array.from(pixels), shape: [n, 784] }).data);
  const file = Buffer.from(encodeModel(model)).toString('base64');

  const got = await page.evaluate(
    ({ file, pixels, n }) => {
      const sn = (window as unknown as { scratchnet: any }).scratchnet;
      const bytes = Uint8Array.from(atob(file), (c) => c.charCodeAt(0));
      const { model } = sn.decodeModel(bytes, 'model.safetensors');
      return Array.from(model.predictProba(sn.tensor(Float32Array.from(pixels), [n, 784])).data as Float32Array);
    },
    { file, pixels, n },
  );
  assert.equal(got.length, want.length);
  got.forEach((p, i) => assert.ok(Math.abs(p - want[i]) < 1e-6, `probability ${i}: browser ${p}, Node ${want[i]}`));
  assert.deepEqual(errors, []);
});

test('training runs in the browser: fit on a toy task learns it', async () => {
  const result = await page.evaluate(async () => {
    const sn = (window as unknown as { scratchnet: any }).scratchnet;
    const rng = new sn.Rng(3);
    const count = 400;
    const x = new Uint8Array(count * 16);
    const y = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      y[i] = rng.int(4);
      for (let j = 0; j < 16; j++) x[i * 16 + j] = rng.int(100) + (j >> 2 === y[i] ? 120 : 0);
    }
    const data = { x, y, count, features: 16 };
    const model = sn.mlp({ inputUnits: 16, hidden: [12], outputUnits: 4, rng: 1 });
    const history = await sn.fit(model, { train: data, test: data }, { epochs: 5, batchSize: 16, rng: 1 });
    return { loss: history.trainLoss, accuracy: history.testAccuracy };
  });
  assert.ok(result.loss[4] < result.loss[0], JSON.stringify(result));
  assert.ok(result.accuracy > 0.9, JSON.stringify(result));
  assert.deepEqual(errors, []);
});
