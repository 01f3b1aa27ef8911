import type { Dataset } from '../data/dataset.js';
import { boundaryEpochs, boundarySnapshot, decisionGrid, planeExtent, type BoundaryRecord } from '../metrics/decision-grid.js';
import type { Sequential } from '../model/sequential.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Callbacks } from '../train/fit.js';
import { checkpointPaths, checkpointState, saveCheckpoint } from './checkpoint.js';
import type { TrainSettings } from './settings.js';

/**
 * Writes the run's checkpoints after each epoch: `last` every `every` epochs
 * and after the final one, `best` whenever the validation accuracy is the
 * best so far.
 */
export function checkpointCallbacks(dir: string, run: { settings: TrainSettings; model: Sequential; optimizer: Optimizer }, every: number): Callbacks {
  const { settings, model, optimizer } = run;
  const paths = checkpointPaths(dir);
  let bestAccuracy = -Infinity;
  return {
    onEpochEnd: (logs, history) => {
      const state = checkpointState(settings, history, logs.resumeAt, model, optimizer);
      if ((logs.epoch + 1) % every === 0 || logs.epoch + 1 === settings.epochs) saveCheckpoint(paths.last, model, state);
      if (!Number.isNaN(logs.valAccuracy) && logs.valAccuracy > bestAccuracy) {
        bestAccuracy = logs.valAccuracy;
        saveCheckpoint(paths.best, model, state);
      }
    },
  };
}

/**
 * Records the decision boundary of a network of the plane over its data's
 * box (planeExtent) after the epochs {@link boundaryEpochs} picks; undefined
 * for other data. The model is in inference mode between steps, and nothing
 * it computes feeds back into training.
 */
export function boundaryCallbacks(model: Sequential, data: { train: Dataset; val: Dataset; test: Dataset }, epochs: number, size = 60): { callbacks: Callbacks; record: BoundaryRecord } | undefined {
  const extent = planeExtent(data);
  if (extent === undefined) return undefined;
  const record: BoundaryRecord = { extent, size, snapshots: [] };
  const at = new Set(boundaryEpochs(epochs));
  return {
    record,
    callbacks: {
      onEpochEnd: (logs) => {
        if (at.has(logs.epoch + 1)) record.snapshots.push(boundarySnapshot(decisionGrid(model, extent, size), logs.epoch + 1));
      },
    },
  };
}

/**
 * Ctrl-C during training: the first finishes the current step (fit stops at
 * `signal`, and the caller checkpoints), a second quits at once. `dispose`
 * removes the handler.
 */
export function stopOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping after this step to save a checkpoint (Ctrl-C again to quit without one)...\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => void process.off('SIGINT', onSigint) };
}
