import { ConfigError } from '../errors.js';
import { BatchLoader } from '../data/batches.js';
import { TensorCache } from '../kernels/tensor.js';
import { Dropout } from '../layers/dropout.js';
import { lossFor, type LossName } from '../losses/index.js';
import type { Sequential } from '../model/sequential.js';
import { clipGradNorm } from '../optim/clip.js';
import { checkOptionNames, positive, unitInterval, type Optimizer, type OptimizerState } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Rng, type RngState } from '../rng.js';
import type { FitData } from './fit.js';
import { checkTrainingSets, lossAndGradients, nextTurn, YIELD_EVERY_MS } from './step.js';

/** Options of {@link lrFind}. */
export interface LrFindOptions {
  /** The learning rate of the first step (default 1e-6). */
  startLr?: number;
  /** The learning rate of the last step (default 10). */
  endLr?: number;
  /** Steps (mini-batches) from startLr to endLr (default 200); a set of fewer batches is gone through again, reshuffled. */
  steps?: number;
  /** Examples per mini-batch (default 32, as fit's). */
  batchSize?: number;
  /**
   * The optimizer to sweep (its lr is overwritten every step; its other
   * hyper-parameters and any state it has are used as they are). Default:
   * plain SGD. It is left exactly as it was (see {@link lrFind}).
   */
  optimizer?: Optimizer;
  /** The generator that shuffles the training set, or a seed (default 42). A generator given is read, not advanced. */
  rng?: Rng | number;
  /** The training loss, as fit's (default `softmax-cross-entropy`). */
  loss?: LossName;
  /** Scale the gradients to this global norm at most before each step, as fit's clipNorm (default: no clipping). */
  clipNorm?: number;
  /** Decay β of the smoothed loss, in [0, 1) (default 0.98; 0: no smoothing). */
  beta?: number;
  /** Stop once the smoothed loss exceeds this many times its minimum so far (default 4; > 1). */
  divergeFactor?: number;
  /** The first points left out of the suggestion, where the smoothed loss averages only a few batches (default: a tenth of `steps`). */
  skipStart?: number;
  /** Called after each recorded step (the CLI's progress lines). */
  onStep?(info: LrFindStep): void;
}

/** What {@link LrFindOptions.onStep} receives: the 0-based step out of `steps`, its lr, batch loss and smoothed loss. */
export interface LrFindStep {
  step: number;
  steps: number;
  lr: number;
  loss: number;
  smoothed: number;
}

/** The curve {@link lrFind} recorded and the learning rates it suggests. */
export interface LrFindResult {
  /** The learning rate of each step. */
  lrs: number[];
  /** The loss of each step's batch, measured before its update (so it shows the effect of the rates before it). */
  losses: number[];
  /** The bias-corrected exponential moving average of `losses` (see {@link smoothLosses}). */
  smoothed: number[];
  /** The rate at the steepest descent of the smoothed loss against log lr (see {@link suggestLr}); NaN if the loss never fell. */
  suggestedLr: number;
  /** The rate at the smallest smoothed loss (NaN if no step was recorded). */
  minLossLr: number;
  /** True when the loss diverged (or stopped being a finite number) before the last step. */
  stoppedEarly: boolean;
  /** Steps recorded (the length of each array). */
  steps: number;
}

const OPTIONS = ['startLr', 'endLr', 'steps', 'batchSize', 'optimizer', 'rng', 'loss', 'clipNorm', 'beta', 'divergeFactor', 'skipStart', 'onStep'] as const;

/** The numeric options of {@link lrFind} with their defaults filled in. */
export type LrFindSettings = Required<Pick<LrFindOptions, 'startLr' | 'endLr' | 'steps' | 'batchSize' | 'beta' | 'divergeFactor' | 'skipStart'>>;

/**
 * {@link lrFind}'s numeric options checked and with their defaults: a
 * ConfigError names the option, what it expects and what it got
 * (`lrFind: expected startLr < endLr, got startLr 1 and endLr 0.1`).
 */
