import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { shapeText, tensor, type Tensor } from '../../src/kernels/tensor.js';
import { activationLayer, activations, ReLU, Tanh } from '../../src/layers/activations.js';
import { BatchNorm } from '../../src/layers/batchnorm.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Flatten } from '../../src/layers/flatten.js';
import type { Layer, LayerConfig, Param } from '../../src/layers/layer.js';
import { AvgPool2D, MaxPool2D } from '../../src/layers/pool2d.js';
import { layerKinds } from '../../src/layers/registry.js';
import { Softmax } from '../../src/layers/softmax.js';
import { Standardize } from '../../src/layers/standardize.js';
import { mlp } from '../../src/model/mlp.js';
import { Sequential } from '../../src/model/sequential.js';
import { ARCHITECTURES, sequentialFromSpec } from '../../src/model/spec.js';
import { Rng } from '../../src/rng.js';
import { GRADCHECK_FAIL, GRADCHECK_PASS, gradCheck, relativeError, type GradCheckResult } from '../../src/train/gradcheck.js';
import { DoubledBiasGrad } from '../support/gradcheck.js';

/** Every registered kind, read before anything here could register another. */
const KINDS = [...layerKinds];

/** A readable account of a result, for assertion messages. */
const show = (result: GradCheckResult): string =>
  result.checks.map((c) => `${c.layer} ${c.title} ${c.param ?? 'input'} ${shapeText(c.shape)}: ${c.checked} checked, ${c.skipped} skipped, ${c.maxError.toExponential(2)} ${c.verdict} ${JSON.stringify(c.worst)}`).join('\n');

function assertPasses(result: GradCheckResult, what: string): void {
  assert.equal(result.verdict, 'pass', `${what}:\n${show(result)}`);
  for (const c of result.checks) assert.ok(c.checked > 0, `${what}: nothing compared for ${c.param ?? 'input'}`);
}

/** The tensor of `param` (null: the input) in a result. */
const checkOf = (result: GradCheckResult, param: string | null, layer = 0) => {
  const found = result.checks.find((c) => c.param === param && c.layer === layer);
  assert.ok(found, `no check of ${param ?? 'input'} of layer ${layer} in:\n${show(result)}`);
  return found;
};

/** A layer of each registered kind with an input it takes; odd sizes, strides and padding where they apply. */
function fixtures(kind: string): { layer: Layer; inputShape: number[] }[] {
  const rng = new Rng(7);
  switch (kind) {
    case 'dense':
      return [{ layer: new Dense(13, 5, { rng }), inputShape: [13] }];
    case 'softmax':
      return [{ layer: new Softmax(), inputShape: [6] }];
    case 'dropout':
      return [{ layer: new Dropout(0.4, { rng: 3 }), inputShape: [17] }, { layer: new Dropout(0.25, { rng: 4 }), inputShape: [2, 5, 5] }];
    case 'batchnorm':
      return [{ layer: new BatchNorm(5), inputShape: [5] }, { layer: new BatchNorm(3), inputShape: [3, 4, 5] }];
    case 'conv2d':
      return [{ layer: new Conv2D(2, 3, 3, { rng, padding: 1, stride: 2 }), inputShape: [2, 7, 9] }, { layer: new Conv2D(1, 4, 5, { rng }), inputShape: [1, 12, 12] }];
    case 'maxpool2d':
      return [{ layer: new MaxPool2D(2), inputShape: [3, 8, 8] }, { layer: new MaxPool2D(3, { stride: 2 }), inputShape: [2, 9, 7] }];
    case 'avgpool2d':
      return [{ layer: new AvgPool2D(2, { stride: 1 }), inputShape: [3, 5, 6] }];
    case 'flatten':
      return [{ layer: new Flatten(), inputShape: [2, 3, 4] }];
    case 'standardize':
      return [{ layer: Standardize.of([0.5, -1, 2, 0], [2, 0.5, 1, 3]), inputShape: [4] }];
    default:
      // Every activation, the ones registered after this test was written included.
      if (Object.hasOwn(activations, kind)) return [{ layer: activationLayer(kind), inputShape: [23] }, { layer: activationLayer(kind), inputShape: [2, 3, 3] }];
      return [];
  }
}

