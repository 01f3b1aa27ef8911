import type { TopLevelSpec } from 'vega-lite';
import { colors, config } from './theme.js';

/** The parts of a training History the curves need. */
export interface HistoryCurves {
  batchLoss: readonly number[];
  valAccuracy: readonly number[];
}

/** Batches in the moving average drawn over the noisy per-batch loss. */
const SMOOTHING = 100;

/**
 * The tutorial's training plots: the loss of every batch (with a moving
 * average, since one batch's loss is noisy) and the validation accuracy after
 * each epoch, side by side.
 */
export function historySpec(history: HistoryCurves): TopLevelSpec {
  const loss = history.batchLoss;
  const window = Math.max(1, Math.min(SMOOTHING, Math.floor(loss.length / 10)));
  const smoothName = `moving average (${window} batches)`;
  const rows = loss.map((l, i) => ({ batch: i + 1, loss: l, series: 'per batch' }));
  let sum = 0;
  for (let i = 0; i < loss.length; i++) {
    sum += loss[i] - (i >= window ? loss[i - window] : 0);
    if (i >= window - 1) rows.push({ batch: i + 1, loss: sum / window, series: smoothName });
  }
  const accuracy = history.valAccuracy.map((a, i) => ({ epoch: i + 1, accuracy: a }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    resolve: { legend: { color: 'independent' } },
    hconcat: [
      {
        title: 'Training Loss',
        width: 420,
        height: 260,
        data: { values: rows },
        mark: { type: 'line', clip: true },
        encoding: {
          x: { field: 'batch', type: 'quantitative', title: 'Batch', scale: { domainMin: 1, nice: false } },
          y: { field: 'loss', type: 'quantitative', title: 'Loss' },
          color: { field: 'series', type: 'nominal', scale: { domain: ['per batch', smoothName], range: [colors.skyblue, colors.blue] }, sort: ['per batch', smoothName], legend: { title: null, orient: 'top-right', fillColor: 'white', padding: 4, labelLimit: 300 } },
          strokeWidth: { field: 'series', type: 'nominal', sort: ['per batch', smoothName], scale: { domain: ['per batch', smoothName], range: [0.6, 2] }, legend: null },
        },
      },
      {
        title: 'Validation Accuracy',
        width: 300,
        height: 260,
        data: { values: accuracy },
        mark: { type: 'line', point: true, color: colors.blue, strokeWidth: 2 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { format: 'd', tickMinStep: 1 }, scale: { domain: [0.5, Math.max(1, accuracy.length) + 0.5], nice: false } },
          y: { field: 'accuracy', type: 'quantitative', title: 'Accuracy', scale: { zero: false, padding: 12 }, axis: { format: '.1%' } },
        },
      },
    ],
  } as TopLevelSpec;
}
