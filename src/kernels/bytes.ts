import { inKernelMemory } from './memory.js';
import type { SparseRows } from './sparse.js';
import { wasm } from './wasm/instance.js';

/**
 * float32(byte / 255) for every byte: the exact float32 of the tutorial's
 * `X / 255.0` (multiplying by a rounded 1/255 is off by an ulp for some bytes).
 */
export const BYTE_TO_UNIT = (() => {
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) table[b] = b / 255;
  return table;
})();

/** out[outOffset + i] = src[srcOffset + i] / 255 for i < n (the JS path). */
export function bytesToUnitJs(out: Float32Array, outOffset: number, src: Uint8Array, srcOffset: number, n: number): void {
  const table = BYTE_TO_UNIT;
  for (let i = 0; i < n; i++) out[outOffset + i] = table[src[srcOffset + i]];
}

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
