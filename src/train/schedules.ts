import { ConfigError } from '../errors.js';

/** The learning-rate schedules fit knows. */
export type ScheduleName = 'constant' | 'step' | 'exponential' | 'cosine';

/** The names `--schedule` accepts. */
export const scheduleNames: readonly ScheduleName[] = ['constant', 'step', 'exponential', 'cosine'];

/** Options of {@link lrSchedule}. */
export interface ScheduleOptions {
  /** The schedule's shape (default `constant`). */
  kind?: ScheduleName;
  /** step: multiply by `gamma` every `stepEpochs` epochs (default 0.1 every 2). exponential: by `gamma` per epoch (default 0.9). */
  gamma?: number;
  stepEpochs?: number;
  /** cosine: the rate it decays to at the last epoch, as a fraction of the base rate (default 0). */
  minFactor?: number;
  /** Linear warm-up from ~0 to the base rate over this many epochs, before the schedule (default 0). */
  warmupEpochs?: number;
}

/**
 * A learning-rate schedule: given how far training is, in epochs (fractional:
 * epoch + batch / batches), and the total number of epochs, the factor that
 * multiplies the base learning rate.
 */
export type LrSchedule = (progress: number, totalEpochs: number) => number;

/**
 * Builds a schedule (PyTorch's StepLR, ExponentialLR, CosineAnnealingLR,
 * with an optional linear warm-up first). Factors, with t the progress in
 * epochs after warm-up and T the epochs after warm-up:
 * - constant: 1
 * - step: γ^⌊t / stepEpochs⌋
 * - exponential: γ^t
 * - cosine: min + (1 − min)·(1 + cos(π·t/T)) / 2
 * - warm-up, while the progress p < w epochs: (p + 0.001) / w, rising from
 *   almost 0 (not 0: the first step should move) to 1
 */
export function lrSchedule(options: ScheduleOptions = {}): LrSchedule {
  const kind = options.kind ?? 'constant';
  const gamma = options.gamma ?? (kind === 'step' ? 0.1 : 0.9);
  const stepEpochs = options.stepEpochs ?? 2;
  const minFactor = options.minFactor ?? 0;
  const warmup = options.warmupEpochs ?? 0;
  if (!scheduleNames.includes(kind)) throw new ConfigError(`unknown schedule "${String(kind)}": expected one of ${scheduleNames.join(', ')}`);
  if (!(gamma > 0 && gamma <= 1)) throw new ConfigError(`schedule: expected gamma in (0, 1], got ${gamma}`);
  if (!(Number.isInteger(stepEpochs) && stepEpochs >= 1)) throw new ConfigError(`schedule: expected stepEpochs to be a positive integer, got ${stepEpochs}`);
  if (!(minFactor >= 0 && minFactor <= 1)) throw new ConfigError(`schedule: expected minFactor in [0, 1], got ${minFactor}`);
  if (!(warmup >= 0 && Number.isFinite(warmup))) throw new ConfigError(`schedule: expected warmupEpochs ≥ 0, got ${warmup}`);
  return (progress, totalEpochs) => {
    if (progress < warmup) return Math.min(1, (progress + 1e-3) / warmup);
    const t = progress - warmup;
    const span = Math.max(totalEpochs - warmup, 1e-9);
    switch (kind) {
      case 'constant':
        return 1;
      case 'step':
        return gamma ** Math.floor(t / stepEpochs);
      case 'exponential':
        return gamma ** t;
      case 'cosine':
        return minFactor + ((1 - minFactor) * (1 + Math.cos((Math.PI * Math.min(t, span)) / span))) / 2;
    }
  };
}
