import { ShapeError } from '../errors.js';
import { ByteRowGather } from '../kernels/gather.js';
import { bytesToUnitJs } from '../kernels/bytes.js';
import { allocFloat32 } from '../kernels/memory.js';
import type { Rng } from '../rng.js';
import { augmentImages, type Augmentation } from './augment.js';
import type { Tensor } from '../kernels/tensor.js';
import type { Dataset } from './dataset.js';

/**
 * Gathers batches of a dataset into buffers it owns, so that a training loop
 * allocates nothing per step: the images as floats in [0, 1] (the kernels'
 * ByteRowGather, which also keeps each batch's nonzeros for the first
 * layer's products), or a table's rows as they are, and their labels.
 */
export class BatchLoader {
  /** Byte images go through the kernels' gather; a table's rows are copied into `rows` (kernel memory). */
  private readonly gatherer: ByteRowGather | null;
  private readonly rows: Float32Array | null;
  private readonly y: Uint8Array;
  /** Augmented batches: the rows as read, transformed, and scaled to floats (made on first use). */
  private aug: { src: Uint8Array; out: Uint8Array; rows: Float32Array } | null = null;
  /** One tensor per batch size (the full batch and the last, partial one). */
  private readonly tensors = new Map<number, { x: Tensor; y: Uint8Array }>();

  constructor(readonly data: Dataset, readonly maxRows: number) {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new ShapeError(`BatchLoader: expected maxRows to be a positive integer, got ${maxRows}`);
    const table = data.values !== undefined;
    this.gatherer = table ? null : new ByteRowGather(maxRows, data.features);
    this.gatherer?.use(data.x, data.count);
    this.rows = table ? allocFloat32(maxRows * data.features) : null;
    this.y = new Uint8Array(maxRows);
  }

  /**
   * Picks up pixels changed in place since the loader was made (the data set
   * is read as it is when a loader is made or refreshed: fit makes one per
   * call, evaluate refreshes its own each call).
   */
  refresh(): void {
    this.gatherer?.use(this.data.x, this.data.count);
  }

  /**
   * Rows order[start … start+count) as a [count, features] tensor and their
   * labels (both reused by the next call); with `augment`, each image
   * transformed by augmentImages with its generator first (byte images only).
   */
  load(order: Uint32Array, start: number, count: number, augment?: { aug: Augmentation; rng: Rng; shape: readonly number[] }): { x: Tensor; y: Uint8Array } {
    const { data } = this;
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 1 && count <= this.maxRows && start + count <= order.length)) {
      throw new ShapeError(`BatchLoader: rows [${start}, ${start + count}) do not fit the order of length ${order.length} and batches of at most ${this.maxRows}`);
    }
    for (let r = 0; r < count; r++) {
      const row = order[start + r];
      if (row >= data.count) throw new ShapeError(`BatchLoader: order[${start + r}] = ${row} is not a row of a dataset of ${data.count}`);
      this.y[r] = data.y[row];
    }
    const x = augment !== undefined && this.gatherer !== null ? this.augmented(order, start, count, augment) : (this.gatherer?.gather(order, start, count) ?? this.tableRows(order, start, count));
    let batch = this.tensors.get(count);
    if (batch === undefined || batch.x !== x) {
      batch = { x, y: this.y.subarray(0, count) };
      this.tensors.set(count, batch);
    }
    return batch;
  }

  /**
   * Byte rows order[start … start+count) transformed, then scaled to [0, 1]
   * into one float buffer. Not through the kernels' compressed images: those
   * are built once per data set, and a batch that is new every time would
   * build (and keep) a new one each step.
   */
  private augmented(order: Uint32Array, start: number, count: number, augment: { aug: Augmentation; rng: Rng; shape: readonly number[] }): Tensor {
    const { features } = this.data;
    this.aug ??= { src: new Uint8Array(this.maxRows * features), out: new Uint8Array(this.maxRows * features), rows: allocFloat32(this.maxRows * features) };
    const { src, out, rows } = this.aug;
    for (let r = 0; r < count; r++) {
      const row = order[start + r];
      src.set(this.data.x.subarray(row * features, (row + 1) * features), r * features);
    }
    augmentImages(out, src, count, augment.shape, augment.aug, augment.rng);
    bytesToUnitJs(rows, 0, out, 0, count * features);
    return this.rowsTensor(rows, count);
  }

  /** A table's rows order[start … start+count) as they are, one tensor per count (reused). */
  private tableRows(order: Uint32Array, start: number, count: number): Tensor {
    const { values, features } = this.data as Dataset & { values: Float32Array };
    const rows = this.rows as Float32Array;
    for (let r = 0; r < count; r++) {
      const row = order[start + r];
      rows.set(values.subarray(row * features, (row + 1) * features), r * features);
    }
    return this.rowsTensor(rows, count);
  }

  /** The first `count` rows of `rows` as a [count, features] tensor: the one made for this count last time, if it views the same floats. */
  private rowsTensor(rows: Float32Array, count: number): Tensor {
    const cached = this.tensors.get(count)?.x;
    if (cached !== undefined && cached.data.buffer === rows.buffer && cached.data.byteOffset === rows.byteOffset) return cached;
    return { data: rows.subarray(0, count * this.data.features), shape: [count, this.data.features] };
  }
}
