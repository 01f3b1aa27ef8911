/** Messages between the benchmark page (bench.ts) and its two workers. */

/** What the page asks a worker to run. */
export interface BenchJob {
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
