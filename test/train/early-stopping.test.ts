import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../../src/data/dataset.js';
import { Dense } from '../../src/layers/dense.js';
import { mlp } from '../../src/model/mlp.js';
import { Sequential } from '../../src/model/sequential.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/rng.js';
import { earlyStopping } from '../../src/train/early-stopping.js';
import { evaluate } from '../../src/train/evaluate.js';
import { fit } from '../../src/train/fit.js';

/** Noisy labels: a big network memorises 60 training examples and gets worse on fresh ones. */
function noisy(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Uint8Array(count * 16);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(4);
    // 40 % of the labels are random: the signal is there, but so is noise to overfit.
    y[i] = rng.uniform() < 0.4 ? rng.int(4) : label;
    for (let j = 0; j < 16; j++) x[i * 16 + j] = rng.int(140) + (j >> 2 === label ? 60 : 0);
  }
  return { x, y, count, features: 16 };
}

test('early stopping stops after `patience` epochs without a better validation accuracy and restores the best weights', async () => {
  const train = noisy(60, 1);
  const val = noisy(400, 2);
  const model = mlp({ inputUnits: 16, hidden: [128, 128], outputUnits: 4, rng: 3 });
  const stopper = earlyStopping(model, { patience: 3 });
  const seen: Float32Array[][] = [];
  const history = await fit(model, { train, val }, {
    epochs: 200,
    batchSize: 8,
    optimizer: new SGD({ lr: 0.3 }),
    rng: 4,
    callbacks: [stopper, { onEpochEnd: () => void seen.push(model.params().map((p) => Float32Array.from(p.value))) }],
  });
  assert.ok(stopper.stoppedAt !== null && stopper.bestEpoch !== null, 'it stopped early');
  assert.equal(history.epochs, stopper.stoppedAt + 1);
  assert.ok(history.epochs < 200);
  assert.equal(stopper.stoppedAt - stopper.bestEpoch, 3);
  // The best epoch's accuracy is the maximum, and the later ones are not better.
  const best = Math.max(...history.valAccuracy);
  assert.equal(history.valAccuracy[stopper.bestEpoch], best);
  // Restored: the weights now are exactly those after the best epoch, and score its accuracy.
  assert.deepEqual(model.params().map((p) => Array.from(p.value)), seen[stopper.bestEpoch].map((w) => Array.from(w)));
  assert.equal(evaluate(model, val).accuracy, best);
});

/**
 * A Dense(4, 4) model whose validation accuracy each epoch is scripted: the
 * validation images are one bright pixel at their class (40, 30, 20 and 10
 * of classes 0–3), and after each epoch's only step the weights are set so
 * that exactly the classes in `correct[epoch]` are predicted right, e.g.
 * [0, 1] scores 0.7. The callbacks come before the ones under test, so the
 * epoch is scored with the scripted weights.
 */
function scripted(correct: readonly (readonly number[])[]) {
  const count = 100;
  const y = Uint8Array.from({ length: count }, (_, i) => (i < 40 ? 0 : i < 70 ? 1 : i < 90 ? 2 : 3));
  const x = new Uint8Array(count * 4);
  y.forEach((label, i) => (x[i * 4 + label] = 255));
  const val: Dataset = { x, y, count, features: 4 };
  const model = new Sequential([new Dense(4, 4, { rng: new Rng(1) })], 4);
  const [weight, bias] = model.params();
  /** The weights of epoch `e`: class c maps to itself if it is in correct[e], else to c + 1. */
  const weightsOf = (e: number) => {
    const w = new Float32Array(16);
    for (let c = 0; c < 4; c++) w[c * 4 + (correct[e].includes(c) ? c : (c + 1) % 4)] = 1;
    return w;
  };
  const script = {
    onBatchEnd({ epoch }: { epoch: number }) {
      weight.value.set(weightsOf(epoch));
      bias.value.fill(0);
    },
  };
  const options = { epochs: correct.length, batchSize: count, optimizer: new SGD({ lr: 0.1 }) };
  return { model, data: { train: val, val, test: val }, script, options, weight, weightsOf };
}

