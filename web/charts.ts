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
  const xMax = Math.max(o.xMax, n - 1 + offset, 1);
  const bucket = Math.max(1, Math.ceil(n / (W - M.left - M.right)));
  const averaged = (values: ArrayLike<number>): { xs: number[]; ys: number[] } => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let start = 0; start < values.length; start += bucket) {
      const end = Math.min(values.length, start + bucket);
      let sum = 0;
      for (let i = start; i < end; i++) sum += values[i];
      xs.push((start + end - 1) / 2 + offset);
      ys.push(sum / (end - start));
    }
    return { xs, ys };
  };
  const { xs, ys } = averaged(o.ys);
  const others = (o.others ?? []).map((s) => ({ ...averaged(s.ys), name: s.name }));
  const all = [ys, ...others.map((s) => s.ys)].flat().filter(Number.isFinite);
  let [lo, hi] = o.yRange ?? (all.length > 0 ? [Math.min(...all), Math.max(...all)] : [0, 1]);
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, lo + 0.5];
  const px = (x: number): number => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number): number => H - M.bottom - ((y - lo) / (hi - lo)) * (H - M.top - M.bottom);
  const parts: string[] = [
    `<line class="axis" x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}"/>`,
    `<line class="axis" x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}"/>`,
    `<text class="tick" x="${M.left - 4}" y="${py(hi) + 4}" text-anchor="end">${esc(o.format(hi))}</text>`,
    `<text class="tick" x="${M.left - 4}" y="${py(lo) + 4}" text-anchor="end">${esc(o.format(lo))}</text>`,
    `<text class="tick" x="${M.left}" y="${H - M.bottom + 14}" text-anchor="middle">0</text>`,
    `<text class="tick" x="${W - M.right}" y="${H - M.bottom + 14}" text-anchor="end">${Math.round(xMax)}</text>`,
    `<text class="label" x="${(W + M.left) / 2}" y="${H - 4}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text class="label" transform="translate(12 ${(H - M.bottom + M.top) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  ];
  const polyline = (sx: number[], sy: number[], cls: string): string =>
    `<polyline class="${cls}" points="${sx.map((x, i) => `${px(x).toFixed(1)},${py(sy[i]).toFixed(1)}`).join(' ')}"/>`;
  if (n > 0) parts.push(polyline(xs, ys, 'series'));
  others.forEach((s, k) => {
    if (s.xs.length > 0) parts.push(polyline(s.xs, s.ys, `series other other-${k + 1}`));
  });
  if (others.length > 0) {
    // A legend in the top right corner: a short stroke of each series' style and its name.
    [{ name: o.name ?? '', cls: 'series' }, ...others.map((s, k) => ({ name: s.name, cls: `series other other-${k + 1}` }))].forEach((s, k) => {
      const y = M.top + 6 + 14 * k;
      parts.push(`<line class="${s.cls}" x1="${W - M.right - 86}" y1="${y}" x2="${W - M.right - 66}" y2="${y}"/>`);
      parts.push(`<text class="legend" x="${W - M.right - 62}" y="${y + 3.5}">${esc(s.name)}</text>`);
    });
  }
  if (o.points === true) {
    xs.forEach((x, i) => {
      parts.push(`<circle class="point" cx="${px(x)}" cy="${py(ys[i])}" r="3.5"/>`);
      parts.push(`<text class="value" x="${px(x)}" y="${py(ys[i]) - 8}" text-anchor="${i === xs.length - 1 && x >= xMax ? 'end' : 'middle'}">${esc(o.format(ys[i]))}</text>`);
    });
  }
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.innerHTML = parts.join('');
}