test('every registered layer kind passes, alone, in training and in inference mode', () => {
  assert.ok(KINDS.length >= 13, `registry: ${KINDS.join(', ')}`);
  for (const kind of KINDS) {
    const cases = fixtures(kind);
    assert.ok(cases.length > 0, `no gradCheck fixture for the registered kind "${kind}": add one to fixtures()`);
    for (const { layer, inputShape } of cases) {
      for (const training of [true, false]) {
        if (!training && layer.training === undefined) continue;
        const result = gradCheck(layer, inputShape, { training });
        assertPasses(result, `${kind} on ${shapeText(inputShape)}${layer.training === undefined ? '' : `, training ${training}`}`);
        assert.deepEqual(result.checks.map((c) => c.param), [null, ...layer.params().map((p) => p.name)]);
      }
    }
  }
});

test('built-in layers pass over many seeds: kinks (ReLU at 0, max-pool ties) are skipped, never failed', () => {
  for (let seed = 0; seed < 12; seed++) {
    for (const [layer, shape] of [[new ReLU(), [40]], [new MaxPool2D(2), [2, 6, 6]], [new BatchNorm(4), [4]], [new Dense(30, 7, { rng: new Rng(seed) }), [30]]] as const) {
      assertPasses(gradCheck(layer, shape, { seed, samples: 30 }), `${layer.constructor.name}, seed ${seed}`);
    }
  }
});

test('whole models pass: the tutorial mlp, an mlp with BatchNorm and Dropout, a final Softmax, and LeNet-5', () => {
  for (const seed of [0, 1, 2]) {
    assertPasses(gradCheck(mlp({ rng: seed + 1 }), [784], { seed }), `mlp, seed ${seed}`);
    const regularised = mlp({ inputUnits: 20, hidden: [16, 8], activation: 'tanh', batchNorm: true, dropout: 0.3, rng: seed + 1 });
    assertPasses(gradCheck(regularised, [20], { seed }), `mlp with BatchNorm and Dropout, seed ${seed}`);
  }
  const rng = new Rng(5);
  const withSoftmax = new Sequential([new Dense(9, 6, { rng }), new ReLU(), new Dense(6, 4, { rng }), new Softmax()], 9);
  const result = gradCheck(withSoftmax, [9]);
  assertPasses(result, 'a model ending in Softmax (checked from its logits)');
  // The model's backward computes no gradient of the data: params only, each named by its layer.
  assert.deepEqual(result.checks.map((c) => `${c.layer}.${c.param}`), ['0.weight', '0.bias', '2.weight', '2.bias']);
  // LeNet-5 takes images or their flat rows.
  const lenet = sequentialFromSpec(ARCHITECTURES.lenet5, [1, 28, 28], new Rng(1));
  assertPasses(gradCheck(lenet, [1, 28, 28]), 'LeNet-5');
  assertPasses(gradCheck(lenet, [784], { seed: 3 }), 'LeNet-5 on flat rows');
});

test('in a whole CNN nothing fails; a tensor is only ever short of a pass because kinks left nothing to compare', () => {
  const cnn = sequentialFromSpec(ARCHITECTURES.cnn, [1, 28, 28], new Rng(1));
  for (const seed of [0, 1]) {
    const result = gradCheck(cnn, [1, 28, 28], { seed });
    for (const c of result.checks) {
      assert.ok(c.verdict === 'pass' || (c.verdict === 'warn' && c.checked === 0 && c.layer === 0), `seed ${seed}:\n${show(result)}`);
    }
    // Past the first layer every param is compared in full.
    assert.ok(result.checks.filter((c) => c.layer > 0).every((c) => c.checked === Math.min(20, c.shape.reduce((a, b) => a * b, 1))), show(result));
  }
});

/** Dense whose input gradient drops a factor of 2 (G·Wᵀ / 2). */
class HalvedInputGrad extends Dense {
  override backward(input: Tensor, gradOutput: Tensor): Tensor {
    const gradInput = super.backward(input, gradOutput);
    gradInput.data.forEach((g, i) => (gradInput.data[i] = g / 2));
    return gradInput;
  }
}

/** Dense whose weight gradient is 5 % too large: a subtle mistake. */
class WeightGradOff extends Dense {
  override backward(input: Tensor, gradOutput: Tensor): Tensor {
    const gradInput = super.backward(input, gradOutput);
    this.weight.grad.forEach((g, i) => (this.weight.grad[i] = 1.05 * g));
    return gradInput;
  }
}

