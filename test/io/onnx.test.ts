import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { subset, type Dataset, type MnistData } from '../../src/data/dataset.js';
import { ConfigError } from '../../src/errors.js';
import { loadBundledMnist } from '../../src/io/mnist.js';
import { encodeOnnx, ONNX_IR_VERSION, ONNX_OPSET, onnxSignature } from '../../src/io/onnx.js';
import { ReLU } from '../../src/layers/activations.js';
import { BatchNorm } from '../../src/layers/batchnorm.js';
import { Dense } from '../../src/layers/dense.js';
import { Dropout } from '../../src/layers/dropout.js';
import type { Layer } from '../../src/layers/layer.js';
import { Softmax } from '../../src/layers/softmax.js';
import { mlp } from '../../src/model/mlp.js';
import { ARCHITECTURES, sequentialFromSpec } from '../../src/model/spec.js';
import { Adam } from '../../src/optim/adam.js';
import { Sequential } from '../../src/model/sequential.js';
import { Rng } from '../../src/rng.js';
import { fit } from '../../src/train/fit.js';
import { VERSION } from '../../src/version.js';

// The exported graph is run by onnxruntime (Microsoft's reference runtime,
// independent of our kernels) and held to our own forward pass.

let data: MnistData;
let trained: Sequential;

before(async () => {
  // The README's library example: the default network, one epoch on the bundled MNIST.
  const rng = new Rng(42);
  data = loadBundledMnist(0.1, rng);
  trained = mlp({ rng });
  await fit(trained, data, { epochs: 1, batchSize: 32, rng });
});

/** The first `count` images of `set` as floats byte / 255 (what gatherBatch gives the network). */
function pixels(set: Dataset, count: number): Float32Array {
  const x = new Float32Array(count * set.features);
  for (let i = 0; i < x.length; i++) x[i] = set.x[i] / 255;
  return x;
}

/** Our forward pass against onnxruntime's on the first `count` images of `set`. */
async function compare(model: Sequential, set: Dataset, count: number) {
  const x = pixels(set, count);
  const session = await ort.InferenceSession.create(encodeOnnx(model));
  const result = await session.run({ pixels: new ort.Tensor('float32', x, [count, model.inputUnits]) });
  const probs = result.probabilities.data as Float32Array;
  const logits = result.logits.data as Float32Array;
  assert.deepEqual(result.probabilities.dims, [count, model.outputUnits]);
  assert.deepEqual(result.logits.dims, [count, model.outputUnits]);

  // Ours in chunks of 1000 rows: a CNN's activations for 10,000 images at once would take gigabytes.
  const k = model.outputUnits;
  const ours = new Float32Array(count * k);
  const ourLogits = new Float32Array(count * k);
  const classes = new Uint8Array(count);
  for (let start = 0; start < count; start += 1000) {
    const rows = Math.min(1000, count - start);
    const batch = { data: x.subarray(start * model.inputUnits, (start + rows) * model.inputUnits), shape: [rows, model.inputUnits] };
    ours.set(model.predictProba(batch).data, start * k);
    ourLogits.set(model.logits(batch).data, start * k);
    classes.set(model.predict(batch), start);
  }
  const mismatches: number[] = [];
  let maxDp = 0;
  let maxDz = 0;
  for (let r = 0; r < count; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[r * k + c] > probs[r * k + best]) best = c;
    if (best !== classes[r]) mismatches.push(r);
    for (let c = 0; c < k; c++) {
      maxDp = Math.max(maxDp, Math.abs(probs[r * k + c] - ours[r * k + c]));
      maxDz = Math.max(maxDz, Math.abs(logits[r * k + c] - ourLogits[r * k + c]));
    }
  }
  await session.release();
  return { mismatches, maxDp, maxDz };
}

test('the default network trained one epoch: onnxruntime gives the same class for all 10,000 test images and |Δp| < 1e-4', async (t) => {
  assert.equal(data.test.count, 10_000);
  const { mismatches, maxDp, maxDz } = await compare(trained, data.test, data.test.count);
  t.diagnostic(`trained 784-64-32-10 ReLU, 10,000 test images: max |Δprobability| = ${maxDp.toExponential(2)}, max |Δlogit| = ${maxDz.toExponential(2)}`);
  assert.deepEqual(mismatches, [], 'images whose predicted class differs');
  assert.ok(maxDp < 1e-4, `max |Δprobability| ${maxDp}`);
});

