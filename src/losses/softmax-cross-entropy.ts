import { ShapeError } from '../errors.js';
import { softmaxRowsSimd } from '../kernels/dispatch.js';
import { dims2, type Tensor } from '../kernels/tensor.js';

/**
 * Softmax of each row, computed stably: p_j = exp(z_j − max z) / Σ_k exp(z_k − max z).
 * `out` and `logits` are [rows, cols]; `out` may be `logits` itself.
 */
export function softmax(out: Float32Array, logits: Float32Array, rows: number, cols: number): Float32Array {
  // The SIMD kernel runs this loop with its own e^x (within 1 ulp of Math.exp's).
  if (softmaxRowsSimd(out, logits, rows, cols, 1) !== null) return out;
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
 * Mean softmax cross-entropy of `logits` [rows, cols] against integer
 * `labels` [rows], and (if `gradOut` is given) its gradient with respect to
 * the logits, written into `gradOut` [rows, cols]:
 *
 *   L = −(1/rows) Σ_r log softmax(z_r)[y_r],   dL/dz_r = (softmax(z_r) − onehot(y_r)) / rows
 *
 * The log-probability is z_y − max z − log Σ exp(z − max z), which never
 * overflows and never takes log(0). (The tutorial adds 1e-9 inside the log
 * instead; the two differ only when a probability is below ~1e-9.)
 */
export function softmaxCrossEntropy(
  gradOut: Float32Array | null,
  logits: Float32Array,
  labels: ArrayLike<number>,
  rows: number,
  cols: number,
): number {
  const invRows = 1 / rows;
  let total = 0;
  // The SIMD kernel does the loop below but for the label terms (with its
  // own e^x, within 1 ulp of Math.exp's: gradients in float32 agree, the
  // loss may differ in its last bit); they follow in the same order.
  const stats = gradOut === null ? null : softmaxRowsSimd(gradOut, logits, rows, cols, invRows);
  if (stats !== null && gradOut !== null) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const y = labels[r];
      const max = stats[2 * r + 1];
      gradOut[o + y] -= invRows;
      total += Math.log(stats[2 * r]) - (logits[o + y] - max);
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

/**
 * The tutorial's `softmax_crossentropy_with_logits`: the mean loss and its
 * gradient with respect to the logits, as a new tensor.
 * `logits` is [batch, classes]; `labels` holds one class index per row.
 */
export function softmaxCrossEntropyWithLogits(
  logits: Tensor,
  labels: ArrayLike<number>,
): { loss: number; gradLogits: Tensor } {
  const [rows, cols] = dims2(logits, 'softmaxCrossEntropyWithLogits');
  if (labels.length !== rows) {
    throw new ShapeError(`softmaxCrossEntropyWithLogits: expected ${rows} labels (one per row), got ${labels.length}`);
  }
  for (let r = 0; r < rows; r++) {
    const y = labels[r];
    if (!Number.isInteger(y) || y < 0 || y >= cols) {
      throw new ShapeError(`softmaxCrossEntropyWithLogits: label ${r} is ${y}, expected an integer in [0, ${cols - 1}]`);
    }
  }
  const grad = new Float32Array(rows * cols);
  const loss = softmaxCrossEntropy(grad, logits.data, labels, rows, cols);
  return { loss, gradLogits: { data: grad, shape: [rows, cols] } };
}
