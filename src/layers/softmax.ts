import { ShapeError } from '../errors.js';
import { dims2, shapeText, TensorCache, type Tensor } from '../kernels/tensor.js';
import { softmax } from '../losses/softmax-cross-entropy.js';
import { checkKeys } from './config-check.js';
import { layerKind, type Layer, type LayerConfig, type Param } from './layer.js';

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

  /** Rows of scores: [units] to [units]. */
  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1) throw new ShapeError(`Softmax: expected input shape [units], got ${shapeText(inputShape)}`);
    return [...inputShape];
  }

  config(): LayerConfig {
    return { kind: 'softmax' };
  }
}

/**
 * Softmax in model files (`{kind: 'softmax'}`), ONNX and the summary. (A
 * final Softmax is the graph's own closing Softmax: see Sequential.logitLayerCount.)
 */
export const softmaxKind = layerKind<Softmax>({
  kind: 'softmax',
  plan(config, at) {
    checkKeys(config, ['kind'], at);
    return { paramValues: 0, build: () => new Softmax() };
  },
  title: () => 'Softmax',
  onnx(_, graph) {
    graph.node('Softmax', [graph.input], { ints: { axis: 1 } });
  },
});
