import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchLoader } from '../../src/data/batches.js';
import { gatherBatch, type Dataset } from '../../src/data/dataset.js';
import { inKernelMemory } from '../../src/kernels/memory.js';
import { nonzerosOf } from '../../src/kernels/sparse.js';
import { mlp } from '../../src/model/mlp.js';
import { Rng } from '../../src/rng.js';

function sparseDigits(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  // ~20 % nonzero bytes, as MNIST, with some all-zero runs of 16 and odd widths.
  const features = 37;
  const x = Uint8Array.from({ length: count * features }, () => (rng.uniform() < 0.2 ? 1 + rng.int(255) : 0));
  return { x, y: Uint8Array.from({ length: count }, () => rng.int(10)), count, features };
}

test('BatchLoader gives the same floats and labels as gatherBatch, in kernel memory', () => {
  const data = sparseDigits(50, 1);
  const loader = new BatchLoader(data, 8);
  const order = new Rng(2).permutation(50);
  for (const [start, count] of [[0, 8], [8, 8], [48, 2], [13, 1]]) {
    const { x, y } = loader.load(order, start, count);
    const want = new Float32Array(count * data.features);
    const labels = new Uint8Array(count);
    gatherBatch(want, data, order, start, count, labels);
    assert.deepEqual(x.shape, [count, data.features]);
    assert.deepEqual(x.data, want);
    assert.deepEqual(y, labels);
    assert.ok(inKernelMemory(x.data, x.data));
  }
});

test('every batch\'s floats are whole after batches of other sizes and rows (nothing of the last one stays)', () => {
  // A gathered batch rewrites only its nonzeros and the last batch's: a
  // missed clear would leave old pixels where this batch has zeros.
  const data = sparseDigits(40, 11);
  const loader = new BatchLoader(data, 8);
  const order = new Rng(12).permutation(40);
  for (const [start, count] of [[0, 8], [8, 8], [38, 2], [16, 8], [3, 5], [3, 5], [30, 8]]) {
    const { x } = loader.load(order, start, count);
    const want = new Float32Array(count * data.features);
    gatherBatch(want, data, order, start, count, new Uint8Array(count));
    assert.deepEqual(x.data, want, `rows ${start}…${start + count}`);
  }
  // A gathered batch writes its floats when they are first read (the first
  // layer's products take its nonzeros): batches nobody read leave nothing behind.
  for (const [start, count] of [[0, 8], [8, 8], [3, 5], [30, 8], [8, 8]]) loader.load(order, start, count);
  const { x } = loader.load(order, 16, 8);
  const want = new Float32Array(8 * data.features);
  gatherBatch(want, data, order, 16, 8, new Uint8Array(8));
  assert.deepEqual(x.data, want);
});

test('every byte becomes exactly float32(byte / 255)', () => {
  const data: Dataset = { x: Uint8Array.from({ length: 256 }, (_, i) => i), y: new Uint8Array(1), count: 1, features: 256 };
  const { x } = new BatchLoader(data, 1).load(new Uint32Array([0]), 0, 1);
  for (let b = 0; b < 256; b++) assert.equal(x.data[b], Math.fround(b / 255), `byte ${b}`);
});

test('a batch\'s nonzeros are kept in compressed rows for the products', () => {
  const data = sparseDigits(20, 3);
  const { x } = new BatchLoader(data, 10).load(new Rng(4).permutation(20), 5, 10);
  // (The matrix products find them by the batch's floats.)
  const sparse = nonzerosOf(x, 10, data.features);
  assert.ok(sparse !== null && sparse.rows === 10);
  let t = 0;
  for (let r = 0; r < 10; r++) {
    for (let c = 0; c < data.features; c++) {
      const v = x.data[r * data.features + c];
      if (v === 0) continue;
      assert.equal(sparse.idx[t], c);
      assert.equal(sparse.val[t], v);
      t++;
    }
    assert.equal(sparse.rowEnd[r], t, `row ${r} ends at ${t}`);
  }
  assert.equal(sparse.nnz, t);
});

test('loading reuses the same buffers and tensors every step', () => {
  const data = sparseDigits(30, 5);
  const loader = new BatchLoader(data, 8);
  const order = new Rng(6).permutation(30);
  const first = loader.load(order, 0, 8);
  const second = loader.load(order, 8, 8);
  assert.equal(second.x, first.x);
  assert.equal(second.x.data, first.x.data);
  assert.equal(second.y, first.y);
});

test('bad rows are rejected', () => {
  const loader = new BatchLoader(sparseDigits(5, 7), 4);
  assert.throws(() => loader.load(new Uint32Array([0, 1, 2, 3, 4]), 2, 4), /rows \[2, 6\) do not fit the order of length 5/);
  assert.throws(() => loader.load(new Uint32Array([0, 9]), 0, 2), /order\[1\] = 9 is not a row of a dataset of 5/);
});

test('loaders of several MNIST-sized sets still leave kernel memory for the model', () => {
  const count = 54_000;
  const features = 784;
  const sets: Dataset[] = [];
  const loaders: BatchLoader[] = [];
  for (let s = 0; s < 4; s++) {
    const x = new Uint8Array(count * features);
    for (let i = s; i < x.length; i += 5) x[i] = 1 + (i % 251); // 20 % nonzero, as MNIST
    const set = { x, y: new Uint8Array(count), count, features };
    sets.push(set);
    loaders.push(new BatchLoader(set, 32));
  }
  const batch = loaders[3].load(new Rng(1).permutation(count), 0, 32);
  assert.equal(nonzerosOf(batch.x, 32, features)?.rows, 32);
  const params = mlp({ hidden: [512, 256] }).params();
  assert.ok(params.every((p) => inKernelMemory(p.value, p.grad)), 'a 784-512-256-10 model fits beside the sets');
});

test('pixels changed in place are seen by the next loader and by a refresh', () => {
  const data = sparseDigits(30, 9);
  const order = new Rng(10).permutation(30);
  const before = new BatchLoader(data, 8);
  const first = before.load(order, 0, 8).x.data.slice();
  // Flip every image's pixels left to right, in place: the same bytes, moved.
  for (let r = 0; r < data.count; r++) data.x.subarray(r * data.features, (r + 1) * data.features).reverse();
  const want = new Float32Array(8 * data.features);
  gatherBatch(want, data, order, 0, 8, new Uint8Array(8));
  assert.notDeepEqual(first, want);
  assert.deepEqual(new BatchLoader(data, 8).load(order, 0, 8).x.data, want);
  assert.deepEqual(before.load(order, 0, 8).x.data, first, 'a loader keeps what it was made from until refreshed');
  before.refresh();
  assert.deepEqual(before.load(order, 0, 8).x.data, want);
});
