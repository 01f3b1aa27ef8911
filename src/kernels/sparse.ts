import { allocFloat32, allocInt32, inKernelMemory } from './memory.js';
import { wasm } from './wasm/instance.js';

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
