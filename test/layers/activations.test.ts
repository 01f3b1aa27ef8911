import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activationByName,
  activationLayer,
  activations,
  LeakyReLU,
  ReLU,
  Sigmoid,
  Tanh,
  Identity,
} from '../../src/layers/activations.js';
import { Dense } from '../../src/layers/dense.js';
import { tensor, toArray2 } from '../../src/kernels/tensor.js';
import { Rng } from '../../src/rng.js';
import { dot, gradCheck } from '../support/gradcheck.js';

test("tutorial's ReLU test: forward and backward on [-2, -1, 0, 1, 2]", () => {
  const relu = new ReLU();
  const input = tensor([[-2.0, -1.0, 0.0, 1.0, 2.0]]);
  assert.deepEqual(toArray2(relu.forward(input)), [[0, 0, 0, 1, 2]]);
  const gradInput = relu.backward(input, tensor([[1, 1, 1, 1, 1]]));
  assert.deepEqual(toArray2(gradInput), [[0, 0, 0, 1, 1]]);
});

test('each activation: f and der at known points', () => {
  const { relu, sigmoid, tanh } = activations;
  const leaky = activations['leaky-relu'];
  assert.equal(sigmoid.f(0), 0.5);
  assert.equal(sigmoid.der(0), 0.25);
  assert.equal(tanh.f(0), 0);
  assert.equal(tanh.der(0), 1);
  assert.equal(relu.f(-3), 0);
  assert.equal(relu.der(3), 1);
  assert.equal(leaky.f(-2), -0.2);
  assert.equal(leaky.der(-2), 0.1);
  assert.equal(leaky.f(2), 2);
});

test('every derivative matches central differences of its f', () => {
  for (const fn of Object.values(activations)) {
    for (let x = -5; x <= 5; x += 0.37) {
      const h = 1e-6;
      const numeric = (fn.f(x + h) - fn.f(x - h)) / (2 * h);
      assert.ok(Math.abs(numeric - fn.der(x)) < 1e-6, `${fn.name}'(${x}): numeric ${numeric}, der ${fn.der(x)}`);
    }
  }
});

test('every activation layer passes a numerical gradient check', () => {
  const rng = new Rng(11);
  for (const layer of [new ReLU(), new Sigmoid(), new Tanh(), new LeakyReLU()]) {
    const rows = 3, cols = 17;
    // Keep inputs away from the kink at 0 where ReLU-like functions have no derivative.
    const x = tensor(Float32Array.from({ length: rows * cols }, () => (rng.uniform() < 0.5 ? -1 : 1) * (0.1 + 2 * rng.uniform())), [rows, cols]);
    const r = Float32Array.from({ length: rows * cols }, () => rng.normal());
    const grad = layer.backward(x, tensor(r, [rows, cols]));
    gradCheck(layer.fn.name, () => dot(layer.forward(x).data, r), x.data, Float32Array.from(grad.data), { samples: 51 });
  }
});

test('activationByName and activationLayer know the five names and reject others', () => {
  assert.ok(activationLayer('relu') instanceof ReLU);
  assert.ok(activationLayer('leaky-relu') instanceof LeakyReLU);
  assert.ok(activationLayer('linear') instanceof Identity);
  assert.throws(() => activationByName('swish'), /unknown activation "swish": expected one of sigmoid, relu, tanh, leaky-relu, linear/);
});

test('linear is the identity: forward copies, backward passes the gradient through, and two Dense layers joined by it are one affine map', () => {
  const layer = new Identity();
  const x = tensor([[-2, 0.5, 3]]);
  assert.deepEqual(toArray2(layer.forward(x)), [[-2, 0.5, 3]]);
  assert.deepEqual(toArray2(layer.backward(x, tensor([[1, -4, 0.25]]))), [[1, -4, 0.25]]);
  assert.deepEqual(layer.config(), { kind: 'linear' });
  // W2(W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2): the stack's output is affine in x, so
  // f(a + b) - f(a) - f(b) + f(0) = 0 for any inputs a, b (to float32 rounding).
  const rng = new Rng(3);
  const first = new Dense(2, 8, { rng });
  first.bias.value.fill(0.3);
  const second = new Dense(8, 3, { rng });
  second.bias.value.fill(-0.2);
  const f = (v: number[]): number[] => Array.from(second.forward(layer.forward(first.forward(tensor([v])))).data);
  const [fa, fb, fab, f0] = [f([0.7, -1.2]), f([2.5, 0.4]), f([3.2, -0.8]), f([0, 0])];
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(fab[j] - fa[j] - fb[j] + f0[j]) < 1e-5, `output ${j}`);
});
