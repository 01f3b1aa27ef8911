import { ConfigError, ScratchnetError, ShapeError } from '../errors.js';
import { BatchLoader } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import type { Sequential } from '../model/sequential.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Rng } from '../rng.js';
import { evaluate } from './evaluate.js';

/** The data {@link fit} trains on, validates on after each epoch and tests on at the end. */
export interface FitData {
  train: Dataset;
  val?: Dataset;
  test?: Dataset;
}

/** Passed to `onBatchEnd` after each training step. */
export interface BatchLogs {
  /** 0-based epoch and batch within it. */
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

/** Passed to `onEpochEnd`. */
export interface EpochLogs {
  epoch: number;
  /** Mean of the epoch's batch losses. */
  trainLoss: number;
  /** On the whole validation set (NaN without one). */
  valAccuracy: number;
  valLoss: number;
  /** Wall time of the epoch's training steps, and its throughput. */
  seconds: number;
  imagesPerSecond: number;
}

/** Hooks called during {@link fit}, in the shape of Keras callbacks. */
export interface Callbacks {
  onTrainBegin?(info: { epochs: number; batches: number; trainCount: number }): void;
  onEpochBegin?(epoch: number): void;
  onBatchEnd?(logs: BatchLogs): void;
  onEpochEnd?(logs: EpochLogs): void;
  onTrainEnd?(history: History): void;
}

/** Options of {@link fit}; the defaults are the tutorial's recipe. */
export interface FitOptions {
  /** Passes over the training set (default 5). */
  epochs?: number;
  /** Examples per mini-batch (default 32). */
  batchSize?: number;
  /** Default: `new SGD({lr: 0.1})`. */
  optimizer?: Optimizer;
  /** The generator that shuffles each epoch, or a seed for a new one (default 42). */
  rng?: Rng | number;
  /** Shuffle the training set before each epoch (default true). */
  shuffle?: boolean;
  callbacks?: Callbacks | readonly Callbacks[];
  /** Aborting stops after the current step; the History so far is returned. */
  signal?: AbortSignal;
}

/** What {@link fit} recorded (Keras's `History`). Accuracies are fractions in [0, 1]. */
export interface History {
  /** Epochs completed. */
  epochs: number;
  /** The loss of every training step, in order (the tutorial's `train_loss_history`). */
  batchLoss: number[];
  /** Per epoch: the mean batch loss. */
  trainLoss: number[];
  /**
   * Per epoch: accuracy and loss on the whole validation set. (The tutorial
   * scores a random 1000 of its validation images; we use all of them.)
   */
  valAccuracy: number[];
  valLoss: number[];
  /** On the test set after the last epoch, when one was given. */
  testAccuracy?: number;
  testLoss?: number;
  /** Wall time of the whole fit, evaluation included. */
  seconds: number;
  /** Training images per second of step time (evaluation excluded). */
  imagesPerSecond: number;
  /** True when `signal` stopped training early. */
  stopped: boolean;
}

/** Raised when the loss stops being a finite number. */
export class TrainingError extends ScratchnetError {}

/**
 * Trains `model` with mini-batch gradient descent: each epoch shuffles the
 * training set, and for each batch runs forward → softmax cross-entropy →
 * backward → `optimizer.step`; then scores the validation set. Batches are
 * gathered into one preallocated buffer, so no step allocates memory.
 */
export function fit(model: Sequential, data: FitData, options: FitOptions = {}): History {
  const epochs = options.epochs ?? 5;
  const batchSize = options.batchSize ?? 32;
  const optimizer = options.optimizer ?? new SGD({ lr: 0.1 });
  const rng = options.rng instanceof Rng ? options.rng : new Rng(options.rng ?? 42);
  const shuffle = options.shuffle ?? true;
  const callbacks = options.callbacks === undefined ? [] : ([] as Callbacks[]).concat(options.callbacks);
  const train = data.train;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ConfigError(`fit: expected epochs to be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`fit: expected batchSize to be a positive integer, got ${batchSize}`);
  if (train.count === 0) throw new ConfigError('fit: the training set is empty');
  for (const [name, set] of Object.entries(data) as [string, Dataset | undefined][]) {
    if (set !== undefined && set.features !== model.inputUnits) {
      throw new ShapeError(`fit: the ${name} set has ${set.features} features per example, the model expects ${model.inputUnits}`);
    }
  }

  const started = performance.now();
  const rows = Math.min(batchSize, train.count);
  const batches = Math.ceil(train.count / rows);
  const lastRows = train.count - (batches - 1) * rows;
  // Every step's batch goes into the same buffers.
  const loader = new BatchLoader(train, rows);
  const order = new Uint32Array(train.count);
  for (let i = 0; i < order.length; i++) order[i] = i;

  const history: History = {
    epochs: 0, batchLoss: [], trainLoss: [], valAccuracy: [], valLoss: [], seconds: 0, imagesPerSecond: 0, stopped: false,
  };
  let stepSeconds = 0;
  let imagesSeen = 0;
  for (const cb of callbacks) cb.onTrainBegin?.({ epochs, batches, trainCount: train.count });

  for (let epoch = 0; epoch < epochs && !history.stopped; epoch++) {
    for (const cb of callbacks) cb.onEpochBegin?.(epoch);
    if (shuffle) rng.shuffle(order);
    const epochStart = performance.now();
    let lossSum = 0;
    let done = 0;
    let epochImages = 0;
    for (let b = 0; b < batches; b++) {
      const n = b === batches - 1 ? lastRows : rows;
      const batch = loader.load(order, b * rows, n);
      const loss = model.trainStep(batch.x, batch.y, optimizer);
      if (!Number.isFinite(loss)) {
        throw new TrainingError(
          `the loss became ${loss} at epoch ${epoch + 1}, batch ${b + 1}: the weights diverged; try a lower learning rate (now ${optimizer.lr})`,
        );
      }
      history.batchLoss.push(loss);
      lossSum += loss;
      done++;
      epochImages += n;
      for (const cb of callbacks) cb.onBatchEnd?.({ epoch, batch: b, batches, loss });
      if (options.signal?.aborted) {
        history.stopped = true;
        break;
      }
    }
    const seconds = (performance.now() - epochStart) / 1000;
    stepSeconds += seconds;
    imagesSeen += epochImages;
    const val = data.val !== undefined && data.val.count > 0 ? evaluate(model, data.val) : undefined;
    const logs: EpochLogs = {
      epoch,
      trainLoss: lossSum / done,
      valAccuracy: val?.accuracy ?? NaN,
      valLoss: val?.loss ?? NaN,
      seconds,
      imagesPerSecond: epochImages / seconds,
    };
    history.trainLoss.push(logs.trainLoss);
    if (val !== undefined) {
      history.valAccuracy.push(val.accuracy);
      history.valLoss.push(val.loss);
    }
    history.epochs = epoch + 1;
    for (const cb of callbacks) cb.onEpochEnd?.(logs);
  }

  if (data.test !== undefined && data.test.count > 0) {
    const test = evaluate(model, data.test);
    history.testAccuracy = test.accuracy;
    history.testLoss = test.loss;
  }
  history.seconds = (performance.now() - started) / 1000;
  history.imagesPerSecond = imagesSeen / stepSeconds;
  for (const cb of callbacks) cb.onTrainEnd?.(history);
  return history;
}
