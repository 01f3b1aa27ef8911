import { ConfigError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { Sequential } from '../model/sequential.js';

/** The part of the plane a decision grid covers: [x1 from, to] × [x2 from, to]. */
export type Extent = readonly [x1Min: number, x1Max: number, x2Min: number, x2Max: number];

/** A model's answer at every cell of a size × size grid over the plane. */
export interface DecisionGrid {
  extent: Extent;
  size: number;
  /**
   * Row-major, row 0 at the top (the largest x2) as an image is drawn:
   * the most likely class at each cell centre, and its probability.
   */
  classes: Uint8Array;
  confidence: Float32Array;
}

/**
 * The bounding box of a 2-feature data set's points, widened by `margin`
 * of its size on each side (so points at the edge sit inside the picture).
 */
export function extentOf(sets: readonly Dataset[], margin = 0.1): Extent {
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (const set of sets) {
    if (set.features !== 2 || set.values === undefined) throw new ConfigError(`a decision grid is drawn over two features given as values, got ${set.features}${set.values === undefined ? ' pixels' : ''}`);
    for (let i = 0; i < set.count; i++) {
      for (let j = 0; j < 2; j++) {
        const v = set.values[2 * i + j];
        lo[j] = Math.min(lo[j], v);
        hi[j] = Math.max(hi[j], v);
      }
    }
  }
  const widen = (j: number): [number, number] => {
    if (!(hi[j] >= lo[j])) return [-1, 1];
    const pad = Math.max(hi[j] - lo[j], 1e-6) * margin;
    return [lo[j] - pad, hi[j] + pad];
  };
  return [...widen(0), ...widen(1)];
}

/**
 * The centres of a `size` × `size` grid over `extent` as rows (x1, x2),
 * [size², 2] row-major, row 0 at the top (the largest x2) as an image is
 * drawn: the inputs of {@link decisionGrid}, and of any other picture of a
 * 2-input model over the plane (each hidden unit's response, say).
 */
export function gridCentres(extent: Extent, size: number): Float32Array {
  if (!Number.isInteger(size) || size < 2 || size > 1000) throw new ConfigError(`decision grid: expected a size from 2 to 1000, got ${size}`);
  const [x1Min, x1Max, x2Min, x2Max] = extent;
  const x = new Float32Array(2 * size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      x[2 * (r * size + c)] = x1Min + ((c + 0.5) / size) * (x1Max - x1Min);
      x[2 * (r * size + c) + 1] = x2Max - ((r + 0.5) / size) * (x2Max - x2Min);
    }
  }
  return x;
}

/**
 * The plane a run's decision boundary is drawn over — the box of its
 * training, validation and test points — or undefined for data that is not
 * a plane (not two features given as values) or has more classes than a
 * BoundaryRecord holds.
 */
export function planeExtent(data: { train: Dataset; val: Dataset; test: Dataset }): Extent | undefined {
  const { train } = data;
  if (train.features !== 2 || train.values === undefined || (train.classes?.length ?? 10) > BOUNDARY_MAX_CLASSES) return undefined;
  return extentOf([train, data.val, data.test]);
}

/**
 * Runs `model` (2 inputs) on the centres of a `size` × `size` grid over
 * `extent` and keeps each cell's most likely class and its probability: the
 * decision boundary is where the class changes.
 */
export function decisionGrid(model: Sequential, extent: Extent, size = 60): DecisionGrid {
  if (model.inputUnits !== 2) throw new ConfigError(`a decision grid needs a model of 2 inputs, got ${model.inputUnits}`);
  const x = gridCentres(extent, size);
  const n = size * size;
  const probs = model.predictProba({ data: x, shape: [n, 2] }).data;
  const k = model.outputUnits;
  const classes = new Uint8Array(n);
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    classes[i] = best;
    confidence[i] = probs[i * k + best];
  }
  return { extent, size, classes, confidence };
}

/**
 * Decision grids at several epochs of a run, as history.json keeps them:
 * each cell one character, its class in base 36 (`classes`, so at most 36
 * classes) and its probability in 36 steps (`confidence`: 0 = 0, z = 1).
 */
export interface BoundaryRecord {
  extent: Extent;
  size: number;
  snapshots: { epoch: number; classes: string; confidence: string }[];
}

/** The epochs (1-based) a run of `epochs` records its boundary after: the first, a tenth, three tenths and the last. */
export function boundaryEpochs(epochs: number): number[] {
  return [...new Set([1, Math.ceil(0.1 * epochs), Math.ceil(0.3 * epochs), epochs])].filter((e) => e >= 1 && e <= epochs).sort((a, b) => a - b);
}

/** Most classes a boundary record can hold (one base-36 digit a cell). */
export const BOUNDARY_MAX_CLASSES = 36;

/** A grid as one snapshot of a BoundaryRecord. */
export function boundarySnapshot(grid: DecisionGrid, epoch: number): BoundaryRecord['snapshots'][number] {
  if (grid.classes.some((c) => c >= BOUNDARY_MAX_CLASSES)) throw new ConfigError(`a boundary record holds at most ${BOUNDARY_MAX_CLASSES} classes`);
  return {
    epoch,
    classes: Array.from(grid.classes, (c) => c.toString(36)).join(''),
    confidence: Array.from(grid.confidence, (p) => Math.round(35 * Math.min(1, Math.max(0, p))).toString(36)).join(''),
  };
}

/** A recorded snapshot as a grid again (checked: a hand-edited file may not match its size or use other characters). */
export function snapshotGrid(record: BoundaryRecord, snapshot: BoundaryRecord['snapshots'][number]): DecisionGrid {
  const n = record.size * record.size;
  const ok = (text: unknown): text is string => typeof text === 'string' && text.length === n && /^[0-9a-z]*$/.test(text);
  if (!ok(snapshot.classes) || !ok(snapshot.confidence)) throw new ConfigError(`boundary snapshot of epoch ${snapshot.epoch}: expected ${n} cells as base-36 digits`);
  return {
    extent: record.extent,
    size: record.size,
    classes: Uint8Array.from(snapshot.classes, (ch) => parseInt(ch, 36)),
    confidence: Float32Array.from(snapshot.confidence, (ch) => parseInt(ch, 36) / 35),
  };
}
