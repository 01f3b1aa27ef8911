/**
 * Small inline-SVG line charts (no chart library: a polyline, two axes and a
 * few tick labels are all the training curves need).
 */

/** What {@link lineChart} draws. */
export interface LineChartOptions {
  /** y values; x is their index + `xOffset`, in units of `xUnit`. */
  ys: ArrayLike<number>;
  xOffset?: number;
  /** The x range shown: [0, xMax] (at least the data's). */
  xMax: number;
  xLabel: string;
  yLabel: string;
  /** Fixed y range; otherwise the data's, with some margin. */
  yRange?: [number, number];
  /** Mark each point and print its value (few points, e.g. one per epoch). */
  points?: boolean;
  format: (y: number) => string;
  /** The name of `ys` in the legend; a legend is drawn when `others` are given. */
  name?: string;
  /** More series over the same x (e.g. the test loss beside the training loss), each drawn dashed in its own colour. */
  others?: readonly { ys: ArrayLike<number>; name: string }[];
  /** x of the k-th value: k · xStep + xOffset (default 1: one value per x unit). */
  xStep?: number;
  /** 'log': a log₁₀ y axis from decade to decade (values ≤ 0 are left out). */
  yScale?: 'linear' | 'log';
  /** A dashed horizontal line at `y` marked `label` (a rule of thumb), kept inside the y range. */
  rule?: { y: number; label: string };
}

