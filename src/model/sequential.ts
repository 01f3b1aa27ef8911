import { ConfigError, ShapeError } from '../errors.js';
import { argmaxRows } from '../kernels/index.js';
import { dims2, TensorCache, type Tensor } from '../kernels/tensor.js';
import { softmax, softmaxCrossEntropy } from '../losses/softmax-cross-entropy.js';
import type { Layer, LayerConfig, Param } from '../layers/layer.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';

/**
 * A stack of layers applied in order (the tutorial's `network` list): the
 * output of layer i is the input of layer i + 1.
 */
export class Sequential {
  readonly layers: readonly Layer[];
  readonly inputUnits: number;
  readonly outputUnits: number;
  /** Each layer's output from the last forward pass (reused, never reallocated). */
  private readonly activations: Tensor[];
  private readonly gradLogits = new TensorCache();
  private readonly probs = new TensorCache();
  private readonly allParams: Param[];

  constructor(layers: readonly Layer[], inputUnits: number) {
    if (layers.length === 0) throw new ConfigError('Sequential: expected at least one layer');
    this.layers = layers;
    this.inputUnits = inputUnits;
    // Walking the stack checks that neighbouring layers agree on their sizes.
    this.outputUnits = layers.reduce((units, layer) => layer.outputSize(units), inputUnits);
    this.activations = new Array<Tensor>(layers.length);
    this.allParams = layers.flatMap((l) => l.params());
  }

  /**
   * The tutorial's `forward(network, X)`: runs X [rows, inputUnits] through
   * every layer and returns each layer's output (the last one is the logits).
   * The returned tensors are reused by the next call.
   */
  forwardAll(x: Tensor): readonly Tensor[] {
    let input = x;
    for (let i = 0; i < this.layers.length; i++) {
      input = this.layers[i].forward(input);
      this.activations[i] = input;
    }
    return this.activations;
  }

  /** The logits [rows, outputUnits] for a batch X [rows, inputUnits]. */
  forward(x: Tensor): Tensor {
    const [, cols] = dims2(x, 'Sequential.forward');
    if (cols !== this.inputUnits) {
      throw new ShapeError(`Sequential: expected input of shape [rows, ${this.inputUnits}], got [${x.shape.join(', ')}]`);
    }
    const acts = this.forwardAll(x);
    return acts[acts.length - 1];
  }

  /** The class probabilities (softmax of the logits), [rows, outputUnits]. */
  predictProba(x: Tensor): Tensor {
    const logits = this.forward(x);
    const [rows, cols] = logits.shape as [number, number];
    const out = this.probs.get(rows, cols);
    softmax(out.data, logits.data, rows, cols);
    return out;
  }

  /** The tutorial's `predict`: the most likely class of each row (a new array). */
  predict(x: Tensor): Uint8Array {
    const logits = this.forward(x);
    const [rows, cols] = logits.shape as [number, number];
    return argmaxRows(new Uint8Array(rows), logits.data, rows, cols);
  }

  /**
   * One step of the tutorial's `train(network, X, y)`: forward, softmax
   * cross-entropy, backward through every layer (in reverse), then
   * `optimizer.step`. Returns the batch's mean loss. Labels are class indices.
   */
  trainStep(x: Tensor, labels: ArrayLike<number>, optimizer: Optimizer): number {
    const logits = this.forward(x);
    const [rows, cols] = logits.shape as [number, number];
    const grad = this.gradLogits.get(rows, cols);
    const loss = softmaxCrossEntropy(grad.data, logits.data, labels, rows, cols);
    let g: Tensor = grad;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      const input = i === 0 ? x : this.activations[i - 1];
      if (i === 0 && layer.backwardParams !== undefined) layer.backwardParams(input, g);
      else g = layer.backward(input, g);
    }
    optimizer.step(this.allParams);
    return loss;
  }

  /** Every trainable param, layer by layer. */
  params(): Param[] {
    return this.allParams;
  }

  /** The total number of trainable values. */
  paramCount(): number {
    return this.allParams.reduce((n, p) => n + p.value.length, 0);
  }

  /** Each layer's kind and options (the model file's architecture). */
  config(): LayerConfig[] {
    return this.layers.map((l) => l.config());
  }

  /** The tutorial's architecture printout: `Layer 0: Dense (784 -> 64)`, … */
  summary(): string[] {
    return this.layers.map((layer, i) => {
      const c = layer.config();
      return c.kind === 'dense'
        ? `Layer ${i}: Dense (${String(c.inputUnits)} -> ${String(c.outputUnits)})`
        : `Layer ${i}: ${layer.constructor.name}`;
    });
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

/**
 * The tutorial's `train(network, X, y)`: one mini-batch step, returning the
 * loss. The update is done by `optimizer` (default: SGD with the tutorial's
 * learning rate 0.1), not by the layers.
 */
export function train(network: Network, x: Tensor, y: ArrayLike<number>, optimizer: Optimizer = new SGD({ lr: 0.1 })): number {
  const model = asSequential(network, dims2(x, 'train')[1]);
  if (y.length !== x.shape[0]) {
    throw new ShapeError(`train: expected ${x.shape[0]} labels (one per row of X), got ${y.length}`);
  }
  return model.trainStep(x, y, optimizer);
}