test('a wrong param gradient fails for that param alone; a wrong input gradient for the input alone', () => {
  const rng = new Rng(2);
  const bias = gradCheck(new DoubledBiasGrad(12, 5, { rng }), [12]);
  assert.equal(bias.verdict, 'fail');
  assert.equal(checkOf(bias, 'bias').verdict, 'fail', show(bias));
  // |2a − a| / |2a|: every bias value is off by a half.
  assert.ok(Math.abs(checkOf(bias, 'bias').maxError - 0.5) < 1e-3, show(bias));
  assert.equal(checkOf(bias, 'weight').verdict, 'pass', show(bias));
  assert.equal(checkOf(bias, null).verdict, 'pass', show(bias));

  const input = gradCheck(new HalvedInputGrad(12, 5, { rng }), [12]);
  assert.equal(checkOf(input, null).verdict, 'fail', show(input));
  assert.ok(checkOf(input, null).maxError > 0.4, show(input));
  assert.equal(checkOf(input, 'weight').verdict, 'pass', show(input));
  assert.equal(checkOf(input, 'bias').verdict, 'pass', show(input));

  const subtle = gradCheck(new WeightGradOff(12, 5, { rng }), [12]);
  assert.equal(checkOf(subtle, 'weight').verdict, 'fail', show(subtle));
  assert.ok(checkOf(subtle, 'weight').maxError > 0.04, show(subtle));
});

test("in a whole model a wrong layer fails its own param, or, through a wrong input gradient, the params below it", () => {
  const model = (middle: Dense): Sequential => {
    const rng = new Rng(4);
    return new Sequential([new Dense(10, 8, { rng }), new Tanh(), middle, new Tanh(), new Dense(6, 3, { rng })], 10);
  };
  const bias = gradCheck(model(new DoubledBiasGrad(8, 6, { rng: new Rng(5) })), [10]);
  assert.deepEqual(bias.checks.map((c) => `${c.layer}.${c.param} ${c.verdict}`), ['0.weight pass', '0.bias pass', '2.weight pass', '2.bias fail', '4.weight pass', '4.bias pass'], show(bias));
  const input = gradCheck(model(new HalvedInputGrad(8, 6, { rng: new Rng(5) })), [10]);
  assert.deepEqual(input.checks.map((c) => `${c.layer}.${c.param} ${c.verdict}`), ['0.weight fail', '0.bias fail', '2.weight pass', '2.bias pass', '4.weight pass', '4.bias pass'], show(input));
});

/** A layer of a learner's own, with a known wrong backward: Dropout that forgets its mask. */
class MasklessDropout extends Dropout {
  override backward(_input: Tensor, gradOutput: Tensor): Tensor {
    return gradOutput;
  }
}

test('a Dropout backward that ignores the mask fails in training mode (the mask is held fixed) and passes in inference', () => {
  const layer = new MasklessDropout(0.5, { rng: 9 });
  assert.equal(checkOf(gradCheck(layer, [30]), null).verdict, 'fail');
  assert.equal(gradCheck(layer, [30], { training: false }).verdict, 'pass');
});

/**
 * y = a ⊙ x² per feature, by hand: dL/dx = 2 a x ⊙ G, dL/da = Σ_rows G ⊙ x².
 * A central difference is exact for a quadratic, so only float32 rounding
 * is left. It keeps its last input and output gradient for the test's own
 * arithmetic.
 */
class ScaledSquare implements Layer {
  readonly a: Param;
  lastInput: Float32Array | null = null;
  lastGrad: Float32Array | null = null;

  constructor(readonly units: number) {
    this.a = { name: 'a', shape: [units], value: Float32Array.from({ length: units }, (_, j) => 0.5 + j / 4), grad: new Float32Array(units) };
  }

  forward(input: Tensor): Tensor {
    const x = input.data, a = this.a.value, n = this.units;
    return tensor(x.map((v, i) => a[i % n] * v * v), input.shape);
  }

  backward(input: Tensor, gradOutput: Tensor): Tensor {
    const x = input.data, g = gradOutput.data, a = this.a.value, n = this.units;
    this.lastInput = x.slice();
    this.lastGrad = g.slice();
    this.a.grad.fill(0);
    x.forEach((v, i) => (this.a.grad[i % n] += g[i] * v * v));
    return tensor(x.map((v, i) => 2 * a[i % n] * v * g[i]), input.shape);
  }

