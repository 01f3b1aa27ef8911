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
 * every loader of it (each fit call's, and evaluate's for the validation
 * set), with what they were compressed from: a loader made later, or
 * refreshed, recompresses a set whose pixels changed in place.
 */
const compressed = new WeakMap<Dataset, { images: CompressedImages | null; x: Uint8Array; print: string }>();

function compressedImages(data: Dataset): CompressedImages | null {
  const print = fingerprint(data.x);
  let entry = compressed.get(data);
  if (entry === undefined || entry.x !== data.x || entry.print !== print || entry.images?.count !== data.count || entry.images.cols !== data.features) {
    entry = { images: CompressedImages.build(data.x, data.count, data.features), x: data.x, print };
    compressed.set(data, entry);
  }
  return entry.images;
}

/**
 * A hash of the bytes that any change of them alters (each 32-bit word
 * enters a multiply-add chain with an odd multiplier, four chains side by
 * side): 54,000 MNIST images take about 6 ms.
 */
export function fingerprint(x: Uint8Array): string {
  const head = (4 - (x.byteOffset & 3)) & 3;
  const words = new Int32Array(x.buffer, x.byteOffset + head, Math.max(0, x.length - head) >> 2);
  const m = 0x01000193;
  let h0 = 0;
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  const n4 = words.length & ~3;
  for (let i = 0; i < n4; i += 4) {
    h0 = (Math.imul(h0, m) + words[i]) | 0;
    h1 = (Math.imul(h1, m) + words[i + 1]) | 0;
    h2 = (Math.imul(h2, m) + words[i + 2]) | 0;
    h3 = (Math.imul(h3, m) + words[i + 3]) | 0;
  }
  // The words past the last group of four, and the bytes outside whole words.
  for (let i = n4; i < words.length; i++) h0 = (Math.imul(h0, m) + words[i]) | 0;
  for (let i = 0; i < head; i++) h1 = (Math.imul(h1, m) + x[i]) | 0;
  for (let i = head + 4 * words.length; i < x.length; i++) h2 = (Math.imul(h2, m) + x[i]) | 0;
  return `${x.length}:${h0}:${h1}:${h2}:${h3}`;
}

/**
 * Gathers batches of a dataset into buffers it owns, so that a training loop
 * allocates nothing per step. With the SIMD kernels and a sparse enough
 * dataset (MNIST), its nonzeros are compressed once and a batch is gathered
 * from them straight into the compressed rows the first Dense layer's sparse
 * path uses; its floats in [0, 1] are written only if something asks for
 * them (Tensor.fillData). Otherwise the chosen rows' bytes are
 * copied side by side and turned into floats (and nonzeros, where the kernels
 * run) in one pass.
 */
export class BatchLoader {
  private stage: Uint8Array = new Uint8Array(0);
  private readonly x: Float32Array;
  private readonly y: Uint8Array;
  private readonly sparse: SparseRows | null;
  private images: CompressedImages | null;
  /** The batch's row numbers, for gathering from `images`. */
  private readonly rows: Int32Array;
  /** One tensor per batch size (the full batch and the last, partial one). */
  private readonly tensors = new Map<number, { x: Tensor; y: Uint8Array }>();
  /** Whether the last batch's dense floats are still to be written (see Tensor.fillData). */
  private dataPending = false;

  constructor(readonly data: Dataset, readonly maxRows: number) {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new ShapeError(`BatchLoader: expected maxRows to be a positive integer, got ${maxRows}`);
    this.x = allocFloat32(maxRows * data.features);
    this.y = new Uint8Array(maxRows);
    this.sparse = maxRows <= SPARSE_MAX_ROWS ? new SparseRows(maxRows, data.features) : null;
    this.rows = allocInt32(maxRows);
    this.images = this.canGather() ? compressedImages(data) : null;
    this.stage = this.stageFor(this.images);
  }

  /**
   * Picks up pixels changed in place since the loader was made (the data set
   * is read as it is when a loader is made or refreshed: fit makes one per
   * call, evaluate refreshes its own each call).
   */
  refresh(): void {
    if (!this.canGather()) return;
    this.images = compressedImages(this.data);
    this.stage = this.stageFor(this.images);
  }

  /** The byte path stages a batch's rows; gathering from compressed images needs no stage. */
  private stageFor(images: CompressedImages | null): Uint8Array {
    const size = images === null ? this.maxRows * this.data.features : 0;
    return this.stage.length === size ? this.stage : size === 0 ? new Uint8Array(0) : allocUint8(size);
  }

  private canGather(): boolean {
    return this.sparse !== null && this.sparse.usable && inKernelMemory(this.x, this.rows);
  }

  /** Rows order[start … start+count) as a [count, features] tensor and their labels (both reused by the next call). */
  load(order: Uint32Array, start: number, count: number): { x: Tensor; y: Uint8Array } {
    const { data, images, rows, stage } = this;
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
      const x = this.x.subarray(0, count * features);
      const sparse = this.sparse;
      batch = {
        x: {
          data: x,
          shape: [count, features],
          sparse: sparse ?? undefined,
          fillData: () => {
            // (Only the latest batch can be pending; an older tensor of another size is stale anyway.)
            if (!this.dataPending || (sparse as SparseRows).rows !== count) return;
            (sparse as SparseRows).toDense(x);
            this.dataPending = false;
          },
        },
        y: this.y.subarray(0, count),
      };
      this.tensors.set(count, batch);
    }
    // Gathered batches leave their dense floats to fillData: the first Dense
    // layer's sparse path never reads them (~5 ms an MNIST epoch).
    if (images !== null) images.gather(rows, count, this.sparse as SparseRows);
    else bytesToUnit(batch.x.data, stage, count, features, this.sparse);
    this.dataPending = images !== null;
    return batch;
  }
}
