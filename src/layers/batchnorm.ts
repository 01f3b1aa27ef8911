import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernels/memory.js';
import { sameShape, shapeText, TensorCache, type Tensor } from '../kernels/tensor.js';
import { checkKeys, finiteNumber, positiveInteger } from './config-check.js';
import { layerKind, param, type Layer, type LayerBuffer, type LayerConfig, type Param } from './layer.js';

/** Options of a {@link BatchNorm} layer (PyTorch's defaults). */
export interface BatchNormOptions {
  /** Weight m of each batch in the running statistics: running = (1 − m)·running + m·batch (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root, so a constant unit does not divide by 0 (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation (Ioffe & Szegedy, 2015) of each unit over the rows of a
 * batch [rows, units]:
 *
 *   y = (x − μ) / √(σ² + eps) · γ + β
 *
 * In training, μ and σ² are the batch's mean and biased variance (Σ/rows),
 * and the running statistics move towards them as PyTorch's do:
 * runningMean = (1 − m)·runningMean + m·μ, runningVar = (1 − m)·runningVar
 * + m·σ²·rows/(rows − 1) (the unbiased variance). In inference, μ and σ² are
 * the running statistics, so a prediction does not depend on the rest of its
 * batch. γ (`gamma`, init 1) and β (`beta`, init 0) are trainable;
 * `runningMean` (init 0) and `runningVar` (init 1) are buffers: saved, not
 * trained.
 */
export class BatchNorm implements Layer {
  /** Inference (running statistics) until a training step or `Sequential.train()` turns training on. */
  training = false;
  readonly gamma: Param;
  readonly beta: Param;
  readonly runningMean: LayerBuffer;
  readonly runningVar: LayerBuffer;
  readonly momentum: number;
  readonly eps: number;
  private readonly outputs = new TensorCache();
  private readonly gradInputs = new TensorCache();
  /** μ and √(σ² + eps) of the last forward pass (the batch's in training, the running ones in inference). */
  private readonly mean: Float64Array;
  private readonly std: Float64Array;
  /** Whether the last forward pass used batch statistics (backward then differentiates through them). */
  private lastTraining = false;
  /** Σ_rows dL/dy and Σ_rows dL/dy · x̂ of the last backward pass. */
  private readonly sumGrad: Float64Array;
  private readonly sumGradXhat: Float64Array;
  private readonly invStd: Float64Array;

  constructor(readonly units: number, options: BatchNormOptions = {}) {
    if (!Number.isSafeInteger(units) || units < 1) throw new ConfigError(`BatchNorm: expected units to be a positive integer, got ${String(units)}`);
    const momentum = options.momentum ?? 0.1;
    const eps = options.eps ?? 1e-5;
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) {
      throw new ConfigError(`BatchNorm: expected momentum to be a number in [0, 1], got ${String(momentum)}`);
    }
    if (typeof eps !== 'number' || !(eps > 0 && Number.isFinite(eps))) {
      throw new ConfigError(`BatchNorm: expected eps to be a positive number, got ${String(eps)}`);
    }
    this.momentum = momentum;
    this.eps = eps;
    this.gamma = param('gamma', [units]);
    this.gamma.value.fill(1);
    this.beta = param('beta', [units]);
    this.runningMean = { name: 'runningMean', shape: [units], value: allocFloat32(units) };
    this.runningVar = { name: 'runningVar', shape: [units], value: allocFloat32(units).fill(1), min: 0 };
    this.mean = new Float64Array(units);
    this.std = new Float64Array(units);
    this.sumGrad = new Float64Array(units);
    this.sumGradXhat = new Float64Array(units);
    this.invStd = new Float64Array(units);
  }

