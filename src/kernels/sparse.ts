import { BYTE_TO_UNIT } from './bytes.js';
import { allocFloat32, allocInt32, allocUint16, allocUint8, inKernelMemory, kernelMemoryUsage } from './memory.js';
import type { Tensor } from './tensor.js';
import { wasm } from './wasm/instance.js';

// The sparse path: X·W and Xᵀ·G over the nonzeros of X only, for inputs that
// are mostly zeros (MNIST pixels are ~19 % nonzero: a fifth of the work).
// The matmul kernels choose it themselves (see dispatch.ts); every threshold
// of that choice is here.

/**
 * The sparse path is taken when at most this fraction of X is nonzero: the
 * sparse loops lose to the dense ones past about half. Denser image sets are
 * not compressed either.
 */
export const SPARSE_MAX_DENSITY = 0.5;
/**
 * A hidden layer's output, scanned for zeros here, takes the sparse path at
 * no more than this fraction of nonzeros: there the dense side is the
 * cache-blocked kernel (gemm.ts), which the sparse loops, streaming a row of
 * W per nonzero, only beat when most of the work is skipped. Measured on a
 * 784-2048-2048-10 network (ReLU outputs ~30–50 % nonzero), batch 32: 4.9 s
 * an epoch of 2,000 images at 0.5, 2.6 s at 0.25, 2.8 s with no sparse path
 * at all; 784-512-256-10: the same at 0.5 and 0.25.
 */
const SCANNED_MAX_DENSITY = 0.25;
/** Larger batches (evaluation) take the dense kernels, so the compressed buffers stay small. */
export const SPARSE_MAX_ROWS = 256;
/**
 * Inputs narrower than this are not scanned for zeros (a gathered batch,
 * whose nonzeros come with it, still takes the sparse path): for a hidden
 * layer of 64 units the scan costs more than the zeros save (measured).
 */
const SPARSE_MIN_COLS = 256;

/**
 * A batch's nonzeros in compressed sparse rows (in the kernels' memory), for
 * the sparse products. WebAssembly only.
 */
export class SparseRows {
  /** Column index of each nonzero, row by row. */
  readonly idx: Int32Array;
  /** Its value. */
  readonly val: Float32Array;
  /** rowEnd[r]: nonzeros in rows 0 … r. */
  readonly rowEnd: Int32Array;
  /** The rows and nonzeros of the last compressed batch. */
  rows = 0;
  nnz = 0;

  constructor(readonly maxRows: number, readonly cols: number) {
    this.idx = allocInt32(maxRows * cols);
    this.val = allocFloat32(maxRows * cols);
    this.rowEnd = allocInt32(maxRows);
  }

  /** Whether the SIMD kernels can build and use it (WebAssembly present, buffers in its memory). */
  get usable(): boolean {
    return wasm !== null && inKernelMemory(this.idx, this.val, this.rowEnd);
  }

  /** Compresses x (rows × cols, rows ≤ maxRows, in kernel memory); returns the number of nonzeros. */
  compress(x: Float32Array, rows: number): number {
    const nnz = (wasm as NonNullable<typeof wasm>).compressRows(this.idx.byteOffset, this.val.byteOffset, this.rowEnd.byteOffset, x.byteOffset, rows, this.cols);
    this.setRows(rows, nnz);
    return nnz;
  }

  /** The rows as dense floats in `out` (rows × cols): zeros, then each nonzero in its place. */
  toDense(out: Float32Array): Float32Array {
    const { idx, val, rowEnd, cols } = this;
    out.fill(0, 0, this.rows * cols);
    for (let r = 0, t = 0; r < this.rows; r++) {
      for (const end = rowEnd[r]; t < end; t++) out[r * cols + idx[t]] = val[t];
    }
    return out;
  }

  /**
   * Writes the nonzeros into dense rows `out` (rows × cols, in kernel
   * memory), leaving every other entry as it is.
   */
  scatter(out: Float32Array): void {
    (wasm as NonNullable<typeof wasm>).scatterRows(out.byteOffset, this.idx.byteOffset, this.val.byteOffset, this.rowEnd.byteOffset, this.rows, this.cols);
  }

  /** Records that the buffers now hold `rows` rows with `nnz` nonzeros (rows 0: nothing valid). */
  setRows(rows: number, nnz: number): void {
    this.rows = rows;
    this.nnz = nnz;
  }
}

/**
 * The nonzeros of gathered batches, keyed by the batch tensor (see
 * gather.ts): a batch's nonzeros are built as it is gathered, so the
 * products find them without reading its floats at all.
 */
const gathered = new WeakMap<Tensor, SparseRows>();
/** Compressed copies of inputs that come without their nonzeros, one per width. */
const scratch = new Map<number, SparseRows>();

