import { ConfigError, ShapeError } from '../errors.js';

/**
 * A confusion matrix: `counts[t * classes + p]` is how many examples of true
 * class t were predicted as class p (rows: truth, columns: prediction, as in
 * scikit-learn).
 */
export interface ConfusionMatrix {
  readonly classes: number;
  readonly counts: Uint32Array;
}

/** Counts (true label, prediction) pairs into a `classes` × `classes` confusion matrix. */
export function confusionMatrix(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes = 10): ConfusionMatrix {
  if (predictions.length !== labels.length) {
    throw new ShapeError(`confusionMatrix: expected as many predictions as labels, got ${predictions.length} and ${labels.length}`);
  }
  if (!Number.isInteger(classes) || classes < 1) throw new ConfigError(`confusionMatrix: expected classes to be a positive integer, got ${classes}`);
  const counts = new Uint32Array(classes * classes);
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i], p = predictions[i];
    if (!(t >= 0 && t < classes && p >= 0 && p < classes && Number.isInteger(t) && Number.isInteger(p))) {
      throw new ShapeError(`confusionMatrix: example ${i} has label ${t} and prediction ${p}, expected integers in [0, ${classes - 1}]`);
    }
    counts[t * classes + p]++;
  }
  return { classes, counts };
}

/** Precision, recall and F1 of one class, and its support (how many examples truly belong to it). */
export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

/** Per-class metrics plus accuracy and the unweighted (macro) means. */
export interface ClassificationReport {
  readonly perClass: ClassMetrics[];
  readonly accuracy: number;
  readonly macro: Omit<ClassMetrics, 'support'>;
  readonly total: number;
}

/**
 * Per-class precision = TP / (TP + FP), recall = TP / (TP + FN) and
 * F1 = 2·P·R / (P + R) from a confusion matrix. A class never predicted (or
 * never present) gets 0 where the ratio is 0/0, as scikit-learn's default.
 */
export function classificationReport(matrix: ConfusionMatrix): ClassificationReport {
  const { classes: k, counts } = matrix;
  const perClass: ClassMetrics[] = [];
  let total = 0;
  let trace = 0;
  for (let c = 0; c < k; c++) {
    let rowSum = 0, colSum = 0;
    for (let j = 0; j < k; j++) {
      rowSum += counts[c * k + j];
      colSum += counts[j * k + c];
    }
    const tp = counts[c * k + c];
    const precision = colSum === 0 ? 0 : tp / colSum;
    const recall = rowSum === 0 ? 0 : tp / rowSum;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.push({ precision, recall, f1, support: rowSum });
    total += rowSum;
    trace += tp;
  }
  const mean = (f: (m: ClassMetrics) => number): number => perClass.reduce((s, m) => s + f(m), 0) / k;
  return {
    perClass,
    accuracy: total === 0 ? 0 : trace / total,
    macro: { precision: mean((m) => m.precision), recall: mean((m) => m.recall), f1: mean((m) => m.f1) },
    total,
  };
}
