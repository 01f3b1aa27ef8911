import { ConfigError, ShapeError } from '../errors.js';
import { classOfRows } from '../kernels/index.js';
import { dims2, shapeText, sizeOf, TensorCache, type Tensor } from '../kernels/tensor.js';
import { softmax, softmaxCrossEntropy } from '../losses/softmax-cross-entropy.js';
import type { Layer, LayerBuffer, LayerConfig, Param } from '../layers/layer.js';
import { titleOf } from '../layers/registry.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';

/**
 * A stack of layers applied in order (the tutorial's `network` list): the
 * output of layer i is the input of layer i + 1.
 *
 * Training and inference mode (for Dropout and BatchNorm): a model is in
 * inference mode unless told otherwise. `train()` and `eval()` (PyTorch's
 * names) set the mode of every layer that has one. A training step (in
 * `fit`, or the tutorial's {@link train}) runs its forward and backward pass
 * in training mode and returns the model to inference mode, so `forward`,
 * `predict`, `predictProba`, `evaluate` and the report always see inference
 * behaviour after training; `model.train()` before `forward` gives e.g.
 * Monte-Carlo dropout.
 *
 * A model whose last layer is a {@link Softmax} outputs probabilities:
 * `forward` returns them, `logits` returns the Softmax's input, and
 * `backward` starts from the gradient of the logits (the Softmax layer is
 * not differentiated through: the losses take logits).
 */
export class Sequential {
  readonly layers: readonly Layer[];
  /** One example's input shape ([784] for the tutorial's network) and its number of values. */
  readonly inputShape: readonly number[];
  readonly inputUnits: number;
  /** One example's output shape, each layer's in turn (layerShapes[i] is layer i's), and the output's number of values. */
  readonly outputShape: readonly number[];
  readonly layerShapes: readonly (readonly number[])[];
  readonly outputUnits: number;
  /** Each layer's output from the last forward pass (reused, never reallocated). */
  private readonly activations: Tensor[];
  private readonly probs = new TensorCache();
  private readonly allParams: Param[];
  /** How many layers compute the logits: all but a final Softmax (whose input the losses take). */
  readonly logitLayerCount: number;
  private mode = false;

  /**
   * @param input one example's shape, or its number of values for rows of
   *   features (`784` is `[784]`). A batch may come as [rows, …input] or, for
   *   an input of several dimensions, as flat rows [rows, inputUnits] (the
   *   data sets' layout: read in place as [rows, …input], with no copy).
   */
  constructor(layers: readonly Layer[], input: number | readonly number[]) {
    if (layers.length === 0) throw new ConfigError('Sequential: expected at least one layer');
    this.layers = layers;
    this.inputShape = typeof input === 'number' ? [input] : [...input];
    if (this.inputShape.length === 0 || !this.inputShape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      throw new ConfigError(`Sequential: expected an input shape of positive integers, got ${shapeText(this.inputShape)}`);
    }
    this.inputUnits = sizeOf(this.inputShape);
    // Walking the stack checks that neighbouring layers agree on their shapes.
    const shapes: number[][] = [];
    let shape: readonly number[] = this.inputShape;
    layers.forEach((layer, i) => {
      try {
        shapes.push((shape = layer.outputShape(shape)));
      } catch (err) {
        if (err instanceof ShapeError) throw new ShapeError(`Sequential: layer ${i}: ${err.message}`);
        throw err;
      }
    });
    this.layerShapes = shapes;
    this.outputShape = shape;
    this.outputUnits = sizeOf(shape);
    this.activations = new Array<Tensor>(layers.length);
    this.allParams = layers.flatMap((l) => l.params());
    this.logitLayerCount = layers[layers.length - 1].config().kind === 'softmax' ? layers.length - 1 : layers.length;
    this.setMode(false);
  }

  /** True in training mode (see the class comment). */
  get training(): boolean {
    return this.mode;
  }

  /** Training mode for `forward`/`predict` calls (Dropout drops, BatchNorm uses batch statistics); returns the model. */
  train(): this {
    this.setMode(true);
    return this;
  }

  /** Inference mode, the default (Dropout is the identity, BatchNorm uses running statistics); returns the model. */
  eval(): this {
    this.setMode(false);
    return this;
  }

  /**
   * The tutorial's `forward(network, X)`: runs X [rows, inputUnits] through
   * every layer and returns each layer's output (the last one is the model's
   * output). The returned tensors are reused by the next call.
   */
  forwardAll(x: Tensor): readonly Tensor[] {
    this.forwardLayers(x, this.layers.length);
    return this.activations;
  }

