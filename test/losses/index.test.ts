import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryCrossEntropy } from '../../src/losses/binary-cross-entropy.js';
import { lossFor } from '../../src/losses/index.js';
import { mse } from '../../src/losses/mse.js';
import { softmaxCrossEntropy } from '../../src/losses/softmax-cross-entropy.js';
import { Rng } from '../../src/rng.js';

const rng = new Rng(3);
const rows = 5, cols = 4;
const logits = Float32Array.from({ length: rows * cols }, () => rng.normal() * 2);
const labels = Uint8Array.from([2, 0, 3, 3, 1]);
const oneHot = new Float32Array(rows * cols);
labels.forEach((y, r) => (oneHot[r * cols + y] = 1));

test('softmax-cross-entropy is the tutorial\'s loss itself', () => {
  const want = new Float32Array(rows * cols);
  const got = new Float32Array(rows * cols);
  assert.equal(lossFor('softmax-cross-entropy').compute(got, logits, labels, rows, cols), softmaxCrossEntropy(want, logits, labels, rows, cols));
  assert.deepEqual(got, want);
});

for (const [name, onTargets] of [['mse', mse], ['bce', binaryCrossEntropy]] as const) {
  test(`${name} on class labels is ${name} against their one-hot rows, for every batch size up to the largest seen`, () => {
    const loss = lossFor(name);
    for (const n of [rows, 2, rows]) {
      const want = new Float32Array(n * cols);
      const got = new Float32Array(n * cols).fill(NaN);
      const l = loss.compute(got, logits.subarray(0, n * cols), labels.subarray(0, n), n, cols);
      assert.equal(l, onTargets(want, logits.subarray(0, n * cols), oneHot.subarray(0, n * cols)), `${n} rows`);
      assert.deepEqual(got, want);
      assert.equal(loss.compute(null, logits.subarray(0, n * cols), labels.subarray(0, n), n, cols), l);
    }
  });

  test(`${name} with one output takes the label (0 or 1) as the target`, () => {
    const z = Float32Array.from([0.3, -1.2, 2]);
    const y = Uint8Array.from([1, 0, 1]);
    const want = new Float32Array(3);
    const got = new Float32Array(3);
    assert.equal(lossFor(name).compute(got, z, y, 3, 1), onTargets(want, z, Float32Array.from([1, 0, 1])));
    assert.deepEqual(got, want);
  });
}

test('an unknown loss is refused with the list', () => {
  assert.throws(() => lossFor('hinge' as 'mse'), /unknown loss "hinge", expected one of softmax-cross-entropy, mse, bce/);
});
