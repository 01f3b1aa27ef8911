import { ShapeError } from '../errors.js';
import { bytesToUnit } from '../kernels/bytes.js';
import { allocFloat32, allocInt32, allocUint8, inKernelMemory } from '../kernels/memory.js';
import { CompressedImages, SparseRows } from '../kernels/sparse.js';
import type { Tensor } from '../kernels/tensor.js';
import type { Dataset } from './dataset.js';

/** Batches this size or smaller also carry their nonzeros (see Tensor.sparse). */
const SPARSE_MAX_ROWS = 256;

/**
 * Each dataset's images compressed once (see CompressedImages), shared by
 * every loader of it (fit's, and evaluate's for the validation set); null
 * when they cannot be.
 */
const compressed = new WeakMap<Dataset, CompressedImages | null>();

function compressedImages(data: Dataset): CompressedImages | null {
  let images = compressed.get(data);
  if (images === undefined) {
    images = CompressedImages.build(data.x, data.count, data.features);
    compressed.set(data, images);
  }
  return images;
}

/**
 * Gathers batches of a dataset into buffers it owns, so that a training loop
 * allocates nothing per step. With the SIMD kernels and a sparse enough
 * dataset (MNIST), its nonzeros are compressed once and a batch is gathered
 * from them straight into floats in [0, 1] and into the compressed rows the
 * first Dense layer's sparse path uses. Otherwise the chosen rows' bytes are
 * copied side by side and turned into floats (and nonzeros, where the kernels
 * run) in one pass.
 */
export class BatchLoader {
  private readonly stage: Uint8Array;
  private readonly x: Float32Array;
  private readonly y: Uint8Array;
  private readonly sparse: SparseRows | null;
  private readonly images: CompressedImages | null;
  /** The batch's row numbers, for gathering from `images`. */
  private readonly rows: Int32Array;
  /** One tensor per batch size (the full batch and the last, partial one). */
  private readonly tensors = new Map<number, { x: Tensor; y: Uint8Array }>();

  constructor(readonly data: Dataset, readonly maxRows: number) {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new ShapeError(`BatchLoader: expected maxRows to be a positive integer, got ${maxRows}`);
    this.x = allocFloat32(maxRows * data.features);
    this.y = new Uint8Array(maxRows);
    this.sparse = maxRows <= SPARSE_MAX_ROWS ? new SparseRows(maxRows, data.features) : null;
    this.rows = allocInt32(maxRows);
    const images = this.sparse?.usable && inKernelMemory(this.x, this.rows) ? compressedImages(data) : null;
    this.images = images;
    // Only the byte path stages rows.
    this.stage = images === null ? allocUint8(maxRows * data.features) : new Uint8Array(0);
  }

  /** Rows order[start … start+count) as a [count, features] tensor and their labels (both reused by the next call). */
  load(order: Uint32Array, start: number, count: number): { x: Tensor; y: Uint8Array } {
    const { data, stage, images, rows } = this;
    const features = data.features;
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 1 && count <= this.maxRows && start + count <= order.length)) {
      throw new ShapeError(`BatchLoader: rows [${start}, ${start + count}) do not fit the order of length ${order.length} and batches of at most ${this.maxRows}`);
    }
    for (let r = 0; r < count; r++) {
      const row = order[start + r];
      if (row >= data.count) throw new ShapeError(`BatchLoader: order[${start + r}] = ${row} is not a row of a dataset of ${data.count}`);
      if (images === null) stage.set(data.x.subarray(row * features, (row + 1) * features), r * features);
      else rows[r] = row;
      this.y[r] = data.y[row];
    }
    let batch = this.tensors.get(count);
    if (batch === undefined) {
      batch = {
        x: { data: this.x.subarray(0, count * features), shape: [count, features], sparse: this.sparse ?? undefined },
        y: this.y.subarray(0, count),
      };
      this.tensors.set(count, batch);
    }
    if (images !== null) images.gather(rows, count, this.sparse as SparseRows, batch.x.data);
    else bytesToUnit(batch.x.data, stage, count, features, this.sparse);
    return batch;
  }
}
