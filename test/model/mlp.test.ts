import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { subset } from '../../src/data/dataset.js';
import { idxToDataset, parseIdx } from '../../src/data/idx.js';
import { bundledMnistPaths } from '../../src/io/mnist.js';
import type { Dense } from '../../src/layers/dense.js';
import { mlp } from '../../src/model/mlp.js';
import type { Sequential } from '../../src/model/sequential.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { fit } from '../../src/train/fit.js';
import { Rng } from '../../src/rng.js';
import { gradCheck } from '../support/gradcheck.js';

test("mlp() is the tutorial's 784-64-32-10 ReLU network", () => {
  const model = mlp();
  assert.deepEqual(model.summary(), [
    'Layer 0: Dense (784 -> 64)',
    'Layer 1: ReLU',
    'Layer 2: Dense (64 -> 32)',
    'Layer 3: ReLU',
    'Layer 4: Dense (32 -> 10)',
  ]);
  assert.equal(model.outputUnits, 10);
});

test('mlp: same seed → bit-identical weights; options are honoured', () => {
  const a = mlp({ rng: 7 }).params().map((p) => p.value);
  const b = mlp({ rng: 7 }).params().map((p) => p.value);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, mlp({ rng: 8 }).params().map((p) => p.value));
  const small = mlp({ inputUnits: 4, hidden: [3], outputUnits: 2, activation: 'tanh' });
  assert.deepEqual(small.config().map((c) => c.kind), ['dense', 'tanh', 'dense']);
  assert.throws(() => mlp({ hidden: [64, 0] }), /expected layer sizes to be positive integers, got 0/);
});

test('mlp with batchNorm and dropout: Dense → BatchNorm → activation → Dropout per hidden layer', () => {
  const model = mlp({ hidden: [64, 32], batchNorm: true, dropout: 0.2, rng: 1 });
  assert.deepEqual(model.config().map((c) => c.kind), ['dense', 'batchnorm', 'relu', 'dropout', 'dense', 'batchnorm', 'relu', 'dropout', 'dense']);
  assert.deepEqual(mlp({ hidden: [8], dropout: 0 }).config().map((c) => c.kind), ['dense', 'relu', 'dense']);
});

/**
 * The mean softmax cross-entropy of a Dense/ReLU stack in float64, written
 * out plainly (no kernels): the oracle the gradient check differentiates.
 * `x` holds the batch's pixels as the model sees them (float32 of byte/255).
 */
function referenceLoss(model: Sequential, x: Float64Array, labels: Uint8Array): number {
  const rows = labels.length;
  let a = x;
  let cols = model.inputUnits;
  for (const layer of model.layers) {
    const kind = layer.config().kind;
    if (kind === 'relu') {
      a = a.map((v) => Math.max(0, v));
      continue;
    }
    assert.equal(kind, 'dense');
    const { weight, bias, outputUnits: n } = layer as Dense;
    const z = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < n; j++) {
        let sum = bias.value[j];
        for (let i = 0; i < cols; i++) sum += a[r * cols + i] * weight.value[i * n + j];
        z[r * n + j] = sum;
      }
    }
    a = z;
    cols = n;
  }
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const logits = a.subarray(r * cols, (r + 1) * cols);
    const max = Math.max(...logits);
    const logSum = Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    loss += logSum - logits[labels[r]];
  }
  return loss / rows;
}

test("the tutorial's 784-64-32-10 network trained by fit on MNIST images passes a numerical gradient check end to end", async () => {
  // Real MNIST digits (~19 % nonzero): the batch loader compresses them, so
  // the first layer takes the sparse kernels (X·W and Xᵀ·G over the
  // nonzeros), and the Dense layers after a ReLU the masked dL/dX kernel.
  const paths = bundledMnistPaths();
  const images = parseIdx(new Uint8Array(readFileSync(paths.testImages)), paths.testImages);
  const labels = parseIdx(new Uint8Array(readFileSync(paths.testLabels)), paths.testLabels);
  const rows = 8;
  const train = subset(idxToDataset(images, labels, paths.testImages, paths.testLabels), Array.from({ length: rows }, (_, i) => i));
  const model = mlp({ rng: 5 });
  // An optimizer that keeps a copy of the grads of the one step and leaves the weights alone.
  const grads: Float32Array[] = [];
  const recorder: Optimizer = {
    lr: 0,
    step: (params) => void grads.push(...params.map((p) => Float32Array.from(p.grad))),
    config: () => ({ name: 'recorder' }),
    getState: () => ({ step: 0, slots: {} }),
    setState: () => {},
  };
  await fit(model, { train }, { epochs: 1, batchSize: rows, shuffle: false, optimizer: recorder });
  const params = model.params();
  assert.equal(grads.length, params.length);

  const x = Float64Array.from(train.x, (b) => Math.fround(b / 255));
  const loss = () => referenceLoss(model, x, train.y);
  // The loss is float64, so a small step is exact enough and seldom crosses a ReLU's kink.
  const tolerance = { h: 1e-4, rtol: 1e-3, atol: 1e-6 };
  // Most first-layer weights see only zero pixels (grad 0); check those of
  // pixels lit in some image, the last image's included, and a few others.
  const hidden = model.layers[0].config().outputUnits as number;
  const lit = (r: number) => [...train.x.subarray(r * 784, (r + 1) * 784).keys()].filter((i) => train.x[r * 784 + i] > 0);
  const rng = new Rng(3);
  const pick = <T>(from: readonly T[], n: number) => Array.from({ length: n }, () => from[rng.int(from.length)]);
  const firstIndices = [
    ...pick(lit(rows - 1), 60).map((i) => i * hidden + rng.int(hidden)),
    ...pick([...new Set(Array.from({ length: rows - 1 }, (_, r) => lit(r)).flat())], 60).map((i) => i * hidden + rng.int(hidden)),
    ...pick([...params[0].value.keys()], 20),
  ];
  const names = model.layers.flatMap((layer, i) => layer.params().map((p) => `layers.${i}.${p.name}`));
  gradCheck(names[0], loss, params[0].value, grads[0], { ...tolerance, indices: firstIndices });
  params.forEach((p, k) => {
    if (k > 0) gradCheck(names[k], loss, p.value, grads[k], { ...tolerance, samples: 120, seed: k });
  });
  // The check is not vacuous: the sampled first-layer grads are mostly nonzero.
  assert.ok(firstIndices.filter((i) => grads[0][i] !== 0).length > 80);
});