/**
 * Records that `sparse`, whenever its `rows` equals the batch's row count,
 * holds the nonzeros of `batch` (the gatherer keeps both current together).
 */
export function keepNonzeros(batch: Tensor, sparse: SparseRows): void {
  gathered.set(batch, sparse);
}

/**
 * The nonzeros of x (rows × cols; a tensor or its floats) in compressed
 * rows, if the sparse path should take it: a gathered batch's own, or x
 * compressed into scratch here (floats in kernel memory) when x is wide
 * enough to be worth the scan. Null when the dense kernels are the better
 * choice. The SIMD kernels must be present.
 * NOTE: the scratch copy is valid until the next call.
 */
export function nonzerosOf(a: Float32Array | Tensor, rows: number, cols: number): SparseRows | null {
  if (rows > SPARSE_MAX_ROWS) return null;
  let sparse = a instanceof Float32Array ? undefined : gathered.get(a);
  let maxDensity = SPARSE_MAX_DENSITY;
  if (sparse === undefined || sparse.rows !== rows || sparse.cols !== cols) {
    maxDensity = SCANNED_MAX_DENSITY;
    if (cols < SPARSE_MIN_COLS) return null;
    const x = a instanceof Float32Array ? a : a.data;
    if (!inKernelMemory(x, x)) return null;
    sparse = scratch.get(cols);
    if (sparse === undefined || sparse.maxRows < rows) {
      sparse = new SparseRows(Math.max(rows, 32), cols);
      scratch.set(cols, sparse);
    }
    if (!sparse.usable) return null;
    sparse.compress(x, rows);
  }
  return sparse.nnz <= maxDensity * rows * cols ? sparse : null;
}

// NOTE: these take raw addresses: every array must be in kernel memory
// (inKernelMemory), which the caller checks.

/** out (rows × n) = X · b for the compressed X (rows × cols) and b (cols × n). */
export function sparseMatmul(out: Float32Array, x: SparseRows, b: Float32Array, n: number): Float32Array {
  (wasm as NonNullable<typeof wasm>).sparseMatmul(out.byteOffset, x.idx.byteOffset, x.val.byteOffset, x.rowEnd.byteOffset, b.byteOffset, x.rows, n);
  return out;
}

/** out (cols × n) = Xᵀ · g for the compressed X (rows × cols) and g (rows × n). */
export function sparseMatmulTransA(out: Float32Array, x: SparseRows, g: Float32Array, n: number): Float32Array {
  out.fill(0, 0, x.cols * n);
  (wasm as NonNullable<typeof wasm>).sparseMatmulTransA(out.byteOffset, x.idx.byteOffset, x.val.byteOffset, x.rowEnd.byteOffset, g.byteOffset, x.rows, n);
  return out;
}

/** Bytes of images copied into kernel memory at a time while compressing (whole rows, at least one). */
const COMPRESS_CHUNK_BYTES = 256 << 10;

/**
 * Compressed images go into kernel memory only if this much of it stays
 * untouched afterwards, for the params, grads, optimizer state and
 * activations of the models that train on them (a 784-512-256-10 network
 * with Adam needs under 10 MiB); otherwise they stay in ordinary arrays.
 */
const KERNEL_MEMORY_RESERVE = 24 << 20;

/**
 * A whole set of byte images (0–255) as their nonzeros, compressed once
 * (data/batches.ts keeps one per data set): column indices as u16 and the bytes
 * themselves, 3 bytes per nonzero (MNIST's 54,000 training images: 24 MB
 * instead of 42 MB of pixels). A batch is then gathered straight into the
 * compressed rows the first Dense layer takes, without touching the zeros:
 * by a wasm kernel when the set fits in kernel memory (leaving
 * KERNEL_MEMORY_RESERVE free), else by the same loop in JS (same results,
 * more slowly). WebAssembly only.
 */
export class CompressedImages {
  private constructor(
    readonly count: number,
    readonly cols: number,
    /** rowStart[i] … rowStart[i + 1]: image i's nonzeros. */
    readonly rowStart: Int32Array,
    readonly idx: Uint16Array,
    readonly val: Uint8Array,
  ) {}

  /** BYTE_TO_UNIT in kernel memory, for the wasm gather: made with the first set built there, while there is room. */
  private static kernelTable: Float32Array | null = null;

  /** Whether the set lives in kernel memory (batches are gathered by the wasm kernel). */
  get inKernelMemory(): boolean {
    return inKernelMemory(this.rowStart, this.idx, this.val);
  }

