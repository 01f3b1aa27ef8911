import { ConfigError, ShapeError } from '../errors.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, slidingOutput, type Window2D } from '../kernels/conv.js';
import { allocInt32 } from '../kernels/memory.js';
import { shapeText, TensorCache, type Tensor } from '../kernels/tensor.js';
import { checkKeys, positiveInteger } from './config-check.js';
import { layerKind, type Layer, type LayerConfig, type Param } from './layer.js';

/** Options of a pooling layer. */
export interface Pool2DOptions {
  /** Step of the window (default: its size, so windows do not overlap, as PyTorch's). */
  stride?: number;
}

/**
 * What max and average pooling share: a size × size window sliding at
 * `stride` over each channel of NCHW batches, no padding (PyTorch's
 * defaults), no params.
 */
abstract class Pool2D implements Layer {
  readonly stride: number;
  /** @internal */
  protected readonly outputs = new TensorCache();
  /** @internal */
  protected readonly gradInputs = new TensorCache();

  constructor(readonly kind: 'maxpool2d' | 'avgpool2d', readonly size: number, options: Pool2DOptions) {
    const title = kind === 'maxpool2d' ? 'MaxPool2D' : 'AvgPool2D';
    if (!Number.isSafeInteger(size) || size < 1) throw new ConfigError(`${title}: expected size to be a positive integer, got ${String(size)}`);
    this.stride = options.stride ?? size;
    if (!Number.isSafeInteger(this.stride) || this.stride < 1) throw new ConfigError(`${title}: expected stride to be a positive integer, got ${String(this.stride)}`);
  }

  abstract forward(input: Tensor): Tensor;
  abstract backward(input: Tensor, gradOutput: Tensor): Tensor;

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: readonly number[]): number[] {
    const g = this.geometry(inputShape);
    return [g.channels, g.outH, g.outW];
  }

  config(): LayerConfig {
    return { kind: this.kind, size: this.size, stride: this.stride };
  }

  /** @internal The batch size and window geometry of an input [n, C, H, W]. */
  protected window(shape: readonly number[]): [number, Window2D] {
    if (shape.length !== 4) throw new ShapeError(`${this.title}: expected input of shape [batch, channels, height, width], got ${shapeText(shape)}`);
    return [shape[0], this.geometry(shape.slice(1))];
  }

  /** @internal Checks that gradOutput has the output's shape for `input`. */
  protected checkGrad(input: Tensor, gradOutput: Tensor, n: number, g: Window2D): void {
    const want = [n, g.channels, g.outH, g.outW];
    if (gradOutput.shape.length !== 4 || want.some((d, i) => gradOutput.shape[i] !== d)) {
      throw new ShapeError(`${this.title}.backward: expected gradOutput of shape ${shapeText(want)}, got ${shapeText(gradOutput.shape)}`);
    }
  }

  private get title(): string {
    return this.kind === 'maxpool2d' ? 'MaxPool2D' : 'AvgPool2D';
  }

  private geometry(inputShape: readonly number[]): Window2D {
    const [channels, height, width] = inputShape;
    if (inputShape.length !== 3 || height < this.size || width < this.size) {
      throw new ShapeError(`${this.title}: expected input shape [channels, height, width] of at least ${this.size} × ${this.size} pixels, got ${shapeText(inputShape)}`);
    }
    const s = this.stride;
    return { channels, height, width, kernelH: this.size, kernelW: this.size, stride: s, padding: 0, outH: slidingOutput(height, this.size, s, 0), outW: slidingOutput(width, this.size, s, 0) };
  }
}

/**
 * Max pooling: each output is the largest input of its window; the gradient
 * goes back to that one input (the arg-max) alone.
 */
export class MaxPool2D extends Pool2D {
  /** Where each output of the last forward pass came from (an index into the input), one buffer per output size. */
  private argmax: Int32Array = new Int32Array(0);

  constructor(size: number, options: Pool2DOptions = {}) {
    super('maxpool2d', size, options);
  }

  /** The largest value of each window: [n, C, H, W] → [n, C, outH, outW]. */
  forward(input: Tensor): Tensor {
    const [n, g] = this.window(input.shape);
    const out = this.outputs.shaped([n, g.channels, g.outH, g.outW]);
    if (this.argmax.length < out.data.length) this.argmax = allocInt32(out.data.length);
    return (maxPool2d(out.data, this.argmax, input.data, n, g), out);
  }

  /** dL/dX: each output's gradient at its window's arg-max, 0 elsewhere. */
  backward(input: Tensor, gradOutput: Tensor): Tensor {
    const [n, g] = this.window(input.shape);
    this.checkGrad(input, gradOutput, n, g);
    const gradInput = this.gradInputs.shaped(input.shape);
    maxPool2dBackward(gradInput.data, gradOutput.data, this.argmax, input.data.length, gradOutput.data.length);
    return gradInput;
  }
}

/** Average pooling: each output is the mean of its window; the gradient is shared equally by the window. */
export class AvgPool2D extends Pool2D {
  constructor(size: number, options: Pool2DOptions = {}) {
    super('avgpool2d', size, options);
  }

  /** The mean of each window: [n, C, H, W] → [n, C, outH, outW]. */
  forward(input: Tensor): Tensor {
    const [n, g] = this.window(input.shape);
    const out = this.outputs.shaped([n, g.channels, g.outH, g.outW]);
    return (avgPool2d(out.data, input.data, n, g), out);
  }

  /** dL/dX: each output's gradient shared equally by its window. */
  backward(input: Tensor, gradOutput: Tensor): Tensor {
    const [n, g] = this.window(input.shape);
    this.checkGrad(input, gradOutput, n, g);
    const gradInput = this.gradInputs.shaped(input.shape);
    avgPool2dBackward(gradInput.data, gradOutput.data, n, g);
    return gradInput;
  }
}

/** A pooling kind in model files (`{kind, size, stride}`), ONNX (`op`, no padding) and the summary. */
function poolKind<P extends Pool2D>(kind: 'maxpool2d' | 'avgpool2d', title: string, op: string, make: (size: number, options: Pool2DOptions) => P) {
  return layerKind<P>({
    kind,
    plan(config, at) {
      checkKeys(config, ['kind', 'size', 'stride'], at);
      const size = positiveInteger(config.size, `${at}.size`);
      const stride = config.stride === undefined ? undefined : positiveInteger(config.stride, `${at}.stride`);
      return { paramValues: 0, build: () => make(size, { stride }) };
    },
    title: (l) => `${title} (${l.size}×${l.size}${l.stride === l.size ? '' : `, stride ${l.stride}`})`,
    onnx: (l, graph) => void graph.node(op, [graph.input], { ints: { kernel_shape: [l.size, l.size], strides: [l.stride, l.stride] } }),
  });
}

/** MaxPool2D in model files (`{kind: 'maxpool2d', size, stride}`), ONNX (MaxPool) and the summary. */
export const maxPool2dKind = poolKind('maxpool2d', 'MaxPool2D', 'MaxPool', (size, options) => new MaxPool2D(size, options));

/** AvgPool2D in model files (`{kind: 'avgpool2d', size, stride}`), ONNX (AveragePool) and the summary. */
export const avgPool2dKind = poolKind('avgpool2d', 'AvgPool2D', 'AveragePool', (size, options) => new AvgPool2D(size, options));
