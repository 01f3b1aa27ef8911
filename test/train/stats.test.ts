import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../../src/data/dataset.js';
import { tensor } from '../../src/kernels/tensor.js';
import { Dense } from '../../src/layers/dense.js';
import { mlp } from '../../src/model/mlp.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/rng.js';
import { fit } from '../../src/train/fit.js';
import { deadFraction, defaultStatsEvery, histogram, meanStd, saturatedFraction } from '../../src/train/stats.js';

test('histogram: equal bins over the range, the maximum in the last bin; one bin for equal values', () => {
  // 0 … 9 in 5 bins of width 1.8: [0, 1.8) holds 0 and 1, [1.8, 3.6) 2 and 3, … the last [7.2, 9] holds 8 and 9.
  assert.deepEqual(histogram([9, 0, 1, 2, 3, 4, 5, 6, 7, 8], 5), { min: 0, max: 9, counts: [2, 2, 2, 2, 2] });
  assert.deepEqual(histogram([-1, -1, 3], 4), { min: -1, max: 3, counts: [2, 0, 0, 1] });
  assert.deepEqual(histogram([2, 2, 2]), { min: 2, max: 2, counts: [3] });
  const { mean, std } = meanStd([1, 2, 3, 4]);
  assert.equal(mean, 2.5);
  assert.equal(std, Math.sqrt(1.25));
});

test('dead fraction: units that are 0 for every row (and every position of a feature map)', () => {
  // 3 rows × 4 units: units 1 and 3 are 0 throughout, unit 2 only once.
  assert.equal(deadFraction(tensor([[0.5, 0, 0, 0], [0, 0, 2, 0], [1, 0, 0, 0]])), 0.5);
  // A feature map [2 rows, 3 channels, 2 × 2]: channel 0 lives at one position of one image, channel 1 is dead, channel 2 lives.
  const maps = new Float32Array(2 * 3 * 4);
  maps[3] = 0.1; // row 0, channel 0, position 3
  maps[4 + 4 + 4 + 8] = 1; // row 1, channel 2
  assert.equal(deadFraction({ data: maps, shape: [2, 3, 2, 2] }), 1 / 3);
});

test('saturated fraction: |tanh| > 0.97, or |2σ − 1| > 0.97 for a sigmoid', () => {
  assert.equal(saturatedFraction([0.98, -0.99, 0.5, 0, 0.97], 'tanh'), 0.4);
  assert.equal(saturatedFraction([0.99, 0.01, 0.5, 0.9], 'sigmoid'), 0.5);
});

/** 64 rows of 4 features, two classes. */
function rows(seed: number): Dataset {
  const rng = new Rng(seed);
  const values = Float32Array.from({ length: 64 * 4 }, () => rng.normal());
  const y = Uint8Array.from({ length: 64 }, (_, i) => (values[4 * i] > 0 ? 1 : 0));
  return { x: new Uint8Array(0), values, y, count: 64, features: 4 };
}

test('fit({stats}): records every N steps; the update ratio is lr·‖grad‖ / ‖W‖ for SGD; dead units found; off changes nothing', async () => {
  const make = () => {
    const model = mlp({ inputUnits: 4, hidden: [6], outputUnits: 2, rng: 3 });
    // Units 0 and 1 of the hidden layer can never fire: their bias is far below any input's reach.
    (model.layers[0] as Dense).bias.value.set([-100, -100], 0);
    return model;
  };
  const lr = 0.5;
  const model = make();
  const w0 = Float64Array.from((model.layers[0] as Dense).weight.value);
  const history = await fit(model, { train: rows(1) }, { epochs: 3, batchSize: 16, optimizer: new SGD({ lr }), rng: 7, stats: { every: 5 } });
  const stats = history.stats;
  assert.ok(stats !== undefined);
  assert.deepEqual(stats.steps, [0, 5, 10]); // 12 steps
  assert.deepEqual(stats.layers.map((l) => [l.layer, l.kind]), [[1, 'relu']]);
  assert.ok((stats.layers[0].dead ?? []).every((d) => d >= 2 / 6), JSON.stringify(stats.layers[0].dead));
  assert.deepEqual(stats.params.map((p) => [p.layer, p.name]), [[0, 'weight'], [2, 'weight']]);
  // Plain SGD moves W by lr · grad: at step 0 the ratio is lr · ‖grad‖ / ‖W0‖, by hand from the recorded norm and the starting weights.
  const normW0 = Math.sqrt(w0.reduce((s, v) => s + v * v, 0));
  const expected = (lr * stats.params[0].gradNorm[0]) / normW0;
  assert.ok(Math.abs(stats.params[0].updateRatio[0] / expected - 1) < 1e-5, `${stats.params[0].updateRatio[0]} vs ${expected}`);
  assert.equal(stats.params[0].gradHistograms[0].counts.reduce((a, b) => a + b, 0), 4 * 6);
  // Recording only reads: the same run without it ends with the same weights and losses, and no stats.
  const plain = make();
  const without = await fit(plain, { train: rows(1) }, { epochs: 3, batchSize: 16, optimizer: new SGD({ lr }), rng: 7 });
  assert.equal(without.stats, undefined);
  assert.deepEqual(without.batchLoss, history.batchLoss);
  assert.deepEqual(plain.params().map((p) => p.value), model.params().map((p) => p.value));
  // The default: about a hundred records.
  assert.equal(defaultStatsEvery(8440), 85);
  assert.equal(defaultStatsEvery(12), 1);
  await assert.rejects(fit(make(), { train: rows(1) }, { stats: { every: 0 } }), /stats: expected every to be a positive integer, got 0/);
});