  /**
   * Compresses `count` byte images of `cols` pixels, or returns null when the
   * SIMD kernels are missing, an image is too wide for u16 indices, or the
   * images are too dense for the sparse path (see SPARSE_MAX_DENSITY):
   * callers then convert the bytes per batch. `place: 'js'` keeps the set in
   * ordinary arrays whatever the room (for tests).
   */
  static build(x: Uint8Array, count: number, cols: number, place: 'auto' | 'js' = 'auto'): CompressedImages | null {
    // NOTE: counts are int32; a set of 2³¹ pixels or more keeps the byte path.
    if (wasm === null || cols > 0xffff || count < 1 || x.length < count * cols || count * cols >= 2 ** 31) return null;
    const chunkRows = Math.min(count, Math.max(1, Math.floor(COMPRESS_CHUNK_BYTES / cols)));
    const stage = allocUint8(chunkRows * cols);
    const ends = allocInt32(chunkRows);
    if (!inKernelMemory(stage, ends)) return null;
    const k = wasm;
    /** Runs `compress(first, rows)` with rows first … first+rows-1 copied into `stage`. */
    const eachChunk = (compress: (first: number, rows: number) => void): void => {
      for (let first = 0; first < count; first += chunkRows) {
        const rows = Math.min(chunkRows, count - first);
        stage.set(x.subarray(first * cols, (first + rows) * cols));
        compress(first, rows);
      }
    };
    // Pass 1 counts the nonzeros of each row.
    const rowStart = new Int32Array(count + 1);
    eachChunk((first, rows) => {
      k.compressByteRows(stage.byteOffset, rows, cols, ends.byteOffset, 0, 0, rowStart[first]);
      rowStart.set(ends.subarray(0, rows), first + 1);
    });
    const total = rowStart[count];
    if (total > SPARSE_MAX_DENSITY * count * cols) return null;
    // Pass 2 copies them: straight into kernel memory when it keeps its
    // reserve, else through kernel scratch into ordinary arrays.
    const size = Math.max(total, 1);
    const { used, capacity } = kernelMemoryUsage();
    const fits = place === 'auto' && capacity - used - (4 * (count + 1) + 3 * size) >= KERNEL_MEMORY_RESERVE;
    const kernel = fits ? { idx: allocUint16(size), val: allocUint8(size), starts: allocInt32(count + 1) } : null;
    const direct = kernel !== null && inKernelMemory(kernel.idx, kernel.val, kernel.starts);
    const idx = direct ? kernel.idx : new Uint16Array(size);
    const val = direct ? kernel.val : new Uint8Array(size);
    const starts = direct ? kernel.starts : rowStart;
    if (direct) starts.set(rowStart);
    if (direct && CompressedImages.kernelTable === null) {
      const table = allocFloat32(256);
      table.set(BYTE_TO_UNIT);
      if (inKernelMemory(table, idx)) CompressedImages.kernelTable = table;
    }
    const chunkIdx = direct ? idx : allocUint16(chunkRows * cols);
    const chunkVal = direct ? val : allocUint8(chunkRows * cols);
    if (!inKernelMemory(chunkIdx, chunkVal)) return null;
    eachChunk((first, rows) => {
      const at = rowStart[first];
      if (direct) {
        k.compressByteRows(stage.byteOffset, rows, cols, 0, idx.byteOffset + 2 * at, val.byteOffset + at, 0);
      } else {
        const nnz = k.compressByteRows(stage.byteOffset, rows, cols, 0, chunkIdx.byteOffset, chunkVal.byteOffset, 0);
        idx.set(chunkIdx.subarray(0, nnz), at);
        val.set(chunkVal.subarray(0, nnz), at);
      }
    });
    return new CompressedImages(count, cols, starts, idx, val);
  }

  /**
   * The images rows[0 … count) (each < this.count, and count ≤ sparse.maxRows,
   * checked by the caller; rows and sparse in kernel memory) into `sparse`,
   * as floats byte / 255 (`sparse.scatter` writes them out as dense rows).
   */
  gather(rows: Int32Array, count: number, sparse: SparseRows): void {
    const kernelTable = CompressedImages.kernelTable;
    if (this.inKernelMemory && kernelTable !== null) {
      const nnz = (wasm as NonNullable<typeof wasm>).gatherByteRows(
        rows.byteOffset, count, this.rowStart.byteOffset, this.idx.byteOffset, this.val.byteOffset,
        sparse.idx.byteOffset, sparse.val.byteOffset, sparse.rowEnd.byteOffset, kernelTable.byteOffset,
      );
      sparse.setRows(count, nnz);
      return;
    }
    const { rowStart, idx, val } = this;
    const { idx: outIdx, val: outVal, rowEnd } = sparse;
    const table = BYTE_TO_UNIT;
    let nnz = 0;
    for (let r = 0; r < count; r++) {
      for (let t = rowStart[rows[r]], end = rowStart[rows[r] + 1]; t < end; t++, nnz++) {
        outIdx[nnz] = idx[t];
        outVal[nnz] = table[val[t]];
      }
      rowEnd[r] = nnz;
    }
    sparse.setRows(count, nnz);
  }
}