test('the default network with its initial (random) weights: same classes and probabilities on the 10,000 test images', async (t) => {
  const { mismatches, maxDp, maxDz } = await compare(mlp(), data.test, data.test.count);
  t.diagnostic(`untrained mlp(): max |Δprobability| = ${maxDp.toExponential(2)}, max |Δlogit| = ${maxDz.toExponential(2)}`);
  assert.deepEqual(mismatches, []);
  assert.ok(maxDp < 1e-4, `max |Δprobability| ${maxDp}`);
});

for (const activation of ['relu', 'sigmoid', 'tanh', 'leaky-relu'] as const) {
  test(`a ${activation} network (trained briefly) matches onnxruntime on 500 test images`, async (t) => {
    const rng = new Rng(7);
    const model = mlp({ hidden: [48, 24], activation, init: activation === 'relu' || activation === 'leaky-relu' ? 'he' : 'glorot', rng });
    const small = { train: subsetOf(data.train, 3000), val: subsetOf(data.val, 500) };
    await fit(model, small, { epochs: 1, batchSize: 32, rng });
    const { mismatches, maxDp, maxDz } = await compare(model, data.test, 500);
    t.diagnostic(`${activation}: max |Δprobability| = ${maxDp.toExponential(2)}, max |Δlogit| = ${maxDz.toExponential(2)}`);
    assert.deepEqual(mismatches, []);
    assert.ok(maxDp < 1e-4, `max |Δprobability| ${maxDp}`);
  });
}

// LeNet-5, and a stack with what it lacks (padding, stride 2, average pooling, tanh): the graph
// reshapes the input rows of 784 pixels to [N, 1, 28, 28] and runs Conv, MaxPool, AveragePool.
const cnns = [
  ['LeNet-5', ARCHITECTURES.lenet5],
  ['a padded, strided CNN', 'conv(8,3,s2,p1),relu,conv(16,3,p1),tanh,avgpool(2),flatten,dense(32),relu,dense(10)'],
] as const;
for (const [name, spec] of cnns) {
  test(`${name} trained one epoch on 3,000 images: onnxruntime gives the same class for all 10,000 test images and |Δp| < 1e-4`, async (t) => {
    const rng = new Rng(9);
    const model = sequentialFromSpec(spec, [1, 28, 28], rng);
    const history = await fit(model, { train: subsetOf(data.train, 3000), test: data.test }, { epochs: 1, batchSize: 32, optimizer: new Adam({ lr: 1e-3 }), rng });
    assert.ok(history.testAccuracy !== undefined && history.testAccuracy > 0.8, `test accuracy ${history.testAccuracy}: too little learnt to prove much`);
    const { mismatches, maxDp, maxDz } = await compare(model, data.test, data.test.count);
    t.diagnostic(`${spec}: test accuracy ${history.testAccuracy}, max |Δprobability| = ${maxDp.toExponential(2)}, max |Δlogit| = ${maxDz.toExponential(2)}`);
    assert.deepEqual(mismatches, [], 'images whose predicted class differs');
    assert.ok(maxDp < 1e-4, `max |Δprobability| ${maxDp}`);
  });
}

test('leaky ReLU keeps its slope for negative inputs: a network whose hidden units are all negative', async () => {
  // Negative weights and biases put every hidden value below 0, so the
  // output depends on nothing but the 0.1 slope.
  const model = mlp({ inputUnits: 784, hidden: [8], activation: 'leaky-relu', rng: 3 });
  const first = model.layers[0] as Dense;
  first.weight.value.forEach((w, i, a) => (a[i] = -Math.abs(w)));
  first.bias.value.fill(-0.5);
  const { mismatches, maxDp, maxDz } = await compare(model, data.test, 300);
  assert.deepEqual(mismatches, []);
  assert.ok(maxDp < 1e-4 && maxDz < 1e-4, `max |Δp| ${maxDp}, max |Δlogit| ${maxDz}`);
});

test('a network without hidden layers (one Dense, 784 → 10) matches onnxruntime on 300 test images', async () => {
  const model = mlp({ hidden: [], rng: 5 });
  assert.equal(model.layers.length, 1);
  const { mismatches, maxDp } = await compare(model, data.test, 300);
  assert.deepEqual(mismatches, []);
  assert.ok(maxDp < 1e-4, `max |Δprobability| ${maxDp}`);
});

