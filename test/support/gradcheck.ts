import assert from 'node:assert/strict';
import type { Tensor } from '../../src/kernels/tensor.js';
import { Dense } from '../../src/layers/dense.js';
import { Rng } from '../../src/rng.js';

/**
 * Central-difference gradient check, accumulated in float64: for a sample of
 * indices i of `values` (or the given `indices`), compares (L(v + h) − L(v − h)) / (v⁺ − v⁻) with
 * `analytic[i]`, where v± are the float32 values actually stored.
 */
export function gradCheck(
  what: string,
  loss: () => number,
  values: Float32Array,
  analytic: Float32Array,
  { h = 1e-2, rtol = 2e-3, atol = 1e-4, samples = 40, seed = 1, indices = undefined as readonly number[] | undefined } = {},
): void {
  const rng = new Rng(seed);
  indices ??= values.length <= samples ? [...values.keys()] : Array.from({ length: samples }, () => rng.int(values.length));
  const expected = Float32Array.from(analytic); // the analytic grad may live in a buffer that loss() reuses
  for (const i of indices) {
    const v = values[i];
    values[i] = v + h;
    const plus = values[i];
    const lPlus = loss();
    values[i] = v - h;
    const minus = values[i];
    const lMinus = loss();
    values[i] = v;
    const numeric = (lPlus - lMinus) / (plus - minus);
    const err = Math.abs(numeric - expected[i]);
    assert.ok(
      err <= atol + rtol * Math.abs(numeric),
      `${what}[${i}]: numeric ${numeric}, analytic ${expected[i]} (|Δ| = ${err})`,
    );
  }
}

/** Σ_i a[i] · b[i] in float64. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** A Float32Array of n normal deviates times `scale`. */
export function randn(rng: Rng, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * scale;
  return out;
}

/** A deliberately wrong Dense, for tests that a gradient check catches it: its bias gradient is twice Σ_rows G. */
export class DoubledBiasGrad extends Dense {
  override backward(input: Tensor, gradOutput: Tensor): Tensor {
    const gradInput = super.backward(input, gradOutput);
    this.bias.grad.forEach((g, i) => (this.bias.grad[i] = 2 * g));
    return gradInput;
  }
}
