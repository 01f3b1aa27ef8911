/**
 * The messages between the page (app.ts) and the training worker (worker.ts).
 * Both sides import these types, so a renamed field is a compile error.
 */
import type { ActivationName, ARCHITECTURES } from '../src/browser.js';
import type { CliOptimizerName } from '../src/browser.js';

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
