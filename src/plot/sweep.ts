import type { TopLevelSpec } from 'vega-lite';
import { config } from './theme.js';

/** One swept setting: its name (the axis title) and its values as written, in the order given. */
export interface SweepAxis {
  setting: string;
  values: readonly string[];
}

/** One cell of the grid: its value of each axis, the figure it is coloured by (NaN: none) and that figure as printed in it. */
export interface HeatCell {
  at: readonly [string, string];
  value: number;
  label: string;
}

/** Cell sizes: wide enough for `97.12 %` and for values such as `normal:0.01`. */
const CELL_WIDTH = 110;
const CELL_HEIGHT = 54;

/** The labels' colours: on a light cell, on a dark one, on a cell without a figure. */
const INKS = ['#111111', 'white', '#555555'];

/** The p-quantile of ascending `sorted` (linear between neighbours). */
function quantile(sorted: readonly number[], p: number): number {
  const at = (sorted.length - 1) * p;
  const i = Math.floor(at);
  return i + 1 < sorted.length ? sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/**
 * The colour scale's low end: the lowest figure, or Tukey's lower fence
 * (Q1 − 1.5 × IQR) when some lie below it, so that one run far below the
 * rest (a diverged learning rate) takes the darkest colour instead of
 * washing all the others out into one.
 */
function colourFloor(sorted: readonly number[]): number {
  if (sorted.length === 0) return NaN;
  const q1 = quantile(sorted, 0.25);
  return Math.max(sorted[0], q1 - 1.5 * (quantile(sorted, 0.75) - q1));
}

/**
 * A heat map of a two-setting sweep: the first setting across, the second
 * down, each in the order given; every cell coloured by its figure (viridis:
 * dark is low, yellow is high; see colourFloor) and labelled with it, with a colour legend.
 * A cell without a figure is grey and labelled `–`.
 */
export function sweepSpec(axes: readonly [SweepAxis, SweepAxis], cells: readonly HeatCell[], metric: { title: string; legend: string }): TopLevelSpec {
  const finite = cells.map((c) => c.value).filter(Number.isFinite).sort((p, q) => p - q);
  const low = colourFloor(finite);
  const high = Math.max(...finite);
  const clamped = finite.length > 0 && low > finite[0];
  // The label's ink follows the cell's shade: white on the dark lower part of viridis, black on its light top.
  const shade = (v: number) => (high === low ? 0.5 : Math.max(0, (v - low) / (high - low)));
  const ink = (v: number) => (!Number.isFinite(v) ? INKS[2] : shade(v) > 0.55 ? INKS[0] : INKS[1]);
  const rows = cells.map((c) => ({ x: c.at[0], y: c.at[1], value: Number.isFinite(c.value) ? c.value : null, label: c.label, ink: ink(c.value) }));
  const x = { field: 'x', type: 'ordinal', sort: axes[0].values, title: axes[0].setting, axis: { labelAngle: 0, labelLimit: CELL_WIDTH - 4, domain: false, ticks: false } };
  const y = { field: 'y', type: 'ordinal', sort: axes[1].values, title: axes[1].setting, axis: { labelLimit: 120, domain: false, ticks: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...config, view: { stroke: null } },
    title: clamped ? { text: metric.title, subtitle: `the darkest colour: ${(100 * low).toFixed(1)} % or less`, subtitleColor: '#555555' } : metric.title,
    width: { step: CELL_WIDTH },
    height: { step: CELL_HEIGHT },
    data: { values: rows },
    encoding: { x, y },
    layer: [
      // Every cell, grey underneath: one without a figure still shows where it is.
      { mark: { type: 'rect', color: '#e4e6ea', stroke: 'white', strokeWidth: 2, aria: false } },
      {
        transform: [{ filter: 'isValid(datum.value)' }],
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: metric.legend,
            scale: { scheme: 'viridis', zero: false, clamp: true, ...(finite.length === 0 ? {} : { domain: high === low ? [low - 0.005, high + 0.005] : [low, high] }) },
            legend: { format: '.1%', gradientLength: Math.max(60, CELL_HEIGHT * axes[1].values.length - 24), titleLimit: 200 },
          },
        },
      },
      // NOTE: the ink's own colours through an identity scale: vega-lite 6.4 fails to compile `scale: null` here.
      { mark: { type: 'text', fontSize: 13, fontWeight: 'bold', aria: false }, encoding: { text: { field: 'label' }, color: { field: 'ink', type: 'nominal', scale: { domain: INKS, range: INKS }, legend: null } } },
    ],
  } as TopLevelSpec;
}
