import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { subset, type Dataset } from '../../src/data/dataset.js';
import { loadBundledMnist } from '../../src/io/mnist.js';
import { decodeModel, encodeModel } from '../../src/io/model-file.js';
import { encodeOnnx } from '../../src/io/onnx.js';
import { ReLU } from '../../src/layers/activations.js';
import { BatchNorm } from '../../src/layers/batchnorm.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { AvgPool2D, MaxPool2D } from '../../src/layers/pool2d.js';
import { kernelMemoryUsage } from '../../src/kernels/memory.js';
import { tensor } from '../../src/kernels/tensor.js';
import { softmaxCrossEntropy } from '../../src/losses/softmax-cross-entropy.js';
import { Sequential, train } from '../../src/model/sequential.js';
import { ARCHITECTURES, sequentialFromSpec } from '../../src/model/spec.js';
import { optimizerFromConfig } from '../../src/optim/from-config.js';
import type { Optimizer, OptimizerConfig } from '../../src/optim/optimizer.js';
import { cliOptimizerNames, optimizerConfigFromFlags } from '../../src/optim/presets.js';
import { Adam } from '../../src/optim/adam.js';
import { Rng } from '../../src/rng.js';
import { fit } from '../../src/train/fit.js';
import { gradCheck, randn } from '../support/gradcheck.js';

/** A small CNN on 1 × 12 × 12 images: every new layer kind, BatchNorm over channels, odd strides and padding. */
function smallCnn(seed: number): Sequential {
  const rng = new Rng(seed);
  return new Sequential(
    [
      new Conv2D(1, 4, 3, { padding: 1, rng }), // [4, 12, 12]
      new BatchNorm(4), // over channels
      new ReLU(),
      new MaxPool2D(2), // [4, 6, 6]
      new Conv2D(4, 6, 3, { stride: 2, rng }), // [6, 2, 2]
      new ReLU(),
      new AvgPool2D(1), // [6, 2, 2]
      new Flatten(), // [24]
      new Dense(24, 3, { rng }),
    ],
    [1, 12, 12],
  );
}

/** Byte images 12 × 12: the class (0–2) is which third of the rows holds a bright bar, at a random column. */
function bars(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Uint8Array(count * 144);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(3);
    y[i] = label;
    const row = 4 * label + rng.int(4);
    const col = rng.int(9);
    for (let j = 0; j < 4; j++) x[i * 144 + row * 12 + col + j] = 150 + rng.int(100);
  }
  return { x, y, count, features: 144 };
}

/** Every param and buffer of `model`, by name, as plain arrays (deepEqual then compares them bit for bit, -0 and NaN included). */
const tensorsOf = (model: Sequential) =>
  model.layers.flatMap((layer, i) => [...layer.params(), ...(layer.buffers?.() ?? [])].map((p) => [`layers.${i}.${p.name}`, [...p.shape], Array.from(p.value)]));

const noUpdate: Optimizer = { lr: 0, step: () => {}, config: () => ({ name: 'none' }), getState: () => ({ step: 0, slots: {} }), setState: () => {} };

test('a whole small CNN passes the central-difference check end to end (every param)', () => {
  const model = smallCnn(1);
  assert.deepEqual(model.layerShapes, [[4, 12, 12], [4, 12, 12], [4, 12, 12], [4, 6, 6], [6, 2, 2], [6, 2, 2], [6, 2, 2], [24], [3]]);
  const rng = new Rng(2);
  const x = tensor(randn(rng, 5 * 144), [5, 144]); // flat rows, read as [5, 1, 12, 12]
  const labels = [0, 2, 1, 1, 0];
  // In training mode, as the step computes its grads (BatchNorm uses the batch's statistics).
  const loss = () => {
    model.train();
    const l = softmaxCrossEntropy(null, model.logits(x).data, labels, 5, 3);
    model.eval();
    return l;
  };
  train(model, x, labels, noUpdate);
  model.params().forEach((p, i) => gradCheck(`param ${i} (${p.name}, ${p.shape.join('×')})`, loss, p.value, p.grad, { h: 1e-3, rtol: 1e-2, atol: 1e-4, samples: 30 }));
});

test('a CNN trains with fit on byte images (first layer reads the gathered floats), allocates nothing after its first step', async () => {
  const model = smallCnn(3);
  const data = { train: bars(600, 4), test: bars(200, 5) };
  let allocations = -1;
  const history = await fit(model, data, {
    epochs: 3,
    batchSize: 20,
    optimizer: new Adam({ lr: 0.01 }),
    rng: 6,
    callbacks: {
      onBatchEnd: ({ epoch, batch }) => {
        if (epoch === 0 && batch === 1) allocations = kernelMemoryUsage().allocations;
        if (epoch === 2 && batch === 5) assert.equal(kernelMemoryUsage().allocations, allocations, 'kernel buffers allocated after the first steps');
      },
    },
  });
  assert.ok(history.testAccuracy !== undefined && history.testAccuracy > 0.9, `test accuracy ${history.testAccuracy}`);
});

