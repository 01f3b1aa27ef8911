import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dims2, tensor, TensorCache, toArray2, zeros } from '../../src/kernels/tensor.js';

test('tensor() from nested rows, from flat values with a shape, and zeros()', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.deepEqual(toArray2(t), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(Array.from(tensor([1, 2, 3, 4], [2, 2]).data), [1, 2, 3, 4]);
  assert.deepEqual(zeros([2, 2]).data, new Float32Array(4));
  assert.deepEqual(dims2(t, 'x'), [2, 3]);
});

test('shape mismatches say what was expected', () => {
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /shape \[2, 2\] needs 4 values, got 3/);
  assert.throws(() => tensor([[1, 2], [3]]), /row 1 has 1 values, expected 2/);
  assert.throws(() => dims2(tensor([1, 2, 3]), 'Dense'), /Dense: expected a 2-D tensor \[rows, cols\], got shape \[3\]/);
});

test('TensorCache reuses one tensor per batch size and drops the oldest past its capacity', () => {
  const cache = new TensorCache(2);
  const a = cache.get(32, 10);
  assert.equal(cache.get(32, 10), a);
  const b = cache.get(16, 10);
  assert.notEqual(b, a);
  assert.deepEqual(b.shape, [16, 10]);
  cache.get(8, 10); // evicts the 32-row tensor
  assert.notEqual(cache.get(32, 10), a);
  assert.notEqual(cache.get(32, 4), cache.get(32, 10), 'another width is another tensor');
});