export function lrFindSettings(options: LrFindOptions = {}): LrFindSettings {
  checkOptionNames('lrFind', options, OPTIONS);
  const startLr = positive('lrFind', 'startLr', options.startLr ?? 1e-6);
  const endLr = positive('lrFind', 'endLr', options.endLr ?? 10);
  if (!(startLr < endLr)) throw new ConfigError(`lrFind: expected startLr < endLr, got startLr ${startLr} and endLr ${endLr}`);
  const steps = options.steps ?? 200;
  if (!(Number.isSafeInteger(steps) && steps >= 2)) throw new ConfigError(`lrFind: expected steps to be an integer ≥ 2 (the sweep needs a first and a last rate), got ${String(steps)}`);
  const batchSize = options.batchSize ?? 32;
  if (!(Number.isSafeInteger(batchSize) && batchSize >= 1)) throw new ConfigError(`lrFind: expected batchSize to be a positive integer, got ${String(batchSize)}`);
  const beta = unitInterval('lrFind', 'beta', options.beta ?? 0.98);
  const divergeFactor = positive('lrFind', 'divergeFactor', options.divergeFactor ?? 4);
  if (!(divergeFactor > 1)) throw new ConfigError(`lrFind: expected divergeFactor > 1 (a multiple of the smallest loss), got ${divergeFactor}`);
  const skipStart = options.skipStart ?? Math.floor(steps / 10);
  if (!(Number.isSafeInteger(skipStart) && skipStart >= 0 && skipStart < steps)) {
    throw new ConfigError(`lrFind: expected skipStart to be an integer in [0, ${steps}) (fewer than steps), got ${String(skipStart)}`);
  }
  if (options.clipNorm !== undefined) positive('lrFind', 'clipNorm', options.clipNorm);
  return { startLr, endLr, steps, batchSize, beta, divergeFactor, skipStart };
}

/** The rate of step `step` (0-based) of an exponential sweep: lr = startLr · (endLr / startLr)^(step / (steps − 1)). */
export function sweepLr(startLr: number, endLr: number, steps: number, step: number): number {
  return startLr * Math.pow(endLr / startLr, step / (steps - 1));
}

/**
 * A bias-corrected exponential moving average, fed one value at a time
 * (Adam's first moment, for a loss): a ← β·a + (1 − β)·loss from a = 0, and
 * smoothed = a / (1 − β^t) after t values. Without the correction the first
 * values would be pulled towards 0 (the start of a).
 */
export class SmoothedLoss {
  private average = 0;
  /** β^t: what the correction divides by is 1 − this. */
  private betaPower = 1;

  constructor(readonly beta: number) {}

  /** Adds the next value and returns the smoothed value so far. */
  add(loss: number): number {
    this.average = this.beta * this.average + (1 - this.beta) * loss;
    this.betaPower *= this.beta;
    return this.average / (1 - this.betaPower);
  }
}

/** Every prefix's {@link SmoothedLoss} of `losses`: smoothed[t] = Σ_{k≤t} (1 − β) β^(t−k) loss[k] / (1 − β^(t+1)). */
export function smoothLosses(losses: readonly number[], beta: number): number[] {
  const smoother = new SmoothedLoss(beta);
  return losses.map((loss) => smoother.add(loss));
}

/**
 * The suggested rate of a range test's curve, and the rate of its smallest
 * smoothed loss. The suggestion is where the smoothed loss s falls fastest
 * against log lr: the most negative central difference
 * (s[i+1] − s[i−1]) / (log10 lr[i+1] − log10 lr[i−1]), over the points from
 * `skipStart` up to the minimum. The first points are left out because
 * their smoothed loss is the mean of a few batches (noise, not trend), and
 * everything after the minimum because the loss only rises there (the rates
 * are too large) and the moving average lags behind its blow-up. When fewer
 * than three points are left the window starts at 0; when the loss never
 * fell, the suggestion is NaN.
 */
export function suggestLr(lrs: readonly number[], smoothed: readonly number[], skipStart = 0): { suggestedLr: number; minLossLr: number } {
  if (lrs.length !== smoothed.length) throw new ConfigError(`suggestLr: expected as many losses as rates, got ${smoothed.length} and ${lrs.length}`);
  if (lrs.length === 0) return { suggestedLr: NaN, minLossLr: NaN };
  let min = 0;
  for (let i = 1; i < smoothed.length; i++) if (smoothed[i] < smoothed[min]) min = i;
  const start = min - skipStart >= 2 ? skipStart : 0;
  let steepest = -1;
  let steepestSlope = 0;
  for (let i = start + 1; i < min; i++) {
    const slope = (smoothed[i + 1] - smoothed[i - 1]) / (Math.log10(lrs[i + 1]) - Math.log10(lrs[i - 1]));
    if (slope < steepestSlope) {
      steepestSlope = slope;
      steepest = i;
    }
  }
  return { suggestedLr: steepest < 0 ? NaN : lrs[steepest], minLossLr: lrs[min] };
}

/** Everything a range test changes, copied before it starts. */
interface Snapshot {
  tensors: { target: Float32Array; copy: Float32Array }[];
  dropoutRngs: { rng: Rng; state: RngState }[];
  optimizer: { lr: number; state: OptimizerState };
  training: boolean;
}

