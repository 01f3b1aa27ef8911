import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dense } from '../../src/layers/dense.js';
import { tensor, toArray2 } from '../../src/kernels/tensor.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/rng.js';
import { dot, gradCheck, randn } from '../support/gradcheck.js';

function assertClose2(actual: number[][], expected: number[][], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, r) =>
    row.forEach((v, c) => assert.ok(Math.abs(v - expected[r][c]) <= tol, `[${r}][${c}]: got ${v}, expected ${expected[r][c]}`)),
  );
}

/** The tutorial's test_dense_layer: 2 inputs, 3 outputs, fixed weights. */
function tutorialDense(tutorialCompat = false): Dense {
  const dense = new Dense(2, 3, { tutorialCompat });
  dense.weight.value.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  dense.bias.value.set([0.1, 0.2, 0.3]);
  return dense;
}
const input = tensor([[1.0, 2.0], [3.0, 4.0]]);
const gradOutput = tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]);

test("tutorial's Dense forward: the hand-computed expected output", () => {
  const out = tutorialDense().forward(input);
  assert.deepEqual(out.shape, [2, 3]);
  assertClose2(toArray2(out), [
    [1.0 * 0.1 + 2.0 * 0.4 + 0.1, 1.0 * 0.2 + 2.0 * 0.5 + 0.2, 1.0 * 0.3 + 2.0 * 0.6 + 0.3],
    [3.0 * 0.1 + 4.0 * 0.4 + 0.1, 3.0 * 0.2 + 4.0 * 0.5 + 0.2, 3.0 * 0.3 + 4.0 * 0.6 + 0.3],
  ]);
});

test("tutorial's Dense backward: gradInput = G·Wᵀ, dW = Xᵀ·G, db = Σ G (divided once)", () => {
  const dense = tutorialDense();
  dense.forward(input);
  const gradInput = dense.backward(input, gradOutput);
  // G·Wᵀ: [0.1·0.1 + 0.2·0.2 + 0.3·0.3, 0.1·0.4 + 0.2·0.5 + 0.3·0.6], …
  assertClose2(toArray2(gradInput), [[0.14, 0.32], [0.32, 0.77]]);
  // Xᵀ·G: [1·0.1 + 3·0.4, 1·0.2 + 3·0.5, 1·0.3 + 3·0.6], [2·0.1 + 4·0.4, …]
  assertClose2([Array.from(dense.weight.grad.subarray(0, 3)), Array.from(dense.weight.grad.subarray(3))], [[1.3, 1.7, 2.1], [1.8, 2.4, 3.0]]);
  assertClose2([Array.from(dense.bias.grad)], [[0.5, 0.7, 0.9]]);
  // The layer does not update itself: the optimizer does.
  assertClose2([Array.from(dense.weight.value)], [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]]);
  new SGD({ lr: 0.1 }).step(dense.params());
  assertClose2([Array.from(dense.weight.value)], [[0.1 - 0.13, 0.2 - 0.17, 0.3 - 0.21, 0.4 - 0.18, 0.5 - 0.24, 0.6 - 0.3]]);
  assertClose2([Array.from(dense.bias.value)], [[0.1 - 0.05, 0.2 - 0.07, 0.3 - 0.09]]);
});

test("tutorialCompat replays the tutorial's update: weights and biases after one step with lr 0.1", () => {
  const dense = tutorialDense(true);
  dense.forward(input);
  dense.backward(input, gradOutput);
  new SGD({ lr: 0.1 }).step(dense.params());
  // The tutorial: W −= 0.1 · (Xᵀ·G) / 2, b −= 0.1 · mean(G, axis 0).
  assertClose2([Array.from(dense.weight.value)], [[0.035, 0.115, 0.195, 0.31, 0.38, 0.45]]);
  assertClose2([Array.from(dense.bias.value)], [[0.075, 0.165, 0.255]]);
});

test('Dense passes a numerical gradient check for input, weight and bias', () => {
  const rng = new Rng(7);
  for (const [rows, inUnits, outUnits] of [[1, 1, 1], [3, 5, 4], [17, 33, 3]]) {
    const dense = new Dense(inUnits, outUnits, { rng });
    randn(rng, outUnits).forEach((v, i) => (dense.bias.value[i] = v));
    const x = tensor(randn(rng, rows * inUnits), [rows, inUnits]);
    const r = randn(rng, rows * outUnits); // L = Σ output ⊙ r, so dL/doutput = r
    const loss = (): number => dot(dense.forward(x).data, r);
    dense.forward(x);
    const gradInput = dense.backward(x, tensor(r, [rows, outUnits]));
    gradCheck(`dL/dX ${rows}x${inUnits}`, loss, x.data, Float32Array.from(gradInput.data));
    gradCheck('dL/dW', loss, dense.weight.value, Float32Array.from(dense.weight.grad));
    gradCheck('dL/db', loss, dense.bias.value, Float32Array.from(dense.bias.grad));
  }
});

