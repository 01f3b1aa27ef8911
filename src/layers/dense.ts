import { ConfigError, ShapeError } from '../errors.js';
import { addBias, inKernelMemory, matmul, matmulTransA, matmulTransB, scale, SPARSE_MAX_DENSITY, SparseRows, sparseMatmul, sparseMatmulTransA, sumColumns } from '../kernels/index.js';
import { dims2, TensorCache, type Tensor } from '../kernels/tensor.js';
import { Rng } from '../rng.js';
import { initWeights, type InitName } from './init.js';
import { param, type Layer, type LayerConfig, type Param } from './layer.js';

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

/** Larger batches (evaluation) take the dense kernels; the sparse buffers stay small. */
const SPARSE_MAX_ROWS = 256;
/**
 * Inputs narrower than this are not compressed here (a batch that comes with
 * its nonzeros still takes the sparse path): for a hidden layer of 64 units
 * the scan costs more than the zeros save (measured).
 */
const SPARSE_MIN_COLS = 256;

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
  /** It fills a lazily filled input (Tensor.fillData) only when it takes the dense path. */
  readonly readsSparseInput = true;
  private readonly outputs = new TensorCache();
  private readonly gradInputs = new TensorCache();
  /** The nonzeros of the last forward input, when the sparse path took it. */
  private sparse: SparseRows | null = null;
  private sparseInput: Float32Array | null = null;
  /** Buffers for compressing inputs that come without their nonzeros. */
  private ownSparse: SparseRows | null = null;

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
    if (this.takeSparsePath(input, rows, out.data)) {
      sparseMatmul(out.data, this.sparse as SparseRows, this.weight.value, this.outputUnits);
    } else {
      input.fillData?.();
      matmul(out.data, input.data, this.weight.value, rows, this.inputUnits, this.outputUnits);
    }
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
    // NOTE: the sparse path reuses forward's compressed copy of `input`,
    // which is why backward must get the very input forward saw (the
    // tutorial's contract anyway).
    if (this.sparseInput === input.data && this.sparse?.rows === rows && inKernelMemory(gradOutput.data, this.weight.grad)) {
      sparseMatmulTransA(this.weight.grad, this.sparse, gradOutput.data, this.outputUnits);
    } else {
      input.fillData?.();
      matmulTransA(this.weight.grad, input.data, gradOutput.data, this.inputUnits, rows, this.outputUnits);
    }
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

  outputSize(inputUnits: number): number {
    if (inputUnits !== this.inputUnits) {
      throw new ShapeError(`Dense: expected ${this.inputUnits} input units, got ${inputUnits}`);
    }
    return this.outputUnits;
  }

  config(): LayerConfig {
    return { kind: 'dense', inputUnits: this.inputUnits, outputUnits: this.outputUnits, init: this.init };
  }

  /**
   * Whether this forward pass takes the sparse path: the SIMD kernels can run
   * it and the input is sparse enough. The nonzeros come with the input (the
   * batch loader builds them) or from compressing it here, whose count
   * decides, so a dense input pays one scan.
   */
  private takeSparsePath(input: Tensor, rows: number, out: Float32Array): boolean {
    this.sparse = null;
    this.sparseInput = null;
    const x = input.data;
    if (rows > SPARSE_MAX_ROWS || !inKernelMemory(x, this.weight.value, out)) return false;
    let sparse = input.sparse;
    if (sparse === undefined || sparse.rows !== rows || !sparse.usable) {
      if (this.inputUnits < SPARSE_MIN_COLS) return false;
      if (this.ownSparse === null || this.ownSparse.maxRows < rows) this.ownSparse = new SparseRows(Math.max(rows, 32), this.inputUnits);
      sparse = this.ownSparse;
      if (!sparse.usable) return false;
      input.fillData?.();
      sparse.compress(x, rows);
    }
    if (sparse.nnz > SPARSE_MAX_DENSITY * rows * this.inputUnits) return false;
    this.sparse = sparse;
    this.sparseInput = x;
    return true;
  }

  private checkInput(input: Tensor): number {
    const [rows, cols] = dims2(input, 'Dense');
    if (cols !== this.inputUnits) {
      throw new ShapeError(`Dense: expected input of shape [rows, ${this.inputUnits}], got [${rows}, ${cols}]`);
    }
    return rows;
  }
}
