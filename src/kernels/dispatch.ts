import * as js from './elementwise.js';
import { blockedProduct, takesBlocked } from './gemm.js';
import * as blocked from './matmul.js';
import { inKernelMemory } from './memory.js';
import { nonzerosOf, sparseMatmul, sparseMatmulTransA } from './sparse.js';
import type { Tensor } from './tensor.js';
import { wasm } from './wasm/instance.js';

/**
 * The kernels layers call. Each runs the WebAssembly SIMD version when its
 * arrays live in the kernels' memory (see memory.ts) and the register-blocked
 * JS version otherwise; both are held to the plain references in tests.
 * Arguments are those of the JS kernels: output first, then inputs and sizes.
 * The products with X on the left (matmul, matmulTransA) walk only X's
 * nonzeros when X is mostly zeros (see sparse.ts for when): same results.
 */

/**
 * out (m×n) = a (m×k) · b (k×n). `a` may be a tensor (a batch): a gathered
 * batch's nonzeros then stand in for its floats, which are never read.
 */
export function matmul(out: Float32Array, a: Float32Array | Tensor, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const sparse = wasm === null || !inKernelMemory(out, b) ? null : nonzerosOf(a, m, k);
  if (sparse !== null) return sparseMatmul(out, sparse, b, n);
  const x = a instanceof Float32Array ? a : a.data;
  if (wasm !== null && inKernelMemory(out, x, b)) {
    if (!(takesBlocked('nn', m, k, n) && blockedProduct('nn', out, x, b, m, k, n))) wasm.matmul(out.byteOffset, x.byteOffset, b.byteOffset, m, k, n);
  } else blocked.matmul(out, x, b, m, k, n);
  return out;
}

/** out (m×n) = aᵀ · b, a stored k×m, b k×n; `a` may be a tensor, as in matmul. */
export function matmulTransA(out: Float32Array, a: Float32Array | Tensor, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const sparse = wasm === null || !inKernelMemory(out, b) ? null : nonzerosOf(a, k, m);
  if (sparse !== null) return sparseMatmulTransA(out, sparse, b, n);
  const x = a instanceof Float32Array ? a : a.data;
  if (wasm !== null && inKernelMemory(out, x, b)) {
    if (!(takesBlocked('tn', m, k, n) && blockedProduct('tn', out, x, b, m, k, n))) wasm.matmulTransA(out.byteOffset, x.byteOffset, b.byteOffset, m, k, n);
  } else blocked.matmulTransA(out, x, b, m, k, n);
  return out;
}

/** out (m×n) = a (m×k) · bᵀ, b stored n×k. */
export function matmulTransB(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  if (wasm !== null && inKernelMemory(out, a, b)) {
    if (!(takesBlocked('nt', m, k, n) && blockedProduct('nt', out, a, b, m, k, n))) wasm.matmulTransB(out.byteOffset, a.byteOffset, b.byteOffset, m, k, n);
  } else blocked.matmulTransB(out, a, b, m, k, n);
  return out;
}

/** out[r, c] += bias[c], in place; out rows×cols. */
export function addBias(out: Float32Array, bias: Float32Array, rows: number, cols: number): Float32Array {
  if (wasm !== null && inKernelMemory(out, bias)) wasm.addBias(bias.byteOffset, out.byteOffset, rows, cols);
  else js.addBias(out, bias, rows, cols);
  return out;
}

/** out[c] = Σ_r a[r, c]; a rows×cols (the bias gradient). */
export function sumColumns(out: Float32Array, a: Float32Array, rows: number, cols: number): Float32Array {
  if (wasm !== null && inKernelMemory(out, a)) wasm.sumColumns(out.byteOffset, a.byteOffset, rows, cols);
  else js.sumColumns(out, a, rows, cols);
  return out;
}

/** y ← y + alpha · x. */
export function axpy(y: Float32Array, alpha: number, x: Float32Array): Float32Array {
  if (wasm !== null && inKernelMemory(y, x)) wasm.axpy(y.byteOffset, alpha, x.byteOffset, y.length);
  else js.axpy(y, alpha, x);
  return y;
}

/** out = max(x, 0). */
export function reluForward(out: Float32Array, x: Float32Array): Float32Array {
  if (wasm !== null && inKernelMemory(out, x)) wasm.reluForward(out.byteOffset, x.byteOffset, x.length);
  else js.reluForward(out, x);
  return out;
}

/** out = g where x > 0, else 0. */
export function reluBackward(out: Float32Array, x: Float32Array, g: Float32Array): Float32Array {
  if (wasm !== null && inKernelMemory(out, x, g)) wasm.reluBackward(out.byteOffset, x.byteOffset, g.byteOffset, x.length);
  else js.reluBackward(out, x, g);
  return out;
}

/** Which implementation the kernels use in this process. */
export const kernelBackend: 'wasm-simd' | 'js' = wasm === null ? 'js' : 'wasm-simd';

/** Whether the cache-blocked products use fused multiply-adds (SCRATCHNET_FMA=1 on an engine with relaxed SIMD; wasm/instance.ts). */
export { fusedMultiplyAdd } from './wasm/instance.js';
