import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MnistCsvParser } from '../../src/data/csv.js';
import { splitTrainVal } from '../../src/data/dataset.js';
import { parseIdx } from '../../src/data/idx.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { readFileBytes } from '../../src/io/files.js';
import { bundledMnistPaths, loadBundledMnist, loadMnistFromCsv, loadMnistFromIdx } from '../../src/io/mnist.js';
import { Rng } from '../../src/rng.js';
import { csvText, idxBytes, pixelRow, tempDir } from '../support/fixtures.js';

const tmp = tempDir();
after(() => tmp.remove());

const trainLabels = Array.from({ length: 20 }, (_, i) => (i * 3) % 10);
const trainPixels = trainLabels.map((_, i) => pixelRow(784, i));
const testLabels = [7, 2, 1, 0, 4];
const testPixels = testLabels.map((_, i) => pixelRow(784, 100 + i));
const trainCsv = tmp.write('mnist_train.csv', csvText(trainLabels, trainPixels));
const testCsv = tmp.write('mnist_test.csv', csvText(testLabels, testPixels, { eol: '\r\n', trailingNewline: false }));

function isError(type: typeof DataError | typeof ConfigError, message: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof type, `expected a ${type.name}, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  };
}

test('loadMnistFromCsv: train/val split of the training file, test file as is', async () => {
  const data = await loadMnistFromCsv(trainCsv, testCsv);
  assert.equal(data.train.count, 18);
  assert.equal(data.val.count, 2);
  assert.equal(data.test.count, 5);
  assert.deepEqual(Array.from(data.test.y), testLabels);
  assert.deepEqual(Array.from(data.test.x.subarray(0, 784)), testPixels[0]);
  // The split is splitTrainVal's with new Rng(42) (the default seed).
  const parser = new MnistCsvParser(trainCsv);
  parser.push(readFileBytes(trainCsv));
  const expected = splitTrainVal(parser.end(), 0.1, new Rng(42));
  assert.deepEqual(data.train, expected.train);
  assert.deepEqual(data.val, expected.val);
});

test('loadMnistFromCsv reads a gzipped CSV too', async () => {
  const gz = tmp.write('mnist_train.csv.gz', gzipSync(readFileBytes(trainCsv)));
  assert.deepEqual(await loadMnistFromCsv(gz, testCsv, 0.25, 3), await loadMnistFromCsv(trainCsv, testCsv, 0.25, 3));
});

test('an Rng passed as the seed is used and advanced; a number seeds a new one', async () => {
  const rng = new Rng(9);
  const withRng = await loadMnistFromCsv(trainCsv, testCsv, 0.5, rng);
  assert.deepEqual(withRng, await loadMnistFromCsv(trainCsv, testCsv, 0.5, 9));
  assert.notDeepEqual(rng.getState(), new Rng(9).getState());
  assert.notDeepEqual((await loadMnistFromCsv(trainCsv, testCsv, 0.5, 10)).val, withRng.val);
});

test('loadMnistFromCsv: bad options fail before any file is read', async () => {
  const missing = join(tmp.dir, 'missing.csv');
  await assert.rejects(loadMnistFromCsv(missing, missing, 1.5), isError(ConfigError, /^valSplit must be in \[0, 1\), got 1\.5$/));
  await assert.rejects(loadMnistFromCsv(missing, missing, 0.1, 0.5), isError(ConfigError, /^seed must be an integer, got 0\.5$/));
});

test('loadMnistFromCsv: file errors name the file (and line)', async () => {
  const missing = join(tmp.dir, 'missing.csv');
  await assert.rejects(loadMnistFromCsv(trainCsv, missing), isError(DataError, new RegExp(`^${escape(missing)}: file not found$`)));
  const rows = trainPixels.map((p, i) => [trainLabels[i], ...p]);
  rows[4] = rows[4].slice(0, 784);
  const bad = tmp.write('bad_train.csv', ['label,…', ...rows.map((r) => r.join(','))].join('\n'));
  await assert.rejects(loadMnistFromCsv(bad, testCsv), isError(DataError, new RegExp(`^${escape(bad)}:6: expected 785 values \\(label \\+ 784 pixels\\), got 784$`)));
});

/** The four IDX files of a tiny MNIST (2×3-pixel images) in `tmp`, gzipped or not. */
function writeIdx(gz: boolean, prefix: string, overrides: Partial<Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', Uint8Array>> = {}) {
  const pack = (bytes: Uint8Array) => (gz ? gzipSync(bytes) : bytes);
  const files = {
    trainImages: idxBytes([10, 2, 3], Array.from({ length: 60 }, (_, i) => (i * 11) % 256)),
    trainLabels: idxBytes([10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]),
    testImages: idxBytes([3, 2, 3], Array.from({ length: 18 }, (_, i) => 255 - i)),
    testLabels: idxBytes([3], [7, 2, 1]),
    ...overrides,
  };
  const ext = gz ? '.gz' : '';
  return {
    trainImages: tmp.write(`${prefix}train-images-idx3-ubyte${ext}`, pack(files.trainImages)),
    trainLabels: tmp.write(`${prefix}train-labels-idx1-ubyte${ext}`, pack(files.trainLabels)),
    testImages: tmp.write(`${prefix}t10k-images-idx3-ubyte${ext}`, pack(files.testImages)),
    testLabels: tmp.write(`${prefix}t10k-labels-idx1-ubyte${ext}`, pack(files.testLabels)),
  };
}

test('loadMnistFromIdx: plain and gzipped files load the same data', () => {
  const plain = loadMnistFromIdx(writeIdx(false, 'p-'), 0.2, 1);
  assert.equal(plain.train.count, 8);
  assert.equal(plain.val.count, 2);
  assert.equal(plain.test.count, 3);
  assert.equal(plain.train.features, 6);
  assert.deepEqual(Array.from(plain.test.y), [7, 2, 1]);
  assert.deepEqual(Array.from(plain.test.x.subarray(0, 6)), [255, 254, 253, 252, 251, 250]);
  assert.deepEqual(loadMnistFromIdx(writeIdx(true, 'g-'), 0.2, 1), plain);
});

test('loadMnistFromIdx: errors name the file and the byte', () => {
  const badLabel = writeIdx(false, 'l-', { testLabels: idxBytes([3], [7, 2, 11]) });
  assert.throws(() => loadMnistFromIdx(badLabel), isError(DataError, new RegExp(`^${escape(badLabel.testLabels)}: byte 10: expected a label 0–9, got 11`)));
  const truncated = writeIdx(false, 't-', { trainImages: idxBytes([10, 2, 3], new Uint8Array(59)) });
  assert.throws(() => loadMnistFromIdx(truncated), isError(DataError, new RegExp(`^${escape(truncated.trainImages)}: byte 16: data is truncated: expected 60 data bytes \\(dims 10×2×3\\), got 59$`)));
  const otherSize = writeIdx(false, 's-', { testImages: idxBytes([3, 3, 3], new Uint8Array(27)) });
  assert.throws(() => loadMnistFromIdx(otherSize), isError(DataError, new RegExp(`^${escape(otherSize.testImages)}: byte 8: expected images of 6 pixels \\(as in .*\\), got 9$`)));
  const missing = { ...writeIdx(false, 'm-'), trainLabels: join(tmp.dir, 'nope') };
  assert.throws(() => loadMnistFromIdx(missing), isError(DataError, /nope: file not found$/));
  assert.throws(() => loadMnistFromIdx(writeIdx(false, 'o-'), -1), isError(ConfigError, /^valSplit must be in \[0, 1\), got -1$/));
});

test('bundled MNIST: 54000 / 6000 / 10000 images of 784 pixels, labels 0–9', () => {
  const data = loadBundledMnist();
  assert.equal(data.train.count, 54000);
  assert.equal(data.val.count, 6000);
  assert.equal(data.test.count, 10000);
  for (const d of [data.train, data.val, data.test]) {
    assert.equal(d.features, 784);
    assert.equal(d.x.length, d.count * 784);
    assert.equal(d.y.length, d.count);
    assert.ok(d.y.every((label) => label <= 9));
  }
  // The split covers the raw training set: label counts and pixel sums add up.
  const raw = parseIdx(readFileBytes(bundledMnistPaths().trainLabels), 'labels').data;
  const histogram = (ys: Uint8Array) => ys.reduce((h, y) => (h[y]++, h), new Array<number>(10).fill(0));
  const split = histogram(data.train.y).map((n, k) => n + histogram(data.val.y)[k]);
  assert.deepEqual(split, histogram(raw));
  const rawImages = parseIdx(readFileBytes(bundledMnistPaths().trainImages), 'images').data;
  const sum = (xs: Uint8Array) => xs.reduce((s, v) => s + v, 0);
  assert.equal(sum(data.train.x) + sum(data.val.x), sum(rawImages));
});

test("bundled MNIST: the raw files hold MNIST's known first labels (train 5, test 7)", () => {
  const paths = bundledMnistPaths();
  assert.equal(parseIdx(readFileBytes(paths.trainLabels), paths.trainLabels).data[0], 5);
  assert.equal(parseIdx(readFileBytes(paths.testLabels), paths.testLabels).data[0], 7);
  assert.equal(loadBundledMnist(0).train.y[0], 5, 'with no validation set, train is the raw file in order');
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
