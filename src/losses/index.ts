import { ConfigError } from '../errors.js';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { mse } from './mse.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';

/** The losses {@link fit} trains with. */
export type LossName = 'softmax-cross-entropy' | 'mse' | 'bce';
/** Every {@link LossName}, the default first. */
export const LOSS_NAMES: readonly LossName[] = ['softmax-cross-entropy', 'mse', 'bce'];

/**
 * A loss over a batch of logits [rows, cols] and class labels [rows]:
 * returns the batch's mean loss and, when `gradOut` is given, writes
 * dL/dlogits there [rows, cols].
 */
export interface Loss {
  readonly name: LossName;
  /** The batch's mean loss; dL/dlogits into `gradOut` unless it is null. */
  compute(gradOut: Float32Array | null, logits: Float32Array, labels: ArrayLike<number>, rows: number, cols: number): number;
}

/**
 * Wraps a loss on targets (mse, bce) as a loss on class labels: the target
 * row of label y is one-hot (1 at column y, else 0), or y itself for a
 * single output (a yes/no classifier, labels 0 and 1). The targets live in
 * a buffer kept for the largest batch, so training allocates once.
 */
function onTargets(name: LossName, loss: (gradOut: Float32Array | null, pred: Float32Array, target: Float32Array) => number): Loss {
  let targets = new Float32Array(0);
  return {
    name,
    compute(gradOut, logits, labels, rows, cols) {
      if (targets.length < rows * cols) targets = new Float32Array(rows * cols);
      const t = targets.subarray(0, rows * cols);
      t.fill(0);
      for (let r = 0; r < rows; r++) {
        if (cols === 1) t[r] = labels[r];
        else t[r * cols + labels[r]] = 1;
      }
      return loss(gradOut?.subarray(0, rows * cols) ?? null, logits.subarray(0, rows * cols), t);
    },
  };
}

/**
 * The loss called `name`: softmax cross-entropy (the tutorial's, the
 * default), mean squared error against one-hot labels, or binary
 * cross-entropy of each output's sigmoid against one-hot labels.
 */
export function lossFor(name: LossName): Loss {
  switch (name) {
    case 'softmax-cross-entropy':
      return { name, compute: softmaxCrossEntropy };
    case 'mse':
      return onTargets(name, mse);
    case 'bce':
      return onTargets(name, binaryCrossEntropy);
    default:
      throw new ConfigError(`unknown loss ${JSON.stringify(name)}, expected one of ${LOSS_NAMES.join(', ')}`);
  }
}