const W = 360;
const H = 180;
const M = { left: 48, right: 28, top: 16, bottom: 34 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * Redraws `svg` as a line chart of `o.ys`. Long series are averaged into at
 * most ~W buckets (one per horizontal pixel), which also smooths the noisy
 * per-batch loss.
 */
export function lineChart(svg: SVGSVGElement, o: LineChartOptions): void {
  const n = o.ys.length;
  const offset = o.xOffset ?? 0;
  const xStep = o.xStep ?? 1;
  const log = o.yScale === 'log';
  // On a log axis everything is drawn in log₁₀ units (an average there is the geometric mean); `format` still gets the value.
  const toY = log ? (y: number): number => (y > 0 ? Math.log10(y) : NaN) : (y: number): number => y;
  const fromY = log ? (y: number): number => 10 ** y : (y: number): number => y;
  const xMax = Math.max(o.xMax, (n - 1) * xStep + offset, 1);
  const bucket = Math.max(1, Math.ceil(n / (W - M.left - M.right)));
  const averaged = (values: ArrayLike<number>): { xs: number[]; ys: number[] } => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let start = 0; start < values.length; start += bucket) {
      const end = Math.min(values.length, start + bucket);
      let sum = 0;
      let count = 0;
      for (let i = start; i < end; i++) {
        const y = toY(values[i]);
        if (Number.isFinite(y)) {
          sum += y;
          count++;
        }
      }
      // A bucket with nothing to draw is left out rather than breaking the polyline.
      if (count === 0) continue;
      xs.push(((start + end - 1) / 2) * xStep + offset);
      ys.push(sum / count);
    }
    return { xs, ys };
  };
  const { xs, ys } = averaged(o.ys);
  const others = (o.others ?? []).map((s) => ({ ...averaged(s.ys), name: s.name }));
  const all = [ys, ...others.map((s) => s.ys)].flat().filter(Number.isFinite);
  if (o.rule !== undefined) all.push(toY(o.rule.y));
  let [lo, hi] = o.yRange?.map(toY) ?? (all.length > 0 ? [Math.min(...all), Math.max(...all)] : [0, 1]);
  // Whole decades, with some room below the lowest line so that it (or the rule) does not sit on the axis.
  if (log) [lo, hi] = [Math.floor(lo - 0.3), Math.ceil(hi + 0.1)];
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, lo + 0.5];
  const px = (x: number): number => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number): number => H - M.bottom - ((y - lo) / (hi - lo)) * (H - M.top - M.bottom);
  const parts: string[] = [
    `<line class="axis" x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}"/>`,
    `<line class="axis" x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}"/>`,
    `<text class="tick" x="${M.left - 4}" y="${py(hi) + 4}" text-anchor="end">${esc(o.format(fromY(hi)))}</text>`,
    `<text class="tick" x="${M.left - 4}" y="${py(lo) + 4}" text-anchor="end">${esc(o.format(fromY(lo)))}</text>`,
    `<text class="tick" x="${M.left}" y="${H - M.bottom + 14}" text-anchor="middle">0</text>`,
    `<text class="tick" x="${W - M.right}" y="${H - M.bottom + 14}" text-anchor="end">${Math.round(xMax)}</text>`,
    `<text class="label" x="${(W + M.left) / 2}" y="${H - 4}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text class="label" transform="translate(12 ${(H - M.bottom + M.top) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  ];
  if (log) {
    for (let d = lo + 1; d < hi; d++) {
      if (o.rule !== undefined && d === toY(o.rule.y)) continue;
      parts.push(`<line class="grid" x1="${M.left}" y1="${py(d)}" x2="${W - M.right}" y2="${py(d)}"/>`);
      parts.push(`<text class="tick" x="${M.left - 4}" y="${py(d) + 4}" text-anchor="end">${esc(o.format(10 ** d))}</text>`);
    }
  }
  if (o.rule !== undefined) {
    const y = py(toY(o.rule.y)).toFixed(1);
    parts.push(`<line class="rule" x1="${M.left}" y1="${y}" x2="${W - M.right}" y2="${y}"/>`);
    parts.push(`<text class="tick rule-label" x="${M.left - 4}" y="${Number(y) + 4}" text-anchor="end">${esc(o.rule.label)}</text>`);
  }
  // A series of one point is a dot: a polyline of one point draws nothing.
  const polyline = (sx: number[], sy: number[], cls: string): string =>
    sx.length === 1
      ? `<circle class="${cls} dot" cx="${px(sx[0]).toFixed(1)}" cy="${py(sy[0]).toFixed(1)}" r="2"/>`
      : `<polyline class="${cls}" points="${sx.map((x, i) => `${px(x).toFixed(1)},${py(sy[i]).toFixed(1)}`).join(' ')}"/>`;
  if (n > 0) parts.push(polyline(xs, ys, 'series'));
  others.forEach((s, k) => {
    if (s.xs.length > 0) parts.push(polyline(s.xs, s.ys, `series other other-${k + 1}`));
  });
  if (others.length > 0) {
    // A legend in the top right corner, on a pale box so the lines under it do not hide it: a short stroke of each series' style and its name.
    parts.push(`<rect class="legend-box" x="${W - M.right - 90}" y="${M.top - 2}" width="${M.right + 88}" height="${14 * (others.length + 1) + 2}"/>`);
    [{ name: o.name ?? '', cls: 'series' }, ...others.map((s, k) => ({ name: s.name, cls: `series other other-${k + 1}` }))].forEach((s, k) => {
      const y = M.top + 6 + 14 * k;
      parts.push(`<line class="${s.cls}" x1="${W - M.right - 86}" y1="${y}" x2="${W - M.right - 66}" y2="${y}"/>`);
      parts.push(`<text class="legend" x="${W - M.right - 62}" y="${y + 3.5}">${esc(s.name)}</text>`);
    });
  }
  if (o.points === true) {
    xs.forEach((x, i) => {
      parts.push(`<circle class="point" cx="${px(x)}" cy="${py(ys[i])}" r="3.5"/>`);
      parts.push(`<text class="value" x="${px(x)}" y="${py(ys[i]) - 8}" text-anchor="${i === xs.length - 1 && x >= xMax ? 'end' : 'middle'}">${esc(o.format(fromY(ys[i])))}</text>`);
    });
  }
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.innerHTML = parts.join('');
}

/** Size of a {@link histogramChart}. */
const HW = 200;
const HH = 84;
const HB = 14;

/**
 * Redraws `svg` as the bars of histogram `h` (equal bins from h.min to
 * h.max, each bar's height the square root of its count), with the range under it.
 */
export function histogramChart(svg: SVGSVGElement, h: { min: number; max: number; counts: readonly number[] }, format: (x: number) => string): void {
  const total = h.counts.reduce((a, b) => a + b, 0);
  const top = Math.max(1, ...h.counts);
  const width = HW / Math.max(1, h.counts.length);
  const parts = h.counts.map((c, i) => {
    // Heights ∝ √count, so that the tails still show beside a ReLU's spike at 0;
    // at least a pixel for any non-empty bin: a thin tail is part of the picture.
    const height = c === 0 ? 0 : Math.max(1, (HH - HB - 4) * Math.sqrt(c / top));
    return `<rect class="bar" x="${(i * width).toFixed(2)}" y="${(HH - HB - height).toFixed(2)}" width="${Math.max(0.5, width - 0.5).toFixed(2)}" height="${height.toFixed(2)}"><title>${esc(format(h.min + (i * (h.max - h.min)) / h.counts.length))}…: ${total === 0 ? 0 : ((100 * c) / total).toFixed(1)} %</title></rect>`;
  });
  parts.push(`<line class="axis" x1="0" y1="${HH - HB}" x2="${HW}" y2="${HH - HB}"/>`);
  parts.push(`<text class="tick" x="1" y="${HH - 3}">${esc(format(h.min))}</text>`);
  parts.push(`<text class="tick" x="${HW - 1}" y="${HH - 3}" text-anchor="end">${esc(format(h.max))}</text>`);
  svg.setAttribute('viewBox', `0 0 ${HW} ${HH}`);
  svg.innerHTML = parts.join('');
}
