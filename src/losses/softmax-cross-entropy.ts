import { ShapeError } from '../errors.js';
import { softmaxCrossEntropyRows, softmaxRows } from '../kernels/softmax.js';
import { dims2, type Tensor } from '../kernels/tensor.js';

/**
 * Softmax of each row, computed stably: p_j = exp(z_j − max z) / Σ_k exp(z_k − max z).
 * `out` and `logits` are [rows, cols]; `out` may be `logits` itself.
 */
export function softmax(out: Float32Array, logits: Float32Array, rows: number, cols: number): Float32Array {
  return softmaxRows(out, logits, rows, cols);
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
  return softmaxCrossEntropyRows(gradOut, logits, labels, rows, cols);
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
