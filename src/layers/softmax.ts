import { ShapeError } from '../errors.js';
import { dims2, TensorCache, type Tensor } from '../kernels/tensor.js';
import { softmax } from '../losses/softmax-cross-entropy.js';
import type { Layer, LayerConfig, Param } from './layer.js';

/**
 * Softmax of each row as a layer, for models whose output should be
 * probabilities (rows sum to 1): p_j = exp(z_j − max z) / Σ_k exp(z_k − max z).
 *
 * Backward is the Jacobian-vector product of softmax (its Jacobian is
 * diag(p) − p pᵀ):  dL/dz = p ⊙ (G − Σ_j G_j p_j), row by row.
 *
 * NOTE: as the last layer of a Sequential it is not trained through: the
 * training step takes the cross-entropy of its input (the logits) instead, the
 * same gradient (p − onehot) without the cancellation of differentiating
 * log(softmax) in two steps.
 */
export class Softmax implements Layer {
  private readonly outputs = new TensorCache();
  private readonly gradInputs = new TensorCache();

  /** The row-wise softmax of `input` [rows, units]. */
  forward(input: Tensor): Tensor {
    const [rows, cols] = dims2(input, 'Softmax');
    const out = this.outputs.get(rows, cols);
    softmax(out.data, input.data, rows, cols);
    return out;
  }

  /** dL/dz = p ⊙ (G − Σ_j G_j p_j) per row, with p = softmax(input) recomputed. */
  backward(input: Tensor, gradOutput: Tensor): Tensor {
    const [rows, cols] = dims2(input, 'Softmax');
    const [gRows, gCols] = dims2(gradOutput, 'Softmax.backward gradOutput');
    if (gRows !== rows || gCols !== cols) {
      throw new ShapeError(`Softmax.backward: expected gradOutput of shape [${rows}, ${cols}], got [${gRows}, ${gCols}]`);
    }
    const out = this.gradInputs.get(rows, cols);
    const p = softmax(out.data, input.data, rows, cols);
    const g = gradOutput.data;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += g[o + j] * p[o + j];
      for (let j = 0; j < cols; j++) p[o + j] *= g[o + j] - dot;
    }
    return out;
  }

  params(): Param[] {
    return [];
  }

  outputSize(inputUnits: number): number {
    return inputUnits;
  }

  config(): LayerConfig {
    return { kind: 'softmax' };
  }
}
