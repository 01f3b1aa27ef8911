import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softmax, softmaxCrossEntropy, softmaxCrossEntropyWithLogits } from '../../src/losses/softmax-cross-entropy.js';
import { tensor } from '../../src/kernels/tensor.js';
import { Rng } from '../../src/rng.js';
import { gradCheck, randn } from '../support/gradcheck.js';

test('loss and gradient on a hand-checked example', () => {
  // Row 0: logits [0, 0] → p = [0.5, 0.5]; label 1 → loss ln 2.
  // Row 1: logits [ln 3, 0] → p = [0.75, 0.25]; label 0 → loss −ln 0.75.
  const { loss, gradLogits } = softmaxCrossEntropyWithLogits(tensor([[0, 0], [Math.log(3), 0]]), [1, 0]);
  assert.ok(Math.abs(loss - (Math.LN2 - Math.log(0.75)) / 2) < 1e-7);
  // (p − onehot) / batch
  const expected = [0.25, -0.25, -0.125, 0.125];
  gradLogits.data.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-7, `grad[${i}] = ${g}`));
});

test('numerically stable for huge logits (no NaN or Infinity)', () => {
  const { loss, gradLogits } = softmaxCrossEntropyWithLogits(tensor([[1000, -1000, 0], [-1e30, 1e30, 5]]), [0, 0]);
  assert.ok(Number.isFinite(loss));
  // Row 1 puts all mass on class 1 while the label is 0: loss ≈ 2e30 / 2 rows.
  assert.ok(loss > 1e29);
  assert.ok(gradLogits.data.every(Number.isFinite));
  const p = softmax(new Float32Array(3), new Float32Array([1000, 1000, -1000]), 1, 3);
  assert.deepEqual(Array.from(p), [0.5, 0.5, 0]);
});

test('gradient passes a numerical gradient check', () => {
  const rng = new Rng(5);
  for (const [rows, cols] of [[1, 2], [4, 10], [33, 10]]) {
    const logits = randn(rng, rows * cols, 3);
    const labels = Uint8Array.from({ length: rows }, () => rng.int(cols));
    const grad = new Float32Array(rows * cols);
    softmaxCrossEntropy(grad, logits, labels, rows, cols);
    gradCheck(`softmax CE ${rows}x${cols}`, () => softmaxCrossEntropy(null, logits, labels, rows, cols), logits, grad, { h: 1e-2, rtol: 5e-3, atol: 2e-5 });
  }
});

test('softmax rows sum to 1', () => {
  const rng = new Rng(2);
  const p = softmax(new Float32Array(30), randn(rng, 30, 5), 3, 10);
  for (let r = 0; r < 3; r++) {
    const s = p.subarray(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(s - 1) < 1e-6);
  }
});

test('bad labels are rejected with expected vs got', () => {
  assert.throws(() => softmaxCrossEntropyWithLogits(tensor([[0, 0]]), [2]), /label 0 is 2, expected an integer in \[0, 1\]/);
  assert.throws(() => softmaxCrossEntropyWithLogits(tensor([[0, 0]]), [0, 1]), /expected 1 labels \(one per row\), got 2/);
});
