import type { TopLevelSpec } from 'vega-lite';
import type { LrFindResult } from '../train/lr-find.js';
import { colors, config } from './theme.js';

/** A learning rate for people and command lines: two significant digits (`0.032`, `3.2e-7`), `–` for none. */
export function formatLr(lr: number): string {
  return Number.isFinite(lr) ? String(Number(lr.toPrecision(2))) : '–';
}

/**
 * The range test's chart: the smoothed loss (and, faintly, each batch's
 * loss) against the learning rate on a log axis, with a rule and a labelled
 * point at the suggested rate and a point at the smallest smoothed loss.
 * The loss axis ends just above the smoothed curve, so the last batches'
 * blow-up does not squash the rest (those points are clipped).
 */
export function lrFindSpec(result: Pick<LrFindResult, 'lrs' | 'losses' | 'smoothed' | 'suggestedLr' | 'minLossLr'>): TopLevelSpec {
  const { lrs, losses, smoothed } = result;
  const series = ['batch loss', 'smoothed loss'];
  const minAt = lrs.indexOf(result.minLossLr);
  const suggestedAt = lrs.indexOf(result.suggestedLr);
  // The curve up to its minimum sets the axis: past it the loss blows up (to 100× and more in the last
  // step), which would flatten everything before; that part runs off the top and is clipped.
  const descent = Math.max(0, minAt) + 1;
  const shown = [...smoothed.slice(0, descent), ...losses.slice(0, descent)].filter(Number.isFinite);
  const low = Math.min(...shown);
  const high = Math.max(...shown);
  const pad = (high - low) * 0.08 || Math.abs(high) * 0.05 || 1;
  const first = lrs[0];
  const last = lrs[lrs.length - 1];
  // Log-axis ticks and grid lines at whole decades only (vega's default also rules 2 … 9 of each).
  const decades: number[] = [];
  if (lrs.length > 1) for (let e = Math.ceil(Math.log10(first) - 1e-9); e <= Math.floor(Math.log10(last) + 1e-9); e++) decades.push(Number(`1e${e}`));
  // NOTE: values far above the axis are drawn at a ceiling just above it (and clipped): a path a million
  // pixels tall (the last batch's loss) is dropped whole by SVG renderers such as resvg.
  const ceiling = high + pad + (high - low + pad);
  const capped = (v: number) => (Number.isFinite(v) ? Math.min(v, ceiling) : ceiling);
  const rows = [...lrs.map((lr, i) => ({ lr, loss: capped(losses[i]), series: series[0] })), ...lrs.map((lr, i) => ({ lr, loss: capped(smoothed[i]), series: series[1] }))];
  const lrScale = lrs.length > 1 ? { type: 'log', domain: [first, last], nice: false } : { type: 'log' };
  const x = { field: 'lr', type: 'quantitative', title: 'Learning rate (log scale)', scale: lrScale, axis: { labelExpr: "datum.value >= 0.01 ? format(datum.value, '~g') : '1e' + round(log(datum.value) / LN10)", ...(decades.length >= 2 ? { values: decades } : {}) } };
  const y = { field: 'loss', type: 'quantitative', title: 'Loss', scale: shown.length > 0 ? { domain: [Math.max(0, low - pad), high + pad], nice: false, zero: false } : { zero: false } };
  /** Where a label fits: to the right of a point in the left 60 % of the axis, else to its left. */
  const side = (i: number) => {
    const right = lrs.length < 2 || Math.log(lrs[i] / first) / Math.log(last / first) < 0.6;
    return { align: right ? 'left' : 'right', dx: right ? 8 : -8 };
  };

  const marks: object[] = [];
  if (minAt >= 0) {
    marks.push({
      data: { values: [{ lr: lrs[minAt], loss: smoothed[minAt], label: `minimum at ${formatLr(lrs[minAt])}` }] },
      layer: [
        { mark: { type: 'point', filled: true, size: 60, color: colors.green, opacity: 1 }, encoding: { x, y } },
        { mark: { type: 'text', ...side(minAt), baseline: 'top', dy: 8, fontSize: 11, color: colors.green }, encoding: { x, y, text: { field: 'label' } } },
      ],
    });
  }
  if (suggestedAt >= 0) {
    marks.push({
      data: { values: [{ lr: lrs[suggestedAt], loss: smoothed[suggestedAt], label: `suggested lr ${formatLr(lrs[suggestedAt])}` }] },
      layer: [
        { mark: { type: 'rule', color: colors.red, strokeDash: [5, 4], strokeWidth: 1.5 }, encoding: { x } },
        { mark: { type: 'point', filled: true, size: 80, color: colors.red, opacity: 1 }, encoding: { x, y } },
        // At the top of the rule, clear of the curve, which starts high only at the far left.
        { mark: { type: 'text', ...side(suggestedAt), baseline: 'top', fontSize: 12, fontWeight: 'bold', color: colors.red }, encoding: { x, y: { value: 6 }, text: { field: 'label' } } },
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title: 'Learning-Rate Range Test',
    width: 560,
    height: 320,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', clip: true },
        encoding: {
          x,
          y,
          color: { field: 'series', type: 'nominal', sort: series, scale: { domain: series, range: [colors.skyblue, colors.blue] }, legend: { title: null, orient: 'bottom-left', fillColor: 'white', padding: 4 } },
          strokeWidth: { field: 'series', type: 'nominal', sort: series, scale: { domain: series, range: [1, 2.5] }, legend: null },
          opacity: { field: 'series', type: 'nominal', sort: series, scale: { domain: series, range: [0.7, 1] }, legend: null },
        },
      },
      ...marks,
    ],
  } as TopLevelSpec;
}
