import { axpy } from './dispatch.js';
import { inKernelMemory } from './memory.js';
import { wasm } from './wasm/instance.js';

/**
 * The optimizers' per-weight updates (see optim/ for each one's math). Each
 * runs on a SIMD kernel when its arrays live in kernel memory, and as the
 * loop below it otherwise; the kernel does the loop's float64 operations in
 * its order, two weights at a time, so both give the same bits (tested).
 * Every function updates `value` and the optimizer's buffers in place.
 */

/** Plain SGD: θ ← θ − lr·(g + wd·θ); with wd = 0 the tutorial's θ ← θ − lr·g. */
export function sgdStep(value: Float32Array, grad: Float32Array, lr: number, wd: number): Float32Array {
  if (wd === 0) return axpy(value, -lr, grad);
  for (let i = 0, n = value.length; i < n; i++) value[i] -= lr * (grad[i] + wd * value[i]);
  return value;
}

/** SGD with momentum `v` (PyTorch's: dampening `1 − keep`, Nesterov, coupled decay `wd`); `first` is step 1. */
export function sgdMomentumStep(
  value: Float32Array,
  grad: Float32Array,
  v: Float32Array,
  c: { lr: number; mu: number; keep: number; wd: number; first: boolean; nesterov: boolean },
): Float32Array {
  const { lr, mu, keep, wd, first, nesterov } = c;
  if (wasm !== null && inKernelMemory(value, grad, v)) {
    wasm.sgdMomentumStep(value.byteOffset, grad.byteOffset, v.byteOffset, value.length, lr, mu, keep, wd, first ? 1 : 0, nesterov ? 1 : 0);
    return value;
  }
  for (let i = 0, n = value.length; i < n; i++) {
    const g = grad[i] + wd * value[i];
    const vi = first ? g : mu * v[i] + keep * g;
    v[i] = vi;
    value[i] -= lr * (nesterov ? g + mu * vi : vi);
  }
  return value;
}

/** RMSprop with mean squares `v`, and momentum buffer `b` when momentum `mu` > 0 (else null). */
export function rmspropStep(
  value: Float32Array,
  grad: Float32Array,
  v: Float32Array,
  b: Float32Array | null,
  c: { lr: number; alpha: number; eps: number; mu: number; wd: number },
): Float32Array {
  const { lr, alpha, eps, mu, wd } = c;
  if (wasm !== null && inKernelMemory(value, grad, v) && (b === null || inKernelMemory(b, b))) {
    if (b === null) wasm.rmspropStep(value.byteOffset, grad.byteOffset, v.byteOffset, value.length, lr, alpha, 1 - alpha, eps, mu, wd);
    else wasm.rmspropMomentumStep(value.byteOffset, grad.byteOffset, v.byteOffset, b.byteOffset, value.length, lr, alpha, 1 - alpha, eps, mu, wd);
    return value;
  }
  for (let i = 0, n = value.length; i < n; i++) {
    const g = grad[i] + wd * value[i];
    const vi = alpha * v[i] + (1 - alpha) * g * g;
    v[i] = vi;
    const d = g / (Math.sqrt(vi) + eps);
    if (b !== null) {
      const bi = mu * b[i] + d;
      b[i] = bi;
      value[i] -= lr * bi;
    } else {
      value[i] -= lr * d;
    }
  }
  return value;
}

/** Adagrad with accumulated squares `s`. */
export function adagradStep(value: Float32Array, grad: Float32Array, s: Float32Array, c: { lr: number; eps: number; wd: number }): Float32Array {
  const { lr, eps, wd } = c;
  if (wasm !== null && inKernelMemory(value, grad, s)) {
    wasm.adagradStep(value.byteOffset, grad.byteOffset, s.byteOffset, value.length, lr, eps, wd);
    return value;
  }
  for (let i = 0, n = value.length; i < n; i++) {
    const g = grad[i] + wd * value[i];
    const si = s[i] + g * g;
    s[i] = si;
    value[i] -= (lr * g) / (Math.sqrt(si) + eps);
  }
  return value;
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

/** Adam/AdamW with moments `m` and `v`. */
export function adamStep(value: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, c: AdamStepConstants): Float32Array {
  const { beta1, beta2, eps, coupled, shrink, stepSize, invCorrection2 } = c;
  if (wasm !== null && inKernelMemory(value, grad) && inKernelMemory(m, v)) {
    wasm.adamStep(
      value.byteOffset, grad.byteOffset, m.byteOffset, v.byteOffset, value.length,
      beta1, 1 - beta1, beta2, 1 - beta2, coupled, shrink, stepSize, invCorrection2, eps,
    );
    return value;
  }
  for (let i = 0, n = value.length; i < n; i++) {
    const theta = value[i];
    const g = grad[i] + coupled * theta;
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    value[i] = theta * shrink - (stepSize * mi) / (Math.sqrt(vi * invCorrection2) + eps);
  }
  return value;
}
