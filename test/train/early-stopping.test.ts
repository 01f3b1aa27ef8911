import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../../src/data/dataset.js';
import { mlp } from '../../src/model/mlp.js';
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

test('patience is validated', () => {
  assert.throws(() => earlyStopping(mlp(), { patience: 0 }), /expected patience to be a positive integer, got 0/);
});
