/**
 * The messages between the page and its workers: the Train panel (app.ts)
 * and the MNIST training worker (worker.ts); the 2-D tab (plane.ts) and its
 * worker (plane-worker.ts).
 * Both sides import these types, so a renamed field is a compile error.
 */
import type { ActivationName, ARCHITECTURES } from '../src/browser.js';
import type { CliOptimizerName, Histogram, ToyName } from '../src/browser.js';

/** The networks of the Train panel: the tutorial's MLP, or one of the library's named CNNs (`scratchnet train --arch`). */
export type ArchName = 'mlp' | keyof typeof ARCHITECTURES;

/** What the Train panel asks for. */
export interface TrainSettings {
  arch: ArchName;
  /** The MLP's hidden layer sizes and activation (a CNN has its own layers: [] and relu). */
  hidden: number[];
  activation: ActivationName;
  optimizer: CliOptimizerName;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Record what happens inside the network while it trains (the 'stats' messages). */
  stats: boolean;
}

/** One hidden activation layer at the newest record: its outputs' histogram, mean and deviation over the batch. */
export interface LayerSnapshot {
  /** Its index in the model, kind (`relu`, `sigmoid`, …) and title. */
  layer: number;
  kind: string;
  title: string;
  histogram: Histogram;
  mean: number;
  std: number;
  /** ReLU: the fraction of its units that output 0 for the whole batch. */
  dead?: number;
  /** Sigmoid and tanh: the fraction of outputs in the flat tails. */
  saturated?: number;
}

/** One weight at the newest record: ‖ΔW‖ / ‖W‖ of the step and ‖dL/dW‖ of the batch. */
export interface WeightSnapshot {
  layer: number;
  title: string;
  updateRatio: number;
  gradNorm: number;
}

/** Page → worker. */
export type ToWorker = { type: 'train'; settings: TrainSettings } | { type: 'stop' } | { type: 'resume' };

/** Worker → page. */
export type FromWorker =
  /** Loading or decompressing MNIST, building the network. */
  | { type: 'status'; text: string }
  /** Training starts; `kernels` says what runs the products ("WebAssembly SIMD, 2 threads") and why no second thread where there is none. */
  | { type: 'begin'; epochs: number; batches: number; trainCount: number; valCount: number; testCount: number; resumed: boolean; kernels: string }
  /**
   * Every ~100 ms: the losses of the batches trained since the last message,
   * and the images/s over that interval (wall clock in the worker).
   */
  | { type: 'progress'; epoch: number; batch: number; batches: number; losses: number[]; imagesPerSecond: number }
  /**
   * A few times a second with `settings.stats`: the newest record of the
   * library's StatsRecorder (`scratchnet train --stats`), taken every
   * `every` steps; the page keeps the series.
   */
  | { type: 'stats'; step: number; every: number; layers: LayerSnapshot[]; weights: WeightSnapshot[] }
  | { type: 'epoch'; epoch: number; trainLoss: number; valAccuracy: number; valLoss: number; seconds: number; imagesPerSecond: number }
  /**
   * Training ended (finished or stopped): the model file's bytes (encodeModel)
   * and the test set's confusion matrix (counts[t * 10 + p]).
   */
  | {
      type: 'done';
      stopped: boolean;
      resumable: boolean;
      model: Uint8Array;
      confusion: number[];
      testAccuracy: number;
      seconds: number;
      imagesPerSecond: number;
    }
  | { type: 'error'; message: string };

// ---- the 2-D tab (plane.ts) and its own worker (plane-worker.ts)

/** The activations the 2-D tab offers: linear is there to fail, on purpose. */
export type PlaneActivation = Extract<ActivationName, 'relu' | 'tanh' | 'sigmoid' | 'linear'>;

/** The optimizers the 2-D tab offers. */
export type PlaneOptimizer = Extract<CliOptimizerName, 'sgd' | 'momentum' | 'rmsprop' | 'adam'>;

/** What the 2-D tab's form asks for: the data (set, noise, seed) and the network and its training. */
export interface PlaneSettings {
  dataset: ToyName;
  /** The deviation of the jitter on each coordinate (the plane being [−1, 1]²). */
  noise: number;
  /** Units per hidden layer ([] is a linear model of x1, x2). */
  hidden: number[];
  activation: PlaneActivation;
  optimizer: PlaneOptimizer;
  lr: number;
  batchSize: number;
  epochs: number;
  /** Epochs per second of wall time the worker keeps to, so the eye can follow; 0: as fast as it can. */
  pace: number;
  seed: number;
}

/** Page → 2-D worker: a new run, stop it after the current step, or continue the stopped one. */
export type ToPlaneWorker = { type: 'start'; settings: PlaneSettings } | { type: 'stop' } | { type: 'resume' };

/**
 * The run's state at one moment, posted a few times a second (the typed
 * arrays are transferred, not copied):
 * - `boundary`: the decision grid (BOUNDARY_SIZE², row 0 at the top), each
 *   cell's most likely class and its probability;
 * - `units`: every hidden unit's activation on the UNIT_SIZE² grid, unit after
 *   unit (layer 1's first, …), each row-major, row 0 at the top;
 * - the losses of the epochs finished since the last frame, and both
 *   accuracies (fractions) for the weights the grids show.
 */
export interface PlaneFrame {
  type: 'frame';
  /** Epochs finished (a stop mid-epoch leaves it at the last whole one). */
  epoch: number;
  trainLoss: number[];
  testLoss: number[];
  trainAccuracy: number;
  testAccuracy: number;
  classes: Uint8Array;
  confidence: Float32Array;
  units: Float32Array;
}

/** 2-D worker → page. */
export type FromPlaneWorker =
  /** A run starts (or resumes at `epoch`): the layers' sizes, so the page lays out one map per hidden unit. */
  | { type: 'begin'; hidden: number[]; epochs: number; epoch: number; trainCount: number; testCount: number; resumed: boolean }
  | PlaneFrame
  /** The run ended, finished or stopped; `trainingSeconds` is the time spent in training steps and scoring, `seconds` the wall time (pace included). */
  | { type: 'done'; stopped: boolean; epoch: number; seconds: number; trainingSeconds: number }
  | { type: 'error'; message: string };
