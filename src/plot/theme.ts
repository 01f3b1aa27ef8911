import type { Config } from 'vega-lite';

/**
 * The look shared by every chart: matplotlib-like colours for the tutorial's
 * `'b-'`, `'r-'`, `'g-'`, `'m-'` lines, a light grid, and fonts that exist both
 * in browsers and in Debian's fonts-dejavu (used when rendering PNGs).
 */
export const colors = {
  blue: '#1f77b4',
  red: '#d62728',
  green: '#2ca02c',
  magenta: '#bd22bd',
  skyblue: '#87ceeb',
  grey: '#555555',
} as const;

/** The font stack of every chart. */
export const font = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** vega-lite config applied to every chart. */
export const config: Config = {
  font,
  background: 'white',
  padding: 12,
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'middle', offset: 8 },
  axisQuantitative: { grid: true },
  axisBand: { grid: false },
  axis: { labelFontSize: 11, titleFontSize: 12, gridOpacity: 0.3, gridColor: '#888888', domainColor: '#444444', tickColor: '#444444' },
  legend: { labelFontSize: 11, titleFontSize: 11, symbolStrokeWidth: 2 },
  view: { stroke: '#444444' },
  concat: { spacing: 36 },
};

/** The sequence 0 … n − 1 as numbers (chart data helper). */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** n evenly spaced values from a to b inclusive (NumPy's linspace). */
export function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}
