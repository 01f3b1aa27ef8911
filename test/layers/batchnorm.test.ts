import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tanh } from '../../src/layers/activations.js';
import { BatchNorm } from '../../src/layers/batchnorm.js';
import { Dense } from '../../src/layers/dense.js';
import { kernelMemoryUsage } from '../../src/kernels/memory.js';
import { softmaxCrossEntropy } from '../../src/losses/softmax-cross-entropy.js';
import { tensor, type Tensor } from '../../src/kernels/tensor.js';
import { Sequential, train } from '../../src/model/sequential.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { Rng } from '../../src/rng.js';
import { dot, gradCheck, randn } from '../support/gradcheck.js';

/** x = offset + scale · N(0, 1), [rows, units]. */
function batch(rng: Rng, rows: number, units: number, scale = 3, offset = 5): Tensor {
  return tensor(randn(rng, rows * units, scale).map((v, i) => v + offset + (i % units)), [rows, units]);
}

/** Per-unit mean and biased variance of a [rows, units] batch, in float64. */
function columnStats(data: Float32Array, rows: number, units: number): { mean: number[]; variance: number[] } {
  const mean = Array.from({ length: units }, (_, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += data[r * units + c];
    return s / rows;
  });
  const variance = mean.map((m, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += (data[r * units + c] - m) ** 2;
    return s / rows;
  });
  return { mean, variance };
}

/** A BatchNorm with random γ and β (so the check does not hinge on γ = 1, β = 0). */
function randomBatchNorm(rng: Rng, units: number): BatchNorm {
  const bn = new BatchNorm(units);
  bn.gamma.value.set(randn(rng, units).map((v) => 1 + 0.5 * v));
  bn.beta.value.set(randn(rng, units));
  return bn;
}

test('training output: every unit has mean ≈ 0 and variance ≈ 1 (γ = 1, β = 0)', () => {
  const bn = new BatchNorm(6);
  bn.training = true;
  const rows = 50;
  const x = batch(new Rng(1), rows, 6);
  const { mean, variance } = columnStats(bn.forward(x).data, rows, 6);
  mean.forEach((m, c) => assert.ok(Math.abs(m) < 1e-6, `unit ${c}: mean ${m}`));
  // σ² / (σ² + eps) with σ² ≈ 9: 1 − 1e-6 or so.
  variance.forEach((v, c) => assert.ok(Math.abs(v - 1) < 1e-5, `unit ${c}: variance ${v}`));
});

test('numerical gradient check in training mode: input, gamma and beta (rows 3 and 17, units 5)', () => {
  const rng = new Rng(2);
  for (const rows of [3, 17]) {
    const bn = randomBatchNorm(rng, 5);
    bn.training = true;
    const x = batch(rng, rows, 5, 1, 0);
    const r = randn(rng, rows * 5); // L = Σ y ⊙ r, so dL/dy = r
    const loss = (): number => dot(bn.forward(x).data, r);
    bn.forward(x);
    const gradInput = Float32Array.from(bn.backward(x, tensor(r, [rows, 5])).data);
    const gradGamma = Float32Array.from(bn.gamma.grad);
    const gradBeta = Float32Array.from(bn.beta.grad);
    gradCheck(`BatchNorm dL/dx ${rows}x5`, loss, x.data, gradInput, { h: 1e-2, samples: rows * 5 });
    gradCheck(`BatchNorm dL/dgamma ${rows}x5`, loss, bn.gamma.value, gradGamma);
    gradCheck(`BatchNorm dL/dbeta ${rows}x5`, loss, bn.beta.value, gradBeta);
    // The gradient through the batch statistics is not the inference one: Σ_rows dL/dx = 0 for each unit.
    for (let c = 0; c < 5; c++) {
      let s = 0;
      for (let k = 0; k < rows; k++) s += gradInput[k * 5 + c];
      assert.ok(Math.abs(s) < 1e-4, `unit ${c}: Σ dL/dx = ${s}`);
    }
  }
});

