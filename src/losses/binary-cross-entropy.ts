import { ShapeError } from '../errors.js';
import type { Tensor } from '../kernels/tensor.js';
import { checkSameShape } from './mse.js';

/**
 * Mean binary cross-entropy of `logits` z against targets t in [0, 1] (the
 * same size, any shape; one independent yes/no per element), and (if
 * `gradOut` is given) its gradient with respect to the logits, written into
 * `gradOut`:
 *
 *   L = (1/N) Σ_i [max(z_i, 0) − z_i t_i + log(1 + e^−|z_i|)],   dL/dz_i = (σ(z_i) − t_i) / N
 *
 * That form of −t log σ(z) − (1 − t) log(1 − σ(z)) never overflows and never
 * takes log(0), whatever the size of z (PyTorch's BCEWithLogitsLoss uses it).
 * `gradOut` may be `logits` itself.
 */
export function binaryCrossEntropy(gradOut: Float32Array | null, logits: Float32Array, targets: Float32Array): number {
  const n = logits.length;
  const invN = 1 / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const z = logits[i], t = targets[i];
    const e = Math.exp(-Math.abs(z)); // in (0, 1]: no overflow
    total += (z > 0 ? z : 0) - z * t + Math.log1p(e);
    if (gradOut !== null) {
      // σ(z) from the same e: 1 / (1 + e) for z ≥ 0, e / (1 + e) below.
      const sigma = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      gradOut[i] = (sigma - t) * invN;
    }
  }
  return total * invN;
}

/**
 * Mean binary cross-entropy of `logits` against `targets` (tensors of the
 * same shape, targets in [0, 1]), and its gradient with respect to the
 * logits as a new tensor.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor): { loss: number; gradLogits: Tensor } {
  checkSameShape('binaryCrossEntropyWithLogits', logits, targets, 'logits', 'targets');
  const t = targets.data;
  for (let i = 0; i < t.length; i++) {
    if (!(t[i] >= 0 && t[i] <= 1)) throw new ShapeError(`binaryCrossEntropyWithLogits: target ${i} is ${t[i]}, expected a number in [0, 1]`);
  }
  const grad = new Float32Array(logits.data.length);
  const loss = binaryCrossEntropy(grad, logits.data, t);
  return { loss, gradLogits: { data: grad, shape: logits.shape } };
}
