import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Prediction } from '../../src/cli/predict.js';
import { imageToMnist } from '../../src/data/image.js';
import { crc32, decodePng } from '../../src/io/image-files.js';
import { loadBundledMnist } from '../../src/io/mnist.js';
import { loadModel, saveModel } from '../../src/io/model-files.js';
import { tensor } from '../../src/kernels/tensor.js';
import { mlp } from '../../src/model/mlp.js';
import type { Sequential } from '../../src/model/sequential.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';
import { csvText, tempDir } from '../support/fixtures.js';

interface PredictJson {
  predictions: Prediction[];
}

const tmp = tempDir();
const modelPath = join(tmp.dir, 'run', 'model.safetensors');
let model: Sequential;
const mnist = loadBundledMnist(0).test;

/** A 200 × 200 RGBA canvas, `background` everywhere, then round-tipped strokes of radius `r` through `points`. */
function drawStrokes(points: [number, number][], r: number, ink: number[], background: number[]): Uint8Array {
  const png = new PNG({ width: 200, height: 200 });
  for (let i = 0; i < 200 * 200; i++) png.data.set(background, i * 4);
  for (let s = 0; s + 1 < points.length; s++) {
    const [[x0, y0], [x1, y1]] = [points[s], points[s + 1]];
    for (let t = 0; t <= 1; t += 0.01) {
      const cx = x0 + (x1 - x0) * t, cy = y0 + (y1 - y0) * t;
      for (let y = Math.floor(cy - r); y <= cy + r; y++) {
        for (let x = Math.floor(cx - r); x <= cx + r; x++) {
          if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) png.data.set(ink, (y * 200 + x) * 4);
        }
      }
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}

/** MNIST test digit `i` as a PNG three times its size, dark on white, RGB (so predict must invert and scale). */
function mnistPng(i: number): Uint8Array {
  const png = new PNG({ width: 84, height: 84 });
  for (let y = 0; y < 84; y++) {
    for (let x = 0; x < 84; x++) {
      const v = 255 - mnist.x[i * 784 + Math.floor(y / 3) * 28 + Math.floor(x / 3)];
      png.data.set([v, v, v, 255], (y * 84 + x) * 4);
    }
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}



function assertValidPrediction(p: Prediction, k: number): void {
  assert.equal(p.probabilities.length, 10);
  assert.ok(p.probabilities.every((v) => v >= 0 && v <= 1));
  const sum = p.probabilities.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) <= 1e-5, `probabilities sum to ${sum}`);
  assert.equal(p.top.length, k);
  for (let j = 1; j < k; j++) assert.ok(p.top[j - 1].probability >= p.top[j].probability, 'top-k sorted, most likely first');
  for (const t of p.top) assert.equal(t.probability, p.probabilities[t.class]);
  assert.equal(p.top[0].probability, Math.max(...p.probabilities));
}

/** The model's probabilities for 784-byte images, in-process. */
function probabilities(images: Uint8Array[]): Float32Array {
  const x = new Float32Array(images.length * 784);
  images.forEach((px, r) => px.forEach((v, j) => (x[r * 784 + j] = v / 255)));
  return model.predictProba(tensor(x, [images.length, 784])).data.slice();
}

before(() => {
  const r = runCli(['train', '--epochs', '1', '--subset', '3000', '--no-report', '--quiet', '--out', join(tmp.dir, 'run')]);
  assert.equal(r.code, 0, r.stderr);
  model = loadModel(modelPath).model;
});
after(() => tmp.remove());

