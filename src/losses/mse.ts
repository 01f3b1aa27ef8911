import { ShapeError } from '../errors.js';
import type { Tensor } from '../kernels/tensor.js';

/**
 * Mean squared error over all N elements of `pred` and `target` (the same
 * size, any shape), and (if `gradOut` is given) its gradient with respect to
 * `pred`, written into `gradOut`:
 *
 *   L = (1/N) Σ_i (p_i − t_i)²,   dL/dp_i = 2 (p_i − t_i) / N
 *
 * `gradOut` may be `pred` itself.
 */
export function mse(gradOut: Float32Array | null, pred: Float32Array, target: Float32Array): number {
  const n = pred.length;
  const scale = 2 / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    total += d * d;
    if (gradOut !== null) gradOut[i] = scale * d;
  }
  return total / n;
}

/**
 * Mean squared error of `pred` against `target` (tensors of the same shape),
 * and its gradient with respect to `pred` as a new tensor.
 */
export function meanSquaredError(pred: Tensor, target: Tensor): { loss: number; gradPred: Tensor } {
  checkSameShape('meanSquaredError', pred, target, 'pred', 'target');
  const grad = new Float32Array(pred.data.length);
  const loss = mse(grad, pred.data, target.data);
  return { loss, gradPred: { data: grad, shape: pred.shape } };
}

/** ShapeError unless `a` and `b` have the same shape and hold at least one value. */
export function checkSameShape(what: string, a: Tensor, b: Tensor, aName: string, bName: string): void {
  const same = a.shape.length === b.shape.length && a.shape.every((d, k) => d === b.shape[k]);
  if (!same) throw new ShapeError(`${what}: expected ${bName} of the shape of ${aName} [${a.shape.join(', ')}], got [${b.shape.join(', ')}]`);
  if (a.data.length === 0) throw new ShapeError(`${what}: expected at least one value, got shape [${a.shape.join(', ')}]`);
}
