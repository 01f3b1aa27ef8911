import { ConfigError, ShapeError } from '../errors.js';
import { bytesToUnitJs } from '../kernels/bytes.js';
import type { Rng } from '../rng.js';

/**
 * A labelled image set: `count` rows of `features` pixels. Pixels stay bytes
 * (0–255) so MNIST's 60,000 × 784 training images take 47 MB, not 188 MB as
 * float32; {@link gatherBatch} normalises them to [0, 1] one batch at a time.
 */
export interface Dataset {
  /** Pixels, count × features, row-major, 0–255 (empty for a table: see `values`). */
  x: Uint8Array;
  /**
   * A table's features as numbers, count × features, row-major, taken as
   * they are (no scaling to [0, 1]); when present, `x` is empty and batches
   * are gathered from here.
   */
  values?: Float32Array;
  /** The shape of one image, [channels, height, width], where it is not MNIST's [1, 28, 28] (an image folder's). */
  shape?: readonly number[];
  /** A table's feature column names, in order, and its label column's name. */
  featureNames?: readonly string[];
  labelName?: string;
  /** Labels (classes 0, 1, …; MNIST's 0–9), one per row. */
  y: Uint8Array;
  /** Number of rows (examples). */
  count: number;
  /** Pixels per row (784 for MNIST's 28 × 28). */
  features: number;
  /** The classes' names, by label (Fashion-MNIST's "T-shirt/top", …); absent: the labels are their own names. */
  classes?: readonly string[];
}

/** The tutorial's three sets: training, validation (held out of training) and test. */
export interface MnistData {
  train: Dataset;
  val: Dataset;
  test: Dataset;
}

/** Throws a ConfigError unless `valSplit` is a fraction in [0, 1). */
export function checkValSplit(valSplit: number): void {
  // NOTE: `!(… )` so that NaN fails too.
  if (typeof valSplit !== 'number' || !(valSplit >= 0 && valSplit < 1)) {
    throw new ConfigError(`valSplit must be in [0, 1), got ${String(valSplit)}`);
  }
}

/**
 * Splits off a random validation set, as the tutorial's `load_mnist_from_csv`:
 * n_val = floor(count × valSplit); validation = the first n_val entries of
 * `rng.permutation(count)` in that (random) order; train = the other rows in
 * their original order.
 */
export function splitTrainVal(data: Dataset, valSplit: number, rng: Rng): { train: Dataset; val: Dataset } {
  checkValSplit(valSplit);
  const nVal = Math.floor(data.count * valSplit);
  const valIndices = rng.permutation(data.count).subarray(0, nVal);
  const inVal = new Uint8Array(data.count);
  for (let i = 0; i < nVal; i++) inVal[valIndices[i]] = 1;
  const trainIndices = new Uint32Array(data.count - nVal);
  for (let i = 0, t = 0; i < data.count; i++) if (!inVal[i]) trainIndices[t++] = i;
  return { train: subset(data, trainIndices), val: subset(data, valIndices) };
}

/** A new Dataset holding copies of the rows `indices` of `data`, in that order (the tutorial's `--subset N`). */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const { features, count } = data;
  const table = data.values;
  const x = new Uint8Array(table === undefined ? indices.length * features : 0);
  const values = table === undefined ? undefined : new Float32Array(indices.length * features);
  const y = new Uint8Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (!(Number.isInteger(i) && i >= 0 && i < count)) {
      throw new ConfigError(`subset: index ${r} must be a row number in [0, ${count}), got ${i}`);
    }
    if (table === undefined) x.set(data.x.subarray(i * features, (i + 1) * features), r * features);
    else values?.set(table.subarray(i * features, (i + 1) * features), r * features);
    y[r] = data.y[i];
  }
  return { x, y, count: indices.length, features, ...(values === undefined ? {} : { values }), ...(data.featureNames === undefined ? {} : { featureNames: data.featureNames }), ...(data.shape === undefined ? {} : { shape: data.shape }), ...(data.labelName === undefined ? {} : { labelName: data.labelName }), ...(data.classes === undefined ? {} : { classes: data.classes }) };
}

/**
 * Copies rows `order[start … start+count)` of `data` into `out` (count × features,
 * pixels scaled to [0, 1]) and their labels into `labelsOut`. Allocates nothing,
 * so the training loop can call it every step with preallocated buffers.
 */
export function gatherBatch(
  out: Float32Array,
  data: Dataset,
  order: Uint32Array,
  start: number,
  count: number,
  labelsOut: Uint8Array,
): void {
  const { x, y, features } = data;
  // O(1) checks per batch; the row check below is one compare per 784 copies.
  if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= order.length)) {
    throw new ShapeError(`gatherBatch: rows [${start}, ${start + count}) are outside the order of length ${order.length}`);
  }
  if (out.length < count * features || labelsOut.length < count) {
    throw new ShapeError(
      `gatherBatch: expected buffers of at least ${count * features} pixels and ${count} labels, ` +
        `got ${out.length} and ${labelsOut.length}`,
    );
  }
  for (let r = 0; r < count; r++) {
    const row = order[start + r];
    if (row >= data.count) {
      throw new ShapeError(`gatherBatch: order[${start + r}] = ${row} is not a row of a dataset of ${data.count}`);
    }
    bytesToUnitJs(out, r * features, x, row * features, features);
    labelsOut[r] = y[row];
  }
}
