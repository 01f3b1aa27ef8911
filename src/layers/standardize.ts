import { ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernels/memory.js';
import { dims2, type Tensor } from '../kernels/tensor.js';
import { checkKeys, positiveInteger } from './config-check.js';
import { layerKind, type Layer, type LayerBuffer, type LayerConfig, type Param } from './layer.js';

/**
 * Standardize: y = (x − mean) · scale per feature, with fixed `mean` and
 * `scale` (1 / the training set's standard deviation, or 1 / its range for
 * min–max scaling) saved with the model. Put first in a network trained on
 * a table, it lets the saved model take raw rows: `evaluate`, `predict` and
 * the ONNX export (Sub, Mul) apply the training set's statistics
 * themselves. Nothing in it is trained.
 */
export class Standardize implements Layer {
  readonly mean: LayerBuffer;
  readonly scale: LayerBuffer;
  private out: Float32Array = new Float32Array(0);
  private gradIn: Float32Array = new Float32Array(0);

  constructor(readonly units: number) {
    if (!Number.isInteger(units) || units < 1) throw new ShapeError(`Standardize: expected a positive number of features, got ${units}`);
    this.mean = { name: 'mean', shape: [units], value: allocFloat32(units) };
    this.scale = { name: 'scale', shape: [units], value: allocFloat32(units).fill(1) };
  }

  /** A Standardize with the given per-feature offsets and scales. */
  static of(mean: ArrayLike<number>, scale: ArrayLike<number>): Standardize {
    if (mean.length !== scale.length) throw new ShapeError(`Standardize: ${mean.length} means but ${scale.length} scales`);
    const layer = new Standardize(mean.length);
    layer.mean.value.set(mean);
    layer.scale.value.set(scale);
    return layer;
  }

  forward(input: Tensor): Tensor {
    const [rows, cols] = dims2(input, 'Standardize input');
    if (cols !== this.units) throw new ShapeError(`Standardize: expected rows of ${this.units} features, got ${cols}`);
    if (this.out.length < rows * cols) this.out = allocFloat32(rows * cols);
    const x = input.data, y = this.out, m = this.mean.value, s = this.scale.value;
    for (let r = 0, i = 0; r < rows; r++) for (let j = 0; j < cols; j++, i++) y[i] = (x[i] - m[j]) * s[j];
    return { data: y.subarray(0, rows * cols), shape: [rows, cols] };
  }

  backward(input: Tensor, gradOutput: Tensor): Tensor {
    const [rows, cols] = dims2(gradOutput, 'Standardize gradOutput');
    if (this.gradIn.length < rows * cols) this.gradIn = allocFloat32(rows * cols);
    const g = gradOutput.data, d = this.gradIn, s = this.scale.value;
    for (let r = 0, i = 0; r < rows; r++) for (let j = 0; j < cols; j++, i++) d[i] = g[i] * s[j];
    return { data: d.subarray(0, rows * cols), shape: input.shape };
  }

  /** First in a network: nothing to train and no one needs dL/dx. */
  backwardParams(): void {}

  params(): Param[] {
    return [];
  }

  buffers(): LayerBuffer[] {
    return [this.mean, this.scale];
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1 || inputShape[0] !== this.units) throw new ShapeError(`Standardize: expected rows of ${this.units} features, got [${inputShape.join(', ')}]`);
    return [this.units];
  }

  config(): LayerConfig {
    return { kind: 'standardize', units: this.units };
  }
}

/** Standardize in model files (`{kind: 'standardize', units}`, buffers mean and scale), ONNX (Sub then Mul) and the summary. */
export const standardizeKind = layerKind<Standardize>({
  kind: 'standardize',
  plan(config, at) {
    checkKeys(config, ['kind', 'units'], at);
    const units = positiveInteger(config.units, `${at}.units`);
    return { paramValues: 2 * units, build: () => new Standardize(units) };
  },
  title: (layer) => `Standardize (${layer.units})`,
  onnx: (_, graph) => void graph.node('Mul', [graph.node('Sub', [graph.input, graph.tensor('mean')]), graph.tensor('scale')]),
});