  /**
   * Each layer's output of the last forward pass, as it left the layer (no
   * copy: the next pass overwrites them); what training statistics read
   * after a step without running the batch again.
   */
  lastOutputs(): readonly Tensor[] {
    return this.activations;
  }

  /** The model's output [rows, outputUnits] for a batch X [rows, inputUnits]: the logits, or probabilities after a final Softmax. */
  forward(x: Tensor): Tensor {
    this.checkInput(x, 'forward');
    return this.forwardLayers(x, this.layers.length);
  }

  /** The logits [rows, outputUnits]: the output of every layer but a final Softmax. */
  logits(x: Tensor): Tensor {
    this.checkInput(x, 'logits');
    return this.forwardLayers(x, this.logitLayerCount);
  }

  /** The class probabilities (softmax of the logits), [rows, outputUnits]. */
  predictProba(x: Tensor): Tensor {
    if (this.logitLayerCount < this.layers.length) return this.forward(x);
    const logits = this.logits(x);
    const [rows, cols] = logits.shape as [number, number];
    const out = this.probs.get(rows, cols);
    softmax(out.data, logits.data, rows, cols);
    return out;
  }

  /** The tutorial's `predict`: the most likely class of each row (a new array; see classOfRows). */
  predict(x: Tensor): Uint8Array {
    const logits = this.logits(x);
    const [rows, cols] = logits.shape as [number, number];
    return classOfRows(new Uint8Array(rows), logits.data, rows, cols);
  }

  /**
   * Back-propagates dL/d(logits) [rows, outputUnits] through every layer up
   * to the logits, last to first, after `logits(x)` (or `forward(x)`) ran on
   * this same x: each trainable layer fills its params' grads. Run both in
   * the same mode (training, for a training step). The first layer's dL/dX
   * is not computed: nothing needs the gradient of the data.
   */
  backward(x: Tensor, gradLogits: Tensor): void {
    const [rows, cols] = dims2(gradLogits, 'Sequential.backward gradLogits');
    if (rows !== x.shape[0] || cols !== this.outputUnits) {
      throw new ShapeError(`Sequential.backward: expected gradLogits of shape [${x.shape[0]}, ${this.outputUnits}], got [${rows}, ${cols}]`);
    }
    let g = gradLogits;
    for (let i = this.logitLayerCount - 1; i >= 0; i--) {
      const layer = this.layers[i];
      const input = i === 0 ? this.asInput(x) : this.activations[i - 1];
      if (i === 0 && layer.backwardParams !== undefined) layer.backwardParams(input, g);
      else g = layer.backward(input, g);
    }
  }

  /** Every trainable param, layer by layer. */
  params(): Param[] {
    return this.allParams;
  }

  /** Every saved but untrained tensor (BatchNorm's running statistics), layer by layer. */
  buffers(): LayerBuffer[] {
    return this.layers.flatMap((l) => l.buffers?.() ?? []);
  }

  /** The total number of trainable values. */
  paramCount(): number {
    return this.allParams.reduce((n, p) => n + p.value.length, 0);
  }

  /** Each layer's kind and options (the model file's architecture). */
  config(): LayerConfig[] {
    return this.layers.map((l) => l.config());
  }

  /**
   * One row per layer for a summary table: its title (`Dense (784 -> 64)`,
   * or the class name of a layer of no registered kind), its output shape
   * for one example and its number of trainable values.
   */
  summaryRows(): { title: string; shape: readonly number[]; params: number }[] {
    return this.layers.map((layer, i) => ({
      title: titleOf(layer),
      shape: this.layerShapes[i],
      params: layer.params().reduce((n, p) => n + p.value.length, 0),
    }));
  }

  /**
   * The tutorial's architecture printout: `Layer 0: Dense (784 -> 64)`,
   * `Layer 1: ReLU`, …; with `shapes`, each line also gives the layer's
   * output shape and its number of params (Keras's `model.summary()`), in
   * aligned columns.
   */
  summary(options: { shapes?: boolean } = {}): string[] {
    const rows = this.summaryRows();
    const lines = rows.map((row, i) => `Layer ${i}: ${row.title}`);
    if (options.shapes !== true) return lines;
    const width = Math.max(...lines.map((l) => l.length));
    const shapes = rows.map((row) => `[batch, ${row.shape.join(', ')}]`);
    const shapeWidth = Math.max(...shapes.map((l) => l.length));
    return lines.map((line, i) => `${line.padEnd(width)}  → ${shapes[i].padEnd(shapeWidth)}  ${rows[i].params.toLocaleString('en-US')} params`);
  }