  /** y = (x − μ) / √(σ² + eps) · γ + β, with batch statistics in training and running ones in inference. */
  forward(input: Tensor): Tensor {
    const [rows, spatial] = this.checkInput(input);
    const n = this.units, x = input.data, mean = this.mean, std = this.std;
    if (this.training) {
      this.batchStatistics(x, rows, spatial);
    } else {
      const rm = this.runningMean.value, rv = this.runningVar.value;
      for (let c = 0; c < n; c++) {
        mean[c] = rm[c];
        std[c] = Math.sqrt(rv[c] + this.eps);
      }
    }
    this.lastTraining = this.training;
    const out = this.outputs.shaped(input.shape);
    const y = out.data, gamma = this.gamma.value, beta = this.beta.value;
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < n; c++) {
        for (let s = 0; s < spatial; s++, i++) y[i] = ((x[i] - mean[c]) / std[c]) * gamma[c] + beta[c];
      }
    }
    return out;
  }

  /**
   * dL/dγ = Σ_rows G ⊙ x̂ and dL/dβ = Σ_rows G (into the params' grads), and
   * dL/dx. In training, where μ and σ² depend on every row:
   *
   *   dL/dx = γ / √(σ² + eps) · (G − mean_rows(G) − x̂ ⊙ mean_rows(G ⊙ x̂))
   *
   * and in inference (constant statistics) dL/dx = γ / √(σ² + eps) · G.
   */
  backward(input: Tensor, gradOutput: Tensor): Tensor {
    const [rows, spatial] = this.backwardParamsRows(input, gradOutput);
    const n = this.units, x = input.data, g = gradOutput.data, mean = this.mean, std = this.std, gamma = this.gamma.value;
    const sumGrad = this.sumGrad, sumGradXhat = this.sumGradXhat, invStd = this.invStd;
    const count = rows * spatial;
    const out = this.gradInputs.shaped(input.shape);
    const d = out.data;
    for (let c = 0; c < n; c++) invStd[c] = 1 / std[c];
    if (this.lastTraining) {
      for (let r = 0, i = 0; r < rows; r++) {
        for (let c = 0; c < n; c++) {
          for (let s = 0; s < spatial; s++, i++) {
            const xhat = (x[i] - mean[c]) * invStd[c];
            d[i] = gamma[c] * invStd[c] * (g[i] - (sumGrad[c] + xhat * sumGradXhat[c]) / count);
          }
        }
      }
    } else {
      for (let r = 0, i = 0; r < rows; r++) for (let c = 0; c < n; c++) for (let s = 0; s < spatial; s++, i++) d[i] = gamma[c] * invStd[c] * g[i];
    }
    return out;
  }

  /** Fills dL/dγ and dL/dβ without computing dL/dx (when BatchNorm is the first layer). */
  backwardParams(input: Tensor, gradOutput: Tensor): void {
    this.backwardParamsRows(input, gradOutput);
  }

  params(): Param[] {
    return [this.gamma, this.beta];
  }

  buffers(): LayerBuffer[] {
    return [this.runningMean, this.runningVar];
  }

  /** Rows of units [units], or images of `units` channels [units, H, W] (normalised per channel). */
  outputShape(inputShape: readonly number[]): number[] {
    if (!((inputShape.length === 1 || inputShape.length === 3) && inputShape[0] === this.units)) {
      throw new ShapeError(`BatchNorm: expected input shape [${this.units}] or [${this.units}, height, width], got ${shapeText(inputShape)}`);
    }
    return [...inputShape];
  }

  config(): LayerConfig {
    return { kind: 'batchnorm', units: this.units, momentum: this.momentum, eps: this.eps };
  }

  /** The batch's μ and √(σ² + eps) into `mean` and `std` (over rows, and pixels of images), and the running statistics' update. */
  private batchStatistics(x: Float32Array, rows: number, spatial: number): void {
    if (rows === 0) throw new ShapeError('BatchNorm: training needs a batch of at least 1 row, got 0');
    const n = this.units, mean = this.mean, std = this.std;
    const count = rows * spatial;
    mean.fill(0);
    std.fill(0);
    for (let r = 0, i = 0; r < rows; r++) for (let c = 0; c < n; c++) for (let s = 0; s < spatial; s++, i++) mean[c] += x[i];
    for (let c = 0; c < n; c++) mean[c] /= count;
    // Two passes (mean first, then squared deviations): no cancellation for large means.
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < n; c++) {
        for (let s = 0; s < spatial; s++, i++) {
          const dev = x[i] - mean[c];
          std[c] += dev * dev;
        }
      }
    }
    const m = this.momentum, rm = this.runningMean.value, rv = this.runningVar.value;
    for (let c = 0; c < n; c++) {
      const variance = std[c] / count;
      rm[c] = (1 - m) * rm[c] + m * mean[c];
      // NOTE: one value has no unbiased variance (PyTorch refuses such a batch);
      // we keep runningVar as it was, so a last batch of one row does not stop fit.
      if (count > 1) rv[c] = (1 - m) * rv[c] + m * ((variance * count) / (count - 1));
      std[c] = Math.sqrt(variance + this.eps);
    }
  }

  /** Checks shapes, fills the param grads and the sums backward needs; returns the rows and the pixels per channel. */
  private backwardParamsRows(input: Tensor, gradOutput: Tensor): [number, number] {
    const [rows, spatial] = this.checkInput(input);
    if (!sameShape(gradOutput.shape, input.shape)) {
      throw new ShapeError(`BatchNorm.backward: expected gradOutput of shape ${shapeText(input.shape)}, got ${shapeText(gradOutput.shape)}`);
    }
    const n = this.units, x = input.data, g = gradOutput.data, mean = this.mean, std = this.std;
    const sumGrad = this.sumGrad, sumGradXhat = this.sumGradXhat;
    sumGrad.fill(0);
    sumGradXhat.fill(0);
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < n; c++) {
        for (let s = 0; s < spatial; s++, i++) {
          sumGrad[c] += g[i];
          sumGradXhat[c] += (g[i] * (x[i] - mean[c])) / std[c];
        }
      }
    }
    this.gamma.grad.set(sumGradXhat);
    this.beta.grad.set(sumGrad);
    return [rows, spatial];
  }

  /** The rows and the pixels per channel of an input [rows, units] or [rows, units, H, W]. */
  private checkInput(input: Tensor): [number, number] {
    const shape = input.shape;
    if (shape.length === 2 && shape[1] === this.units) return [shape[0], 1];
    if (shape.length === 4 && shape[1] === this.units) return [shape[0], shape[2] * shape[3]];
    throw new ShapeError(`BatchNorm: expected input of shape [rows, ${this.units}] or [batch, ${this.units}, height, width], got ${shapeText(shape)}`);
  }
}