test('predict --image on digits drawn by the test: valid probabilities, sorted top-k, the right digit', () => {
  // A thick "1" (a slanted bar, black on white) and a "0" (a ring, white on a transparent canvas).
  const one = tmp.write('one.png', drawStrokes([[95, 30], [110, 170]], 10, [0, 0, 0, 255], [255, 255, 255, 255]));
  const ring = Array.from({ length: 41 }, (_, i): [number, number] => [100 + 45 * Math.cos((i * Math.PI) / 20), 100 + 70 * Math.sin((i * Math.PI) / 20)]);
  const zero = tmp.write('zero.png', drawStrokes(ring, 9, [255, 255, 255, 255], [255, 255, 255, 0]));
  const r = runCli(['predict', '--model', modelPath, '--image', one, zero, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { predictions } = lastJson<PredictJson>(r.stdout);
  assert.equal(predictions.length, 2);
  for (const p of predictions) assertValidPrediction(p, 3);
  assert.deepEqual(predictions.map((p) => p.input), [one, zero]);
  assert.equal(predictions[0].top[0].class, 1, `the "1" is a 1: ${JSON.stringify(predictions[0].top)}`);
  assert.equal(predictions[1].top[0].class, 0, `the "0" is a 0: ${JSON.stringify(predictions[1].top)}`);
  // The text lines: `file: class (probability), …`.
  assert.match(r.stdout, new RegExp(`^${one.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 1 \\(0\\.\\d{4}\\), \\d \\(0\\.\\d{4}\\), \\d \\(0\\.\\d{4}\\)$`, 'm'));

  const five = runCli(['predict', '--model', modelPath, '--image', one, '--top', '5', '--show']);
  assert.equal(five.code, 0, five.stderr);
  assert.match(five.stdout, /: 1 \(0\.\d+\)(, \d \(0\.\d+\)){4}$/m);
  // --show draws the 28 × 28 image the network sees, one framed line per row.
  assert.equal(five.stdout.split('\n').filter((l) => /^\|.{56}\|$/.test(l)).length, 28);
});

test('predict --image on MNIST test digits rendered to PNG: the same class as model.predict on the same bytes', () => {
  const ids = Array.from({ length: 20 }, (_, i) => i * 37);
  const files = ids.map((i) => tmp.write(`mnist-${i}.png`, mnistPng(i)));
  const r = runCli(['predict', '--model', modelPath, '--image', ...files, '--json', '--top', '1']);
  assert.equal(r.code, 0, r.stderr);
  const { predictions } = lastJson<PredictJson>(r.stdout);
  assert.equal(predictions.length, ids.length);
  // The CLI runs exactly our preprocessing and our forward pass: in-process gives the same numbers.
  const preprocessed = files.map((f, j) => imageToMnist(decodePng(mnistPng(ids[j]), f), f));
  const expected = probabilities(preprocessed);
  predictions.forEach((p, j) => {
    assertValidPrediction(p, 1);
    for (let c = 0; c < 10; c++) assert.ok(Math.abs(p.probabilities[c] - expected[j * 10 + c]) < 1e-6, `image ${ids[j]} class ${c}`);
  });
  // And the preprocessing undoes the rendering (×3, inverted): the digit's own bytes, and so its class.
  const raw = ids.map((i) => mnist.x.subarray(i * 784, (i + 1) * 784));
  const rawClasses = model.predict(tensor(Float32Array.from(raw.flatMap((px) => Array.from(px, (v) => v / 255))), [ids.length, 784]));
  assert.deepEqual(predictions.map((p) => p.top[0].class), Array.from(rawClasses));
  const unchanged = preprocessed.filter((px, j) => px.every((v, k) => v === raw[j][k])).length;
  assert.ok(unchanged >= 12, `${unchanged} of 20 digits come back byte for byte`);
});

test('predict --csv: one prediction per row, named file:line, with its label', () => {
  const rows = [3, 5, 8, 13, 21];
  const csv = tmp.write('rows.csv', csvText(rows.map((i) => mnist.y[i]), rows.map((i) => Array.from(mnist.x.subarray(i * 784, (i + 1) * 784)))));
  const r = runCli(['predict', '--model', modelPath, '--csv', csv, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { predictions } = lastJson<PredictJson>(r.stdout);
  assert.deepEqual(predictions.map((p) => p.input), rows.map((_, j) => `${csv}:${j + 2}`));
  assert.deepEqual(predictions.map((p) => p.label), rows.map((i) => mnist.y[i]));
  for (const p of predictions) assertValidPrediction(p, 3);
  const expected = probabilities(rows.map((i) => mnist.x.subarray(i * 784, (i + 1) * 784)));
  predictions.forEach((p, j) => assert.ok(p.probabilities.every((v, c) => Math.abs(v - expected[j * 10 + c]) < 1e-6)));
  assert.match(r.stdout, /^\d of 5 rows predicted as labelled \(accuracy [01]\.\d{4}\)$/m);
  // A row without its label is the parser's error, with the line.
  const unlabelled = tmp.write('unlabelled.csv', `${csvText([1], [Array(784).fill(0)]).split('\n')[0]}\n${Array(784).fill(0).join(',')}\n`);
  assertBadInput(['predict', '--model', modelPath, '--csv', unlabelled], /^scratchnet: error: .*unlabelled\.csv:2: expected 785 values \(label \+ 784 pixels\), got 784$/);
});

test('a LeNet-5 model: predict --image (PNGs of MNIST digits) and --csv give its own forward pass, --show draws the input', () => {
  const lenetPath = join(tmp.dir, 'lenet5', 'model.safetensors');
  const trained = runCli(['train', '--arch', 'lenet5', '--optimizer', 'adam', '--batch-size', '64', '--epochs', '1', '--subset', '3000', '--no-report', '--quiet', '--out', join(tmp.dir, 'lenet5')]);
  assert.equal(trained.code, 0, trained.stderr);
  const lenet = loadModel(lenetPath).model;
  assert.deepEqual(lenet.inputShape, [1, 28, 28]);
  const ids = Array.from({ length: 12 }, (_, i) => i * 53 + 1);
  const files = ids.map((i) => tmp.write(`lenet-${i}.png`, mnistPng(i)));
  const r = runCli(['predict', '--model', lenetPath, '--image', ...files, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(784 inputs → 10 classes, 44426 parameters\)/);
  const { predictions } = lastJson<PredictJson>(r.stdout);
  const preprocessed = files.map((f, j) => imageToMnist(decodePng(mnistPng(ids[j]), f), f));
  const x = tensor(Float32Array.from(preprocessed.flatMap((px) => Array.from(px, (v) => v / 255))), [ids.length, 784]);
  const expected = lenet.predictProba(x).data;
  predictions.forEach((p, j) => {
    assertValidPrediction(p, 3);
    for (let c = 0; c < 10; c++) assert.ok(Math.abs(p.probabilities[c] - expected[j * 10 + c]) < 1e-6, `image ${ids[j]} class ${c}`);
  });
  // The preprocessing undoes the rendering (×3, inverted), so the classes are those of the digits' own bytes.
  const rawX = tensor(Float32Array.from(ids.flatMap((i) => Array.from(mnist.x.subarray(i * 784, (i + 1) * 784), (v) => v / 255))), [ids.length, 784]);
  assert.deepEqual(predictions.map((p) => p.top[0].class), Array.from(lenet.predict(rawX)));
  const shown = runCli(['predict', '--model', lenetPath, '--image', files[0], '--show']);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(shown.stdout.split('\n').filter((l) => /^\|.{56}\|$/.test(l)).length, 28);

  const rows = [3, 5, 8, 13, 21];
  const csv = tmp.write('lenet-rows.csv', csvText(rows.map((i) => mnist.y[i]), rows.map((i) => Array.from(mnist.x.subarray(i * 784, (i + 1) * 784)))));
  const c = runCli(['predict', '--model', lenetPath, '--csv', csv, '--json']);
  assert.equal(c.code, 0, c.stderr);
  const fromCsv = lastJson<PredictJson>(c.stdout).predictions;
  assert.deepEqual(fromCsv.map((p) => p.input), rows.map((_, j) => `${csv}:${j + 2}`));
  const raw = lenet.predictProba(tensor(Float32Array.from(rows.flatMap((i) => Array.from(mnist.x.subarray(i * 784, (i + 1) * 784), (v) => v / 255))), [rows.length, 784])).data;
  fromCsv.forEach((p, j) => assert.ok(p.probabilities.every((v, k) => Math.abs(v - raw[j * 10 + k]) < 1e-6), `row ${j}`));
  assert.match(c.stdout, /^\d of 5 rows predicted as labelled \(accuracy [01]\.\d{4}\)$/m);
});

test('predict: bad images are one line on stderr naming the file, exit 2', () => {
  const cases: [string, Uint8Array | string, RegExp][] = [
    ['empty.png', '', /empty\.png: the file is empty, expected a PNG image$/],
    ['text.png', 'this is not an image\n', /text\.png: not a PNG file: expected the signature 89 50 4e 47 0d 0a 1a 0a, got /],
    ['cut.png', drawStrokes([[50, 50], [150, 150]], 8, [0, 0, 0, 255], [255, 255, 255, 255]).subarray(0, 60), /cut\.png: byte 33: the IDAT chunk needs \d+ data bytes .* \(truncated\)$/],
    ['blank.png', drawStrokes([], 1, [0, 0, 0, 255], [255, 255, 255, 255]), /blank\.png: no digit found: the image is all one colour \(grey 255\)$/],
  ];
  // A header claiming 50000 × 50000 (2.5 gigapixels): refused before decoding.
  const huge = Buffer.from(drawStrokes([[50, 50], [150, 150]], 8, [0, 0, 0, 255], [255, 255, 255, 255]));
  huge.writeUInt32BE(50_000, 16);
  huge.writeUInt32BE(50_000, 20);
  huge.writeUInt32BE(crc32(huge.subarray(12, 29)), 29);
  cases.push(['huge.png', huge, /huge\.png: byte 16: the image is 50000 × 50000 = 2500000000 pixels, more than the 16777216 \(4096 × 4096\) accepted; scale it down first$/]);
  for (const [name, data, pattern] of cases) {
    assertBadInput(['predict', '--model', modelPath, '--image', tmp.write(name, data)], new RegExp(`^scratchnet: error: .*/${pattern.source}`));
  }
  assertBadInput(['predict', '--model', modelPath, '--image', join(tmp.dir, 'missing.png')], /^scratchnet: error: .*missing\.png: file not found$/);
});

test('predict: a model that does not take 784 inputs, a missing model, no input: one line, exit 2', () => {
  const small = join(tmp.dir, 'small.safetensors');
  saveModel(mlp({ inputUnits: 100, hidden: [8], rng: 1 }), small);
  const one = tmp.write('small-one.png', drawStrokes([[100, 30], [100, 170]], 10, [0, 0, 0, 255], [255, 255, 255, 255]));
  assertBadInput(['predict', '--model', small, '--image', one], /^scratchnet: error: .*small\.safetensors: the model takes 100 inputs, but --image makes 28 × 28 = 784-pixel MNIST images$/);
  assertBadInput(['predict', '--model', join(tmp.dir, 'nope.safetensors'), '--image', one], /^scratchnet: error: .*nope\.safetensors: file not found$/);
  assertBadInput(['predict', '--model', modelPath], /^scratchnet: error: give the inputs with either --image FILE\.\.\. or --csv FILE \(one of them\)$/);
  assertBadInput(['predict', '--image', one], /^scratchnet: error: required option '--model <file>' not specified$/);
  assertBadInput(['predict', '--model', modelPath, '--image', one, '--top', '0'], /^scratchnet: error: option '--top <k>' argument '0' is invalid\. expected a positive integer$/);
});

test('predict --help and evaluate --help show examples', () => {
  for (const command of ['predict', 'evaluate']) {
    const r = runCli([command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Examples:\\n  \\$ scratchnet ${command} --model `));
  }
});
