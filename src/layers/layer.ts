import { allocFloat32 } from '../kernels/memory.js';
import type { Tensor } from '../kernels/tensor.js';

/**
 * A trainable parameter: its values and the gradient of the loss with respect
 * to them, both flat Float32Arrays of the same size (convnetjs's `w`/`dw`).
 * Layers write `grad` in `backward`; optimizers read it and update `value`.
 */
export interface Param {
  /** Name inside its layer: `weight`, `bias`, … */
  readonly name: string;
  readonly shape: readonly number[];
  readonly value: Float32Array;
  readonly grad: Float32Array;
}

/** Creates a zero-filled param of `shape`. */
export function param(name: string, shape: readonly number[]): Param {
  const size = shape.reduce((a, b) => a * b, 1);
  return { name, shape, value: allocFloat32(size), grad: allocFloat32(size) };
}

/**
 * A tensor a layer keeps and saves but does not train (PyTorch's "buffers"):
 * BatchNorm's running statistics. The model file and the ONNX export include
 * them beside the params; optimizers never see them.
 */
export interface LayerBuffer {
  /** Name inside its layer: `runningMean`, `runningVar`, … */
  readonly name: string;
  readonly shape: readonly number[];
  readonly value: Float32Array;
  /** The smallest valid value, if there is one (a variance is ≥ 0): the model file rejects smaller ones. */
  readonly min?: number;
}

/** A layer's description for printing and for the model file's architecture. */
export interface LayerConfig {
  readonly kind: string;
  readonly [option: string]: unknown;
}

/**
 * The tutorial's `Layer`: every layer maps a batch `[rows, …inputShape]` to a
 * batch `[rows, …outputShape]` (Dense: `[rows, inputUnits]` to `[rows,
 * outputUnits]`) and back-propagates gradients.
 *
 * Buffers: the tensors a layer returns are owned by the layer and reused, one
 * per batch size, so a training loop allocates nothing after its first batch.
 * A result is overwritten by the layer's next call with the same batch size:
 * copy it (`result.data.slice()`) to keep it.
 */
export interface Layer {
  /**
   * Training or inference behaviour, for the layers that have both (Dropout,
   * BatchNorm); absent on the others. Such layers start in inference mode
   * (`false`): `Sequential.train()` / `eval()` set it for every layer that
   * has it (a training step turns it on for its forward and backward pass
   * and off again afterwards).
   */
  training?: boolean;
  /** forward(input) → output, shape [rows, outputUnits]. */
  forward(input: Tensor): Tensor;
  /**
   * backward(input, gradOutput) → gradInput: given dL/d(output) for the
   * `input` of the last forward pass, returns dL/d(input) and, for trainable
   * layers, overwrites each param's `grad` with dL/d(param).
   */
  backward(input: Tensor, gradOutput: Tensor): Tensor;
  /**
   * Like `backward` but only fills the param grads: the network's first layer
   * uses it, because nobody needs the gradient with respect to the data.
   */
  backwardParams?(input: Tensor, gradOutput: Tensor): void;
  /** The trainable params (empty for activations). */
  params(): Param[];
  /** The saved but untrained tensors (BatchNorm's running statistics); absent means none. */
  buffers?(): LayerBuffer[];
  /**
   * The shape of one example's output for one example's input shape (the
   * batch dimension left out: Dense(784, 64) maps [784] to [64]); a
   * ShapeError naming expected and got for an input it cannot take.
   */
  outputShape(inputShape: readonly number[]): number[];
  /** The layer's kind and options, e.g. `{kind: 'dense', inputUnits: 784, outputUnits: 64}`. */
  config(): LayerConfig;
}

/** A layer config read from a file, checked: how many values its layer holds, and how to build it. */
export interface LayerPlan<L extends Layer = Layer> {
  /** Param and buffer values together (a hostile file cannot ask for gigabytes unseen). */
  readonly paramValues: number;
  /** Makes the layer (its params initialised, to be overwritten by the loader). */
  build(): L;
}

/** Attributes of an ONNX node, by their ONNX types. */
export interface OnnxAttributes {
  readonly ints?: Readonly<Record<string, number | readonly number[]>>;
  readonly floats?: Readonly<Record<string, number>>;
}

/** What a layer's ONNX export writes into (io/onnx.ts implements it). */
export interface OnnxGraph {
  /** The value the layer reads: the graph's input, or the previous layer's output. */
  readonly input: string;
  /** Adds a node `op` reading `inputs`; returns the value it writes, which the next node or layer reads. */
  node(op: string, inputs: readonly string[], attributes?: OnnxAttributes): string;
  /** The initializer holding the layer's param or buffer `name` (its model-file tensor `layers.<i>.<name>`). */
  tensor(name: string): string;
}

/**
 * Everything scratchnet knows of a kind of layer, declared beside the layer
 * (registered in layers/registry.ts): model files, ONNX export, the summary
 * and the report read it from there.
 */
export interface LayerKind<L extends Layer = Layer> {
  /** The `kind` of its configs (`layer.config().kind`). */
  readonly kind: string;
  /**
   * Checks a config (`{kind, …}`, from a file) without allocating: throws a
   * ConfigError naming `at` (`layers[3]`) for any field that is not one the
   * layer writes. `index` is its place in the model.
   */
  plan(config: Readonly<Record<string, unknown>>, at: string, index: number): LayerPlan<L>;
  /** Its name in the tutorial's printout: `Dense (784 -> 64)`, `ReLU`. */
  title(layer: L): string;
  /** Writes its inference-time ONNX nodes (none: the layer is the identity there, as Dropout). */
  onnx(layer: L, graph: OnnxGraph): void;
}

/** Declares a layer kind (the cast lets one registry hold kinds of every layer class). */
export function layerKind<L extends Layer>(kind: LayerKind<L>): LayerKind {
  return kind as unknown as LayerKind;
}
