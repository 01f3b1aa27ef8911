import { ConfigError, ScratchnetError } from '../errors.js';
import { batchRng, type Augmentation } from '../data/augment.js';
import { BatchLoader } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import type { Sequential } from '../model/sequential.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { clipGradNorm } from '../optim/clip.js';
import { TensorCache } from '../kernels/tensor.js';
import { lossFor, type LossName } from '../losses/index.js';
import { Rng, type RngState } from '../rng.js';
import { evaluate } from './evaluate.js';
import { checkTrainingSets, lossAndGradients, nextTurn, YIELD_EVERY_MS } from './step.js';
import { defaultStatsEvery, StatsRecorder, type TrainingStats } from './stats.js';
import type { LrSchedule } from './schedules.js';

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
  /** Where a run stopped after this epoch continues (for checkpoints). */
  resumeAt: ResumePoint;
}

/** Hooks called during {@link fit}, in the shape of Keras callbacks. */
export interface Callbacks {
  /** Before the first epoch: how many epochs and batches per epoch, and the training-set size. */
  onTrainBegin?(info: { epochs: number; batches: number; trainCount: number }): void;
  /** At the start of each epoch (0-based), before its shuffle. */
  onEpochBegin?(epoch: number): void;
  /** After each training step. */
  onBatchEnd?(logs: BatchLogs): void;
  /**
   * `history` is the run's History so far (this epoch included), e.g. for
   * checkpoints; `control.stop()` ends training after this epoch (Keras's
   * `model.stop_training = True`, used by early stopping).
   */
  onEpochEnd?(logs: EpochLogs, history: History, control: { stop(): void }): void;
  /** After the last epoch and the test set: the final History. */
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
  /**
   * Multiplies the optimizer's learning rate before every step, given the
   * progress in epochs (see lrSchedule); the rate it started with is the base.
   */
  lrSchedule?: LrSchedule;
  /** Scale the gradients to this global norm at most before each step (default: no clipping). */
  clipNorm?: number;
  /**
   * The training loss (default `softmax-cross-entropy`, the tutorial's;
   * `mse` and `bce` compare each output with the one-hot label). The
   * validation and test losses in the History are this loss too.
   */
  loss?: LossName;
  callbacks?: Callbacks | readonly Callbacks[];
  /**
   * Random shifts, rotations and size changes of the training images, drawn
   * afresh for every batch from `seed`, the epoch and the batch (so a resumed
   * run replays them); `shape` is one image's [channels, height, width]
   * (default MNIST's [1, 28, 28]). Byte images only; validation and test
   * sets are never changed. Default: none.
   */
  augment?: Augmentation & { seed: number; shape?: readonly number[] };
  /**
   * Record what happens inside the network every few steps (`true`: about a
   * hundred records over the run; or `{every: N}` steps): each activation
   * layer's mean, deviation, histogram and dead or saturated fraction, each
   * weight's gradient norm and histogram and its update-to-weight ratio.
   * Kept in `history.stats`; costs nothing when off. A resumed run records
   * from where it continues.
   */
  stats?: boolean | { every?: number };
  /**
   * Aborting stops after the current step; the History so far is returned,
   * with `resumeAt` saying where to continue (Ctrl-C in the CLI).
   */
  signal?: AbortSignal;
  /**
   * Continue a run (Keras's `initial_epoch`): the History so far and where
   * it stopped, as the last fit returned them (`{history, ...history.resumeAt}`);
   * fit puts `rng` back in the state the point records. With the model's
   * weights and optimizer as they were when it stopped, the run ends
   * bit-identical to an uninterrupted one.
   */
  resume?: { history: Pick<History, 'batchLoss' | 'trainLoss' | 'valAccuracy' | 'valLoss'> } & ResumePoint;
}

/** Where a fit stopped: the next batch to train, the loss sum of its epoch so far, and the shuffling generator's state. */
export interface ResumePoint {
  /** 0-based epoch, and the first batch of it not yet trained. */
  epoch: number;
  batch: number;
  /** Σ of that epoch's batch losses so far (for its mean). */
  epochLossSum: number;
  /** The shuffling generator at the start of that epoch (its shuffle is replayed). */
  rng: RngState;
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
  /** Where to continue (see FitOptions.resume): after the last trained step, also when nothing stopped it (to train more epochs). */
  resumeAt: ResumePoint;
  /** With `stats`: what happened inside the network (see TrainingStats). */
  stats?: TrainingStats;
}

