import * as js from './elementwise.js';
import * as blocked from './matmul.js';
import { allocFloat64, inKernelMemory } from './memory.js';
import { nonzerosOf, sparseMatmul, sparseMatmulTransA } from './sparse.js';
import { wasm } from './wasm/instance.js';

/**
 * The kernels layers call. Each runs the WebAssembly SIMD version when its
 * arrays live in the kernels' memory (see memory.ts) and the register-blocked
 * JS version otherwise; both are held to the plain references in tests.
 * Arguments are those of the JS kernels: output first, then inputs and sizes.
 * The products with X on the left (matmul, matmulTransA) walk only X's
 * nonzeros when X is mostly zeros (see sparse.ts for when): same results.
 */

/** out (m×n) = a (m×k) · b (k×n). */
export function matmul(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  if (wasm !== null && inKernelMemory(out, a, b)) {
    const sparse = nonzerosOf(a, m, k);
    if (sparse !== null) sparseMatmul(out, sparse, b, n);
    else wasm.matmul(out.byteOffset, a.byteOffset, b.byteOffset, m, k, n);
  } else blocked.matmul(out, a, b, m, k, n);
  return out;
}

/** out (m×n) = aᵀ · b, a stored k×m, b k×n. */
export function matmulTransA(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  if (wasm !== null && inKernelMemory(out, a, b)) {
    const sparse = nonzerosOf(a, k, m);
    if (sparse !== null) sparseMatmulTransA(out, sparse, b, n);
    else wasm.matmulTransA(out.byteOffset, a.byteOffset, b.byteOffset, m, k, n);
  } else blocked.matmulTransA(out, a, b, m, k, n);
  return out;
}

/** out (m×n) = a (m×k) · bᵀ, b stored n×k. */
export function matmulTransB(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  if (wasm !== null && inKernelMemory(out, a, b)) wasm.matmulTransB(out.byteOffset, a.byteOffset, b.byteOffset, m, k, n);
  else blocked.matmulTransB(out, a, b, m, k, n);
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

/** The constants of one Adam/AdamW step (see optim/adam.ts). */
export interface AdamStepConstants {
  beta1: number;
  beta2: number;
  eps: number;
  /** Coupled weight decay λ (Adam), else 0. */
  coupled: number;
  /** 1 − α·λ (AdamW's decoupled decay), else 1. */
  shrink: number;
  /** α / (1 − β1ᵗ). */
  stepSize: number;
  /** 1 / (1 − β2ᵗ). */
  invCorrection2: number;
}

/**
 * The Adam update of `value` from `grad` and the moments `m`, `v`, on the
 * SIMD kernel, which does the float64 operations of AdamBase.step's loop in
 * its order (so bit for bit the same). Returns false, doing nothing, when the
 * arrays are not all in kernel memory: the caller then runs its loop.
 */
export function adamStepSimd(value: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, c: AdamStepConstants): boolean {
  if (wasm === null || !inKernelMemory(value, grad) || !inKernelMemory(m, v)) return false;
  wasm.adamStep(
    value.byteOffset, grad.byteOffset, m.byteOffset, v.byteOffset, value.length,
    c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.coupled, c.shrink, c.stepSize, c.invCorrection2, c.eps,
  );
  return true;
}

// NOTE: the optimizer kernels below mirror the loops in optim/sgd.ts,
// optim/rmsprop.ts and optim/adagrad.ts in float64, operation for operation;
// each returns false, doing nothing, when its arrays are not all in kernel
// memory, and the optimizer then runs its loop.

/** SGD with momentum (PyTorch's: dampening `1 − keep`, Nesterov, coupled decay `wd`); `first` is step 1. */
export function sgdMomentumStepSimd(
  value: Float32Array,
  grad: Float32Array,
  v: Float32Array,
  c: { lr: number; mu: number; keep: number; wd: number; first: boolean; nesterov: boolean },
): boolean {
  if (wasm === null || !inKernelMemory(value, grad, v)) return false;
  wasm.sgdMomentumStep(value.byteOffset, grad.byteOffset, v.byteOffset, value.length, c.lr, c.mu, c.keep, c.wd, c.first ? 1 : 0, c.nesterov ? 1 : 0);
  return true;
}

/** RMSprop, with momentum buffer `b` when momentum `mu` > 0 (else null). */
export function rmspropStepSimd(
  value: Float32Array,
  grad: Float32Array,
  v: Float32Array,
  b: Float32Array | null,
  c: { lr: number; alpha: number; eps: number; mu: number; wd: number },
): boolean {
  if (wasm === null || !inKernelMemory(value, grad, v) || (b !== null && !inKernelMemory(b, b))) return false;
  if (b === null) wasm.rmspropStep(value.byteOffset, grad.byteOffset, v.byteOffset, value.length, c.lr, c.alpha, 1 - c.alpha, c.eps, c.mu, c.wd);
  else wasm.rmspropMomentumStep(value.byteOffset, grad.byteOffset, v.byteOffset, b.byteOffset, value.length, c.lr, c.alpha, 1 - c.alpha, c.eps, c.mu, c.wd);
  return true;
}

/** Adagrad with accumulated squares `s`. */
export function adagradStepSimd(value: Float32Array, grad: Float32Array, s: Float32Array, c: { lr: number; eps: number; wd: number }): boolean {
  if (wasm === null || !inKernelMemory(value, grad, s)) return false;
  wasm.adagradStep(value.byteOffset, grad.byteOffset, s.byteOffset, value.length, c.lr, c.eps, c.wd);
  return true;
}

/** y ← y + alpha · x. */
export function axpy(y: Float32Array, alpha: number, x: Float32Array): Float32Array {
  if (wasm !== null && inKernelMemory(y, x)) wasm.axpy(y.byteOffset, alpha, x.byteOffset, y.length);
  else js.axpy(y, alpha, x);
  return y;
}

/** Per-row statistics of softmaxRowsSimd, grown to the largest batch seen. */
let softmaxStats: Float64Array | null = null;

/**
 * Softmax rows on the SIMD kernel (see softmaxRows in wasm/source.ts): for
 * each row r of logits (rows × cols), out_j = float32(float32(e_j) ·
 * (scale / sum)) with e_j = e^(z_j − max), and returns the per-row [sum, max]
 * pairs (float64, valid until the next call). Returns null, doing nothing,
 * when the arrays are not in kernel memory: the caller then runs its loop.
 */
export function softmaxRowsSimd(out: Float32Array, logits: Float32Array, rows: number, cols: number, scale: number): Float64Array | null {
  if (wasm === null || !inKernelMemory(out, logits)) return null;
  if (softmaxStats === null || softmaxStats.length < 2 * rows) {
    const stats = allocFloat64(2 * Math.max(rows, 32));
    if (!inKernelMemory(stats, stats)) return null;
    softmaxStats = stats;
  }
  wasm.softmaxRows(out.byteOffset, logits.byteOffset, rows, cols, softmaxStats.byteOffset, scale);
  return softmaxStats;
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
