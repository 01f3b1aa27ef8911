import { ShapeError } from '../errors.js';

/** The fraction of predictions equal to their labels, in [0, 1]. */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predictions.length !== labels.length) {
    throw new ShapeError(`accuracy: expected as many predictions as labels, got ${predictions.length} and ${labels.length}`);
  }
  if (labels.length === 0) return 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}
