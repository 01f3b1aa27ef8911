import { bytesToUnitJs } from './bytes.js';
import { allocFloat32, allocInt32, allocUint8, inKernelMemory } from './memory.js';
import { CompressedImages, keepNonzeros, SPARSE_MAX_ROWS, SparseRows } from './sparse.js';
import type { Tensor } from './tensor.js';
import { wasm } from './wasm/instance.js';

/**
 * Byte images (rows × cols) to floats in [0, 1] in `out`, and — with the SIMD
 * kernels and a `sparse` to fill — their nonzeros in compressed rows in the
 * same pass. Returns whether `sparse` was filled (else its rows is 0).
 */
export function bytesToUnit(out: Float32Array, src: Uint8Array, rows: number, cols: number, sparse: SparseRows | null): boolean {
  if (wasm !== null && inKernelMemory(out, src)) {
    const fill = sparse !== null && sparse.usable && rows <= sparse.maxRows;
    const nnz = fill
      ? wasm.bytesToUnit(out.byteOffset, sparse.idx.byteOffset, sparse.val.byteOffset, sparse.rowEnd.byteOffset, src.byteOffset, rows, cols)
      : wasm.bytesToUnit(out.byteOffset, 0, 0, 0, src.byteOffset, rows, cols);
    if (fill) sparse.setRows(rows, nnz);
    else if (sparse !== null) sparse.setRows(0, 0);
    return fill;
  }
  bytesToUnitJs(out, 0, src, 0, rows * cols);
  sparse?.setRows(0, 0);
  return false;
}

/**
 * Each byte image set compressed once (see CompressedImages), shared by every
 * gatherer of it, with a fingerprint of the bytes it was compressed from: a
 * gatherer pointed at the set again recompresses it if its pixels changed in
 * place.
 */
const compressed = new WeakMap<Uint8Array, { images: CompressedImages | null; count: number; cols: number; print: string }>();

function compressedImages(x: Uint8Array, count: number, cols: number): CompressedImages | null {
  const print = fingerprint(x);
  let entry = compressed.get(x);
  if (entry === undefined || entry.print !== print || entry.count !== count || entry.cols !== cols) {
    entry = { images: CompressedImages.build(x, count, cols), count, cols, print };
    compressed.set(x, entry);
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
 * Gathers batches of byte images (0–255, one image of `cols` pixels a row)
 * as tensors of floats in [0, 1], in one buffer it owns, so a training loop
 * allocates nothing per step. Where the SIMD kernels run, each batch's
 * nonzeros are built with it and kept for the matrix products (see
 * sparse.ts), and a sparse enough set (MNIST) is compressed once and its
 * batches gathered from the nonzeros alone, without touching the zeros:
 * such a batch writes its floats out the first time its `data` is read (a
 * Dense first layer never reads it: the products take its nonzeros).
 * Otherwise the chosen rows' bytes are copied side by side and converted in
 * one pass.
 */
export class ByteRowGather {
  private readonly x: Float32Array;
  private readonly sparse: SparseRows | null;
  /** The batch's row numbers, for gathering from `images`. */
  private readonly rows: Int32Array;
  private stage: Uint8Array = new Uint8Array(0);
  private images: CompressedImages | null = null;
  private source: Uint8Array = new Uint8Array(0);
  /** One batch tensor per batch size (the full batch and the last, partial one). */
  private readonly batches = new Map<number, Tensor>();
  /** Whether the last gathered batch's floats are still to be written from its nonzeros. */
  private pending = false;

  constructor(readonly maxRows: number, readonly cols: number) {
    this.x = allocFloat32(maxRows * cols);
    this.sparse = maxRows <= SPARSE_MAX_ROWS ? new SparseRows(maxRows, cols) : null;
    this.rows = allocInt32(maxRows);
  }

  /**
   * Gathers from `x` (count images) from now on, reading its pixels as they
   * are now: call it again after changing them in place.
   */
  use(x: Uint8Array, count: number): void {
    const gatherable = this.sparse !== null && this.sparse.usable && inKernelMemory(this.x, this.rows);
    this.images = gatherable ? compressedImages(x, count, this.cols) : null;
    this.source = x;
    const size = this.images === null ? this.maxRows * this.cols : 0;
    if (this.stage.length !== size) this.stage = size === 0 ? new Uint8Array(0) : allocUint8(size);
    this.pending = false;
  }

  /**
   * Images order[start … start+count) as floats byte / 255, a [count, cols]
   * tensor (reused: the next call overwrites it). The caller checks that
   * the rows exist and count ≤ maxRows.
   */
  gather(order: Uint32Array, start: number, count: number): Tensor {
    const { cols, images, rows, stage, sparse } = this;
    const batch = this.batch(count);
    if (images !== null) {
      for (let r = 0; r < count; r++) rows[r] = order[start + r];
      images.gather(rows, count, sparse as SparseRows);
      this.pending = true;
      return batch;
    }
    const source = this.source;
    for (let r = 0; r < count; r++) {
      const row = order[start + r];
      stage.set(source.subarray(row * cols, (row + 1) * cols), r * cols);
    }
    bytesToUnit(this.x.subarray(0, count * cols), stage, count, cols, sparse);
    return batch;
  }

  /** The tensor of batches of `count` rows: its `data` writes the floats of a gathered batch when first read. */
  private batch(count: number): Tensor {
    let batch = this.batches.get(count);
    if (batch === undefined) {
      const view = this.x.subarray(0, count * this.cols);
      const sparse = this.sparse;
      const gatherer = this;
      batch = {
        shape: [count, this.cols],
        get data(): Float32Array {
          // (Only the latest batch can be pending: a tensor of another size was overwritten anyway.)
          return gatherer.fill(view, count);
        },
      };
      if (sparse !== null) keepNonzeros(batch, sparse);
      this.batches.set(count, batch);
    }
    return batch;
  }

  /** `view` with the last gathered batch's floats written in, if they are still pending. */
  private fill(view: Float32Array, count: number): Float32Array {
    const sparse = this.sparse;
    if (this.pending && sparse !== null && sparse.rows === count) {
      view.fill(0);
      sparse.scatter(view);
      this.pending = false;
    }
    return view;
  }
}
