import { ConfigError, ShapeError } from '../errors.js';
import { convBackward, convForward, convSizes, slidingOutput, type ConvGrads, type Window2D } from '../kernels/conv.js';
import { allocFloat32 } from '../kernels/index.js';
import { shapeText, TensorCache, type Tensor } from '../kernels/tensor.js';
import { Rng } from '../rng.js';
import { checkKeys, nonNegativeInteger, positiveInteger } from './config-check.js';
import { defaultRng } from './dense.js';
import { initWeights, parseInit, type InitName } from './init.js';
import { layerKind, param, type Layer, type LayerConfig, type Param } from './layer.js';

/**
 * Batches are convolved this many images at a time, so that the im2col
 * scratch of an evaluation batch (256 images) stays the size of a training
 * batch's (LeNet-5's first layer: 3.7 MB for 64 images).
 */
const CHUNK_IMAGES = 64;

/** Images b0 … b0+m−1 of a batch of n (`size` values each): the array itself when that is all of it (no view made per step). */
const images = (data: Float32Array, b0: number, m: number, n: number, size: number): Float32Array => (m === n ? data : data.subarray(b0 * size, (b0 + m) * size));

/** Options of a {@link Conv2D} layer. */
export interface Conv2DOptions {
  /** Step of the window in both directions (default 1). */
  stride?: number;
  /** Zeros added on every side of the image (default 0). */
  padding?: number;
  /** Weight initialisation (default `he`, fan-in inChannels·k·k). */
  init?: InitName;
  /** The generator for the initial weights (default: the shared {@link defaultRng}). */
  rng?: Rng;
}

/**
 * A 2-D convolution on NCHW batches [n, inChannels, height, width]: each
 * output channel o slides its own k × k filter over every input channel
 * and adds a bias (cross-correlation, as PyTorch's Conv2d and ONNX's Conv):
 *
 *   Y[b, o, i, j] = bias[o] + Σ_c Σ_ki Σ_kj W[o, c, ki, kj] · X[b, c, i·s − p + ki, j·s − p + kj]
 *
 * (X is 0 outside the image). W is [outChannels, inChannels, k, k] and bias
 * [outChannels], PyTorch's layout. The batch is laid out as col = im2col(X)
 * [inChannels·k·k, n·outH·outW] (kernels/conv.ts), so the convolution is one
 * product W · col, and the backward pass three:
 *
 *   dL/dW = G · colᵀ,   dL/dbias = Σ G,   dL/dX = col2im(Wᵀ · G)
 *
 * with G the output gradient regrouped as [outChannels, n·outH·outW].
 */