test('numerical gradient check in inference mode (constant running statistics)', () => {
  const rng = new Rng(3);
  const bn = randomBatchNorm(rng, 5);
  bn.runningMean.value.set([0.5, -1, 2, 0, 3]);
  bn.runningVar.value.set([0.25, 4, 1, 9, 0.5]);
  const x = batch(rng, 4, 5, 1, 0);
  const r = randn(rng, 20);
  const loss = (): number => dot(bn.forward(x).data, r);
  bn.forward(x);
  const gradInput = Float32Array.from(bn.backward(x, tensor(r, [4, 5])).data);
  gradCheck('BatchNorm (inference) dL/dx', loss, x.data, gradInput);
  gradCheck('BatchNorm (inference) dL/dgamma', loss, bn.gamma.value, Float32Array.from(bn.gamma.grad));
  gradCheck('BatchNorm (inference) dL/dbeta', loss, bn.beta.value, Float32Array.from(bn.beta.grad));
});

test('backwardParams fills the same grads as backward', () => {
  const rng = new Rng(4);
  const a = randomBatchNorm(new Rng(9), 5);
  const b = randomBatchNorm(new Rng(9), 5);
  a.training = b.training = true;
  const x = batch(rng, 7, 5);
  const g = tensor(randn(rng, 35), [7, 5]);
  a.forward(x);
  b.forward(x);
  a.backward(x, g);
  b.backwardParams(x, g);
  assert.deepEqual(a.gamma.grad, b.gamma.grad);
  assert.deepEqual(a.beta.grad, b.beta.grad);
});

test('running statistics after k training steps equal an independent recomputation', () => {
  const rng = new Rng(5);
  const units = 4, momentum = 0.2;
  const bn = new BatchNorm(units, { momentum });
  bn.training = true;
  // PyTorch's rule, in float64, rounded to float32 where the layer stores.
  let rm = new Array<number>(units).fill(0);
  let rv = new Array<number>(units).fill(1);
  for (let step = 0; step < 6; step++) {
    const rows = [8, 3, 17, 2, 8, 5][step];
    const x = batch(rng, rows, units);
    bn.forward(x);
    const { mean, variance } = columnStats(x.data, rows, units);
    rm = rm.map((v, c) => Math.fround((1 - momentum) * v + momentum * mean[c]));
    rv = rv.map((v, c) => Math.fround((1 - momentum) * v + momentum * variance[c] * (rows / (rows - 1)))); // unbiased
  }
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  bn.runningMean.value.forEach((v, c) => assert.ok(close(v, rm[c]), `runningMean[${c}] ${v}, expected ${rm[c]}`));
  bn.runningVar.value.forEach((v, c) => assert.ok(close(v, rv[c]), `runningVar[${c}] ${v}, expected ${rv[c]}`));
  // Inference does not move them.
  const before = [Float32Array.from(bn.runningMean.value), Float32Array.from(bn.runningVar.value)];
  bn.training = false;
  bn.forward(batch(rng, 9, units));
  assert.deepEqual([bn.runningMean.value, bn.runningVar.value], before);
});

