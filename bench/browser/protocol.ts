/** Messages between the benchmark page (bench.ts) and its two workers. */

/** The networks the page trains: the tutorial's MLP, or a CNN of the CLI's `--arch`. */
export type BenchArch = 'mlp' | 'lenet5' | 'cnn';

/** What the page asks a worker to run. */
export interface BenchJob {
  /**
   * `mlp`: the default job (784-64-32-10, SGD 0.1, batch 32), scratchnet then
   * TF.js-wasm; `lenet5`/`cnn`: that network with Adam 1e-3, batch 64,
   * scratchnet only (TF.js's wasm backend cannot train a convolution).
   */
  arch: BenchArch;
  /** Train on the first N images of scratchnet's 54,000-image training split (undefined: all). */
  subset?: number;
  /** Epochs to train (the result's s/epoch is their mean). */
  epochs: number;
}

/** One library's result. */
export interface LibResult {
  library: 'scratchnet' | 'tfjs-wasm';
  /** Seconds of training steps of each epoch (see README: what is timed). */
  epochSeconds: number[];
  /** Mean of epochSeconds. */
  secondsPerEpoch: number;
  /** trainCount ÷ secondsPerEpoch. */
  imagesPerSecond: number;
  /** On the 10,000 MNIST test images, after training. */
  testAccuracy: number;
  trainCount: number;
  testCount: number;
  /** Mean training loss of each epoch. */
  trainLoss: number[];
  /** Seconds to fetch, gunzip and parse MNIST and split it (not timed in the epoch). */
  loadSeconds: number;
  /** Which implementation ran: scratchnet's kernel backend, or TF.js's backend and wasm flavour. */
  backend: string;
  version: string;
}

export type FromWorker =
  | { type: 'status'; text: string }
  | { type: 'done'; result: LibResult }
  | { type: 'error'; message: string };
