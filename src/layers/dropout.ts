import { ConfigError, ShapeError } from '../errors.js';
import { sameShape, shapeText, TensorCache, type Tensor } from '../kernels/tensor.js';
import { Rng } from '../rng.js';
import { defaultRng } from './dense.js';
import { checkKeys, finiteNumber } from './config-check.js';
import { layerKind, type Layer, type LayerConfig, type Param } from './layer.js';

/** Options of a {@link Dropout} layer. */
export interface DropoutOptions {
  /**
   * The generator the masks are drawn from, or a seed for a new one (default:
   * the shared {@link defaultRng}, so that two Dropout layers built without
   * one draw different masks).
   */
  rng?: Rng | number;
}

/**
 * Inverted dropout (Srivastava et al., 2014): in training, each element is
 * zeroed with probability `rate` and the survivors are scaled by
 * 1 / (1 − rate), so the expected output equals the input and inference needs
 * no rescaling; in inference it is the identity.
 *
 *   training:  y = x ⊙ m,  m_i = 0 with probability rate, else 1 / (1 − rate)
 *   backward:  dL/dx = dL/dy ⊙ m  (the same m as the forward pass)
 *
 * The mask comes from a seeded {@link Rng}: the same seed gives the same masks.
 */
export class Dropout implements Layer {
  /** Inference (identity) until a training step or `Sequential.train()` turns training on. */
  training = false;
  readonly rng: Rng;
  /** The scaled masks m, one buffer per batch size (reused: no allocation per step). */
  private readonly masks = new TensorCache();
  private readonly outputs = new TensorCache();
  private readonly gradInputs = new TensorCache();
  /** The mask of the last forward pass, or null if it was the identity. */
  private mask: Tensor | null = null;

  /** @param rate the probability of zeroing each element, in [0, 1). */
  constructor(readonly rate: number, options: DropoutOptions = {}) {
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new ConfigError(`Dropout: expected rate to be a number in [0, 1), got ${String(rate)}`);
    }
    const rng = options.rng;
    this.rng = rng === undefined ? defaultRng : rng instanceof Rng ? rng : new Rng(rng);
  }

  /** Training: y = x ⊙ m with a fresh mask m; inference: y = x (the input tensor itself). */
  forward(input: Tensor): Tensor {
    if (!this.training || this.rate === 0) {
      this.mask = null;
      return input;
    }
    const mask = this.masks.shaped(input.shape);
    const out = this.outputs.shaped(input.shape);
    const m = mask.data, x = input.data, y = out.data, rng = this.rng, rate = this.rate;
    // Rounded to float32 once, so that forward and backward scale by the same stored value.
    const keep = Math.fround(1 / (1 - rate));
    for (let i = 0; i < m.length; i++) {
      const mi = rng.uniform() < rate ? 0 : keep;
      m[i] = mi;
      y[i] = x[i] * mi;
    }
    this.mask = mask;
    return out;
  }

  /** dL/dx = dL/dy ⊙ m, with the mask of the last forward pass (dL/dy itself if that was the identity). */
  backward(input: Tensor, gradOutput: Tensor): Tensor {
    if (!sameShape(gradOutput.shape, input.shape)) {
      throw new ShapeError(`Dropout.backward: expected gradOutput of shape ${shapeText(input.shape)}, got ${shapeText(gradOutput.shape)}`);
    }
    const mask = this.mask;
    if (mask === null) return gradOutput;
    if (!sameShape(mask.shape, input.shape)) {
      throw new ShapeError(`Dropout.backward: the last forward pass had shape ${shapeText(mask.shape)}, got input ${shapeText(input.shape)}`);
    }
    const out = this.gradInputs.shaped(input.shape);
    const m = mask.data, g = gradOutput.data, d = out.data;
    for (let i = 0; i < m.length; i++) d[i] = g[i] * m[i];
    return out;
  }

  params(): Param[] {
    return [];
  }

  /** Any shape: the output has the input's. */
  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  config(): LayerConfig {
    return { kind: 'dropout', rate: this.rate };
  }
}

/** Dropout in model files (`{kind: 'dropout', rate}`), ONNX (no node: the identity at inference) and the summary. */
export const dropoutKind = layerKind<Dropout>({
  kind: 'dropout',
  plan(config, at, index) {
    checkKeys(config, ['kind', 'rate'], at);
    const rate = finiteNumber(config.rate, `${at}.rate`, 'a number in [0, 1)', (v) => v >= 0 && v < 1);
    // Seeded by its index: two rebuilt Dropout layers do not draw the same masks (the mask stream is not part of a config).
    return { paramValues: 0, build: () => new Dropout(rate, { rng: new Rng(index) }) };
  },
  title: () => 'Dropout',
  onnx() {},
});