test('inference output is exactly (x − runningMean) / √(runningVar + eps) · γ + β', () => {
  const rng = new Rng(6);
  const units = 5;
  const bn = randomBatchNorm(rng, units);
  bn.runningMean.value.set(randn(rng, units));
  bn.runningVar.value.set(randn(rng, units).map((v) => 0.1 + v * v));
  const x = batch(rng, 9, units);
  const y = bn.forward(x).data;
  const [rm, rv, gamma, beta] = [bn.runningMean.value, bn.runningVar.value, bn.gamma.value, bn.beta.value];
  for (let i = 0; i < y.length; i++) {
    const c = i % units;
    assert.equal(y[i], Math.fround(((x.data[i] - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * gamma[c] + beta[c]), `y[${i}]`);
  }
  // Each row is normalised on its own: a row alone gives the same output as in its batch.
  const row = tensor(x.data.slice(0, units), [1, units]);
  assert.deepEqual(bn.forward(row).data, y.slice(0, units));
});

test('a batch of one row in training: output β, running variance kept (no unbiased variance of one value)', () => {
  const bn = randomBatchNorm(new Rng(7), 3);
  bn.training = true;
  const y = bn.forward(tensor([[4, -2, 7]])).data;
  y.forEach((v, c) => assert.ok(Math.abs(v - bn.beta.value[c]) < 1e-6, `unit ${c}: ${v}`));
  assert.deepEqual(Array.from(bn.runningVar.value), [1, 1, 1]);
  assert.deepEqual(Array.from(bn.runningMean.value), [0.4, -0.2, 0.7].map(Math.fround));
  assert.throws(() => bn.forward(tensor(new Float32Array(0), [0, 3])), /BatchNorm: training needs a batch of at least 1 row, got 0/);
});

test('modes switch through Sequential: training step trains and leaves inference mode; train() / eval()', () => {
  const rng = new Rng(8);
  const bn = new BatchNorm(6);
  const model = new Sequential([new Dense(4, 6, { rng }), bn, new Tanh(), new Dense(6, 3, { rng })], 4); // tanh: no kinks for the check
  const noUpdate: Optimizer = { lr: 0, step: () => {}, config: () => ({ name: 'none' }), getState: () => ({ step: 0, slots: {} }), setState: () => {} };
  const x = tensor(randn(rng, 40), [10, 4]);
  const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
  assert.equal(model.training, false);
  assert.equal(bn.training, false);

  train(model, x, labels, noUpdate);
  assert.equal(model.training, false, 'trainStep leaves the model in inference mode');
  assert.equal(bn.training, false);
  assert.notDeepEqual(Array.from(bn.runningMean.value), [0, 0, 0, 0, 0, 0], 'the step updated the running mean');

  // Inference: a row's output does not depend on its batch.
  const one = tensor(x.data.slice(0, 4), [1, 4]);
  const alone = model.forward(one).data.slice();
  assert.deepEqual(model.forward(x).data.slice(0, 3), alone);
  // Training: it does (batch statistics), and forward updates the running statistics.
  const rmBefore = bn.runningMean.value.slice();
  assert.equal(model.train(), model);
  assert.equal(model.training, true);
  assert.equal(bn.training, true);
  const inBatch = model.forward(x).data.slice(0, 3);
  assert.notDeepEqual(inBatch, alone);
  assert.notDeepEqual(bn.runningMean.value, rmBefore);
  assert.equal(model.eval(), model);
  assert.equal(bn.training, false);
  assert.deepEqual(model.forward(one).data, Float32Array.from(model.forward(x).data.slice(0, 3)));

  // training step computes its grads in training mode: they match a numerical check of the training-mode loss.
  train(model, x, labels, noUpdate);
  const first = model.layers[0] as Dense;
  const loss = (): number => {
    model.train();
    const z = model.forward(x);
    model.eval();
    return softmaxCrossEntropy(null, z.data, labels, 10, 3);
  };
  gradCheck('model with BatchNorm, first dW', loss, first.weight.value, Float32Array.from(first.weight.grad));
  gradCheck('model with BatchNorm, dgamma', loss, bn.gamma.value, Float32Array.from(bn.gamma.grad));
});

test('no new buffers after the first call with a batch size', () => {
  const bn = new BatchNorm(16);
  bn.training = true;
  const x = batch(new Rng(9), 32, 16);
  const g = tensor(randn(new Rng(10), 32 * 16), [32, 16]);
  bn.forward(x);
  bn.backward(x, g);
  const before = kernelMemoryUsage().allocations;
  for (let step = 0; step < 5; step++) {
    bn.forward(x);
    bn.backward(x, g);
  }
  assert.equal(kernelMemoryUsage().allocations, before);
});

test('options are validated; config, params and buffers', () => {
  assert.throws(() => new BatchNorm(0), /^ConfigError: BatchNorm: expected units to be a positive integer, got 0$/);
  assert.throws(() => new BatchNorm(2.5), /expected units to be a positive integer, got 2\.5$/);
  assert.throws(() => new BatchNorm(3, { momentum: 1.5 }), /^ConfigError: BatchNorm: expected momentum to be a number in \[0, 1\], got 1\.5$/);
  assert.throws(() => new BatchNorm(3, { momentum: NaN }), /expected momentum to be a number in \[0, 1\], got NaN$/);
  assert.throws(() => new BatchNorm(3, { eps: 0 }), /^ConfigError: BatchNorm: expected eps to be a positive number, got 0$/);
  assert.throws(() => new BatchNorm(3, { eps: Infinity }), /expected eps to be a positive number, got Infinity$/);
  const bn = new BatchNorm(3);
  assert.deepEqual(bn.config(), { kind: 'batchnorm', units: 3, momentum: 0.1, eps: 1e-5 });
  assert.deepEqual(bn.params().map((p) => [p.name, p.shape, Array.from(p.value)]), [['gamma', [3], [1, 1, 1]], ['beta', [3], [0, 0, 0]]]);
  assert.deepEqual(bn.buffers().map((b) => [b.name, b.shape, Array.from(b.value)]), [['runningMean', [3], [0, 0, 0]], ['runningVar', [3], [1, 1, 1]]]);
  assert.throws(() => bn.outputShape([4]), /BatchNorm: expected input shape \[3\] or \[3, height, width\], got \[4\]/);
  assert.throws(() => bn.forward(tensor(new Float32Array(8), [2, 4])), /BatchNorm: expected input of shape \[rows, 3\] or \[batch, 3, height, width\], got \[2, 4\]/);
});

test('over channels of images [n, C, H, W]: per-channel statistics, and the central-difference check in both modes', () => {
  const rng = new Rng(21);
  const [n, c, h, w] = [3, 2, 3, 5];
  const bn = randomBatchNorm(rng, c);
  assert.deepEqual(bn.outputShape([c, h, w]), [c, h, w]);
  const x = tensor(Float32Array.from({ length: n * c * h * w }, () => rng.normal() * 2 + 1), [n, c, h, w]);
  // Training: each channel's n·H·W values normalised together (γ = 1, β = 0 here: mean 0, variance 1).
  const plain = new BatchNorm(c);
  plain.training = true;
  const y = plain.forward(x);
  assert.deepEqual(y.shape, [n, c, h, w]);
  for (let ch = 0; ch < c; ch++) {
    const values: number[] = [];
    for (let b = 0; b < n; b++) for (let p = 0; p < h * w; p++) values.push(y.data[(b * c + ch) * h * w + p]);
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
    assert.ok(Math.abs(mean) < 1e-5 && Math.abs(variance - 1) < 1e-3, `channel ${ch}: mean ${mean}, variance ${variance}`);
  }
  for (const training of [true, false]) {
    bn.training = training;
    const r = randn(rng, n * c * h * w);
    const loss = (): number => dot(bn.forward(x).data, r);
    bn.forward(x);
    const gradInput = Float32Array.from(bn.backward(x, tensor(r, [n, c, h, w])).data);
    const gradGamma = Float32Array.from(bn.gamma.grad);
    const gradBeta = Float32Array.from(bn.beta.grad);
    gradCheck(`BatchNorm 4-D (training ${training}) dL/dx`, loss, x.data, gradInput, { h: 1e-2, samples: 60 });
    gradCheck(`BatchNorm 4-D (training ${training}) dL/dgamma`, loss, bn.gamma.value, gradGamma);
    gradCheck(`BatchNorm 4-D (training ${training}) dL/dbeta`, loss, bn.beta.value, gradBeta);
  }
});
