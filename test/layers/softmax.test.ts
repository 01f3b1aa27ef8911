import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Softmax } from '../../src/layers/softmax.js';
import { tensor } from '../../src/kernels/tensor.js';
import { Rng } from '../../src/rng.js';
import { dot, gradCheck, randn } from '../support/gradcheck.js';

test('forward: rows are probabilities that sum to 1, in the order of the inputs', () => {
  const rng = new Rng(1);
  const x = tensor(randn(rng, 4 * 7, 4), [4, 7]);
  const p = new Softmax().forward(x).data;
  for (let r = 0; r < 4; r++) {
    const row = p.subarray(r * 7, r * 7 + 7);
    assert.ok(row.every((v) => v > 0 && v < 1));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    const z = x.data.subarray(r * 7, r * 7 + 7);
    for (let j = 1; j < 7; j++) assert.equal(Math.sign(row[j] - row[0]), Math.sign(z[j] - z[0]));
  }
  // Hand-checked: [0, ln 3] → [0.25, 0.75]; huge logits do not overflow.
  const hand = new Softmax().forward(tensor([[0, Math.log(3)], [1000, -1000]])).data;
  assert.deepEqual(Array.from(hand).map((v) => Math.round(v * 1e6) / 1e6), [0.25, 0.75, 1, 0]);
});

test('backward is the Jacobian-vector product p ⊙ (g − Σ g ⊙ p): numerical gradient check', () => {
  const rng = new Rng(2);
  for (const [rows, cols] of [[1, 2], [3, 5], [17, 10]]) {
    const layer = new Softmax();
    const x = tensor(randn(rng, rows * cols, 2), [rows, cols]);
    const r = randn(rng, rows * cols);
    const loss = (): number => dot(layer.forward(x).data, r);
    layer.forward(x);
    const gradInput = Float32Array.from(layer.backward(x, tensor(r, [rows, cols])).data);
    gradCheck(`Softmax dL/dx ${rows}x${cols}`, loss, x.data, gradInput, { atol: 2e-4 });
  }
});

test('backward: a gradient that is the same for every class gives 0 (softmax ignores a constant shift)', () => {
  const layer = new Softmax();
  const x = tensor([[1, 2, 3]]);
  const d = layer.backward(x, tensor([[5, 5, 5]])).data;
  d.forEach((v) => assert.ok(Math.abs(v) < 1e-6));
  assert.throws(() => layer.backward(x, tensor([[1, 2]])), /Softmax\.backward: expected gradOutput of shape \[1, 3\], got \[1, 2\]/);
});

test('config and sizes', () => {
  const layer = new Softmax();
  assert.deepEqual(layer.config(), { kind: 'softmax' });
  assert.deepEqual(layer.params(), []);
  assert.deepEqual(layer.outputShape([10]), [10]);
  assert.throws(() => layer.outputShape([2, 5]), /Softmax: expected input shape \[units\], got \[2, 5\]/);
});
