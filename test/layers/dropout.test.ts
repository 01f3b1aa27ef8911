import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dropout } from '../../src/layers/dropout.js';
import { kernelMemoryUsage } from '../../src/kernels/memory.js';
import { tensor } from '../../src/kernels/tensor.js';
import { Rng } from '../../src/rng.js';
import { dot, gradCheck, randn } from '../support/gradcheck.js';

/** A Dropout layer in training mode. */
function training(rate: number, rng: Rng | number): Dropout {
  const layer = new Dropout(rate, { rng });
  layer.training = true;
  return layer;
}

test('inference is the identity (the input tensor itself), and so is its backward', () => {
  const layer = new Dropout(0.5, { rng: 1 });
  assert.equal(layer.training, false, 'a new layer is in inference mode');
  const x = tensor(randn(new Rng(1), 12), [3, 4]);
  assert.equal(layer.forward(x), x);
  const g = tensor(randn(new Rng(2), 12), [3, 4]);
  assert.equal(layer.backward(x, g), g);
  // Rate 0 drops nothing in training either.
  const none = training(0, 1);
  assert.equal(none.forward(x), x);
});

test('training: about `rate` of the elements are zeroed, survivors are scaled by 1/(1 − rate)', () => {
  for (const rate of [0.1, 0.5, 0.8]) {
    const layer = training(rate, 7);
    const rows = 200, cols = 250; // 50,000 elements: the fraction's std is ≤ 0.0023
    const x = tensor(new Float32Array(rows * cols).map((_, i) => 1 + (i % 13)), [rows, cols]);
    const y = layer.forward(x).data;
    let zeros = 0;
    const keep = Math.fround(1 / (1 - rate));
    for (let i = 0; i < y.length; i++) {
      if (y[i] === 0) zeros++;
      else assert.equal(y[i], Math.fround(x.data[i] * keep), `survivor ${i}`);
    }
    const fraction = zeros / y.length;
    assert.ok(Math.abs(fraction - rate) < 0.01, `rate ${rate}: zeroed fraction ${fraction}`);
  }
});

test('the same seed gives the same masks; different seeds differ; each call draws a new mask', () => {
  const x = tensor(new Float32Array(64 * 32).fill(1), [64, 32]);
  const a = training(0.5, 42);
  const b = training(0.5, new Rng(42));
  const c = training(0.5, 43);
  const first = a.forward(x).data.slice();
  assert.deepEqual(b.forward(x).data, first);
  assert.notDeepEqual(c.forward(x).data, first);
  assert.notDeepEqual(a.forward(x).data, first, 'the second call draws a fresh mask');
});

test('backward multiplies by the mask of the forward pass', () => {
  const layer = training(0.3, 5);
  const x = tensor(randn(new Rng(3), 40), [5, 8]);
  const y = layer.forward(x).data.slice();
  const g = tensor(new Float32Array(40).fill(2), [5, 8]);
  const d = layer.backward(x, g).data;
  for (let i = 0; i < 40; i++) {
    // y = x·m and dx = g·m: with g = 2, dx = 2·y/x.
    const m = y[i] === 0 ? 0 : Math.fround(1 / 0.7);
    assert.equal(d[i], Math.fround(2 * m), `element ${i}`);
  }
  assert.throws(() => layer.backward(x, tensor(new Float32Array(8), [1, 8])), /Dropout\.backward: expected gradOutput of shape \[5, 8\], got \[1, 8\]/);
});

test('numerical gradient check with a fixed mask (the generator is rewound before each forward pass)', () => {
  const rng = new Rng(11);
  const layer = training(0.4, rng);
  const state = rng.getState();
  const x = tensor(randn(new Rng(4), 3 * 17), [3, 17]);
  const r = randn(new Rng(5), 3 * 17); // L = Σ y ⊙ r
  const loss = (): number => {
    rng.setState(state);
    return dot(layer.forward(x).data, r);
  };
  loss();
  const gradInput = Float32Array.from(layer.backward(x, tensor(r, [3, 17])).data);
  gradCheck('Dropout dL/dx', loss, x.data, gradInput, { samples: 51 });
  // And backward really uses forward's mask: a forward with another mask gives another gradient.
  layer.forward(x);
  assert.notDeepEqual(layer.backward(x, tensor(r, [3, 17])).data, gradInput);
});

test('no new buffers after the first call with a batch size', () => {
  const layer = training(0.5, 9);
  const x32 = tensor(randn(new Rng(6), 32 * 64), [32, 64]);
  const x7 = tensor(randn(new Rng(7), 7 * 64), [7, 64]);
  const g32 = tensor(randn(new Rng(8), 32 * 64), [32, 64]);
  for (const x of [x32, x7]) {
    layer.forward(x);
    layer.backward(x, x);
  }
  const before = kernelMemoryUsage().allocations;
  const out = layer.forward(x32);
  const grad = layer.backward(x32, g32);
  for (let step = 0; step < 5; step++) {
    assert.equal(layer.forward(x32), out);
    assert.equal(layer.backward(x32, g32), grad);
    layer.forward(x7);
    layer.backward(x7, x7);
  }
  assert.equal(kernelMemoryUsage().allocations, before);
});

test('the rate is validated; config is {kind, rate}', () => {
  for (const rate of [-0.1, 1, 1.5, NaN, Infinity]) {
    assert.throws(() => new Dropout(rate), new RegExp(`^ConfigError: Dropout: expected rate to be a number in \\[0, 1\\), got ${rate}$`));
  }
  assert.deepEqual(new Dropout(0.2).config(), { kind: 'dropout', rate: 0.2 });
  assert.deepEqual(new Dropout(0.2).outputShape([17]), [17]);
  assert.deepEqual(new Dropout(0.2).outputShape([3, 5, 7]), [3, 5, 7], 'any rank');
});