  /** Runs layers [0, count) and returns the last output (`x` itself when count is 0). */
  private forwardLayers(x: Tensor, count: number): Tensor {
    let input = this.asInput(x);
    for (let i = 0; i < count; i++) {
      input = this.layers[i].forward(input);
      this.activations[i] = input;
    }
    return input;
  }

  private checkInput(x: Tensor, what: string): void {
    const s = x.shape;
    const flat = s.length === 2 && s[1] === this.inputUnits;
    if (!flat && !this.fitsInputShape(s)) {
      const expected = `[rows, ${this.inputShape.join(', ')}]${this.inputShape.length > 1 ? ` or [rows, ${this.inputUnits}]` : ''}`;
      throw new ShapeError(`Sequential.${what}: expected input of shape ${expected}, got ${shapeText(s)}`);
    }
  }

  /** Whether `shape` is [rows, …inputShape]. */
  private fitsInputShape(shape: readonly number[]): boolean {
    if (shape.length !== this.inputShape.length + 1) return false;
    for (let i = 0; i < this.inputShape.length; i++) if (shape[i + 1] !== this.inputShape[i]) return false;
    return true;
  }

  /** The last batch given as flat rows, and the same values as [rows, …inputShape]. */
  private flatInput: Tensor | null = null;
  private shapedInput: Tensor | null = null;

  /** x as [rows, …inputShape]: itself, or (flat rows of a many-dimensional input) a view of its data. */
  private asInput(x: Tensor): Tensor {
    if (x.shape.length === this.inputShape.length + 1) return x;
    if (this.flatInput !== x || this.shapedInput?.data !== x.data) {
      this.flatInput = x;
      this.shapedInput = { data: x.data, shape: [x.shape[0], ...this.inputShape] };
    }
    return this.shapedInput as Tensor;
  }

  private setMode(training: boolean): void {
    this.mode = training;
    for (const layer of this.layers) if (layer.training !== undefined) layer.training = training;
  }
}

/** The tutorial's list of layers, or a {@link Sequential}. */
export type Network = readonly Layer[] | Sequential;

const wrapped = new WeakMap<readonly Layer[], Sequential>();

function asSequential(network: Network, inputUnits: number): Sequential {
  if (network instanceof Sequential) return network;
  let model = wrapped.get(network);
  if (model === undefined || model.inputUnits !== inputUnits) {
    model = new Sequential(network, inputUnits);
    wrapped.set(network, model);
  }
  return model;
}

/** The tutorial's `forward(network, X)`: every layer's output, in order (copies). */
export function forward(network: Network, x: Tensor): Tensor[] {
  const model = asSequential(network, dims2(x, 'forward')[1]);
  return model.forwardAll(x).map((t) => ({ data: t.data.slice(), shape: t.shape }));
}

/** The tutorial's `predict(network, X)`: the argmax class of each row. */
export function predict(network: Network, x: Tensor): Uint8Array {
  return asSequential(network, dims2(x, 'predict')[1]).predict(x);
}

/** Gradient buffers of the tutorial's {@link train}, per model. */
const gradBuffers = new WeakMap<Sequential, TensorCache>();

/**
 * The tutorial's `train(network, X, y)`: one mini-batch step, returning the
 * loss: forward in training mode, softmax cross-entropy of the logits,
 * backward, then `optimizer.step` (default: SGD with the tutorial's
 * learning rate 0.1) — the update is the optimizer's, not the layers'. The
 * model is in inference mode afterwards.
 */
export function train(network: Network, x: Tensor, y: ArrayLike<number>, optimizer: Optimizer = new SGD({ lr: 0.1 })): number {
  const model = asSequential(network, dims2(x, 'train')[1]);
  if (y.length !== x.shape[0]) {
    throw new ShapeError(`train: expected ${x.shape[0]} labels (one per row of X), got ${y.length}`);
  }
  let grads = gradBuffers.get(model);
  if (grads === undefined) gradBuffers.set(model, (grads = new TensorCache()));
  let loss: number;
  model.train();
  try {
    const logits = model.logits(x);
    const [rows, cols] = logits.shape as [number, number];
    const grad = grads.get(rows, cols);
    loss = softmaxCrossEntropy(grad.data, logits.data, y, rows, cols);
    model.backward(x, grad);
  } finally {
    model.eval();
  }
  optimizer.step(model.params());
  return loss;
}
