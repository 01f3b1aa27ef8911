import { allocFloat32, allocInt32, allocUint16, allocUint8, inKernelMemory } from './memory.js';
import { wasm } from './wasm/instance.js';

/**
 * A Dense layer takes the sparse path (X·W and Xᵀ·G over the nonzeros of X
 * only) when at most this fraction of a training-sized batch is nonzero:
 * MNIST pixels are ~19 % nonzero; the sparse loops lose to the dense ones
 * past about half. Denser image sets are not compressed either.
 */
export const SPARSE_MAX_DENSITY = 0.5;

/**
 * A batch's nonzeros in compressed sparse rows (in the kernels' memory), for
 * the sparse path of a Dense layer: MNIST images are 81 % zeros, so X·W and
 * Xᵀ·G over the nonzeros alone do a fifth of the work. WebAssembly only.
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

  /** Records that the buffers now hold `rows` rows with `nnz` nonzeros (rows 0: nothing valid). */
  setRows(rows: number, nnz: number): void {
    this.rows = rows;
    this.nnz = nnz;
  }
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

/** Rows of byte images copied into kernel memory at a time while compressing. */
const COMPRESS_CHUNK_ROWS = 256;

/**
 * A whole set of byte images (0–255) as their nonzeros, kept in the kernels'
 * memory for the life of the training run: column indices as u16 and the
 * bytes themselves, 3 bytes per nonzero (MNIST's 54,000 training images: 24 MB
 * instead of 42 MB of pixels). A batch is then gathered straight into the
 * compressed rows and dense floats the first Dense layer takes, without
 * touching the zeros. WebAssembly only.
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

  /**
   * Compresses `count` byte images of `cols` pixels, or returns null when the
   * SIMD kernels are missing, an image is too wide for u16 indices, the
   * images are too dense for the sparse path (see SPARSE_MAX_DENSITY) or the
   * kernels' memory has no room (callers then convert the bytes per batch).
   */
  static build(x: Uint8Array, count: number, cols: number): CompressedImages | null {
    if (wasm === null || cols > 0xffff || count < 1 || x.length < count * cols) return null;
    const chunkRows = Math.min(count, COMPRESS_CHUNK_ROWS);
    const stage = allocUint8(chunkRows * cols);
    const rowStart = allocInt32(count + 1);
    if (!inKernelMemory(stage, rowStart)) return null;
    // Pass 1 counts (and fills rowStart), pass 2 copies the nonzeros.
    let total = 0;
    for (let first = 0; first < count; first += chunkRows) {
      const rows = Math.min(chunkRows, count - first);
      stage.set(x.subarray(first * cols, (first + rows) * cols));
      total += wasm.compressByteRows(stage.byteOffset, rows, cols, rowStart.byteOffset + 4 * (first + 1), 0, 0, total);
    }
    if (total > SPARSE_MAX_DENSITY * count * cols) return null;
    const idx = allocUint16(Math.max(total, 1));
    const val = allocUint8(Math.max(total, 1));
    if (!inKernelMemory(idx, val)) return null;
    for (let first = 0, at = 0; first < count; first += chunkRows) {
      const rows = Math.min(chunkRows, count - first);
      stage.set(x.subarray(first * cols, (first + rows) * cols));
      at += wasm.compressByteRows(stage.byteOffset, rows, cols, 0, idx.byteOffset + 2 * at, val.byteOffset + at, 0);
    }
    return new CompressedImages(count, cols, rowStart, idx, val);
  }

  /**
   * The images rows[0 … count) (each < this.count, and count ≤ sparse.maxRows,
   * checked by the caller; every array in kernel memory) into `sparse` and
   * into `dense` (count × cols floats, byte / 255).
   */
  gather(rows: Int32Array, count: number, sparse: SparseRows, dense: Float32Array): void {
    const nnz = (wasm as NonNullable<typeof wasm>).gatherByteRows(
      rows.byteOffset, count, this.rowStart.byteOffset, this.idx.byteOffset, this.val.byteOffset,
      sparse.idx.byteOffset, sparse.val.byteOffset, sparse.rowEnd.byteOffset, dense.byteOffset, this.cols,
    );
    sparse.setRows(count, nnz);
  }
}