  params(): Param[] {
    return [this.a];
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1 || inputShape[0] !== this.units) throw new ShapeError(`ScaledSquare: expected input shape [${this.units}], got ${shapeText(inputShape)}`);
    return [this.units];
  }

  config(): LayerConfig {
    return { kind: 'scaled-square', units: this.units };
  }
}

test('a hand-worked layer (y = a ⊙ x²): the errors are float32 rounding, the gradients the formulas', () => {
  const layer = new ScaledSquare(4);
  const result = gradCheck(layer, [4], { rows: 2 });
  assert.equal(result.verdict, 'pass', show(result));
  assert.ok(result.maxError < 1e-5, show(result));
  // Every value is checked (2 rows × 4 inputs, 4 params), none skipped, and the worst is titled by its class.
  assert.deepEqual(result.checks.map((c) => [c.param, c.checked, c.skipped, c.title]), [[null, 8, 0, 'ScaledSquare'], ['a', 4, 0, 'ScaledSquare']]);
  const x = layer.lastInput as Float32Array, g = layer.lastGrad as Float32Array, a = layer.a.value;
  const input = checkOf(result, null).worst;
  assert.ok(input);
  const j = input.index;
  assert.ok(Math.abs(input.numeric - 2 * a[j % 4] * x[j] * g[j]) < 1e-5 * Math.abs(input.numeric), `dL/dx[${j}]: numeric ${input.numeric}, 2·a·x·G = ${2 * a[j % 4] * x[j] * g[j]}`);
  const param = checkOf(result, 'a').worst;
  assert.ok(param);
  const k = param.index;
  const byHand = g[k] * x[k] * x[k] + g[k + 4] * x[k + 4] * x[k + 4];
  assert.ok(Math.abs(param.numeric - byHand) < 1e-5 * Math.abs(byHand), `dL/da[${k}]: numeric ${param.numeric}, Σ G·x² = ${byHand}`);
});

test('the difference divides by the step actually stored (v⁺ − v⁻ in float32), not the nominal 2h', () => {
  // Flatten is y = x: L changes by exactly r_i · (v⁺ − v⁻). At h = 1e-6 the stored step is off the nominal one by up to 6 %.
  const result = gradCheck(new Flatten(), [6], { h: 1e-6, samples: 18 });
  const worst = checkOf(result, null).worst;
  assert.ok(worst);
  assert.ok(Math.abs(worst.numeric - worst.analytic) < 1e-7, `numeric ${worst.numeric}, analytic ${worst.analytic}`);
});

/** y = |x| (a kink at 0), backward sign(x) · G: right everywhere but at the kink. */
const abs: Layer = {
  forward: (input) => tensor(input.data.map(Math.abs), input.shape),
  backward: (input, gradOutput) => tensor(input.data.map((v, i) => Math.sign(v) * gradOutput.data[i]), input.shape),
  params: () => [],
  outputShape: (shape) => [...shape],
  config: () => ({ kind: 'abs' }),
};

test('values whose step crosses a kink are skipped (and replaced), not failed; a smooth mistake is never skipped', () => {
  // A step of 0.5 crosses |x|'s kink for about a third of N(0, 1) values, 0.05 for 4 %.
  const result = gradCheck(abs, [50], { h: 0.5, samples: 40 });
  const c = checkOf(result, null);
  assert.equal(c.verdict, 'pass', show(result));
  assert.ok(c.skipped > 0, show(result));
  assert.equal(c.checked, 40, 'skipped values are replaced by others');
  // The same layer with its kink moved by a wrong backward (sign of x − 0.3) fails at the values between.
  const shifted: Layer = { ...abs, backward: (input, g) => tensor(input.data.map((v, i) => Math.sign(v - 0.3) * g.data[i]), input.shape) };
  assert.equal(gradCheck(shifted, [50], { samples: 150 }).verdict, 'fail');
});

test('the check leaves its target as it found it: values, grads, running statistics, modes and generators', () => {
  const model = mlp({ inputUnits: 6, hidden: [5], batchNorm: true, dropout: 0.5, rng: 3 });
  const [dense, bn, , dropout] = model.layers as [Dense, BatchNorm, Layer, Dropout, Dense];
  const tensors = () => [...model.params().flatMap((p) => [p.value, p.grad]), ...model.buffers().map((b) => b.value)].map((t) => Array.from(t));
  dense.weight.grad.fill(0.25);
  const before = tensors();
  const rngState = dropout.rng.getState();
  gradCheck(model, [6]);
  for (const layer of model.layers) gradCheck(layer, layer === model.layers[0] ? [6] : [5]);
  assert.deepEqual(tensors(), before);
  assert.deepEqual(dropout.rng.getState(), rngState);
  assert.equal(model.training, false);
  assert.equal(bn.training, false);
  model.train();
  gradCheck(model, [6], { training: false });
  assert.equal(model.training, true);
  assert.equal(dropout.training, true);
});

