import { allocFloat64, inKernelMemory } from './memory.js';
import { wasm } from './wasm/instance.js';

/**
 * Softmax rows and the softmax cross-entropy of a batch of logits (rows ×
 * cols). The SIMD kernel (softmaxRows in wasm/softmax.ts) runs the loops
 * below with its own e^x, within 1 ulp of Math.exp's: the probabilities and
 * gradients agree in float32, the loss may differ in its last bit.
 */

/** The SIMD kernel's per-row [sum, max] pairs (float64), grown to the largest batch seen. */
let stats: Float64Array | null = null;

/**
 * Runs the SIMD softmax on every row, out_j = float32(float32(e_j) · (scale /
 * sum)) with e_j = e^(z_j − max), and returns its per-row [sum, max] pairs;
 * null (nothing done) where the SIMD kernel cannot take the arrays.
 */
function softmaxRowsWasm(out: Float32Array, logits: Float32Array, rows: number, cols: number, scale: number): Float64Array | null {
  if (wasm === null || !inKernelMemory(out, logits)) return null;
  if (stats === null || stats.length < 2 * rows) {
    const grown = allocFloat64(2 * Math.max(rows, 32));
    if (!inKernelMemory(grown, grown)) return null;
    stats = grown;
  }
  wasm.softmaxRows(out.byteOffset, logits.byteOffset, rows, cols, stats.byteOffset, scale);
  return stats;
}

/** out_r = softmax(z_r) for every row, computed stably: e^(z_j − max z) / Σ_k e^(z_k − max z); out may be logits. */
export function softmaxRows(out: Float32Array, logits: Float32Array, rows: number, cols: number): Float32Array {
  if (softmaxRowsWasm(out, logits, rows, cols, 1) !== null) return out;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(logits[o + j] - max);
      out[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) out[o + j] *= inv;
  }
  return out;
}

/**
 * The mean softmax cross-entropy of the rows against `labels` (class
 * indices), and, when `gradOut` is given, its gradient (softmax(z_r) −
 * onehot(y_r)) / rows written there. Returns the loss.
 */
export function softmaxCrossEntropyRows(gradOut: Float32Array | null, logits: Float32Array, labels: ArrayLike<number>, rows: number, cols: number): number {
  const invRows = 1 / rows;
  let total = 0;
  // The SIMD kernel does the loop below but for the label terms; they follow in the same order.
  const sums = gradOut === null ? null : softmaxRowsWasm(gradOut, logits, rows, cols, invRows);
  if (sums !== null && gradOut !== null) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const y = labels[r];
      const max = sums[2 * r + 1];
      gradOut[o + y] -= invRows;
      total += Math.log(sums[2 * r]) - (logits[o + y] - max);
    }
    return total * invRows;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const y = labels[r];
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    if (gradOut === null) {
      for (let j = 0; j < cols; j++) sum += Math.exp(logits[o + j] - max);
    } else {
      // Keep each exp in gradOut to scale it below, instead of computing it twice.
      for (let j = 0; j < cols; j++) sum += gradOut[o + j] = Math.exp(logits[o + j] - max);
      const inv = invRows / sum;
      for (let j = 0; j < cols; j++) gradOut[o + j] *= inv;
      gradOut[o + y] -= invRows;
    }
    total += Math.log(sum) - (logits[o + y] - max);
  }
  return total * invRows;
}
