import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationReport, confusionMatrix } from '../../src/metrics/confusion.js';
import { accuracy } from '../../src/metrics/accuracy.js';

// A hand-made 3-class example:
//   labels      0 0 0 1 1 2 2 2 2 2
//   predictions 0 0 1 1 2 2 2 2 0 2
// Confusion (rows truth, columns prediction):
//   0: [2 1 0]   1: [0 1 1]   2: [1 0 4]
const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
const predictions = [0, 0, 1, 1, 2, 2, 2, 2, 0, 2];

test('confusion matrix counts (truth, prediction) pairs', () => {
  const m = confusionMatrix(predictions, labels, 3);
  assert.deepEqual(Array.from(m.counts), [2, 1, 0, 0, 1, 1, 1, 0, 4]);
  assert.equal(m.counts.reduce((a, b) => a + b, 0), labels.length);
});

test('precision, recall, F1 and support by hand', () => {
  const r = classificationReport(confusionMatrix(predictions, labels, 3));
  // class 0: TP 2, predicted 3 (col 2+0+1), actual 3 → P 2/3, R 2/3, F1 2/3
  // class 1: TP 1, predicted 2 (1+1+0),     actual 2 → P 1/2, R 1/2, F1 1/2
  // class 2: TP 4, predicted 5 (0+1+4),     actual 5 → P 4/5, R 4/5, F1 4/5
  const expected = [
    [2 / 3, 2 / 3, 2 / 3, 3],
    [1 / 2, 1 / 2, 1 / 2, 2],
    [4 / 5, 4 / 5, 4 / 5, 5],
  ];
  r.perClass.forEach((m, c) => {
    assert.ok(Math.abs(m.precision - expected[c][0]) < 1e-12);
    assert.ok(Math.abs(m.recall - expected[c][1]) < 1e-12);
    assert.ok(Math.abs(m.f1 - expected[c][2]) < 1e-12);
    assert.equal(m.support, expected[c][3]);
  });
  assert.equal(r.accuracy, 0.7);
  assert.equal(r.accuracy, accuracy(predictions, labels));
  assert.equal(r.total, 10);
  assert.ok(Math.abs(r.macro.f1 - (2 / 3 + 1 / 2 + 4 / 5) / 3) < 1e-12);
});

test('precision and recall differ when errors are one-sided; 0/0 gives 0', () => {
  // Class 1 is never predicted; class 0 absorbs its examples.
  const r = classificationReport(confusionMatrix([0, 0, 0, 0], [0, 0, 1, 1], 3));
  assert.equal(r.perClass[0].precision, 0.5);
  assert.equal(r.perClass[0].recall, 1);
  assert.ok(Math.abs(r.perClass[0].f1 - 2 / 3) < 1e-12);
  assert.deepEqual(r.perClass[1], { precision: 0, recall: 0, f1: 0, support: 2 });
  assert.deepEqual(r.perClass[2], { precision: 0, recall: 0, f1: 0, support: 0 });
});

test('bad input names the example', () => {
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /example 1 has label 1 and prediction 3, expected integers in \[0, 2\]/);
  assert.throws(() => confusionMatrix([0], [0, 1]), /expected as many predictions as labels, got 1 and 2/);
});
