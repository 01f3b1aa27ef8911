import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../../src/data/dataset.js';
import { kernelMemoryUsage } from '../../src/kernels/memory.js';
import { tensor } from '../../src/kernels/tensor.js';
import { softmaxCrossEntropyWithLogits } from '../../src/losses/softmax-cross-entropy.js';
import { mlp } from '../../src/model/mlp.js';
import { Rng } from '../../src/rng.js';
import { evaluate } from '../../src/train/evaluate.js';

function data(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  return {
    x: Uint8Array.from({ length: count * 784 }, () => (rng.uniform() < 0.2 ? rng.int(256) : 0)),
    y: Uint8Array.from({ length: count }, () => rng.int(10)),
    count,
    features: 784,
  };
}

test('evaluate: predictions, accuracy and mean loss agree with a plain forward pass, for any chunk size', () => {
  const set = data(300, 1);
  const model = mlp({ rng: 2 });
  const x = tensor(Float32Array.from(set.x, (b) => b / 255), [set.count, 784]);
  const logits = model.forward(x);
  const { loss } = softmaxCrossEntropyWithLogits({ data: logits.data.slice(), shape: logits.shape }, set.y);
  const predictions = model.predict(x);
  const correct = predictions.filter((p, i) => p === set.y[i]).length;
  for (const chunk of [1000, 256, 7]) {
    const e = evaluate(model, set, chunk);
    assert.deepEqual(e.predictions, predictions);
    assert.equal(e.accuracy, correct / set.count);
    assert.ok(Math.abs(e.loss - loss) < 1e-5, `loss ${e.loss} vs ${loss}`);
  }
});

test('evaluating the same data again allocates nothing', () => {
  const set = data(600, 3);
  const model = mlp({ rng: 4 });
  evaluate(model, set);
  const before = kernelMemoryUsage().allocations;
  for (let i = 0; i < 5; i++) evaluate(model, set);
  assert.equal(kernelMemoryUsage().allocations, before);
});
