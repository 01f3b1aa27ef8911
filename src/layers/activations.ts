import { ConfigError } from '../errors.js';
import { reluBackward, reluForward } from '../kernels/index.js';
import { TensorCache, type Tensor } from '../kernels/tensor.js';
import { checkKeys } from './config-check.js';
import { layerKind, type Layer, type LayerConfig, type Param } from './layer.js';

/**
 * An activation function and its derivative, side by side (the tutorial's
 * plots and the layers use these same definitions).
 */
export interface ActivationFn {
  /** The name used by the CLI (`--activation`) and the model file. */
  readonly name: ActivationName;
  /** Its display name: `ReLU`, `Leaky ReLU`, … */
  readonly title: string;
  /** Its formula as the tutorial's plot titles write it. */
  readonly formula: string;
  /** f(x). */
  readonly f: (x: number) => number;
  /** f'(x), the derivative with respect to the input x. */
  readonly der: (x: number) => number;
  /** Optional vectorised versions of the layer's loops (same results as f and der). */
  readonly kernels?: {
    /** out = f(x) elementwise. */
    forward(out: Float32Array, x: Float32Array): void;
    /** out = gradOutput · f'(x) elementwise. */
    backward(out: Float32Array, x: Float32Array, gradOutput: Float32Array): void;
  };
}

/** The activations scratchnet knows. */
export type ActivationName = 'relu' | 'sigmoid' | 'tanh' | 'leaky-relu' | 'linear';

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * ReLU: f(x) = max(0, x), f'(x) = 1 if x > 0 else 0.
 * NOTE: f is not differentiable at 0; like the tutorial (`input > 0`) we use 0 there.
 */
export const relu: ActivationFn = {
  name: 'relu',
  title: 'ReLU',
  formula: 'f(x) = max(0, x)',
  f: (x) => (x > 0 ? x : 0),
  der: (x) => (x > 0 ? 1 : 0),
  kernels: { forward: reluForward, backward: reluBackward },
};

/** Sigmoid: σ(x) = 1 / (1 + e^−x), σ'(x) = σ(x)(1 − σ(x)). */
export const sigmoid: ActivationFn = {
  name: 'sigmoid',
  title: 'Sigmoid',
  formula: 'σ(x) = 1 / (1 + e⁻ˣ)',
  f: logistic,
  der: (x) => {
    const s = logistic(x);
    return s * (1 - s);
  },
};

/** Tanh: f(x) = tanh(x), f'(x) = 1 − tanh²(x). */
export const tanh: ActivationFn = {
  name: 'tanh',
  title: 'Tanh',
  formula: 'f(x) = tanh(x)',
  f: Math.tanh,
  der: (x) => {
    const t = Math.tanh(x);
    return 1 - t * t;
  },
};

/** The tutorial's leaky-ReLU slope for x ≤ 0. */
export const LEAKY_SLOPE = 0.1;

/** Leaky ReLU: f(x) = x if x > 0 else 0.1·x, f'(x) = 1 if x > 0 else 0.1. */
export const leakyRelu: ActivationFn = {
  name: 'leaky-relu',
  title: 'Leaky ReLU',
  formula: 'f(x) = max(0.1x, x)',
  f: (x) => (x > 0 ? x : LEAKY_SLOPE * x),
  der: (x) => (x > 0 ? 1 : LEAKY_SLOPE),
};

/**
 * Linear, i.e. no activation (Keras's `linear`): f(x) = x, f'(x) = 1. For
 * the lesson that depth without a nonlinearity adds nothing: Dense layers
 * joined by it compose to one affine map, W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂).
 */
export const linear: ActivationFn = {
  name: 'linear',
  title: 'Linear',
  formula: 'f(x) = x',
  f: (x) => x,
  der: () => 1,
};

/** Every activation by name, in the tutorial's plotting order (linear, which it does not plot, last). */
export const activations: Readonly<Record<ActivationName, ActivationFn>> = {
  sigmoid,
  relu,
  tanh,
  'leaky-relu': leakyRelu,
  linear,
};

