import type { TopLevelSpec } from 'vega-lite';
import { className } from '../data/classes.js';
import type { Dataset } from '../data/dataset.js';
import type { DecisionGrid, Extent } from '../metrics/decision-grid.js';
import { config } from './theme.js';
import type { Tile } from './tiles.js';

/** The class colours of the boundary pictures (Tableau's first ten, matplotlib's default cycle). */
export const CLASS_COLOURS: readonly string[] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const rgbOf = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/**
 * A decision grid as a picture: each cell its class's colour over white,
 * stronger where the model is surer (a pale band marks the boundary).
 * alpha = 0.15 + 0.5 · (p − 1/k) / (1 − 1/k) for the cell's probability p of k classes.
 */
export function boundaryTile(grid: DecisionGrid, classes: number): Tile {
  const { size } = grid;
  const rgb = new Uint8Array(size * size * 3);
  const chance = 1 / Math.max(classes, 2);
  for (let i = 0; i < size * size; i++) {
    const colour = rgbOf(CLASS_COLOURS[grid.classes[i] % CLASS_COLOURS.length]);
    const alpha = 0.15 + 0.5 * Math.min(1, Math.max(0, (grid.confidence[i] - chance) / (1 - chance)));
    for (let j = 0; j < 3; j++) rgb[3 * i + j] = Math.round(255 + alpha * (colour[j] - 255));
  }
  return { width: size, height: size, rgb };
}

/** One picture of the boundary row: its title ("Epoch 10") and the grid as an image URL. */
export interface BoundaryPanel {
  title: string;
  url: string;
}

/** Pixels of each boundary picture's side. */
const SIDE = 220;

/**
 * The decision boundary at several moments of training, side by side: each
 * panel the grid's picture with `points` (at most 400 of them, test points) on
 * top, coloured by their true class.
 */
export function boundarySpec(panels: readonly BoundaryPanel[], extent: Extent, points: Dataset, classNames?: readonly string[], title = 'Decision Boundary'): TopLevelSpec {
  const [x1Min, x1Max, x2Min, x2Max] = extent;
  const values = points.values as Float32Array;
  const shown = Math.min(points.count, 400);
  const dots = Array.from({ length: shown }, (_, i) => ({ x1: values[2 * i], x2: values[2 * i + 1], label: className(classNames, points.y[i]), c: points.y[i] }));
  const labels = [...new Set(dots.map((d) => d.c))].sort((a, b) => a - b);
  const x = { field: 'x1', type: 'quantitative' as const, title: points.featureNames?.[0] ?? 'x1', scale: { domain: [x1Min, x1Max], nice: false, zero: false } };
  const y = { field: 'x2', type: 'quantitative' as const, title: points.featureNames?.[1] ?? 'x2', scale: { domain: [x2Min, x2Max], nice: false, zero: false } };
  const panel = (p: BoundaryPanel) => ({
    title: p.title,
    width: SIDE,
    height: SIDE,
    layer: [
      {
        data: { values: [{ url: p.url, x1: x1Min, x2: x2Max }] },
        mark: { type: 'image' as const, width: SIDE, height: SIDE, align: 'left' as const, baseline: 'top' as const, aspect: false, smooth: false },
        encoding: { url: { field: 'url', type: 'nominal' as const }, x, y },
      },
      {
        data: { values: dots },
        mark: { type: 'circle' as const, size: 18, opacity: 1, stroke: '#222222', strokeWidth: 0.6 },
        encoding: {
          x,
          y,
          color: { field: 'label', type: 'nominal' as const, title: 'class', sort: labels.map((c) => className(classNames, c)), scale: { domain: labels.map((c) => className(classNames, c)), range: labels.map((c) => CLASS_COLOURS[c % CLASS_COLOURS.length]) } },
        },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config,
    hconcat: panels.map(panel),
  } as TopLevelSpec;
}