/** Raised when the loss stops being a finite number. */
export class TrainingError extends ScratchnetError {}

/**
 * Trains `model` with mini-batch gradient descent: each epoch shuffles the
 * training set, and for each batch runs forward → loss (softmax
 * cross-entropy by default) → backward → clipping (if asked) →
 * `optimizer.step`; then scores the validation set. Batches are
 * gathered into one preallocated buffer, so no step allocates memory.
 * Returns a promise (as TensorFlow.js's `model.fit`): every ~100 ms the loop
 * yields to the event loop, so a signal handler or a page stays responsive.
 * The training pixels are read as they are when fit starts (as Keras's
 * `fit`): pixels changed in place during the call (from a callback) are used
 * from the next call on.
 */
export async function fit(model: Sequential, data: FitData, options: FitOptions = {}): Promise<History> {
  const epochs = options.epochs ?? 5;
  const batchSize = options.batchSize ?? 32;
  const optimizer = options.optimizer ?? new SGD({ lr: 0.1 });
  const rng = options.rng instanceof Rng ? options.rng : new Rng(options.rng ?? 42);
  const shuffle = options.shuffle ?? true;
  const lossFn = lossFor(options.loss ?? 'softmax-cross-entropy');
  const callbacks = options.callbacks === undefined ? [] : ([] as Callbacks[]).concat(options.callbacks);
  const train = data.train;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ConfigError(`fit: expected epochs to be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`fit: expected batchSize to be a positive integer, got ${batchSize}`);
  if (options.clipNorm !== undefined && !(options.clipNorm > 0 && Number.isFinite(options.clipNorm))) {
    throw new ConfigError(`fit: expected clipNorm to be a positive number, got ${options.clipNorm}`);
  }
  if (train.count === 0) throw new ConfigError('fit: the training set is empty');
  checkTrainingSets('fit', model, { ...data });

  const started = performance.now();
  const rows = Math.min(batchSize, train.count);
  const batches = Math.ceil(train.count / rows);
  const lastRows = train.count - (batches - 1) * rows;
  // Every step's batch goes into the same buffers.
  const loader = new BatchLoader(train, rows);
  const augment = options.augment;
  const augmentShape = augment?.shape ?? train.shape ?? [1, 28, 28];
  if (augment !== undefined) {
    if (train.values !== undefined) throw new ConfigError('fit: augment transforms images; the training set is a table');
    if (augmentShape.length !== 3 || augmentShape.reduce((a, b) => a * b, 1) !== train.features) {
      throw new ConfigError(`fit: augment takes images of shape [channels, height, width] = ${train.features} values, got [${augmentShape.join(', ')}]`);
    }
  }
  const order = new Uint32Array(train.count);
  const resume = options.resume;
  if (resume !== undefined && !(Number.isInteger(resume.epoch) && resume.epoch >= 0 && Number.isInteger(resume.batch) && resume.batch >= 0 && resume.batch < batches)) {
    throw new ConfigError(`fit: cannot resume at epoch ${resume.epoch}, batch ${resume.batch} of ${batches}`);
  }

  if (resume !== undefined) rng.setState(resume.rng);
  const history: History = {
    epochs: resume?.epoch ?? 0,
    batchLoss: [...(resume?.history.batchLoss ?? [])],
    trainLoss: [...(resume?.history.trainLoss ?? [])],
    valAccuracy: [...(resume?.history.valAccuracy ?? [])],
    valLoss: [...(resume?.history.valLoss ?? [])],
    seconds: 0,
    imagesPerSecond: 0,
    stopped: false,
    resumeAt: resume === undefined ? { epoch: 0, batch: 0, epochLossSum: 0, rng: rng.getState() } : { epoch: resume.epoch, batch: resume.batch, epochLossSum: resume.epochLossSum, rng: resume.rng },
  };
  let stepSeconds = 0;
  let imagesSeen = 0;
  let lastYield = performance.now();
  let stopRequested = false;
  const control = { stop: () => void (stopRequested = true) };
  const baseLr = optimizer.lr;
  const params = model.params();
  const gradLogits = new TensorCache();
  const statsEvery = typeof options.stats === 'object' ? (options.stats.every ?? defaultStatsEvery(epochs * batches)) : defaultStatsEvery(epochs * batches);
  const stats = options.stats === undefined || options.stats === false ? undefined : new StatsRecorder(model, statsEvery);
  if (stats !== undefined) history.stats = stats.record;
  for (const cb of callbacks) cb.onTrainBegin?.({ epochs, batches, trainCount: train.count });

  try {
    for (let epoch = resume?.epoch ?? 0; epoch < epochs && !history.stopped; epoch++) {
      for (const cb of callbacks) cb.onEpochBegin?.(epoch);
      // Each epoch's order depends only on the generator's state at its start,
      // so an interrupted epoch can be replayed exactly.
      const epochRng = rng.getState();
      for (let i = 0; i < order.length; i++) order[i] = i;
      if (shuffle) rng.shuffle(order);
      const epochStart = performance.now();
      const first = resume !== undefined && epoch === resume.epoch ? resume.batch : 0;
      let lossSum = first > 0 ? (resume?.epochLossSum ?? 0) : 0;
      let done = first;
      let epochImages = 0;
      for (let b = first; b < batches; b++) {
        const n = b === batches - 1 ? lastRows : rows;
        const batch = augment === undefined ? loader.load(order, b * rows, n) : loader.load(order, b * rows, n, { aug: augment, rng: batchRng(augment.seed, epoch, b), shape: augmentShape });
        if (options.lrSchedule !== undefined) optimizer.lr = baseLr * options.lrSchedule(epoch + b / batches, epochs);
        // The training step: logits → loss → backward → clip → optimizer step.
        const loss = lossAndGradients(model, batch, lossFn, gradLogits);
        const step = history.batchLoss.length;
        const recorded = stats?.due(step) === true;
        if (recorded) stats?.capture(step);
        if (options.clipNorm !== undefined) clipGradNorm(params, options.clipNorm);
        optimizer.step(params);
        if (recorded) stats?.afterStep();
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
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await nextTurn();
          lastYield = performance.now();
        }
        if (options.signal?.aborted && b < batches - 1) {
          history.stopped = true;
          history.resumeAt = { epoch, batch: b + 1, epochLossSum: lossSum, rng: epochRng };
          break;
        }
      }
      const seconds = (performance.now() - epochStart) / 1000;
      stepSeconds += seconds;
      imagesSeen += epochImages;
      if (history.stopped) break;
      const val = data.val !== undefined && data.val.count > 0 ? evaluate(model, data.val, undefined, lossFn) : undefined;
      const logs: EpochLogs = {
        epoch,
        trainLoss: lossSum / done,
        valAccuracy: val?.accuracy ?? NaN,
        valLoss: val?.loss ?? NaN,
        seconds,
        imagesPerSecond: epochImages / seconds,
        resumeAt: { epoch: epoch + 1, batch: 0, epochLossSum: 0, rng: rng.getState() },
      };
      history.trainLoss.push(logs.trainLoss);
      if (val !== undefined) {
        history.valAccuracy.push(val.accuracy);
        history.valLoss.push(val.loss);
      }
      history.epochs = epoch + 1;
      history.resumeAt = logs.resumeAt;
      for (const cb of callbacks) cb.onEpochEnd?.(logs, history, control);
      if (stopRequested) break;
      if (options.signal?.aborted && epoch < epochs - 1) history.stopped = true;
    }
  } finally {
    // The caller's optimizer as it came, whatever the schedule did to its rate.
    optimizer.lr = baseLr;
  }

  if (!history.stopped && data.test !== undefined && data.test.count > 0) {
    const test = evaluate(model, data.test, undefined, lossFn);
    history.testAccuracy = test.accuracy;
    history.testLoss = test.loss;
  }
  history.seconds = (performance.now() - started) / 1000;
  history.imagesPerSecond = stepSeconds > 0 ? imagesSeen / stepSeconds : 0;
  for (const cb of callbacks) cb.onTrainEnd?.(history);
  return history;
}