/** Looks an activation up by name; ConfigError listing the valid names otherwise. */
export function activationByName(name: string): ActivationFn {
  const fn = (activations as Record<string, ActivationFn | undefined>)[name];
  if (fn === undefined) {
    throw new ConfigError(`unknown activation "${name}": expected one of ${Object.keys(activations).join(', ')}`);
  }
  return fn;
}

/**
 * An elementwise activation layer: forward y = f(x), backward
 * dL/dx = dL/dy · f'(x). It has no params.
 */
export class Activation implements Layer {
  private readonly outputs = new TensorCache();
  private readonly gradInputs = new TensorCache();

  constructor(readonly fn: ActivationFn) {}

  forward(input: Tensor): Tensor {
    const out = this.outputs.shaped(input.shape);
    if (this.fn.kernels !== undefined) {
      this.fn.kernels.forward(out.data, input.data);
      return out;
    }
    const x = input.data, y = out.data, f = this.fn.f;
    for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
    return out;
  }

  backward(input: Tensor, gradOutput: Tensor): Tensor {
    const out = this.gradInputs.shaped(input.shape);
    if (this.fn.kernels !== undefined) {
      this.fn.kernels.backward(out.data, input.data, gradOutput.data);
      return out;
    }
    const x = input.data, g = gradOutput.data, d = out.data, der = this.fn.der;
    for (let i = 0; i < x.length; i++) d[i] = g[i] * der(x[i]);
    return out;
  }

  params(): Param[] {
    return [];
  }

  /** Any shape: elementwise, the output has the input's. */
  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  config(): LayerConfig {
    return { kind: this.fn.name };
  }
}

/** The tutorial's ReLU layer: max(0, x). */
export class ReLU extends Activation {
  constructor() {
    super(relu);
  }
}

/** Sigmoid layer: 1 / (1 + e^−x). */
export class Sigmoid extends Activation {
  constructor() {
    super(sigmoid);
  }
}

/** Tanh layer. */
export class Tanh extends Activation {
  constructor() {
    super(tanh);
  }
}

/** Leaky ReLU layer with the tutorial's slope 0.1. */
export class LeakyReLU extends Activation {
  constructor() {
    super(leakyRelu);
  }
}

/** No activation: the identity, between layers that then compose to one linear map (`--activation linear`). */
export class Identity extends Activation {
  constructor() {
    super(linear);
  }
}

/** A new activation layer for `name` (the CLI's `--activation`). */
export function activationLayer(name: string): Activation {
  switch (activationByName(name).name) {
    case 'relu':
      return new ReLU();
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
    case 'leaky-relu':
      return new LeakyReLU();
    case 'linear':
      return new Identity();
  }
}

/** Each activation layer's name in the summary (its class), and its ONNX operator (LeakyRelu with alpha = LEAKY_SLOPE). */
const LAYER_NAMES: Readonly<Record<ActivationName, { title: string; op: string; floats?: Record<string, number> }>> = {
  sigmoid: { title: 'Sigmoid', op: 'Sigmoid' },
  relu: { title: 'ReLU', op: 'Relu' },
  tanh: { title: 'Tanh', op: 'Tanh' },
  'leaky-relu': { title: 'LeakyReLU', op: 'LeakyRelu', floats: { alpha: LEAKY_SLOPE } },
  linear: { title: 'Identity', op: 'Identity' },
};

/** Each activation in model files (`{kind: 'relu'}`, …), ONNX and the summary, in the tutorial's plotting order. */
export const activationKinds = (Object.keys(activations) as ActivationName[]).map((name) =>
  layerKind<Activation>({
    kind: name,
    plan(config, at) {
      checkKeys(config, ['kind'], at);
      return { paramValues: 0, build: () => activationLayer(name) };
    },
    title: () => LAYER_NAMES[name].title,
    onnx(_, graph) {
      const { op, floats } = LAYER_NAMES[name];
      graph.node(op, [graph.input], { floats });
    },
  }),
);
