import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softmax, softmaxCrossEntropy, softmaxCrossEntropyWithLogits } from '../../src/losses/softmax-cross-entropy.js';
import { kernelBackend } from '../../src/kernels/dispatch.js';
import { allocFloat32 } from '../../src/kernels/memory.js';
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

/** A copy of `a` in the kernels' memory (where the SIMD kernel takes it), with `spare` extra floats after it set to 7. */
function inKernel(a: Float32Array, spare = 0): Float32Array {
  const buffer = allocFloat32(a.length + spare).fill(7);
  buffer.set(a);
  return buffer.subarray(0, a.length);
}

/** How many float32 steps apart a and b are (0: the same float). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  const key = (i: number) => (bits[i] < 0 ? -2147483648 - bits[i] : bits[i]);
  return Math.abs(key(0) - key(1));
}

test('on the SIMD kernel (arrays in kernel memory) softmax cross-entropy agrees with the JS loop: gradients within 1 float32 ulp, loss within 1e-15 (1 + loss)', { skip: kernelBackend !== 'wasm-simd' && 'no WebAssembly SIMD here' }, () => {
  const rng = new Rng(12);
  let values = 0;
  let differing = 0;
  for (const cols of [1, 2, 3, 9, 10, 17]) {
    for (const rows of [1, 2, 7, 32, 40]) {
      for (const spread of [0.01, 3, 30, 300]) {
        const logits = Float32Array.from({ length: rows * cols }, () => spread * rng.normal());
        if (spread === 300 && cols > 2) logits[1] = -Infinity; // e^−∞ = 0
        const labels = Uint8Array.from({ length: rows }, () => rng.int(cols));
        const wantGrad = new Float32Array(rows * cols);
        const wantLoss = softmaxCrossEntropy(wantGrad, logits, labels, rows, cols);
        const grad = inKernel(new Float32Array(rows * cols), 5);
        const loss = softmaxCrossEntropy(grad, inKernel(logits), labels, rows, cols);
        // A sum off by an ulp moves log(sum) by ~2e−16 however small the loss.
        assert.ok(Object.is(loss, wantLoss) || Math.abs(loss - wantLoss) <= 1e-15 * (1 + Math.abs(wantLoss)), `${rows}×${cols}, spread ${spread}: loss ${loss} vs ${wantLoss}`);
        grad.forEach((g, i) => {
          assert.ok(ulps(g, wantGrad[i]) <= 1, `${rows}×${cols}, spread ${spread}: grad[${i}] ${g} vs ${wantGrad[i]}`);
          values++;
          if (ulps(g, wantGrad[i]) !== 0) differing++;
        });
        const after = new Float32Array(grad.buffer, grad.byteOffset + 4 * grad.length, 5);
        assert.ok(after.every((v) => v === 7), 'nothing written past the gradient');
        const probs = inKernel(new Float32Array(rows * cols));
        softmax(probs, inKernel(logits), rows, cols);
        const wantProbs = softmax(new Float32Array(rows * cols), logits, rows, cols);
        probs.forEach((p, i) => assert.ok(ulps(p, wantProbs[i]) <= 1, `softmax[${i}] ${p} vs ${wantProbs[i]}`));
      }
    }
  }
  // Seen while writing it: none of the 13,776 differ at all.
  assert.ok(differing <= values / 1000, `${differing} of ${values} gradients differ`);
});

test('on the SIMD kernel a NaN logit gives NaN gradients and loss, as in the JS loop', { skip: kernelBackend !== 'wasm-simd' && 'no WebAssembly SIMD here' }, () => {
  const logits = inKernel(new Float32Array([1, NaN, 2, 0.5, 0.25, -1]));
  const grad = inKernel(new Float32Array(6));
  const loss = softmaxCrossEntropy(grad, logits, [0, 2], 2, 3);
  assert.ok(Number.isNaN(loss));
  assert.ok(grad.subarray(0, 3).every(Number.isNaN), 'the NaN row');
  const want = new Float32Array(6);
  softmaxCrossEntropy(want, new Float32Array([1, NaN, 2, 0.5, 0.25, -1]), [0, 2], 2, 3);
  assert.deepEqual(grad.subarray(3), want.subarray(3), 'the other row');
});