test('a CNN round-trips through the model file bit for bit, and ONNX (input rows of pixels, reshaped) gives its logits', async () => {
  const model = smallCnn(7);
  const rng = new Rng(8);
  const x = tensor(randn(rng, 6 * 144), [6, 144]);
  train(model, x, [0, 1, 2, 0, 1, 2], new Adam({ lr: 0.05 }));
  const want = model.logits(x).data.slice();
  const decoded = decodeModel(encodeModel(model), 'cnn.safetensors').model;
  assert.deepEqual(decoded.inputShape, [1, 12, 12]);
  assert.deepEqual(decoded.summary(), model.summary());
  assert.deepEqual(tensorsOf(decoded), tensorsOf(model), 'params and BatchNorm statistics, bit for bit');
  assert.deepEqual(decoded.logits(x).data, want);
  const session = await ort.InferenceSession.create(encodeOnnx(model));
  const result = await session.run({ pixels: new ort.Tensor('float32', x.data, [6, 144]) });
  const got = result.logits.data as Float32Array;
  want.forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-4, `logit ${i}: onnxruntime ${got[i]}, ours ${v}`));
});

test('LeNet-5 after a few Adam steps round-trips through the model file bit for bit: every tensor, the architecture, the logits', () => {
  const rng = new Rng(10);
  const model = sequentialFromSpec(ARCHITECTURES.lenet5, [1, 28, 28], rng);
  const x = tensor(new Float32Array(8 * 784).map(() => rng.uniform()), [8, 784]);
  const optimizer = new Adam({ lr: 0.01 });
  for (let step = 0; step < 3; step++) train(model, x, [0, 1, 2, 3, 4, 5, 6, 7], optimizer);
  const bytes = encodeModel(model);
  const decoded = decodeModel(bytes, 'lenet5.safetensors').model;
  assert.deepEqual(tensorsOf(decoded), tensorsOf(model));
  assert.equal(tensorsOf(decoded).length, 10, 'weight and bias of 2 Conv2D and 3 Dense');
  assert.deepEqual(decoded.summary({ shapes: true }), model.summary({ shapes: true }));
  assert.deepEqual(decoded.logits(x).data, model.logits(x).data.slice());
  assert.deepEqual(encodeModel(decoded), bytes, 'encoding the decoded model gives the same bytes');
});

// Last in this file: its eight models fill the kernel memory, and a model built after them would run
// on the JS kernels, whose last bits differ from the SIMD ones that the bit-for-bit tests above compare.
test('no CNN training step allocates a kernel buffer after the first batch of its size: LeNet-5 on MNIST digits with every optimizer, and a padded stack with BatchNorm, Dropout, AvgPool and clipping', async () => {
  const mnist = loadBundledMnist(0.1, 12);
  // 250 digits in batches of 100 (convolved in chunks of 64 images), 100 and a partial 50; 50 more to validate between epochs.
  const data = { train: subset(mnist.train, Uint32Array.from({ length: 250 }, (_, i) => i)), val: subset(mnist.val, Uint32Array.from({ length: 50 }, (_, i) => i)) };
  const runs: [string, () => Sequential, OptimizerConfig, number?][] = [
    ...cliOptimizerNames.map((name): [string, () => Sequential, OptimizerConfig] => [`lenet5, ${name}`, () => sequentialFromSpec(ARCHITECTURES.lenet5, [1, 28, 28], new Rng(13)), optimizerConfigFromFlags(name, {})]),
    ['padded + batchnorm + dropout, adam, clipNorm 1', () => sequentialFromSpec('conv(6,3,p1),batchnorm,relu,maxpool(2),conv(8,3,s2,p1),relu,avgpool(2),flatten,dropout(0.3),dense(10)', [1, 28, 28], new Rng(14)), { name: 'adam' }, 1],
  ];
  for (const [label, build, optimizer, clipNorm] of runs) {
    const counts: number[][] = [[], [], []];
    const afterEpoch: number[] = [];
    await fit(build(), data, {
      epochs: 3,
      batchSize: 100,
      optimizer: optimizerFromConfig(optimizer),
      clipNorm,
      rng: 15,
      callbacks: {
        onBatchEnd: ({ epoch }) => void counts[epoch].push(kernelMemoryUsage().allocations),
        onEpochEnd: () => void afterEpoch.push(kernelMemoryUsage().allocations),
      },
    });
    assert.deepEqual(counts.map((c) => c.length), [3, 3, 3], label);
    // The first full batch, the first partial batch and the first validation allocate their buffers; nothing after them does.
    assert.equal(counts[0][1], counts[0][0], `${label}: the second full batch allocated`);
    const settled = afterEpoch[0];
    for (const epoch of [1, 2]) counts[epoch].forEach((c, b) => assert.equal(c, settled, `${label}: epoch ${epoch + 1}, batch ${b} allocated ${c - settled} kernel buffers`));
    assert.deepEqual(afterEpoch, [settled, settled, settled], `${label}: a validation pass allocated`);
  }
});