test('the same seed gives the same result; another seed draws another batch', () => {
  const layer = new Dense(9, 4, { rng: new Rng(1) });
  assert.deepEqual(gradCheck(layer, [9], { seed: 5 }), gradCheck(layer, [9], { seed: 5 }));
  assert.notDeepEqual(gradCheck(layer, [9], { seed: 5 }).checks[0].worst, gradCheck(layer, [9], { seed: 6 }).checks[0].worst);
});

test('relativeError: |a − n| / max(|a|, |n|, floor), 0 for equal values, Infinity for NaN', () => {
  assert.equal(relativeError(2, 2.002, 0), Math.abs(2 - 2.002) / 2.002);
  assert.equal(relativeError(1e-6, 2e-6, 1e-3), 1e-6 / 1e-3);
  assert.equal(relativeError(0, 0, 0), 0);
  assert.equal(relativeError(NaN, 1, 1), Infinity);
  assert.ok(GRADCHECK_PASS < GRADCHECK_FAIL);
});

test('bad arguments: a shape the layer cannot take, a model given another shape, bad options, not a layer', () => {
  const expect = (fn: () => unknown, type: typeof ConfigError | typeof ShapeError, message: RegExp) =>
    assert.throws(fn, (err: unknown) => err instanceof type && message.test((err as Error).message), `expected ${type.name} matching ${message}`);
  expect(() => gradCheck(new Dense(4, 3), [5]), ShapeError, /^gradCheck: Dense \(4 -> 3\) cannot take inputs of shape \[5\]: Dense: expected input shape \[4\], got \[5\]$/);
  expect(() => gradCheck(new Conv2D(1, 2, 3), [28, 28]), ShapeError, /^gradCheck: Conv2D.* cannot take inputs of shape \[28, 28\]: Conv2D: expected input shape \[1, height, width\]/);
  const lenet = sequentialFromSpec(ARCHITECTURES.lenet5, [1, 28, 28], new Rng(1));
  expect(() => gradCheck(lenet, [1, 32, 32]), ShapeError, /^gradCheck: the model takes inputs of shape \[1, 28, 28\] \(or flat rows \[784\]\), got \[1, 32, 32\]$/);
  expect(() => gradCheck(new ReLU(), []), ConfigError, /^gradCheck: expected inputShape to be one example's shape, a non-empty list of positive integers \(e\.g\. \[784\] or \[1, 28, 28\]\), got \[\]$/);
  expect(() => gradCheck(new ReLU(), [3, 0]), ConfigError, /got \[3,0\]$/);
  expect(() => gradCheck(new ReLU(), [3], { rows: 0 }), ConfigError, /^gradCheck: expected rows to be a positive integer, got 0$/);
  expect(() => gradCheck(new ReLU(), [3], { samples: 2.5 }), ConfigError, /^gradCheck: expected samples to be a positive integer, got 2\.5$/);
  expect(() => gradCheck(new ReLU(), [3], { h: 0 }), ConfigError, /^gradCheck: expected h to be a number in \(0, 1\), got 0$/);
  expect(() => gradCheck({ forward: () => null } as unknown as Layer, [3]), ConfigError, /^gradCheck: expected a Layer \(forward, backward, params, outputShape, config\) or a Sequential, got an object$/);
  // A layer whose forward disagrees with its outputShape, or whose backward returns the wrong shape.
  const liar: Layer = { ...abs, outputShape: () => [7], config: () => ({ kind: 'liar' }) };
  expect(() => gradCheck(liar, [5]), ShapeError, /^gradCheck: Object\.forward returned shape \[3, 5\], expected \[3, 7\]$/);
  const short: Layer = { ...abs, backward: (input) => tensor(new Float32Array(input.data.length - 1)) };
  expect(() => gradCheck(short, [5]), ShapeError, /^gradCheck: Object\.backward returned a gradient of shape \[14\], expected the input's \[3, 5\]$/);
});