test('the graph: input "pixels" float32 [batch, 784], outputs "probabilities" and "logits" [batch, 10]', async () => {
  const session = await ort.InferenceSession.create(encodeOnnx(trained));
  assert.deepEqual(session.inputNames, ['pixels']);
  assert.deepEqual(session.outputNames, ['probabilities', 'logits']);
  assert.deepEqual(
    session.inputMetadata.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : m)),
    [{ name: 'pixels', type: 'float32', shape: ['batch', 784] }],
  );
  assert.deepEqual(
    session.outputMetadata.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : m)),
    [
      { name: 'probabilities', type: 'float32', shape: ['batch', 10] },
      { name: 'logits', type: 'float32', shape: ['batch', 10] },
    ],
  );
  // Any batch size runs, one image included.
  const one = await session.run({ pixels: new ort.Tensor('float32', pixels(data.test, 1), [1, 784]) });
  assert.deepEqual(one.probabilities.dims, [1, 10]);
  await session.release();

  const probsOnly = await ort.InferenceSession.create(encodeOnnx(trained, { logits: false }));
  assert.deepEqual(probsOnly.outputNames, ['probabilities']);
  await probsOnly.release();
  assert.deepEqual(onnxSignature(trained, { logits: false }).outputs, [{ name: 'probabilities', shape: ['batch', 10] }]);
});

