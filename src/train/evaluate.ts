import { BatchLoader } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import { classOfRows } from '../kernels/index.js';
import { lossFor, type Loss } from '../losses/index.js';
import { accuracy } from '../metrics/accuracy.js';
import type { Sequential } from '../model/sequential.js';

/** What {@link evaluate} measures on a dataset. */
export interface Evaluation {
  /** Mean loss (softmax cross-entropy unless told otherwise). */
  loss: number;
  /** Fraction correct, in [0, 1]. */
  accuracy: number;
  /** The predicted class of every example. */
  predictions: Uint8Array;
}

/**
 * One loader per dataset, reused by every evaluation of it (fit scores the
 * validation set each epoch): kernel memory is only returned when the
 * garbage collector runs, which JS-heap pressure alone decides.
 */
const loaders = new WeakMap<Dataset, BatchLoader>();
const crossEntropy = lossFor('softmax-cross-entropy');

/**
 * Runs `model` over all of `data` in chunks of `batchSize` rows: loss,
 * accuracy and predictions (the class of the largest logit; for a single
 * output, 1 where its logit is > 0). Chunks of 256 (the default) still take the
 * sparse path of the first layer.
 */
export function evaluate(model: Sequential, data: Dataset, batchSize = 256, loss: Loss = crossEntropy): Evaluation {
  const predictions = new Uint8Array(data.count);
  if (data.count === 0) return { loss: 0, accuracy: 0, predictions };
  const rowsMax = Math.min(batchSize, data.count);
  let loader = loaders.get(data);
  if (loader === undefined || loader.maxRows !== rowsMax) {
    loader = new BatchLoader(data, rowsMax);
    loaders.set(data, loader);
  } else {
    loader.refresh();
  }
  const order = new Uint32Array(data.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  let lossSum = 0;
  for (let start = 0; start < data.count; start += rowsMax) {
    const rows = Math.min(rowsMax, data.count - start);
    const batch = loader.load(order, start, rows);
    // The logits, not a final Softmax layer's probabilities: the loss takes logits.
    const logits = model.logits(batch.x);
    const cols = logits.shape[1];
    lossSum += loss.compute(null, logits.data, batch.y, rows, cols) * rows;
    classOfRows(predictions.subarray(start, start + rows), logits.data, rows, cols);
  }
  return { loss: lossSum / data.count, accuracy: accuracy(predictions, data.y), predictions };
}
