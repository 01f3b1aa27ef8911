import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { decodeModel, encodeModel } from '../../src/io/model-file.js';
import { encodeOnnx } from '../../src/io/onnx.js';
import { ReLU } from '../../src/layers/activations.js';
import { checkKeys, positiveInteger } from '../../src/layers/config-check.js';
import { Dense } from '../../src/layers/dense.js';
import { layerKind, param, type Layer, type LayerConfig, type Param } from '../../src/layers/layer.js';
import { findLayerKind, layerKinds, registerLayerKind } from '../../src/layers/registry.js';
import { dims2, shapeText, TensorCache, tensor, type Tensor } from '../../src/kernels/tensor.js';
import { architectureOf, sequentialFromArchitecture } from '../../src/model/from-config.js';
import { Sequential, train } from '../../src/model/sequential.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/rng.js';
import { gradCheck } from '../support/gradcheck.js';

// docs/adding-a-layer.md, followed step by step with a layer that lives
// here, outside the library: nothing but this file and the registration
// tells model files, the architecture, the summary and ONNX export about it.

/** y = x ⊙ g for rows [rows, units]: one learnt gain per feature. */
class Scale implements Layer {
  readonly gain: Param;
  private readonly outputs = new TensorCache();
  private readonly gradInputs = new TensorCache();

  constructor(readonly units: number) {
    this.gain = param('gain', [units]);
    this.gain.value.fill(1);
  }

  forward(input: Tensor): Tensor {
    const [rows, cols] = dims2(input, 'Scale');
    const out = this.outputs.get(rows, cols);
    for (let i = 0; i < input.data.length; i++) out.data[i] = input.data[i] * this.gain.value[i % cols];
    return out;
  }

  backward(input: Tensor, gradOutput: Tensor): Tensor {
    const [rows, cols] = dims2(input, 'Scale');
    const gradInput = this.gradInputs.get(rows, cols);
    this.gain.grad.fill(0);
    for (let i = 0; i < input.data.length; i++) {
      this.gain.grad[i % cols] += gradOutput.data[i] * input.data[i];
      gradInput.data[i] = gradOutput.data[i] * this.gain.value[i % cols];
    }
    return gradInput;
  }

  params(): Param[] {
    return [this.gain];
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1 || inputShape[0] !== this.units) {
      throw new ShapeError(`Scale: expected input shape [${this.units}], got ${shapeText(inputShape)}`);
    }
    return [this.units];
  }

  config(): LayerConfig {
    return { kind: 'scale', units: this.units };
  }
}

const scaleKind = layerKind<Scale>({
  kind: 'scale',
  plan(config, at) {
    checkKeys(config, ['kind', 'units'], at);
    const units = positiveInteger(config.units, `${at}.units`);
    return { paramValues: units, build: () => new Scale(units) };
  },
  title: (layer) => `Scale (${layer.units})`,
  onnx(_, graph) {
    graph.node('Mul', [graph.input, graph.tensor('gain')]);
  },
});

registerLayerKind(scaleKind);

/** 6 → Dense 4 → Scale → ReLU → Dense 3, trained a few steps so the gains are no longer 1. */
function trained(): { model: Sequential; x: Tensor } {
  const rng = new Rng(3);
  const model = new Sequential([new Dense(6, 4, { rng }), new Scale(4), new ReLU(), new Dense(4, 3, { rng })], 6);
  const x = tensor(Float32Array.from({ length: 8 * 6 }, () => rng.normal()), [8, 6]);
  const y = Uint8Array.from({ length: 8 }, () => rng.int(3));
  const sgd = new SGD({ lr: 0.3 });
  for (let step = 0; step < 5; step++) train(model, x, y, sgd);
  return { model, x };
}

test('a registered kind is known by name, once', () => {
  assert.ok(layerKinds.includes('scale'));
  assert.equal(findLayerKind('scale'), scaleKind);
  assert.throws(() => registerLayerKind(scaleKind), (err: unknown) => err instanceof ConfigError && /a layer kind "scale" is registered already/.test(err.message));
});

test('its backward pass is right (central differences)', () => {
  const rng = new Rng(4);
  const layer = new Scale(5);
  layer.gain.value.forEach((_, i) => (layer.gain.value[i] = rng.normal()));
  const x = tensor(Float32Array.from({ length: 3 * 5 }, () => rng.normal()), [3, 5]);
  const g = Float32Array.from({ length: 3 * 5 }, () => rng.normal());
  const loss = () => layer.forward(x).data.reduce((s, v, i) => s + v * g[i], 0);
  const gradInput = Float32Array.from(layer.backward(x, tensor(g, [3, 5])).data);
  gradCheck('Scale dL/dgain', loss, layer.gain.value, layer.gain.grad);
  gradCheck('Scale dL/dx', loss, x.data, gradInput);
});

test('the summary, the model file and the architecture take it with no other change', () => {
  const { model, x } = trained();
  assert.equal(model.summary()[1], 'Layer 1: Scale (4)');
  assert.ok(!model.layers[1].params()[0].value.every((v) => v === 1), 'the gains trained');
  const want = model.forward(x).data.slice();
  const decoded = decodeModel(encodeModel(model), 'scale.safetensors');
  assert.ok(decoded.model.layers[1] instanceof Scale);
  assert.deepEqual(decoded.model.forward(x).data, want);
  const rebuilt = sequentialFromArchitecture(architectureOf(model), 'arch');
  assert.deepEqual(rebuilt.summary(), model.summary());
  assert.throws(() => sequentialFromArchitecture({ inputUnits: 6, layers: [{ kind: 'scale', units: -1 }] }, 'arch'), /^ConfigError: arch: layers\[0\]\.units: expected a positive integer, got -1$/);
});

test('ONNX export writes its node, and onnxruntime computes what the model does', async () => {
  const { model, x } = trained();
  const session = await ort.InferenceSession.create(encodeOnnx(model));
  const result = await session.run({ pixels: new ort.Tensor('float32', x.data, [8, 6]) });
  const got = result.logits.data as Float32Array;
  const want = model.logits(x).data;
  want.forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-5, `logit ${i}: ${got[i]} vs ${v}`));
});
