import { ConfigError } from '../errors.js';
import type { Sequential } from '../model/sequential.js';
import type { Callbacks } from './fit.js';

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** Epochs without a new best validation accuracy before stopping. */
  patience: number;
  /** An improvement smaller than this does not count (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when training ends (default true). */
  restoreBestWeights?: boolean;
}

/**
 * Keras's EarlyStopping on validation accuracy, as fit callbacks: stops
 * training after `patience` epochs without improvement and, by default,
 * restores the weights of the best epoch before the test set is scored.
 * `stoppedAt` and `bestEpoch` tell what happened (0-based epochs).
 */
export function earlyStopping(model: Sequential, options: EarlyStoppingOptions): Callbacks & { stoppedAt: number | null; bestEpoch: number | null } {
  const { patience, minDelta = 0, restoreBestWeights = true } = options;
  if (!(Number.isInteger(patience) && patience >= 1)) throw new ConfigError(`earlyStopping: expected patience to be a positive integer, got ${patience}`);
  if (!(minDelta >= 0)) throw new ConfigError(`earlyStopping: expected minDelta ≥ 0, got ${minDelta}`);
  let best = -Infinity;
  let wait = 0;
  let epochs = 0;
  // The weights and BatchNorm's running statistics of the best epoch.
  let bestWeights: Float32Array[] | null = null;
  const tensors = (): Float32Array[] => [...model.params().map((p) => p.value), ...model.buffers().map((b) => b.value)];
  const restore = (): void => {
    if (restoreBestWeights && bestWeights !== null) tensors().forEach((t, i) => t.set((bestWeights as Float32Array[])[i]));
  };
  const self = {
    stoppedAt: null as number | null,
    bestEpoch: null as number | null,
    onTrainBegin(info: { epochs: number }) {
      epochs = info.epochs;
    },
    onEpochEnd(logs: { epoch: number; valAccuracy: number }, _history: unknown, control?: { stop(): void }) {
      if (Number.isNaN(logs.valAccuracy)) return;
      if (logs.valAccuracy > best + minDelta) {
        best = logs.valAccuracy;
        wait = 0;
        self.bestEpoch = logs.epoch;
        if (restoreBestWeights) bestWeights = tensors().map((t) => Float32Array.from(t));
        return;
      }
      wait++;
      if (wait >= patience) {
        self.stoppedAt = logs.epoch;
        restore();
        control?.stop();
      } else if (logs.epoch === epochs - 1) {
        restore();
      }
    },
  };
  return self;
}