test('an improvement smaller than minDelta does not count as one', async () => {
  // Accuracies 0.4, 0.7, 0.8, 0.8, 0.4, 0.4: with minDelta 0.15 the 0.1 gain of
  // epoch 2 is no improvement, so epochs 2 and 3 use up the patience.
  const { model, data, script, options, weight, weightsOf } = scripted([[0], [0, 1], [0, 1, 3], [0, 1, 3], [0], [0]]);
  const stopper = earlyStopping(model, { patience: 2, minDelta: 0.15 });
  const history = await fit(model, data, { ...options, callbacks: [script, stopper] });
  assert.deepEqual(history.valAccuracy, [0.4, 0.7, 0.8, 0.8]);
  assert.equal(stopper.bestEpoch, 1);
  assert.equal(stopper.stoppedAt, 3);
  // The best epoch is the one that counted (0.7), not the most accurate one (0.8).
  assert.deepEqual(weight.value, weightsOf(1));
  assert.equal(history.testAccuracy, 0.7);
});

test('restoreBestWeights: false keeps the weights of the last epoch, whether it stops early or runs out of epochs', async () => {
  // Stops after epoch 3 (two epochs not better than 0.7): the weights are epoch 3's.
  const early = scripted([[0], [0, 1], [0], [0, 3], [0, 1, 2], [0, 1, 2]]);
  const stopper = earlyStopping(early.model, { patience: 2, restoreBestWeights: false });
  const history = await fit(early.model, early.data, { ...early.options, callbacks: [early.script, stopper] });
  assert.deepEqual([stopper.bestEpoch, stopper.stoppedAt, history.epochs], [1, 3, 4]);
  assert.deepEqual(early.weight.value, early.weightsOf(3));
  assert.equal(history.testAccuracy, 0.5);

  // Runs all 3 epochs, the best being the second: the weights are the third's.
  const late = scripted([[0], [0, 1], [0, 3]]);
  const patient = earlyStopping(late.model, { patience: 5, restoreBestWeights: false });
  const full = await fit(late.model, late.data, { ...late.options, callbacks: [late.script, patient] });
  assert.deepEqual([patient.bestEpoch, patient.stoppedAt, full.epochs], [1, null, 3]);
  assert.deepEqual(late.weight.value, late.weightsOf(2));
  assert.equal(full.testAccuracy, 0.5);
});

test('restoring the best weights restores the running statistics of BatchNorm too', async () => {
  const train = noisy(60, 1);
  const val = noisy(400, 2);
  const model = mlp({ inputUnits: 16, hidden: [64], outputUnits: 4, batchNorm: true, rng: 3 });
  assert.ok(model.buffers().length > 0, 'the model has running statistics');
  const stopper = earlyStopping(model, { patience: 3 });
  const snapshot = () => ({
    params: model.params().map((p) => Array.from(p.value)),
    buffers: model.buffers().map((b) => Array.from(b.value)),
  });
  const seen: ReturnType<typeof snapshot>[] = [];
  const history = await fit(model, { train, val }, {
    epochs: 200,
    batchSize: 8,
    optimizer: new SGD({ lr: 0.3 }),
    rng: 4,
    callbacks: [stopper, { onEpochEnd: () => void seen.push(snapshot()) }],
  });
  assert.ok(stopper.stoppedAt !== null && stopper.bestEpoch !== null, 'it stopped early');
  const best = seen[stopper.bestEpoch];
  // Training went on after the best epoch, moving the running statistics.
  assert.notDeepEqual(seen[stopper.bestEpoch + 1].buffers, best.buffers);
  assert.deepEqual(snapshot(), best);
  assert.equal(evaluate(model, val).accuracy, history.valAccuracy[stopper.bestEpoch]);
});

test('patience is validated', () => {
  assert.throws(() => earlyStopping(mlp(), { patience: 0 }), /expected patience to be a positive integer, got 0/);
});
