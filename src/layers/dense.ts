import { ConfigError, ShapeError } from '../errors.js';
import { addBias, matmul, matmulTransA, matmulTransB, scale, sumColumns } from '../kernels/index.js';
import { dims2, shapeText, TensorCache, type Tensor } from '../kernels/tensor.js';
import { Rng } from '../rng.js';
import { checkKeys, positiveInteger } from './config-check.js';
import { initWeights, parseInit, type InitName } from './init.js';
import { layerKind, param, type Layer, type LayerConfig, type Param } from './layer.js';

/** Options of a {@link Dense} layer. */
export interface DenseOptions {
  /** Weight initialisation (default `he`, as the tutorial's code). */
  init?: InitName;
  /** The generator for the initial weights (default: the shared {@link defaultRng}). */
  rng?: Rng;
  /**
   * Replay the tutorial's update exactly: its Dense.backward divides the
   * weight and bias gradients by the batch size although the loss gradient
   * already did, so its effective learning rate is lr / batchSize.
   */
  tutorialCompat?: boolean;
}

/**
 * The generator used by layers built without an explicit `rng`, seeded with 42
 * like the tutorial's `np.random.seed(42)`: a script that builds its layers in
 * the same order gets the same weights every run.
 */
export const defaultRng = new Rng(42);

/**
 * The tutorial's fully connected layer: output = input · W + b, with W of
 * shape [inputUnits, outputUnits] (as the tutorial's `weights`) and b of
 * shape [outputUnits].
 */
export class Dense implements Layer {
  readonly weight: Param;
  readonly bias: Param;
  readonly init: InitName;
  readonly tutorialCompat: boolean;
  private readonly outputs = new TensorCache();
  private readonly gradInputs = new TensorCache();

  constructor(readonly inputUnits: number, readonly outputUnits: number, options: DenseOptions = {}) {
    for (const [name, v] of [['inputUnits', inputUnits], ['outputUnits', outputUnits]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ConfigError(`Dense: expected ${name} to be a positive integer, got ${v}`);
    }
    this.init = options.init ?? 'he';
    this.tutorialCompat = options.tutorialCompat ?? false;
    this.weight = param('weight', [inputUnits, outputUnits]);
    this.bias = param('bias', [outputUnits]);
    initWeights(this.weight.value, this.init, inputUnits, outputUnits, options.rng ?? defaultRng);
  }

  /** Z = X · W + b; X is [rows, inputUnits], Z is [rows, outputUnits]. */
  forward(input: Tensor): Tensor {
    const rows = this.checkInput(input);
    const out = this.outputs.get(rows, this.outputUnits);
    matmul(out.data, input, this.weight.value, rows, this.inputUnits, this.outputUnits);
    addBias(out.data, this.bias.value, rows, this.outputUnits);
    return out;
  }

  /** dL/dW = Xᵀ · G and dL/db = Σ_rows G (into the params' grads); returns dL/dX = G · Wᵀ. */
  backward(input: Tensor, gradOutput: Tensor): Tensor {
    this.backwardParams(input, gradOutput);
    const rows = input.shape[0];
    const gradInput = this.gradInputs.get(rows, this.inputUnits);
    matmulTransB(gradInput.data, gradOutput.data, this.weight.value, rows, this.outputUnits, this.inputUnits);
    return gradInput;
  }

  /** Fills dL/dW = Xᵀ · G and dL/db = Σ_rows G without computing dL/dX. */
  backwardParams(input: Tensor, gradOutput: Tensor): void {
    const rows = this.checkInput(input);
    const [gRows, gCols] = dims2(gradOutput, 'Dense.backward gradOutput');
    if (gRows !== rows || gCols !== this.outputUnits) {
      throw new ShapeError(`Dense.backward: expected gradOutput of shape [${rows}, ${this.outputUnits}], got [${gRows}, ${gCols}]`);
    }
    // The loss gradient is already a mean over the batch, so these are sums.
    matmulTransA(this.weight.grad, input, gradOutput.data, this.inputUnits, rows, this.outputUnits);
    sumColumns(this.bias.grad, gradOutput.data, rows, this.outputUnits);
    if (this.tutorialCompat) {
      // NOTE: the tutorial's second division by the batch size (its
      // `/ input.shape[0]` and `np.mean`), kept only to replay it.
      scale(this.weight.grad, this.weight.grad, 1 / rows);
      scale(this.bias.grad, this.bias.grad, 1 / rows);
    }
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1 || inputShape[0] !== this.inputUnits) {
      throw new ShapeError(`Dense: expected input shape [${this.inputUnits}], got ${shapeText(inputShape)}`);
    }
    return [this.outputUnits];
  }

  config(): LayerConfig {
    return { kind: 'dense', inputUnits: this.inputUnits, outputUnits: this.outputUnits, init: this.init };
  }

  private checkInput(input: Tensor): number {
    const [rows, cols] = dims2(input, 'Dense');
    if (cols !== this.inputUnits) {
      throw new ShapeError(`Dense: expected input of shape [rows, ${this.inputUnits}], got [${rows}, ${cols}]`);
    }
    return rows;
  }
}

/** Dense in model files (`{kind: 'dense', inputUnits, outputUnits, init}`), ONNX (one Gemm) and the summary. */
export const denseKind = layerKind<Dense>({
  kind: 'dense',
  plan(config, at) {
    checkKeys(config, ['kind', 'inputUnits', 'outputUnits', 'init'], at);
    const inputUnits = positiveInteger(config.inputUnits, `${at}.inputUnits`);
    const outputUnits = positiveInteger(config.outputUnits, `${at}.outputUnits`);
    // `init` only says how the weights started; older configs may omit it.
    const init = config.init === undefined ? 'he' : parseInit(config.init, `${at}.init`);
    // The weights are overwritten by the caller: a throwaway generator leaves the shared one untouched.
    return { paramValues: inputUnits * outputUnits + outputUnits, build: () => new Dense(inputUnits, outputUnits, { init, rng: new Rng(0) }) };
  },
  title: (layer) => `Dense (${layer.inputUnits} -> ${layer.outputUnits})`,
  onnx(layer, graph) {
    // NOTE: transB = 0 because W is [inputUnits, outputUnits] (PyTorch's Linear stores Wᵀ and exports transB = 1).
    graph.node('Gemm', [graph.input, graph.tensor('weight'), graph.tensor('bias')], { ints: { transA: 0, transB: 0 } });
  },
});
