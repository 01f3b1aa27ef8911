import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dense } from '../../src/layers/dense.js';
import { ReLU, Tanh } from '../../src/layers/activations.js';
import { BatchNorm } from '../../src/layers/batchnorm.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Softmax } from '../../src/layers/softmax.js';
import { allocFloat32, kernelMemoryUsage } from '../../src/kernels/memory.js';
import { tensor } from '../../src/kernels/tensor.js';
import { softmaxCrossEntropy } from '../../src/losses/softmax-cross-entropy.js';
import { Sequential, forward, predict, train } from '../../src/model/sequential.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/rng.js';
import { gradCheck, randn } from '../support/gradcheck.js';

/** An optimizer that records nothing and changes nothing, to inspect grads after a step. */
const noUpdate: Optimizer = {
  lr: 0,
  step: () => {},
  config: () => ({ name: 'none' }),
  getState: () => ({ step: 0, slots: {} }),
  setState: () => {},
};

test("the tutorial's forward(network, X): one activation per layer, with the right shapes", () => {
  const rng = new Rng(1);
  const network = [new Dense(4, 5, { rng }), new ReLU(), new Dense(5, 2, { rng })];
  const x = tensor(randn(rng, 12), [3, 4]);
  const acts = forward(network, x);
  assert.deepEqual(acts.map((a) => a.shape), [[3, 5], [3, 5], [3, 2]]);
  assert.ok(acts[1].data.every((v, i) => v === Math.max(0, acts[0].data[i])));
  const p = predict(network, x);
  for (let r = 0; r < 3; r++) {
    const row = Array.from(acts[2].data.subarray(r * 2, r * 2 + 2));
    assert.equal(p[r], row[1] > row[0] ? 1 : 0);
  }
});

test('the whole network passes a numerical gradient check (first and last layer weights)', () => {
  const rng = new Rng(2);
  const first = new Dense(6, 5, { rng });
  const last = new Dense(5, 3, { rng });
  const model = new Sequential([first, new Tanh(), last], 6);
  const x = tensor(randn(rng, 24), [4, 6]);
  const labels = Uint8Array.from([0, 2, 1, 2]);
  const loss = (): number => {
    const z = model.forward(x);
    return softmaxCrossEntropy(null, z.data, labels, 4, 3);
  };
  train(model, x, labels, noUpdate);
  gradCheck('first dW', loss, first.weight.value, first.weight.grad);
  gradCheck('first db', loss, first.bias.value, first.bias.grad);
  gradCheck('last dW', loss, last.weight.value, last.weight.grad);
});

test('train(network, X, y) lowers the loss on a small separable problem', () => {
  const rng = new Rng(3);
  const network = [new Dense(2, 8, { rng }), new ReLU(), new Dense(8, 2, { rng })];
  const n = 64;
  const x = new Float32Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = rng.normal();
    x[2 * i + 1] = rng.normal();
    y[i] = x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0;
  }
  const batch = tensor(x, [n, 2]);
  const sgd = new SGD({ lr: 0.5 });
  const first = train(network, batch, y, sgd);
  let last = first;
  for (let step = 0; step < 200; step++) last = train(network, batch, y, sgd);
  assert.ok(last < first / 4, `loss ${first} → ${last}`);
  const p = predict(network, batch);
  assert.ok(p.filter((v, i) => v === y[i]).length >= 60);
});

test('a training step reuses every buffer after the first batch', () => {
  const rng = new Rng(4);
  const model = new Sequential([new Dense(3, 4, { rng }), new ReLU(), new Dense(4, 2, { rng })], 3);
  const x = tensor(randn(rng, 15), [5, 3]);
  const y = [0, 1, 0, 1, 1];
  train(model, x, y, noUpdate);
  const before = model.forwardAll(x).map((t) => t.data);
  const grads = model.params().map((p) => p.grad);
  train(model, x, y, noUpdate);
  const after = model.forwardAll(x).map((t) => t.data);
  after.forEach((buf, i) => assert.equal(buf, before[i], `layer ${i} output buffer was reallocated`));
  model.params().forEach((p, i) => assert.equal(p.grad, grads[i]));
});

