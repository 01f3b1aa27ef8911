import { ShapeError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { Tensor, TensorCache } from '../kernels/tensor.js';
import type { Loss } from '../losses/index.js';
import type { Sequential } from '../model/sequential.js';

/**
 * The pieces every training loop shares (fit, the learning-rate range test):
 * the input checks, the forward/backward half of a step, and the pause that
 * keeps the event loop alive.
 */

/** How often a training loop lets the event loop run (Ctrl-C handlers, UI updates), in ms. */
export const YIELD_EVERY_MS = 100;

/** Resolves on the next turn of the event loop (setImmediate where it exists: no 1–4 ms timer clamp). */
export const nextTurn = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * ShapeError unless every given set has the model's number of features per
 * example and only labels its outputs can take (0 … outputUnits − 1, or 0
 * and 1 for a single output); `where` starts the message (`lrFind`).
 */
export function checkTrainingSets(where: string, model: Sequential, sets: Readonly<Record<string, Dataset | undefined>>): void {
  const classes = model.outputUnits === 1 ? 2 : model.outputUnits;
  for (const [name, set] of Object.entries(sets)) {
    if (set === undefined) continue;
    if (set.features !== model.inputUnits) {
      throw new ShapeError(`${where}: the ${name} set has ${set.features} features per example, the model expects ${model.inputUnits}`);
    }
    const y = set.y;
    for (let i = 0; i < y.length; i++) {
      if (y[i] >= classes) throw new ShapeError(`${where}: example ${i} of the ${name} set has label ${y[i]}, the model's ${model.outputUnits} output(s) take labels 0 to ${classes - 1}`);
    }
  }
}

/**
 * The first half of a training step: the logits of `batch.x` in training
 * mode, the batch's mean `loss` against `batch.y`, and dL/dθ in every
 * param's grad (backward from dL/dlogits, written into a tensor of `grads`).
 * Returns the loss; the model is back in inference mode afterwards, whatever
 * happened. The optimizer's step is the caller's.
 */
export function lossAndGradients(model: Sequential, batch: { x: Tensor; y: Uint8Array }, loss: Loss, grads: TensorCache): number {
  const rows = batch.x.shape[0];
  model.train();
  try {
    const logits = model.logits(batch.x);
    const grad = grads.get(rows, model.outputUnits);
    const value = loss.compute(grad.data, logits.data, batch.y, rows, model.outputUnits);
    model.backward(batch.x, grad);
    return value;
  } finally {
    model.eval();
  }
}
