import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits } from '../../src/losses/binary-cross-entropy.js';
import { tensor } from '../../src/kernels/tensor.js';
import { Rng } from '../../src/rng.js';
import { gradCheck, randn } from '../support/gradcheck.js';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

test('loss and gradient against the textbook formula −t log σ(z) − (1 − t) log(1 − σ(z))', () => {
  const z = [0, 2, -1.5, 0.3, -4, 1].map(Math.fround); // the float32 values the tensor holds
  const t = [1, 0, 0, 1, 0.25, 0.5];
  const { loss, gradLogits } = binaryCrossEntropyWithLogits(tensor([z.slice(0, 3), z.slice(3)]), tensor([t.slice(0, 3), t.slice(3)]));
  const expected = z.reduce((s, zi, i) => s - t[i] * Math.log(sigmoid(zi)) - (1 - t[i]) * Math.log(1 - sigmoid(zi)), 0) / z.length;
  assert.ok(Math.abs(loss - expected) < 1e-12, `loss ${loss}, expected ${expected}`);
  assert.ok(Math.abs(binaryCrossEntropy(null, new Float32Array([0]), new Float32Array([1])) - Math.LN2) < 1e-15);
  gradLogits.data.forEach((g, i) => assert.ok(Math.abs(g - (sigmoid(z[i]) - t[i]) / 6) < 1e-7, `grad[${i}] = ${g}`));
  assert.deepEqual(gradLogits.shape, [2, 3]);
});

test('gradient passes a numerical gradient check', () => {
  const rng = new Rng(4);
  for (const [rows, cols] of [[1, 1], [3, 5], [17, 2]]) {
    const logits = randn(rng, rows * cols, 3);
    const targets = new Float32Array(rows * cols).map(() => (rng.uniform() < 0.3 ? rng.uniform() : rng.int(2)));
    const grad = new Float32Array(rows * cols);
    binaryCrossEntropy(grad, logits, targets);
    gradCheck(`BCE ${rows}x${cols}`, () => binaryCrossEntropy(null, logits, targets), logits, grad, { atol: 1e-5 });
  }
});

test('stable for |z| = 1000: finite loss and gradient, the right values', () => {
  const z = new Float32Array([1000, -1000, 1000, -1000]);
  const t = new Float32Array([1, 0, 0, 1]);
  const grad = new Float32Array(4);
  const loss = binaryCrossEntropy(grad, z, t);
  // Right answers cost log(1 + e^−1000) ≈ 0; wrong ones cost 1000 each.
  assert.equal(loss, 2000 / 4);
  assert.deepEqual(Array.from(grad), [0, 0, 0.25, -0.25]);
  // A numerical check there too (the loss is linear in z at |z| = 1000).
  gradCheck('BCE |z| = 1000', () => binaryCrossEntropy(null, z, t), z, Float32Array.from(grad), { h: 1 });
});

test('targets must be in [0, 1] and shapes must agree', () => {
  assert.throws(() => binaryCrossEntropyWithLogits(tensor([[0, 1]]), tensor([[1, 2]])), /^ShapeError: binaryCrossEntropyWithLogits: target 1 is 2, expected a number in \[0, 1\]$/);
  assert.throws(() => binaryCrossEntropyWithLogits(tensor([[0, 1]]), tensor([[NaN, 0]])), /target 0 is NaN/);
  assert.throws(() => binaryCrossEntropyWithLogits(tensor([[0, 1]]), tensor([[0], [1]])), /expected targets of the shape of logits \[1, 2\], got \[2, 1\]/);
});