test('Sequential checks that neighbouring layers agree and summarises like the tutorial', () => {
  assert.throws(() => new Sequential([new Dense(4, 5), new Dense(6, 2)], 4), /Sequential: layer 1: Dense: expected input shape \[6\], got \[5\]/);
  const model = new Sequential([new Dense(784, 64), new ReLU(), new Dense(64, 10)], 784);
  assert.deepEqual(model.summary(), ['Layer 0: Dense (784 -> 64)', 'Layer 1: ReLU', 'Layer 2: Dense (64 -> 10)']);
  assert.equal(model.paramCount(), 784 * 64 + 64 + 64 * 10 + 10);
  assert.throws(() => model.forward(tensor(new Float32Array(10), [1, 10])), /Sequential.forward: expected input of shape \[rows, 784\], got \[1, 10\]/);
});

test('train() / eval() set the mode of every layer that has one; a training step always ends in inference mode', () => {
  const rng = new Rng(5);
  const dropout = new Dropout(0.5, { rng: 1 });
  const bn = new BatchNorm(8);
  const relu = new ReLU();
  const model = new Sequential([new Dense(3, 8, { rng }), bn, relu, dropout, new Dense(8, 2, { rng })], 3);
  const modes = () => [model.training, bn.training, dropout.training];
  assert.deepEqual(modes(), [false, false, false]);
  assert.equal(model.train(), model);
  assert.deepEqual(modes(), [true, true, true]);
  assert.equal('training' in relu, false, 'layers without modes are left alone');
  const x = tensor(randn(rng, 30), [10, 3]);
  train(model, x, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], noUpdate);
  assert.deepEqual(modes(), [false, false, false]);
  // Inference is deterministic; training mode draws dropout masks.
  const a = model.forward(x).data.slice();
  assert.deepEqual(model.forward(x).data, a);
  model.train();
  const b = model.forward(x).data.slice();
  assert.notDeepEqual(model.forward(x).data, b);
  model.eval();
  // (Training-mode forward passes moved BatchNorm's running statistics, as in PyTorch.)
  const c = model.forward(x).data.slice();
  assert.notDeepEqual(c, a);
  assert.deepEqual(model.forward(x).data, c);
  // An exception inside the step leaves inference mode too.
  model.train();
  let stepped = false;
  // Ten labels, each of which throws when the loss reads it.
  const labels = new Proxy([] as number[], { get: (_, key) => (key === 'length' ? 10 : raise()) });
  const raise = (): never => {
    throw new TypeError('unreadable label');
  };
  assert.throws(() => train(model, x, labels, { ...noUpdate, step: () => void (stepped = true) }), /unreadable label/);
  assert.equal(stepped, false);
  assert.deepEqual(modes(), [false, false, false]);
});

test('a training step with Dropout and BatchNorm reuses every buffer after the first batch', () => {
  const rng = new Rng(6);
  const model = new Sequential([new Dense(5, 16, { rng }), new BatchNorm(16), new ReLU(), new Dropout(0.3, { rng: 2 }), new Dense(16, 3, { rng })], 5);
  const x = tensor(randn(rng, 32 * 5), [32, 5]);
  const y = Array.from({ length: 32 }, (_, i) => i % 3);
  const sgd = new SGD({ lr: 0.1 });
  train(model, x, y, sgd);
  model.predict(x);
  const before = kernelMemoryUsage().allocations;
  for (let step = 0; step < 5; step++) train(model, x, y, sgd);
  assert.equal(kernelMemoryUsage().allocations, before);
});

test('a final Softmax layer: forward gives probabilities, logits() its input, a training step the same grads as without it', () => {
  const build = () => {
    const rng = new Rng(7);
    return [new Dense(4, 6, { rng }), new Tanh(), new Dense(6, 3, { rng })];
  };
  const plain = new Sequential(build(), 4);
  const withSoftmax = new Sequential([...build(), new Softmax()], 4);
  const x = tensor(randn(new Rng(8), 20), [5, 4]);
  const labels = [0, 2, 1, 1, 0];
  const logits = plain.forward(x).data.slice();
  assert.deepEqual(withSoftmax.logits(x).data, logits);
  assert.deepEqual(plain.logits(x).data, logits);
  const probs = plain.predictProba(x).data.slice();
  // Not softmax twice: predictProba of the Softmax model is its output.
  assert.deepEqual(withSoftmax.forward(x).data, probs);
  assert.deepEqual(withSoftmax.predictProba(x).data, probs);
  assert.deepEqual(withSoftmax.predict(x), plain.predict(x));
  // The loss is the cross-entropy of the logits, not of the probabilities.
  assert.equal(train(withSoftmax, x, labels, noUpdate), train(plain, x, labels, noUpdate));
  withSoftmax.params().forEach((p, i) => assert.deepEqual(p.grad, plain.params()[i].grad, `grad of param ${i}`));
  // A lone Softmax: the logits are the input.
  const lone = new Sequential([new Softmax()], 4);
  assert.equal(lone.logits(x), x);
  assert.equal(train(lone, x, labels, noUpdate) > 0, true);
});

