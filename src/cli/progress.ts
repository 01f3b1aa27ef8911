import cliProgress from 'cli-progress';
import type { Callbacks, EpochLogs } from '../train/fit.js';

/** Where the CLI writes human-readable lines. */
export interface Output {
  log(line: string): void;
}

/** One line per epoch, as the CLI prints it with or without a progress bar. */
export function epochLine(logs: EpochLogs, epochs: number): string {
  const val = Number.isNaN(logs.valAccuracy) ? '' : ` - val accuracy ${logs.valAccuracy.toFixed(4)}`;
  return (
    `Epoch ${logs.epoch + 1}/${epochs} - loss ${logs.trainLoss.toFixed(4)}${val}` +
    ` - ${logs.seconds.toFixed(2)} s (${Math.round(logs.imagesPerSecond)} images/s)`
  );
}

/**
 * Training progress: on a terminal, a live bar per epoch (batch, loss,
 * images/s, ETA) on stderr; elsewhere (pipes, CI logs) only the epoch lines.
 */
export function progressCallbacks(out: Output, options: { bar: boolean; batchSize: number }): Callbacks {
  let epochs = 0;
  let epochStart = 0;
  let lossSum = 0;
  let bar: cliProgress.SingleBar | undefined;
  return {
    onTrainBegin(info) {
      epochs = info.epochs;
    },
    onEpochBegin(epoch) {
      epochStart = performance.now();
      lossSum = 0;
      if (!options.bar) return;
      bar = new cliProgress.SingleBar(
        {
          format: `Epoch ${epoch + 1}/${epochs} [{bar}] {percentage}% | batch {value}/{total} | loss {loss} | {speed} images/s | ETA {eta}s`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 100,
        },
        cliProgress.Presets.shades_classic,
      );
    },
    onBatchEnd(logs) {
      lossSum += logs.loss;
      if (bar === undefined) return;
      if (logs.batch === 0) bar.start(logs.batches, 0, { loss: '-', speed: '-' });
      const seconds = (performance.now() - epochStart) / 1000;
      bar.update(logs.batch + 1, {
        // The running mean, as Keras shows: a single batch's loss is too noisy to read.
        loss: (lossSum / (logs.batch + 1)).toFixed(4),
        speed: Math.round(((logs.batch + 1) * options.batchSize) / seconds),
      });
    },
    onEpochEnd(logs) {
      bar?.stop();
      bar = undefined;
      out.log(epochLine(logs, epochs));
    },
  };
}