test('the ModelProto, read by a hand-written protobuf reader: IR version, opset 17, producer, nodes, initializers', () => {
  const model = readMessage(encodeOnnx(trained));
  assert.equal(ONNX_OPSET, 17);
  assert.equal(ONNX_IR_VERSION, 8);
  assert.equal(int(model, 1), 8); // ir_version
  const opsets = all(model, 8).map((b) => readMessage(b as Uint8Array));
  assert.deepEqual(opsets.map((o) => [str(o, 1) ?? '', int(o, 2)]), [['', 17]]);
  assert.equal(str(model, 2), 'scratchnet'); // producer_name
  assert.equal(str(model, 3), VERSION); // producer_version
  const props = Object.fromEntries(all(model, 14).map((b) => readMessage(b as Uint8Array)).map((e) => [str(e, 1), str(e, 2)]));
  assert.equal(props.producer, 'scratchnet');
  assert.equal(props.version, VERSION);
  assert.deepEqual(JSON.parse(props.architecture as string), { inputUnits: 784, layers: trained.config() });

  const graph = readMessage(all(model, 7)[0] as Uint8Array);
  const nodes = all(graph, 1).map((b) => readMessage(b as Uint8Array));
  assert.deepEqual(nodes.map((n) => str(n, 4)), ['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
  assert.deepEqual(all(nodes[0], 1).map(text), ['pixels', 'layers.0.weight', 'layers.0.bias']);
  const attributes = (n: Message) => Object.fromEntries(all(n, 5).map((b) => readMessage(b as Uint8Array)).map((a) => [str(a, 1), int(a, 3)]));
  assert.deepEqual(attributes(nodes[0]), { transA: 0, transB: 0 }); // W is [in, out]: no transpose
  assert.deepEqual(attributes(nodes[5]), { axis: 1 });
  assert.deepEqual(all(nodes[5], 2).map(text), ['probabilities']);

  // The initializers hold the weights as raw little-endian float32, bit for bit.
  const tensors = all(graph, 5).map((b) => readMessage(b as Uint8Array));
  assert.deepEqual(tensors.map((t) => str(t, 8)), ['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias', 'layers.4.weight', 'layers.4.bias']);
  const w0 = tensors[0];
  assert.deepEqual(all(w0, 1).map(Number), [784, 64]); // dims
  assert.equal(int(w0, 2), 1); // FLOAT
  const raw = all(w0, 9)[0] as Uint8Array;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const weight = (trained.layers[0] as Dense).weight.value;
  assert.equal(raw.length, 4 * weight.length);
  for (let k = 0; k < weight.length; k++) assert.equal(view.getFloat32(4 * k, true), weight[k]);
});

test('encoding is deterministic: the same model gives the same bytes', () => {
  assert.deepEqual(encodeOnnx(trained), encodeOnnx(trained));
});

test('a layer of no registered kind is a ConfigError naming the kind and the layer', () => {
  const conv: Layer = {
    forward: (x) => x,
    backward: (_x, g) => g,
    params: () => [],
    outputShape: (shape) => [...shape],
    config: () => ({ kind: 'lstm', units: 8 }),
  };
  const model = new Sequential([new Dense(784, 10, { rng: new Rng(1) }), conv], 784);
  assert.throws(
    () => encodeOnnx(model),
    (err: unknown) => err instanceof ConfigError && /^encodeOnnx: layer 1 has kind "lstm", which is not a registered layer kind; expected one of "dense", "sigmoid", "relu", .*"softmax", "dropout", "batchnorm", .*"flatten", "standardize"$/.test(err.message),
  );
});

/** 784 → 64 → BatchNorm → ReLU → Dropout → 32 → BatchNorm → ReLU → Dropout → 10 (then `extra`), trained briefly. */
async function normNetwork(extra: Layer[] = []): Promise<Sequential> {
  const rng = new Rng(11);
  const model = new Sequential(
    [
      new Dense(784, 64, { rng }),
      new BatchNorm(64),
      new ReLU(),
      new Dropout(0.2, { rng: 1 }),
      new Dense(64, 32, { rng }),
      new BatchNorm(32, { eps: 1e-3 }),
      new ReLU(),
      new Dropout(0.2, { rng: 2 }),
      new Dense(32, 10, { rng }),
      ...extra,
    ],
    784,
  );
  await fit(model, { train: subsetOf(data.train, 3000) }, { epochs: 1, batchSize: 32, rng });
  return model;
}

test('a network with BatchNorm and Dropout (trained briefly) matches onnxruntime on 500 test images', async (t) => {
  const model = await normNetwork();
  const bn = model.layers[1] as BatchNorm;
  assert.ok(bn.runningVar.value.some((v) => Math.abs(v - 1) > 0.05), 'the running statistics moved');
  const { mismatches, maxDp, maxDz } = await compare(model, data.test, 500);
  t.diagnostic(`batchnorm + dropout: max |Δprobability| = ${maxDp.toExponential(2)}, max |Δlogit| = ${maxDz.toExponential(2)}`);
  assert.deepEqual(mismatches, []);
  assert.ok(maxDp < 1e-4, `max |Δprobability| ${maxDp}`);

  // The graph: one BatchNormalization per BatchNorm (inference form), no Dropout node.
  const graph = readMessage(all(readMessage(encodeOnnx(model)), 7)[0] as Uint8Array);
  const nodes = all(graph, 1).map((b) => readMessage(b as Uint8Array));
  assert.deepEqual(nodes.map((n) => str(n, 4)), ['Gemm', 'BatchNormalization', 'Relu', 'Gemm', 'BatchNormalization', 'Relu', 'Gemm', 'Softmax']);
  assert.deepEqual(all(nodes[1], 1).map(text), ['layers.0.output', 'layers.1.gamma', 'layers.1.beta', 'layers.1.runningMean', 'layers.1.runningVar']);
  assert.deepEqual(all(nodes[3], 1).map(text), ['layers.2.output', 'layers.4.weight', 'layers.4.bias'], 'the Dropout at layer 3 is skipped');
  const epsilon = (n: Message) => readMessage(all(n, 5)[0] as Uint8Array).get(2)?.[0];
  assert.equal(epsilon(nodes[1]), Math.fround(1e-5));
  assert.equal(epsilon(nodes[4]), Math.fround(1e-3));
  const tensors = all(graph, 5).map((b) => readMessage(b as Uint8Array));
  const runningVar = tensors.find((t) => str(t, 8) === 'layers.5.runningVar') as Message;
  const raw = all(runningVar, 9)[0] as Uint8Array;
  const values = new Float32Array(Uint8Array.from(raw).buffer); // (a copy: raw may be a view on a pooled Node Buffer)
  assert.deepEqual(values, (model.layers[5] as BatchNorm).runningVar.value.slice());
});

test('a model that ends in a Softmax layer: one Softmax in the graph, probabilities and logits as ours', async (t) => {
  const model = await normNetwork([new Softmax()]);
  const { mismatches, maxDp, maxDz } = await compare(model, data.test, 300);
  t.diagnostic(`final Softmax layer: max |Δprobability| = ${maxDp.toExponential(2)}, max |Δlogit| = ${maxDz.toExponential(2)}`);
  assert.deepEqual(mismatches, []);
  assert.ok(maxDp < 1e-4 && maxDz < 1e-3, `max |Δp| ${maxDp}, max |Δlogit| ${maxDz}`);
  const graph = readMessage(all(readMessage(encodeOnnx(model)), 7)[0] as Uint8Array);
  const nodes = all(graph, 1).map((b) => readMessage(b as Uint8Array));
  assert.equal(nodes.filter((n) => str(n, 4) === 'Softmax').length, 1);
  assert.equal(str(nodes[nodes.length - 1], 3), 'layers.9');
  assert.deepEqual(all(nodes[nodes.length - 2], 2).map(text), ['logits']);
  // Our forward of such a model is the probabilities themselves.
  const x = { data: pixels(data.test, 5), shape: [5, 784] };
  const session = await ort.InferenceSession.create(encodeOnnx(model));
  const result = await session.run({ pixels: new ort.Tensor('float32', x.data, [5, 784]) });
  const probs = result.probabilities.data as Float32Array;
  model.forward(x).data.forEach((p, k) => assert.ok(Math.abs(p - probs[k]) < 1e-4));
  await session.release();
});

test('Dropout or Softmax at the ends: a last Dropout, a middle Softmax, a lone Softmax', async () => {
  const rng = new Rng(12);
  const models = [
    new Sequential([new Dense(784, 10, { rng }), new Dropout(0.5)], 784),
    new Sequential([new Dense(784, 16, { rng }), new Softmax(), new Dense(16, 10, { rng })], 784),
  ];
  for (const model of models) {
    const { mismatches, maxDp, maxDz } = await compare(model, data.test, 100);
    assert.deepEqual(mismatches, [], model.summary().join('; '));
    assert.ok(maxDp < 1e-4 && maxDz < 1e-4, `${model.summary().join('; ')}: max |Δp| ${maxDp}, max |Δlogit| ${maxDz}`);
  }
  const ops = (model: Sequential) =>
    all(readMessage(all(readMessage(encodeOnnx(model)), 7)[0] as Uint8Array), 1).map((b) => str(readMessage(b as Uint8Array), 4));
  assert.deepEqual(ops(models[0]), ['Gemm', 'Softmax']);
  assert.deepEqual(ops(models[1]), ['Gemm', 'Softmax', 'Gemm', 'Softmax']);
  // Nothing before the Softmax but a Dropout: the logits are the input (random, so that no two tie for the argmax).
  const lone = new Sequential([new Dropout(0.1), new Softmax()], 784);
  assert.deepEqual(ops(lone), ['Identity', 'Softmax']);
  const x = randnPixels(new Rng(13), 4);
  const session = await ort.InferenceSession.create(encodeOnnx(lone));
  const result = await session.run({ pixels: new ort.Tensor('float32', x, [4, 784]) });
  assert.deepEqual(result.logits.data, x);
  const ours = lone.predictProba({ data: x, shape: [4, 784] }).data;
  (result.probabilities.data as Float32Array).forEach((p, k) => assert.ok(Math.abs(p - ours[k]) < 1e-6, `p[${k}]`));
  await session.release();
});

/** `rows` rows of 784 uniform values in [0, 1). */
function randnPixels(rng: Rng, rows: number): Float32Array {
  return new Float32Array(rows * 784).map(() => rng.uniform());
}

/** A copy of the first `count` rows of `set`. */
function subsetOf(set: Dataset, count: number): Dataset {
  return subset(set, Array.from({ length: count }, (_, i) => i));
}

// A minimal protobuf wire-format reader (varint, 64-bit, length-delimited and
// 32-bit fields), independent of protobufjs, to check what encodeOnnx wrote.
type Field = bigint | Uint8Array | number;
type Message = Map<number, Field[]>;

function readMessage(bytes: Uint8Array): Message {
  const fields: Message = new Map();
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      assert.ok(at < bytes.length, 'varint runs past the end');
      const b = bytes[at++];
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const [field, wire] = [key >>> 3, key & 7];
    let value: Field;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const length = Number(varint());
      assert.ok(at + length <= bytes.length, 'length-delimited field runs past the end');
      value = bytes.subarray(at, at + length);
      at += length;
    } else if (wire === 5) {
      value = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getFloat32(0, true);
      at += 4;
    } else if (wire === 1) {
      value = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0, true);
      at += 8;
    } else assert.fail(`unexpected wire type ${wire} at byte ${at}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

function all(m: Message, field: number): Field[] {
  return m.get(field) ?? [];
}

function text(value: Field): string {
  return new TextDecoder().decode(value as Uint8Array);
}

function str(m: Message, field: number): string | undefined {
  const values = all(m, field);
  return values.length === 0 ? undefined : text(values[values.length - 1]);
}

function int(m: Message, field: number): number | undefined {
  const values = all(m, field);
  return values.length === 0 ? undefined : Number(values[values.length - 1]);
}