function takeSnapshot(model: Sequential, optimizer: Optimizer): Snapshot {
  const targets = [...model.params().flatMap((p) => [p.value, p.grad]), ...model.buffers().map((b) => b.value)];
  // Dropout draws its masks from a generator (maybe the shared defaultRng): put it back too, so that training
  // afterwards draws the masks it would have drawn without the range test.
  const rngs = new Set(model.layers.filter((l): l is Dropout => l instanceof Dropout).map((l) => l.rng));
  return {
    tensors: targets.map((target) => ({ target, copy: target.slice() })),
    dropoutRngs: [...rngs].map((rng) => ({ rng, state: rng.getState() })),
    optimizer: { lr: optimizer.lr, state: optimizer.getState() },
    training: model.training,
  };
}

function restoreSnapshot(model: Sequential, optimizer: Optimizer, saved: Snapshot): void {
  for (const { target, copy } of saved.tensors) target.set(copy);
  for (const { rng, state } of saved.dropoutRngs) rng.setState(state);
  optimizer.setState(saved.optimizer.state);
  optimizer.lr = saved.optimizer.lr;
  if (saved.training) model.train();
  else model.eval();
}

/**
 * The learning-rate range test (Leslie Smith's, as fastai's `lr_find` runs
 * it): trains `model` on successive shuffled mini-batches of `data.train`
 * while the rate grows exponentially from `startLr` to `endLr` over `steps`
 * batches (see {@link sweepLr}), recording each batch's loss and its
 * bias-corrected moving average; stops early once that average exceeds
 * `divergeFactor` × its minimum or a loss is not a finite number. Suggests
 * the rate of the smoothed loss's steepest descent (see {@link suggestLr}).
 *
 * Batches come from fit's BatchLoader with fit's loss and step; full
 * batches only (a partial last batch would be noisier than the rest), and a
 * training set of fewer than `steps` batches is reshuffled and gone through
 * again. val and test sets are not used.
 *
 * Nothing it touches changes: the model's param values and grads, its
 * BatchNorm statistics, its Dropout generators and its mode, and the
 * optimizer (rate and state, through `getState`/`setState`, so any
 * Optimizer works) are copied first and put back when it ends, also when it
 * throws. Training the same optimizer afterwards continues bit-identical to
 * a run without the test.
 */
export async function lrFind(model: Sequential, data: Pick<FitData, 'train'>, options: LrFindOptions = {}): Promise<LrFindResult> {
  const { startLr, endLr, steps, batchSize, beta, divergeFactor, skipStart } = lrFindSettings(options);
  const train = data.train;
  if (train === undefined || train.count === 0) throw new ConfigError('lrFind: the training set is empty');
  checkTrainingSets('lrFind', model, { train });
  const lossFn = lossFor(options.loss ?? 'softmax-cross-entropy');
  const optimizer = options.optimizer ?? new SGD({ lr: startLr });
  const rng = new Rng(typeof options.rng === 'number' ? options.rng : 42);
  if (options.rng instanceof Rng) rng.setState(options.rng.getState());

  const rows = Math.min(batchSize, train.count);
  const batches = Math.floor(train.count / rows);
  // Every step's batch goes into the same buffers, as in fit.
  const loader = new BatchLoader(train, rows);
  const order = new Uint32Array(train.count);
  const grads = new TensorCache();
  const params = model.params();
  const smoother = new SmoothedLoss(beta);
  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let best = Infinity;
  let stoppedEarly = false;
  let lastYield = performance.now();

  const saved = takeSnapshot(model, optimizer);
  try {
    for (let step = 0, b = batches; step < steps; step++, b++) {
      if (b === batches) {
        for (let i = 0; i < order.length; i++) order[i] = i;
        rng.shuffle(order);
        b = 0;
      }
      const lr = sweepLr(startLr, endLr, steps, step);
      const loss = lossAndGradients(model, loader.load(order, b * rows, rows), lossFn, grads);
      const average = smoother.add(loss);
      if (!Number.isFinite(average)) {
        stoppedEarly = true;
        break;
      }
      lrs.push(lr);
      losses.push(loss);
      smoothed.push(average);
      options.onStep?.({ step, steps, lr, loss, smoothed: average });
      best = Math.min(best, average);
      if (average > divergeFactor * best) {
        stoppedEarly = step < steps - 1;
        break;
      }
      if (options.clipNorm !== undefined) clipGradNorm(params, options.clipNorm);
      optimizer.lr = lr;
      optimizer.step(params);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await nextTurn();
        lastYield = performance.now();
      }
    }
  } finally {
    restoreSnapshot(model, optimizer, saved);
  }
  return { lrs, losses, smoothed, ...suggestLr(lrs, smoothed, skipStart), stoppedEarly, steps: lrs.length };
}
