import type { TopLevelSpec } from 'vega-lite';
import type { Histogram, TrainingStats } from '../train/stats.js';
import { CLASS_COLOURS } from './boundary.js';
import { colors, config } from './theme.js';

/** A histogram as rows for a step-line: each bin's centre and its share of the values. */
function histogramRows(h: Histogram, series: string): { x: number; share: number; series: string }[] {
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (h.counts.length <= 1) return [{ x: h.min, share: 1, series }];
  const width = (h.max - h.min) / h.counts.length;
  return h.counts.map((c, i) => ({ x: h.min + (i + 0.5) * width, share: total === 0 ? 0 : c / total, series }));
}

/** Width and height of each small chart. */
const SMALL = { width: 220, height: 150 } as const;

/**
 * Each activation layer's distribution of outputs at the first and the last
 * record, one small chart per layer (Karpathy's activation histograms): a
 * layer whose outputs pile up at 0 (dead ReLUs) or at ±1 (saturated tanh) is
 * a layer that passes little gradient back.
 */
export function activationHistogramsSpec(stats: TrainingStats): TopLevelSpec {
  const first = stats.steps[0] ?? 0;
  const last = stats.steps[stats.steps.length - 1] ?? 0;
  const names = [`step ${first}`, `step ${last}`];
  const panels = stats.layers.map((layer) => {
    const rows = [...histogramRows(layer.histograms[0], names[0]), ...histogramRows(layer.histograms[layer.histograms.length - 1], names[1])];
    const lastStd = layer.std[layer.std.length - 1];
    return {
      title: { text: `Layer ${layer.layer}: ${layer.title}`, subtitle: `mean ${layer.mean[layer.mean.length - 1].toPrecision(3)}, std ${lastStd.toPrecision(3)} at step ${last}`, fontSize: 12 },
      ...SMALL,
      data: { values: rows },
      mark: { type: 'line' as const, interpolate: 'step' as const, strokeWidth: 1.6 },
      encoding: {
        x: { field: 'x', type: 'quantitative' as const, title: 'output', scale: { zero: false, nice: false } },
        y: { field: 'share', type: 'quantitative' as const, title: 'share of outputs', axis: { format: '.0%' } },
        color: { field: 'series', type: 'nominal' as const, title: null, sort: names, scale: { domain: names, range: ['#aaaaaa', colors.blue] }, legend: { orient: 'top' as const } },
      },
    };
  });
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: 'Activations: First and Last Record', config, hconcat: panels } as TopLevelSpec;
}

/**
 * The records over the training steps: each weight's update-to-weight ratio
 * (log scale, the 1e-3 rule of thumb dashed) and gradient norm, and each
 * activation layer's deviation and dead or saturated fraction.
 */
export function statsOverTimeSpec(stats: TrainingStats): TopLevelSpec {
  const colour = (i: number): string => CLASS_COLOURS[i % CLASS_COLOURS.length];
  const paramNames = stats.params.map((p) => `layer ${p.layer}: ${p.title.replace(' -> ', ' → ')}`);
  const layerNames = stats.layers.map((l) => `layer ${l.layer}: ${l.title}`);
  const perStep = <T>(series: readonly T[], name: (i: number) => string, value: (s: T) => readonly number[]) =>
    series.flatMap((s, i) => value(s).map((v, k) => ({ step: stats.steps[k], value: v, series: name(i) })).filter((r) => Number.isFinite(r.value)));
  const x = { field: 'step', type: 'quantitative' as const, title: 'training step', scale: { nice: false } };
  const legend = (domain: string[]) => ({ field: 'series', type: 'nominal' as const, title: null, sort: domain, scale: { domain, range: domain.map((_, i) => colour(i)) }, legend: { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 240 } });
  const positive = (rows: { value: number }[]) => rows.filter((r) => r.value > 0);
  const ratio = positive(perStep(stats.params, (i) => paramNames[i], (p) => p.updateRatio));
  const grad = positive(perStep(stats.params, (i) => paramNames[i], (p) => p.gradNorm));
  const spread = perStep(stats.layers, (i) => layerNames[i], (l) => l.std);
  const failing = stats.layers.flatMap((l, i) => (l.dead ?? l.saturated ?? []).map((v, k) => ({ step: stats.steps[k], value: v, series: `${layerNames[i]} ${l.dead !== undefined ? 'dead' : 'saturated'}` })));
  const failingNames = stats.layers.flatMap((l, i) => (l.dead === undefined && l.saturated === undefined ? [] : [`${layerNames[i]} ${l.dead !== undefined ? 'dead' : 'saturated'}`]));
  const panels: unknown[] = [
    {
      title: { text: 'Update / Weight Ratio', subtitle: '‖ΔW‖ / ‖W‖ per step; dashed: 1e-3', fontSize: 12 },
      ...SMALL,
      layer: [
        { data: { values: ratio }, mark: { type: 'line', strokeWidth: 1.4 }, encoding: { x, y: { field: 'value', type: 'quantitative', title: 'ratio', scale: { type: 'log' } }, color: legend(paramNames) } },
        { data: { values: [{ y: 1e-3 }] }, mark: { type: 'rule', strokeDash: [5, 4], color: colors.grey }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      ],
    },
    {
      title: { text: 'Gradient Norm', subtitle: '‖dL/dW‖ per step', fontSize: 12 },
      ...SMALL,
      data: { values: grad },
      mark: { type: 'line', strokeWidth: 1.4 },
      encoding: { x, y: { field: 'value', type: 'quantitative', title: 'norm', scale: { type: 'log' } }, color: legend(paramNames) },
    },
  ];
  if (stats.layers.length > 0) {
    panels.push({
      title: { text: 'Activation Deviation', subtitle: 'std of each layer’s outputs', fontSize: 12 },
      ...SMALL,
      data: { values: spread },
      mark: { type: 'line', strokeWidth: 1.4 },
      encoding: { x, y: { field: 'value', type: 'quantitative', title: 'std' }, color: legend(layerNames) },
    });
  }
  if (failingNames.length > 0) {
    panels.push({
      title: { text: 'Dead or Saturated Units', subtitle: 'ReLU: dead for the whole batch; sigmoid/tanh: in the flat tails', fontSize: 12 },
      ...SMALL,
      data: { values: failing },
      mark: { type: 'line', strokeWidth: 1.4 },
      encoding: { x, y: { field: 'value', type: 'quantitative', title: 'fraction', scale: { domain: [0, 1] }, axis: { format: '.0%' } }, color: legend(failingNames) },
    });
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: 'Inside the Network While It Trains', config, resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } }, hconcat: panels } as TopLevelSpec;
}