test('backwardParams fills the same grads as backward', () => {
  const rng = new Rng(3);
  const a = new Dense(5, 4, { rng: new Rng(1) });
  const b = new Dense(5, 4, { rng: new Rng(1) });
  const x = tensor(randn(rng, 15), [3, 5]);
  const g = tensor(randn(rng, 12), [3, 4]);
  a.backward(x, g);
  b.backwardParams(x, g);
  assert.deepEqual(a.weight.grad, b.weight.grad);
  assert.deepEqual(a.bias.grad, b.bias.grad);
});

test('He init has std sqrt(2/fanIn); Glorot init is uniform within sqrt(6/(fanIn+fanOut))', () => {
  const he = new Dense(784, 64, { rng: new Rng(5) }).weight.value;
  const mean = he.reduce((s, v) => s + v, 0) / he.length;
  const std = Math.sqrt(he.reduce((s, v) => s + (v - mean) ** 2, 0) / he.length);
  assert.ok(Math.abs(mean) < 0.002, `mean ${mean}`);
  assert.ok(Math.abs(std / Math.sqrt(2 / 784) - 1) < 0.02, `std ${std}`);
  const glorot = new Dense(784, 64, { init: 'glorot', rng: new Rng(5) }).weight.value;
  const limit = Math.sqrt(6 / (784 + 64));
  assert.ok(glorot.every((v) => Math.abs(v) <= limit));
  assert.ok(Math.max(...glorot) > 0.95 * limit && Math.min(...glorot) < -0.95 * limit);
});

test('same rng seed gives bit-identical weights', () => {
  const a = new Dense(10, 7, { rng: new Rng(99) });
  const b = new Dense(10, 7, { rng: new Rng(99) });
  const c = new Dense(10, 7, { rng: new Rng(100) });
  assert.deepEqual(a.weight.value, b.weight.value);
  assert.notDeepEqual(a.weight.value, c.weight.value);
});

test('shape errors say expected and got', () => {
  const dense = new Dense(4, 2);
  assert.throws(() => dense.forward(tensor(new Float32Array(6), [2, 3])), /Dense: expected input of shape \[rows, 4\], got \[2, 3\]/);
  assert.throws(() => new Dense(0, 3), /expected inputUnits to be a positive integer, got 0/);
  assert.throws(() => new Dense(3, 2.5), /expected outputUnits to be a positive integer, got 2.5/);
});

test('forward reuses its output buffer for the same batch size', () => {
  const dense = new Dense(3, 2);
  const x = tensor(new Float32Array(6), [2, 3]);
  assert.equal(dense.forward(x), dense.forward(x));
});

test('the sparse path (SIMD, mostly-zero input) gives the dense result and the same grads', async () => {
  const { allocFloat32 } = await import('../../src/kernels/memory.js');
  const rng = new Rng(12);
  const rows = 32, inUnits = 784, outUnits = 64;
  const sparse = new Dense(inUnits, outUnits, { rng: new Rng(1) });
  const dense = new Dense(inUnits, outUnits, { rng: new Rng(1) });
  // 80 % zeros: the sparse layer takes its sparse path; a plain (non-kernel) copy takes the JS path.
  const xs = allocFloat32(rows * inUnits);
  xs.forEach((_, i) => (xs[i] = rng.uniform() < 0.2 ? rng.uniform() : 0));
  const x = tensor(xs, [rows, inUnits]);
  const xPlain = tensor(Float32Array.from(xs), [rows, inUnits]);
  const g = randn(rng, rows * outUnits);
  const outSparse = Float32Array.from(sparse.forward(x).data);
  const outDense = dense.forward(xPlain).data;
  outSparse.forEach((v, i) => assert.ok(Math.abs(v - outDense[i]) < 1e-5, `out[${i}] ${v} vs ${outDense[i]}`));
  sparse.backwardParams(x, tensor(g, [rows, outUnits]));
  dense.backwardParams(xPlain, tensor(Float32Array.from(g), [rows, outUnits]));
  sparse.weight.grad.forEach((v, i) => assert.ok(Math.abs(v - dense.weight.grad[i]) < 1e-5, `dW[${i}] ${v} vs ${dense.weight.grad[i]}`));
});