export class Conv2D implements Layer {
  readonly weight: Param;
  readonly bias: Param;
  readonly stride: number;
  readonly padding: number;
  readonly init: InitName;
  private readonly outputs = new TensorCache();
  private readonly gradInputs = new TensorCache();
  /** im2col of the last forward input (per chunk of images) and one image's gradient of it. */
  private readonly cols = new TensorCache();
  private readonly colGrads = new TensorCache();
  /** What convBackward fills for a chunk (one object, reused). */
  private readonly chunkGrads: ConvGrads;
  /** The input whose im2col `cols` holds (backward reuses it when it gets that same input). */
  private colInput: Tensor | null = null;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, options: Conv2DOptions = {}) {
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['kernelSize', kernelSize]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new ConfigError(`Conv2D: expected ${name} to be a positive integer, got ${String(v)}`);
    }
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    if (!Number.isSafeInteger(this.stride) || this.stride < 1) throw new ConfigError(`Conv2D: expected stride to be a positive integer, got ${String(this.stride)}`);
    if (!Number.isSafeInteger(this.padding) || this.padding < 0) throw new ConfigError(`Conv2D: expected padding to be an integer ≥ 0, got ${String(this.padding)}`);
    this.init = options.init ?? 'he';
    const k = kernelSize;
    this.weight = param('weight', [outChannels, inChannels, k, k]);
    this.bias = param('bias', [outChannels]);
    this.chunkGrads = { weightGrad: this.weight.grad, biasGrad: this.bias.grad, inputGrad: null, first: true };
    initWeights(this.weight.value, this.init, inChannels * k * k, outChannels * k * k, options.rng ?? defaultRng);
  }

  /** Y = W ⊛ X + b: [n, inChannels, H, W] → [n, outChannels, outH, outW]. */
  forward(input: Tensor): Tensor {
    const [n, g] = this.window(input.shape);
    const { hw, patch, chunk, inSize, outSize } = this.sizes(n, g);
    const col = this.cols.get(chunk, patch * hw);
    const out = this.outputs.shaped([n, this.outChannels, g.outH, g.outW]);
    for (let b0 = 0; b0 < n; b0 += chunk) {
      const m = Math.min(chunk, n - b0);
      convForward(images(out.data, b0, m, n, outSize), images(input.data, b0, m, n, inSize), this.weight.value, this.bias.value, col.data, m, this.outChannels, g);
    }
    // One chunk: backward can reuse its im2col.
    this.colInput = n <= chunk ? input : null;
    return out;
  }

  /** dL/dW = G · colᵀ and dL/db = Σ G (into the params' grads); returns dL/dX = col2im(Wᵀ · G). */
  backward(input: Tensor, gradOutput: Tensor): Tensor {
    return this.backwardChunks(input, gradOutput, true) as Tensor;
  }

  /** Fills dL/dW and dL/db without computing dL/dX (the model's first layer). */
  backwardParams(input: Tensor, gradOutput: Tensor): void {
    this.backwardChunks(input, gradOutput, false);
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }

  outputShape(inputShape: readonly number[]): number[] {
    const g = this.geometry(inputShape);
    return [this.outChannels, g.outH, g.outW];
  }

  config(): LayerConfig {
    const { inChannels, outChannels, kernelSize, stride, padding, init } = this;
    return { kind: 'conv2d', inChannels, outChannels, kernelSize, stride, padding, init };
  }

  /**
   * The param grads, and dL/dX when `inputGrad`, chunk by chunk of images
   * (each chunk's grads added to the sums of the ones before).
   */
  private backwardChunks(input: Tensor, gradOutput: Tensor, inputGrad: boolean): Tensor | null {
    const [n, g] = this.window(input.shape);
    const want = [n, this.outChannels, g.outH, g.outW];
    if (gradOutput.shape.length !== 4 || want.some((d, i) => gradOutput.shape[i] !== d)) {
      throw new ShapeError(`Conv2D.backward: expected gradOutput of shape ${shapeText(want)}, got ${shapeText(gradOutput.shape)}`);
    }
    const { hw, patch, chunk, inSize, outSize } = this.sizes(n, g);
    const col = this.cols.get(chunk, patch * hw);
    const dcol = this.colGrads.get(1, patch * hw);
    const gradInput = inputGrad ? this.gradInputs.shaped(input.shape) : null;
    // NOTE: forward's im2col is reused when backward gets the input forward saw (the tutorial's contract); otherwise it is redone.
    const haveCol = this.colInput === input;
    for (let b0 = 0; b0 < n; b0 += chunk) {
      const m = Math.min(chunk, n - b0);
      // Sums over the batch and the positions: the loss gradient is already a mean over the batch.
      const grads = this.chunkGrads;
      grads.inputGrad = gradInput === null ? null : images(gradInput.data, b0, m, n, inSize);
      grads.first = b0 === 0;
      convBackward(grads, images(gradOutput.data, b0, m, n, outSize), images(input.data, b0, m, n, inSize), this.weight.value, col.data, haveCol, this.weightGradPart(), dcol.data, m, this.outChannels, g);
    }
    if (n <= chunk) this.colInput = input;
    return gradInput;
  }

  /** Scratch for one image's dL/dW, added to the batch's. */
  private weightPart: Float32Array | null = null;
  private weightGradPart(): Float32Array {
    return (this.weightPart ??= allocFloat32(this.weight.value.length));
  }

  /** Per image: output pixels, patch values; the chunk of images processed at once; input and output values. */
  private sizes(n: number, g: Window2D): { hw: number; patch: number; chunk: number; inSize: number; outSize: number } {
    const { patch, hw, inSize } = convSizes(g);
    return { hw, patch, chunk: Math.min(n, CHUNK_IMAGES), inSize, outSize: this.outChannels * hw };
  }

  /** The batch size and the window geometry for an input of `shape` [n, C, H, W]. */
  private window(shape: readonly number[]): [number, Window2D] {
    if (shape.length !== 4) throw new ShapeError(`Conv2D: expected input of shape [batch, ${this.inChannels}, height, width], got ${shapeText(shape)}`);
    return [shape[0], this.geometry(shape.slice(1))];
  }

  private geometry(inputShape: readonly number[]): Window2D {
    const [channels, height, width] = inputShape;
    const k = this.kernelSize;
    if (inputShape.length !== 3 || channels !== this.inChannels || height + 2 * this.padding < k || width + 2 * this.padding < k) {
      throw new ShapeError(`Conv2D: expected input shape [${this.inChannels}, height, width] of at least ${k} × ${k} pixels with padding ${this.padding}, got ${shapeText(inputShape)}`);
    }
    return {
      channels,
      height,
      width,
      kernelH: k,
      kernelW: k,
      stride: this.stride,
      padding: this.padding,
      outH: slidingOutput(height, k, this.stride, this.padding),
      outW: slidingOutput(width, k, this.stride, this.padding),
    };
  }
}

/** Conv2D in model files (`{kind: 'conv2d', inChannels, outChannels, kernelSize, stride, padding, init}`), ONNX (one Conv) and the summary. */
export const conv2dKind = layerKind<Conv2D>({
  kind: 'conv2d',
  plan(config, at) {
    checkKeys(config, ['kind', 'inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'init'], at);
    const inChannels = positiveInteger(config.inChannels, `${at}.inChannels`);
    const outChannels = positiveInteger(config.outChannels, `${at}.outChannels`);
    const kernelSize = positiveInteger(config.kernelSize, `${at}.kernelSize`);
    const stride = config.stride === undefined ? 1 : positiveInteger(config.stride, `${at}.stride`);
    const padding = config.padding === undefined ? 0 : nonNegativeInteger(config.padding, `${at}.padding`);
    const init = config.init === undefined ? 'he' : parseInit(config.init, `${at}.init`);
    const weights = outChannels * inChannels * kernelSize * kernelSize;
    return {
      paramValues: weights + outChannels,
      build: () => new Conv2D(inChannels, outChannels, kernelSize, { stride, padding, init, rng: new Rng(0) }),
    };
  },
  title: (l) => `Conv2D (${l.inChannels} -> ${l.outChannels}, ${l.kernelSize}×${l.kernelSize}${l.stride === 1 ? '' : `, stride ${l.stride}`}${l.padding === 0 ? '' : `, padding ${l.padding}`})`,
  onnx(layer, graph) {
    const { kernelSize: k, stride: s, padding: p } = layer;
    graph.node('Conv', [graph.input, graph.tensor('weight'), graph.tensor('bias')], { ints: { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p] } });
  },
});
