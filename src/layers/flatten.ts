import { sizeOf, type Tensor } from '../kernels/tensor.js';
import { checkKeys } from './config-check.js';
import { layerKind, type Layer, type LayerConfig, type Param } from './layer.js';

/**
 * Flatten: [n, C, H, W] (or any rank) to rows [n, C·H·W] in the same
 * row-major order (channel, then row, then column: PyTorch's nn.Flatten),
 * so a Dense layer can follow a convolution. The data is not copied: the
 * output is a view of the input's floats, and the gradient one of the
 * output gradient's.
 */
export class Flatten implements Layer {
  /** The last input and its view, so that a step makes no new objects. */
  private lastInput: Tensor | null = null;
  private lastOutput: Tensor | null = null;
  private lastGrad: Tensor | null = null;
  private lastGradInput: Tensor | null = null;

  forward(input: Tensor): Tensor {
    const data = input.data;
    if (this.lastInput !== input || this.lastOutput?.data !== data) {
      this.lastInput = input;
      this.lastOutput = { data, shape: [input.shape[0], sizeOf(input.shape.slice(1))] };
    }
    return this.lastOutput as Tensor;
  }

  backward(input: Tensor, gradOutput: Tensor): Tensor {
    if (this.lastGrad !== gradOutput || this.lastGradInput?.data !== gradOutput.data || this.lastGradInput.shape !== input.shape) {
      this.lastGrad = gradOutput;
      this.lastGradInput = { data: gradOutput.data, shape: input.shape };
    }
    return this.lastGradInput as Tensor;
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [sizeOf(inputShape)];
  }

  config(): LayerConfig {
    return { kind: 'flatten' };
  }
}

/** Flatten in model files (`{kind: 'flatten'}`), ONNX (Flatten, axis 1) and the summary. */
export const flattenKind = layerKind<Flatten>({
  kind: 'flatten',
  plan(config, at) {
    checkKeys(config, ['kind'], at);
    return { paramValues: 0, build: () => new Flatten() };
  },
  title: () => 'Flatten',
  onnx: (_, graph) => void graph.node('Flatten', [graph.input], { ints: { axis: 1 } }),
});