/** BatchNorm in model files (`{kind: 'batchnorm', units, momentum, eps}`), ONNX and the summary. */
export const batchNormKind = layerKind<BatchNorm>({
  kind: 'batchnorm',
  plan(config, at) {
    checkKeys(config, ['kind', 'units', 'momentum', 'eps'], at);
    const units = positiveInteger(config.units, `${at}.units`);
    // Omitted options take their defaults, as in the constructor.
    const momentum = config.momentum === undefined ? undefined : finiteNumber(config.momentum, `${at}.momentum`, 'a number in [0, 1]', (v) => v >= 0 && v <= 1);
    const eps = config.eps === undefined ? undefined : finiteNumber(config.eps, `${at}.eps`, 'a positive number', (v) => v > 0);
    // gamma, beta, runningMean, runningVar
    return { paramValues: 4 * units, build: () => new BatchNorm(units, { momentum, eps }) };
  },
  title: () => 'BatchNorm',
  onnx(layer, graph) {
    // Inference form: (X − mean) / √(var + epsilon) · scale + B, with the running statistics.
    const inputs = [graph.input, graph.tensor('gamma'), graph.tensor('beta'), graph.tensor('runningMean'), graph.tensor('runningVar')];
    graph.node('BatchNormalization', inputs, { floats: { epsilon: layer.eps } });
  },
});
