import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanSquaredError, mse } from '../../src/losses/mse.js';
import { tensor } from '../../src/kernels/tensor.js';
import { Rng } from '../../src/rng.js';
import { gradCheck, randn } from '../support/gradcheck.js';

test('loss and gradient on a hand-checked example', () => {
  // Differences [1, −2, 0, 3]: L = (1 + 4 + 0 + 9) / 4 = 3.5, dL/dp = 2·d / 4.
  const { loss, gradPred } = meanSquaredError(tensor([[1, 0], [2, 5]]), tensor([[0, 2], [2, 2]]));
  assert.equal(loss, 3.5);
  assert.deepEqual(Array.from(gradPred.data), [0.5, -1, 0, 1.5]);
  assert.deepEqual(gradPred.shape, [2, 2]);
});

test('gradient passes a numerical gradient check', () => {
  const rng = new Rng(3);
  for (const [rows, cols] of [[1, 1], [3, 5], [17, 4]]) {
    const pred = randn(rng, rows * cols, 2);
    const target = randn(rng, rows * cols, 2);
    const grad = new Float32Array(rows * cols);
    mse(grad, pred, target);
    gradCheck(`MSE ${rows}x${cols}`, () => mse(null, pred, target), pred, grad, { atol: 1e-5 });
  }
});

test('the gradient may be written over the predictions', () => {
  const pred = new Float32Array([1, 4]);
  const loss = mse(pred, pred, new Float32Array([0, 0]));
  assert.equal(loss, 8.5);
  assert.deepEqual(Array.from(pred), [1, 4]);
});

test('shapes must agree', () => {
  assert.throws(() => meanSquaredError(tensor([[1, 2]]), tensor([1, 2])), /^ShapeError: meanSquaredError: expected target of the shape of pred \[1, 2\], got \[2\]$/);
  assert.throws(() => meanSquaredError(tensor(new Float32Array(0), [0, 3]), tensor(new Float32Array(0), [0, 3])), /expected at least one value, got shape \[0, 3\]/);
});
