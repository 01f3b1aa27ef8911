import { test } from 'node:test';
import assert from 'node:assert/strict';
import { param } from '../../src/layers/layer.js';
import { clipGradNorm } from '../../src/optim/clip.js';

test('clipGradNorm scales all grads by maxNorm / ‖g‖ when the global norm is larger', () => {
  const a = param('a', [2]);
  const b = param('b', [1]);
  a.grad.set([3, 0]);
  b.grad.set([4]); // ‖g‖ = 5
  assert.equal(clipGradNorm([a, b], 1), 5);
  assert.deepEqual(Array.from(a.grad), [Math.fround(0.6), 0]);
  assert.deepEqual(Array.from(b.grad), [Math.fround(0.8)]);
});

test('grads within the norm are left alone', () => {
  const a = param('a', [2]);
  a.grad.set([0.3, 0.4]);
  assert.ok(Math.abs(clipGradNorm([a], 1) - 0.5) < 1e-7);
  assert.deepEqual(Array.from(a.grad), [Math.fround(0.3), Math.fround(0.4)]);
  assert.throws(() => clipGradNorm([a], 0), /expected maxNorm to be a positive number, got 0/);
});
