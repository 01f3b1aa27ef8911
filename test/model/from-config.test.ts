import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ModelFileError } from '../../src/errors.js';
import { Identity, LeakyReLU, ReLU, Sigmoid, Tanh } from '../../src/layers/activations.js';
import { BatchNorm } from '../../src/layers/batchnorm.js';
import { Dense, defaultRng } from '../../src/layers/dense.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Softmax } from '../../src/layers/softmax.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Standardize } from '../../src/layers/standardize.js';
import { AvgPool2D, MaxPool2D } from '../../src/layers/pool2d.js';
import { describeValue } from '../../src/layers/config-check.js';
import { layerFromConfig, layerKinds, MAX_LAYERS, sequentialFromArchitecture } from '../../src/model/from-config.js';
import { mlp } from '../../src/model/mlp.js';

/** Asserts that `fn` throws a ConfigError whose message matches `message`. */
function throwsConfig(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

const arch = (layers: unknown[], inputUnits: unknown = 4): unknown => ({ inputUnits, layers });

test('layerFromConfig rebuilds every kind from its config()', () => {
  const layers = [
    new Dense(3, 2, { init: 'glorot' }),
    new Dense(5, 1),
    new ReLU(),
    new Sigmoid(),
    new Tanh(),
    new LeakyReLU(),
    new Identity(),
    new Softmax(),
    new Dropout(0.25),
    new Dropout(0),
    new BatchNorm(7),
    new BatchNorm(3, { momentum: 0, eps: 1e-3 }),
    new Conv2D(3, 8, 5, { init: 'glorot' }),
    new Conv2D(1, 4, 3, { stride: 2, padding: 1 }),
    new MaxPool2D(2),
    new MaxPool2D(3, { stride: 2 }),
    new AvgPool2D(2),
    new Flatten(),
    new Standardize(5),
  ];
  for (const layer of layers) {
    const rebuilt = layerFromConfig(layer.config(), 0);
    assert.equal(rebuilt.constructor, layer.constructor);
    assert.deepEqual(rebuilt.config(), layer.config());
  }
  assert.deepEqual(layerKinds, ['dense', 'sigmoid', 'relu', 'tanh', 'leaky-relu', 'linear', 'softmax', 'dropout', 'batchnorm', 'conv2d', 'maxpool2d', 'avgpool2d', 'flatten', 'standardize']);
  // Omitted BatchNorm options take their defaults.
  assert.deepEqual(layerFromConfig({ kind: 'batchnorm', units: 4 }, 0).config(), { kind: 'batchnorm', units: 4, momentum: 0.1, eps: 1e-5 });
});

test('layerFromConfig leaves the shared default generator alone', () => {
  const before = defaultRng.getState();
  layerFromConfig({ kind: 'dense', inputUnits: 30, outputUnits: 20, init: 'he' }, 0);
  assert.deepEqual(defaultRng.getState(), before);
});

test('sequentialFromArchitecture inverts {inputUnits, layers: model.config()}', () => {
  for (const model of [mlp(), mlp({ inputUnits: 6, hidden: [5, 4, 3], outputUnits: 2, activation: 'leaky-relu', init: 'glorot' }), mlp({ hidden: [] })]) {
    const rebuilt = sequentialFromArchitecture({ inputUnits: model.inputUnits, layers: model.config() }, 'test');
    assert.deepEqual(rebuilt.config(), model.config());
    assert.deepEqual(rebuilt.summary(), model.summary());
    assert.equal(rebuilt.inputUnits, model.inputUnits);
    assert.equal(rebuilt.outputUnits, model.outputUnits);
    assert.deepEqual(rebuilt.params().map((p) => p.shape), model.params().map((p) => p.shape));
  }
  // A config without init (it only says how the weights started) defaults to he.
  const noInit = sequentialFromArchitecture(arch([{ kind: 'dense', inputUnits: 4, outputUnits: 2 }]), 'test');
  assert.equal(noInit.config()[0].init, 'he');
  // Activations alone are a valid (parameter-free) network.
  assert.equal(sequentialFromArchitecture(arch([{ kind: 'tanh' }]), 'test').outputUnits, 4);
});

test('an unknown kind is named, with the known kinds', () => {
  throwsConfig(
    () => sequentialFromArchitecture(arch([{ kind: 'relu' }, { kind: 'lstm' }]), 'net.json'),
    /^net\.json: layers\[1\]\.kind: unknown layer kind, expected one of "dense", "sigmoid", "relu", "tanh", "leaky-relu", "linear", "softmax", "dropout", "batchnorm", "conv2d", "maxpool2d", "avgpool2d", "flatten", "standardize", got "lstm"$/,
  );
  throwsConfig(() => layerFromConfig({ kind: 'layernorm' }, 3), /^layers\[3\]\.kind: unknown layer kind, expected one of .*"flatten", "standardize", got "layernorm"$/);
  throwsConfig(() => layerFromConfig({ kind: 'toString' }, 0), /got "toString"$/);
  throwsConfig(() => sequentialFromArchitecture(arch([{ units: 3 }]), 'w'), /^w: layers\[0\]\.kind: unknown layer kind, .*, got nothing$/);
  throwsConfig(() => sequentialFromArchitecture(arch([{ kind: '__proto__' }]), 'w'), /got "__proto__"$/);
});

test('sizes must be positive integers; every field is checked', () => {
  const dense = (inputUnits: unknown, outputUnits: unknown, extra = {}) => arch([{ kind: 'dense', inputUnits, outputUnits, ...extra }]);
  throwsConfig(() => sequentialFromArchitecture(dense(4, 10.9), 'w'), /^w: layers\[0\]\.outputUnits: expected a positive integer, got 10\.9$/);
  throwsConfig(() => sequentialFromArchitecture(dense(0, 3), 'w'), /^w: layers\[0\]\.inputUnits: expected a positive integer, got 0$/);
  throwsConfig(() => sequentialFromArchitecture(dense(4, '3'), 'w'), /outputUnits: expected a positive integer, got "3"$/);
  throwsConfig(() => sequentialFromArchitecture(dense(4, 2 ** 60), 'w'), /outputUnits: expected a positive integer, got 1152921504606847000$/);
  throwsConfig(() => sequentialFromArchitecture(dense(4, 3, { init: 'xavier' }), 'w'), /^w: layers\[0\]\.init: expected he, glorot or normal:<std> with a positive std \(e\.g\. normal:0\.01\), got "xavier"$/);
  throwsConfig(() => sequentialFromArchitecture(dense(4, 3, { units: 3 }), 'w'), /^w: layers\[0\]: unexpected key, expected only "kind", "inputUnits", "outputUnits", "init", got "units"$/);
  throwsConfig(() => sequentialFromArchitecture(arch([{ kind: 'relu', slope: 0.2 }]), 'w'), /^w: layers\[0\]: unexpected key, expected only "kind", got "slope"$/);
  throwsConfig(() => sequentialFromArchitecture(arch([null]), 'w'), /^w: layers\[0\]: expected a layer config object \{"kind", …\}, got null$/);
  throwsConfig(() => sequentialFromArchitecture(arch([]), 'w'), /^w: layers: expected a non-empty array of layer configs, got \[\]$/);
  throwsConfig(() => sequentialFromArchitecture({ inputUnits: 4 }, 'w'), /^w: layers: expected a non-empty array of layer configs, got nothing$/);
  throwsConfig(() => sequentialFromArchitecture(arch([{ kind: 'relu' }], -1), 'w'), /^w: inputUnits: expected a positive integer, got -1$/);
  throwsConfig(() => sequentialFromArchitecture([1, 2], 'w'), /^w: expected an object \{"inputUnits", "layers"\}, got \[1,2\]$/);
  throwsConfig(() => sequentialFromArchitecture({ ...(arch([{ kind: 'relu' }]) as object), name: 'x' }, 'w'), /^w: architecture: unexpected key, .*got "name"$/);
});

test('dropout, batchnorm and softmax configs: every value is checked', () => {
  const one = (config: unknown) => sequentialFromArchitecture(arch([config]), 'w');
  for (const rate of [1, -0.1, 1.5, '0.2', null, 1e400]) {
    throwsConfig(() => one({ kind: 'dropout', rate }), new RegExp(`^w: layers\\[0\\]\\.rate: expected a number in \\[0, 1\\), got `));
  }
  throwsConfig(() => one({ kind: 'dropout' }), /^w: layers\[0\]\.rate: expected a number in \[0, 1\), got nothing$/);
  throwsConfig(() => one({ kind: 'dropout', rate: 0.5, seed: 3 }), /^w: layers\[0\]: unexpected key, expected only "kind", "rate", got "seed"$/);
  throwsConfig(() => one({ kind: 'batchnorm', units: 0 }), /^w: layers\[0\]\.units: expected a positive integer, got 0$/);
  throwsConfig(() => one({ kind: 'batchnorm', units: 4, momentum: 1.01 }), /^w: layers\[0\]\.momentum: expected a number in \[0, 1\], got 1\.01$/);
  throwsConfig(() => one({ kind: 'batchnorm', units: 4, momentum: 'fast' }), /momentum: expected a number in \[0, 1\], got "fast"$/);
  throwsConfig(() => one({ kind: 'batchnorm', units: 4, eps: 0 }), /^w: layers\[0\]\.eps: expected a positive number, got 0$/);
  throwsConfig(() => one({ kind: 'batchnorm', units: 4, eps: -1e-5 }), /eps: expected a positive number, got -0\.00001$/);
  throwsConfig(() => one({ kind: 'batchnorm', units: 4, gamma: [1] }), /^w: layers\[0\]: unexpected key, expected only "kind", "units", "momentum", "eps", got "gamma"$/);
  throwsConfig(() => one({ kind: 'softmax', axis: 1 }), /^w: layers\[0\]: unexpected key, expected only "kind", got "axis"$/);
  throwsConfig(() => one({ kind: 'batchnorm', units: 5 }), /^w: layers\[0\]: BatchNorm: expected input shape \[5\] or \[5, height, width\], got \[4\]$/);
  // A BatchNorm's four vectors count towards maxParamValues.
  assert.equal(sequentialFromArchitecture(arch([{ kind: 'batchnorm', units: 4 }]), 'w', { maxParamValues: 16 }).layers.length, 1);
  throwsConfig(() => sequentialFromArchitecture(arch([{ kind: 'batchnorm', units: 4 }]), 'w', { maxParamValues: 15 }), /expected at most 15, got 16$/);
});

test('a rebuilt Dropout draws from its own generator, not the shared default one', () => {
  const before = defaultRng.getState();
  const dropout = layerFromConfig({ kind: 'dropout', rate: 0.5 }, 0) as Dropout;
  assert.notEqual(dropout.rng, defaultRng);
  assert.deepEqual(defaultRng.getState(), before);
});

test('neighbouring sizes must agree: the mismatch is attributed to its layer', () => {
  const layers = [
    { kind: 'dense', inputUnits: 4, outputUnits: 3, init: 'he' },
    { kind: 'relu' },
    { kind: 'dense', inputUnits: 5, outputUnits: 2, init: 'he' },
  ];
  throwsConfig(() => sequentialFromArchitecture(arch(layers), 'm.safetensors'), /^m\.safetensors: layers\[2\]: Dense: expected input shape \[5\], got \[3\]$/);
  throwsConfig(() => sequentialFromArchitecture(arch(layers.slice(0, 1), 7), 'm'), /^m: layers\[0\]: Dense: expected input shape \[4\], got \[7\]$/);
});

test("errors come as the caller's type; maxParamValues is checked before allocating", () => {
  const error = (message: string) => new ModelFileError(message);
  assert.throws(() => sequentialFromArchitecture(arch([{ kind: 'gru' }]), 'f', { error }), (err: unknown) => err instanceof ModelFileError && /^f: layers\[0\]\.kind/.test(err.message));
  const huge = arch([{ kind: 'dense', inputUnits: 4, outputUnits: 1e9 }]);
  // 4·1e9 + 1e9 values would be 20 GB: refused up front, not a RangeError from Float32Array.
  assert.throws(() => sequentialFromArchitecture(huge, 'f', { error, maxParamValues: 100 }), (err: unknown) =>
    err instanceof ModelFileError && err.message === 'f: too many parameter values, expected at most 100, got 5000000000');
  const deep = arch(Array.from({ length: MAX_LAYERS + 1 }, () => ({ kind: 'relu' })));
  throwsConfig(() => sequentialFromArchitecture(deep, 'f'), /^f: layers: too many layers, expected at most 10000, got 10001$/);
  assert.equal(sequentialFromArchitecture(arch(Array.from({ length: MAX_LAYERS }, () => ({ kind: 'relu' }))), 'f').layers.length, MAX_LAYERS);
  const fits = arch([{ kind: 'dense', inputUnits: 4, outputUnits: 20 }]);
  assert.equal(sequentialFromArchitecture(fits, 'f', { maxParamValues: 100 }).paramCount(), 100);
  throwsConfig(() => sequentialFromArchitecture(fits, 'f', { maxParamValues: 99 }), /expected at most 99, got 100$/);
});

test('describeValue: short, printable descriptions for messages', () => {
  assert.equal(describeValue(undefined), 'nothing');
  assert.equal(describeValue(null), 'null');
  assert.equal(describeValue(3.5), '3.5');
  assert.equal(describeValue('a\u0007b'), '"a\\u0007b"');
  assert.equal(describeValue('x'.repeat(50)), `"${'x'.repeat(40)}…"`);
  assert.equal(describeValue([1, [2]]), '[1,[2]]');
  assert.equal(describeValue({ a: 1 }), 'an object');
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.equal(describeValue(cyclic), 'an array');
});

test('an input of several dimensions travels as inputShape, checked against inputUnits', async () => {
  const { architectureOf } = await import('../../src/model/from-config.js');
  const { Sequential } = await import('../../src/model/sequential.js');
  const model = new Sequential([new ReLU(), new Dropout(0.1)], [1, 4, 4]);
  const arch = architectureOf(model);
  assert.deepEqual(arch, { inputUnits: 16, inputShape: [1, 4, 4], layers: [{ kind: 'relu' }, { kind: 'dropout', rate: 0.1 }] });
  assert.deepEqual(sequentialFromArchitecture(arch, 'a').layerShapes, [[1, 4, 4], [1, 4, 4]]);
  assert.equal(architectureOf(mlp({ rng: 1 })).inputShape, undefined, 'rows of features keep the 0.1.0 layout');
  throwsConfig(() => sequentialFromArchitecture({ ...arch, inputShape: [2, 4, 4] }, 'a'), /^a: inputShape: expected dimensions whose product is inputUnits 16, got \[2,4,4\]$/);
  throwsConfig(() => sequentialFromArchitecture({ ...arch, inputShape: [1, -4, -4] }, 'a'), /^a: inputShape\[1\]: expected a positive integer, got -4$/);
  throwsConfig(() => sequentialFromArchitecture({ ...arch, inputShape: 'big' }, 'a'), /^a: inputShape: expected an array of 1 to 8 positive integers, got "big"$/);
});
