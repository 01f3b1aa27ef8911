import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatherBatch, splitTrainVal, subset, type Dataset } from '../../src/data/dataset.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';

/** `count` rows whose 3 pixels spell the row number (little-endian), label = row mod 10. */
function numbered(count: number): Dataset {
  const features = 3;
  const x = new Uint8Array(count * features);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    x[i * 3] = i & 255;
    x[i * 3 + 1] = (i >> 8) & 255;
    x[i * 3 + 2] = (i >> 16) & 255;
    y[i] = i % 10;
  }
  return { x, y, count, features };
}

/** The row numbers a `numbered` dataset (or a subset of it) holds, in order. */
function ids(d: Dataset): number[] {
  return Array.from({ length: d.count }, (_, r) => d.x[r * 3] | (d.x[r * 3 + 1] << 8) | (d.x[r * 3 + 2] << 16));
}

test('splitTrainVal: 60000 rows at 0.1 give 54000 train and 6000 validation, disjoint and covering', () => {
  const data = numbered(60000);
  const { train, val } = splitTrainVal(data, 0.1, new Rng(42));
  assert.equal(train.count, 54000);
  assert.equal(val.count, 6000);
  assert.equal(train.x.length, 54000 * 3);
  assert.equal(val.y.length, 6000);
  const all = [...ids(train), ...ids(val)].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 60000 }, (_, i) => i));
  // Labels travel with their rows.
  for (const d of [train, val]) ids(d).forEach((id, r) => assert.equal(d.y[r], id % 10));
});

test('splitTrainVal: validation is the permutation prefix in permuted order; train keeps file order', () => {
  const data = numbered(1000);
  const { train, val } = splitTrainVal(data, 0.25, new Rng(7));
  assert.deepEqual(ids(val), Array.from(new Rng(7).permutation(1000).subarray(0, 250)));
  const trainIds = ids(train);
  for (let i = 1; i < trainIds.length; i++) assert.ok(trainIds[i - 1] < trainIds[i], 'train rows stay in file order');
});

test('splitTrainVal: n_val = floor(count × valSplit); 0 keeps everything for training', () => {
  assert.equal(splitTrainVal(numbered(10), 0.19, new Rng(1)).val.count, 1);
  const { train, val } = splitTrainVal(numbered(10), 0, new Rng(1));
  assert.equal(val.count, 0);
  assert.deepEqual(ids(train), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('splitTrainVal: same seed gives identical sets, another seed different ones', () => {
  const data = numbered(500);
  const a = splitTrainVal(data, 0.1, new Rng(42));
  const b = splitTrainVal(data, 0.1, new Rng(42));
  const c = splitTrainVal(data, 0.1, new Rng(43));
  assert.deepEqual(a, b);
  assert.notDeepEqual(ids(a.val), ids(c.val));
});

test('splitTrainVal: valSplit outside [0, 1) is a ConfigError saying what it got', () => {
  const data = numbered(10);
  for (const bad of [1.5, 1, -0.1, Number.NaN]) {
    const got = String(bad).replace('.', '\\.');
    assert.throws(
      () => splitTrainVal(data, bad, new Rng(1)),
      (err: unknown) => err instanceof ConfigError && new RegExp(`^valSplit must be in \\[0, 1\\), got ${got}$`).test(err.message),
    );
  }
});

test('subset copies the chosen rows in the given order', () => {
  const data = numbered(20);
  const s = subset(data, [5, 0, 19, 5]);
  assert.equal(s.count, 4);
  assert.equal(s.features, 3);
  assert.deepEqual(ids(s), [5, 0, 19, 5]);
  assert.deepEqual(Array.from(s.y), [5, 0, 9, 5]);
  s.x[0] = 99;
  assert.equal(data.x[15], 5, 'a copy, not a view');
});

test('subset: an index outside the dataset is a ConfigError naming it', () => {
  assert.throws(() => subset(numbered(4), [0, 4]), {
    name: 'ConfigError',
    message: 'subset: index 1 must be a row number in [0, 4), got 4',
  });
  assert.throws(() => subset(numbered(4), [1.5]), /index 0 must be a row number in \[0, 4\), got 1\.5/);
});

test('gatherBatch: bytes become exactly float32(byte / 255): 0 → 0, 255 → 1, 128 → float32(128/255)', () => {
  const features = 256;
  const x = new Uint8Array(features);
  for (let b = 0; b < 256; b++) x[b] = b;
  const data: Dataset = { x, y: new Uint8Array([3]), count: 1, features };
  const out = new Float32Array(features);
  const labels = new Uint8Array(1);
  gatherBatch(out, data, new Uint32Array([0]), 0, 1, labels);
  assert.equal(out[0], 0);
  assert.equal(out[255], 1);
  assert.equal(out[128], Math.fround(128 / 255));
  for (let b = 0; b < 256; b++) assert.equal(out[b], Math.fround(b / 255), `byte ${b}`);
  assert.equal(labels[0], 3);
});

test('gatherBatch: copies rows order[start … start+count) in that order, with their labels', () => {
  const data = numbered(10);
  const order = new Uint32Array([9, 2, 7, 4, 0]);
  const out = new Float32Array(4 * 3).fill(-1); // one row too many: the rest stays untouched
  const labels = new Uint8Array(4).fill(255);
  gatherBatch(out, data, order, 1, 3, labels);
  const rows = [2, 7, 4];
  rows.forEach((id, r) => assert.equal(out[r * 3], Math.fround(id / 255)));
  assert.deepEqual(Array.from(labels), [2, 7, 4, 255]);
  assert.deepEqual(Array.from(out.subarray(9)), [-1, -1, -1]);
});

test('gatherBatch: wrong buffer sizes or rows are ShapeErrors, not silent NaNs', () => {
  const data = numbered(4);
  const order = new Uint32Array([0, 1, 2, 3]);
  assert.throws(
    () => gatherBatch(new Float32Array(5), data, order, 0, 2, new Uint8Array(2)),
    (err: unknown) => err instanceof ShapeError && /at least 6 pixels and 2 labels, got 5 and 2/.test(err.message),
  );
  assert.throws(() => gatherBatch(new Float32Array(9), data, order, 2, 3, new Uint8Array(3)), /rows \[2, 5\) are outside the order of length 4/);
  assert.throws(
    () => gatherBatch(new Float32Array(3), data, new Uint32Array([4]), 0, 1, new Uint8Array(1)),
    /order\[0\] = 4 is not a row of a dataset of 4/,
  );
});