test('a training step gives the weights of each layer\'s own backward pass, called in reverse, then the optimizer', () => {
  const build = () => {
    const rng = new Rng(5);
    return new Sequential([new Dense(12, 9, { rng }), new ReLU(), new Dense(9, 7, { rng }), new ReLU(), new Dense(7, 3, { rng })], 12);
  };
  const rng = new Rng(6);
  const x = tensor(Float32Array.from({ length: 8 * 12 }, () => rng.normal()), [8, 12]);
  const labels = Uint8Array.from({ length: 8 }, () => rng.int(3));
  const stepped = build();
  const layered = build();
  const optimizer = () => new SGD({ lr: 0.5 });
  const sgdStepped = optimizer();
  const sgdLayered = optimizer();
  for (let step = 0; step < 3; step++) {
    train(stepped, x, labels, sgdStepped);
    // The same step, every layer's backward called on its own.
    const acts = layered.forwardAll(x);
    const grad = allocFloat32(8 * 3);
    softmaxCrossEntropy(grad, acts[4].data, labels, 8, 3);
    let g = tensor(grad, [8, 3]);
    for (let i = 4; i >= 0; i--) g = layered.layers[i].backward(i === 0 ? x : acts[i - 1], g);
    sgdLayered.step(layered.params());
  }
  stepped.params().forEach((p, i) => assert.deepEqual(p.value, layered.params()[i].value, `param ${i} (${p.name})`));
});

test('backward refuses a gradient of the wrong shape, naming expected and got', () => {
  const model = new Sequential([new Dense(3, 2, { rng: new Rng(1) })], 3);
  const x = tensor(new Float32Array(12), [4, 3]);
  model.logits(x);
  assert.throws(() => model.backward(x, tensor(new Float32Array(6), [3, 2])), /Sequential.backward: expected gradLogits of shape \[4, 2\], got \[3, 2\]/);
});

test('inputs of any rank: shapes flow through the layers, and flat rows are read in place as [rows, …inputShape]', () => {
  const model = new Sequential([new ReLU(), new Dropout(0.5, { rng: new Rng(1) })], [2, 3, 4]);
  assert.deepEqual(model.inputShape, [2, 3, 4]);
  assert.equal(model.inputUnits, 24);
  assert.deepEqual(model.layerShapes, [[2, 3, 4], [2, 3, 4]]);
  assert.deepEqual(model.outputShape, [2, 3, 4]);
  const rng = new Rng(2);
  const flat = tensor(Float32Array.from({ length: 5 * 24 }, () => rng.normal()), [5, 24]);
  const out = model.forward(flat);
  assert.deepEqual(out.shape, [5, 2, 3, 4]);
  assert.deepEqual(out.data, flat.data.map((v) => Math.max(v, 0)));
  const shaped = model.forward(tensor(flat.data, [5, 2, 3, 4]));
  assert.deepEqual(shaped.shape, [5, 2, 3, 4]);
  assert.throws(() => model.forward(tensor(flat.data, [5, 4, 3, 2])), /Sequential.forward: expected input of shape \[rows, 2, 3, 4\] or \[rows, 24\], got \[5, 4, 3, 2\]/);
  // A layer that takes rows of features names what it expected and what it got.
  assert.throws(() => new Sequential([new Dense(24, 3)], [2, 3, 4]), /^ShapeError: Sequential: layer 0: Dense: expected input shape \[24\], got \[2, 3, 4\]$/);
  assert.throws(() => new Sequential([new ReLU()], [3, 0]), /Sequential: expected an input shape of positive integers, got \[3, 0\]/);
});

test('summary({shapes}) adds each layer\'s output shape and params in columns', () => {
  const model = new Sequential([new Dense(784, 64, { rng: new Rng(1) }), new ReLU(), new Dense(64, 10, { rng: new Rng(2) })], 784);
  assert.deepEqual(model.summary({ shapes: true }), [
    'Layer 0: Dense (784 -> 64)  → [batch, 64]  50,240 params',
    'Layer 1: ReLU               → [batch, 64]  0 params',
    'Layer 2: Dense (64 -> 10)   → [batch, 10]  650 params',
  ]);
});
