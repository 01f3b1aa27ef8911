import type { TopLevelSpec } from 'vega-lite';
import { config } from './theme.js';

/** One training run to compare: its name and per-epoch curves. */
export interface ComparedRun {
  name: string;
  trainLoss: readonly number[];
  valAccuracy: readonly number[];
}

/**
 * Several runs side by side: training loss and validation accuracy per
 * epoch, one colour per run, on shared axes so the curves compare directly.
 */
export function compareSpec(runs: readonly ComparedRun[]): TopLevelSpec {
  const rows = runs.flatMap((run) =>
    run.trainLoss.map((loss, e) => ({ run: run.name, epoch: e + 1, loss, accuracy: run.valAccuracy[e] ?? null })),
  );
  const names = runs.map((r) => r.name);
  const color = { field: 'run', type: 'nominal', sort: names, scale: { scheme: 'category10' }, legend: { title: null, orient: 'bottom', direction: 'horizontal', labelLimit: 260 } };
  const epochAxis = { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { format: 'd', tickMinStep: 1 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    data: { values: rows },
    hconcat: [
      {
        title: 'Training Loss (mean per epoch)',
        width: 380,
        height: 260,
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { x: epochAxis, y: { field: 'loss', type: 'quantitative', title: 'Loss (log scale)', scale: { type: 'log', nice: false, padding: 8 } }, color },
      },
      {
        title: 'Validation Accuracy',
        width: 380,
        height: 260,
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { x: epochAxis, y: { field: 'accuracy', type: 'quantitative', title: 'Accuracy', scale: { zero: false }, axis: { format: '.1%' } }, color },
      },
    ],
  } as TopLevelSpec;
}
