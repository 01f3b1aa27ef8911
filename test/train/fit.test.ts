import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../../src/data/dataset.js';
import { ReLU } from '../../src/layers/activations.js';
import { Dense } from '../../src/layers/dense.js';
import { mlp } from '../../src/model/mlp.js';
import { Sequential } from '../../src/model/sequential.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/rng.js';
import { fit, type BatchLogs, type EpochLogs, type History } from '../../src/train/fit.js';

/** A toy "image" task: 16 byte pixels; the class is which quarter is brightest. */
function toyData(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Uint8Array(count * 16);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(4);
    y[i] = label;
    for (let j = 0; j < 16; j++) x[i * 16 + j] = rng.int(100) + (j >> 2 === label ? 120 : 0);
  }
  return { x, y, count, features: 16 };
}

const withoutTimes = (h: History) => ({ ...h, seconds: 0, imagesPerSecond: 0 });

test('fit learns a toy task and records a full History', async () => {
  const model = mlp({ inputUnits: 16, hidden: [12], outputUnits: 4, rng: 1 });
  const history = await fit(model, { train: toyData(500, 1), val: toyData(100, 2), test: toyData(200, 3) }, { epochs: 4, batchSize: 16, rng: 1 });
  assert.equal(history.epochs, 4);
  assert.equal(history.batchLoss.length, 4 * Math.ceil(500 / 16));
  assert.equal(history.trainLoss.length, 4);
  assert.equal(history.valAccuracy.length, 4);
  assert.ok(history.trainLoss[3] < history.trainLoss[0]);
  assert.ok(history.testAccuracy !== undefined && history.testAccuracy > 0.9, `test accuracy ${history.testAccuracy}`);
  assert.ok(history.valAccuracy.every((a) => a >= 0 && a <= 1));
  assert.ok(history.seconds > 0 && history.imagesPerSecond > 0);
});

test('same seed → identical History and weights; another seed differs', async () => {
  const run = async (seed: number) => {
    const model = mlp({ inputUnits: 16, hidden: [8], outputUnits: 4, rng: seed });
    const history = await fit(model, { train: toyData(300, 1), val: toyData(50, 2) }, { epochs: 2, batchSize: 7, rng: seed });
    return { history: withoutTimes(history), weights: model.params().map((p) => Array.from(p.value)) };
  };
  assert.deepEqual(await run(5), await run(5));
  assert.notDeepEqual((await run(5)).weights, (await run(6)).weights);
});

test('callbacks are called in order with the right counts', async () => {
  const events: string[] = [];
  const batches: BatchLogs[] = [];
  const epochs: EpochLogs[] = [];
  const model = mlp({ inputUnits: 16, hidden: [4], outputUnits: 4 });
  await fit(model, { train: toyData(50, 1), val: toyData(10, 2) }, {
    epochs: 2,
    batchSize: 20,
    callbacks: {
      onTrainBegin: (info) => events.push(`begin ${info.epochs}x${info.batches}`),
      onEpochBegin: (e) => events.push(`epoch ${e}`),
      onBatchEnd: (logs) => batches.push(logs),
      onEpochEnd: (logs) => epochs.push(logs),
      onTrainEnd: () => events.push('end'),
    },
  });
  assert.deepEqual(events, ['begin 2x3', 'epoch 0', 'epoch 1', 'end']);
  assert.deepEqual(batches.map((b) => `${b.epoch}.${b.batch}/${b.batches}`), ['0.0/3', '0.1/3', '0.2/3', '1.0/3', '1.1/3', '1.2/3']);
  assert.deepEqual(epochs.map((e) => e.epoch), [0, 1]);
  // The epoch's loss is the mean of its batch losses.
  const mean0 = (batches[0].loss + batches[1].loss + batches[2].loss) / 3;
  assert.ok(Math.abs(epochs[0].trainLoss - mean0) < 1e-12);
});

test('an aborted signal stops after the current step', async () => {
  const controller = new AbortController();
  const model = mlp({ inputUnits: 16, hidden: [4], outputUnits: 4 });
  const history = await fit(model, { train: toyData(100, 1) }, {
    epochs: 3,
    batchSize: 10,
    signal: controller.signal,
    callbacks: { onBatchEnd: (logs) => logs.batch === 2 && controller.abort() },
  });
  assert.equal(history.stopped, true);
  assert.equal(history.batchLoss.length, 3);
  // No epoch completed; the next batch is the fourth of the first epoch.
  assert.equal(history.epochs, 0);
  // With the generator as that epoch began (fit's default, seeded 42), so the resumed epoch replays its shuffle.
  assert.deepEqual(history.resumeAt, { epoch: 0, batch: 3, epochLossSum: history.batchLoss[0] + history.batchLoss[1] + history.batchLoss[2], rng: new Rng(42).getState() });
  assert.equal(history.testAccuracy, undefined);
});

test('a run stopped mid-epoch and resumed ends bit-identical to an uninterrupted one', async () => {
  const data = { train: toyData(230, 1), val: toyData(40, 2), test: toyData(60, 3) };
  const options = { epochs: 3, batchSize: 16 };
  const whole = mlp({ inputUnits: 16, hidden: [8], outputUnits: 4, rng: 9 });
  const full = await fit(whole, data, { ...options, rng: new Rng(5) });

  for (const stopAt of [4, 14, 15, 20]) {
    // Stop after global batch `stopAt` (15 batches an epoch).
    const model = mlp({ inputUnits: 16, hidden: [8], outputUnits: 4, rng: 9 });
    const controller = new AbortController();
    let seen = 0;
    const first = await fit(model, data, {
      ...options,
      rng: new Rng(5),
      signal: controller.signal,
      callbacks: { onBatchEnd: () => ++seen === stopAt && controller.abort() },
    });
    assert.ok(first.stopped, `stopped at ${stopAt}`);
    // A fresh process would rebuild the model from the checkpoint's weights; here it is the same object.
    // The point to resume from carries the shuffling generator's state: any generator will do.
    const rest = await fit(model, data, { ...options, rng: new Rng(0), resume: { ...first.resumeAt, history: first } });
    assert.deepEqual(withoutTimes(rest), withoutTimes(full), `resumed after batch ${stopAt}`);
    assert.deepEqual(model.params().map((p) => Array.from(p.value)), whole.params().map((p) => Array.from(p.value)));
  }
  // A finished run's point continues it for more epochs, as one longer run would have gone.
  const longer = mlp({ inputUnits: 16, hidden: [8], outputUnits: 4, rng: 9 });
  const four = await fit(longer, data, { ...options, epochs: 4, rng: new Rng(5) });
  const more = await fit(whole, data, { ...options, epochs: 4, rng: new Rng(0), resume: { ...full.resumeAt, history: full } });
  assert.deepEqual(withoutTimes(more), withoutTimes(four));
});

test('a diverging loss stops with a TrainingError that names epoch and batch', async () => {
  const model = mlp({ inputUnits: 16, hidden: [32], outputUnits: 4, rng: 2 });
  await assert.rejects(
    () => fit(model, { train: toyData(200, 1) }, { epochs: 5, batchSize: 10, optimizer: new SGD({ lr: 1e38 }) }),
    /the loss became (NaN|Infinity) at epoch \d+, batch \d+: .* try a lower learning rate \(now 1e\+38\)/,
  );
});

test('bad options and mismatched data are rejected', async () => {
  const model = mlp({ inputUnits: 16, hidden: [4], outputUnits: 4 });
  await assert.rejects(() => fit(model, { train: toyData(10, 1) }, { epochs: 0 }), /expected epochs to be a positive integer, got 0/);
  await assert.rejects(() => fit(model, { train: toyData(10, 1) }, { batchSize: 2.5 }), /expected batchSize to be a positive integer, got 2.5/);
  const wide: Dataset = { x: new Uint8Array(20), y: new Uint8Array(1), count: 1, features: 20 };
  await assert.rejects(() => fit(model, { train: wide }), /the train set has 20 features per example, the model expects 16/);
});

test('no training step allocates a buffer after the first batch', async () => {
  const { kernelMemoryUsage } = await import('../../src/kernels/memory.js');
  const model = mlp({ inputUnits: 16, hidden: [12, 8], outputUnits: 4, rng: 3 });
  const counts: number[] = [];
  await fit(model, { train: toyData(250, 1) }, {
    epochs: 2,
    batchSize: 16, // 16 batches per epoch; the last one has 10 rows
    callbacks: { onBatchEnd: () => counts.push(kernelMemoryUsage().allocations) },
  });
  // The first full batch and the first partial batch allocate their buffers; no other step does.
  const perEpoch = 16;
  assert.equal(counts.length, 2 * perEpoch);
  for (let b = 1; b < perEpoch - 1; b++) assert.equal(counts[b], counts[0], `batch ${b} allocated`);
  for (let b = perEpoch; b < 2 * perEpoch; b++) assert.equal(counts[b], counts[perEpoch - 1], `epoch 2, batch ${b - perEpoch} allocated`);
});

test('an lr schedule sets the rate before every step from the base rate', async () => {
  const { lrSchedule } = await import('../../src/train/schedules.js');
  const optimizer = new SGD({ lr: 0.2 });
  const rates: number[] = [];
  await fit(mlp({ inputUnits: 16, hidden: [4], outputUnits: 4 }), { train: toyData(40, 1) }, {
    epochs: 2,
    batchSize: 20,
    optimizer,
    lrSchedule: lrSchedule({ kind: 'step', gamma: 0.5, stepEpochs: 1 }),
    callbacks: { onBatchEnd: () => void rates.push(optimizer.lr) },
  });
  assert.deepEqual(rates, [0.2, 0.2, 0.1, 0.1]);
});

test('a first layer other than Dense sees the real pixels of gathered batches', async () => {
  // Sparse byte images (~20 % nonzero): the loader gathers them from their
  // compressed nonzeros and writes the dense floats from those.
  const rng = new Rng(7);
  const features = 40;
  const count = 120;
  const x = Uint8Array.from({ length: count * features }, () => (rng.uniform() < 0.2 ? 1 + rng.int(255) : 0));
  const train: Dataset = { x, y: Uint8Array.from({ length: count }, (_, i) => i % 3), count, features };
  // ReLU is the identity on pixels in [0, 1], so a leading ReLU must not
  // change anything: the Dense after it gets the same values as the first
  // Dense of the plain model (its dense kernel adds the same products in the
  // same order as the sparse one), so the Histories agree bit for bit.
  const build = (leadingRelu: boolean) => {
    const layers = [new Dense(features, 6, { rng: new Rng(1) }), new ReLU(), new Dense(6, 3, { rng: new Rng(2) })];
    return new Sequential(leadingRelu ? [new ReLU(), ...layers] : layers, features);
  };
  const plain = await fit(build(false), { train }, { epochs: 2, batchSize: 8, rng: 3 });
  const leading = await fit(build(true), { train }, { epochs: 2, batchSize: 8, rng: 3 });
  assert.deepEqual(leading.batchLoss, plain.batchLoss);
});

test('the schedule\'s rates leave the caller\'s optimizer at the rate it came with', async () => {
  const optimizer = new SGD({ lr: 0.2 });
  const { lrSchedule } = await import('../../src/train/schedules.js');
  await fit(mlp({ inputUnits: 16, hidden: [4], outputUnits: 4, rng: 1 }), { train: toyData(40, 1) }, {
    epochs: 2,
    batchSize: 20,
    optimizer,
    lrSchedule: lrSchedule({ kind: 'step', gamma: 0.5, stepEpochs: 1 }),
  });
  assert.equal(optimizer.lr, 0.2);
});

for (const loss of ['mse', 'bce'] as const) {
  test(`fit trains with loss ${loss}, and reports that loss for the validation and test sets`, async () => {
    const { evaluate } = await import('../../src/train/evaluate.js');
    const { lossFor } = await import('../../src/losses/index.js');
    const model = mlp({ inputUnits: 16, hidden: [12], outputUnits: 4, rng: 1 });
    const val = toyData(100, 2);
    const test = toyData(200, 3);
    const history = await fit(model, { train: toyData(500, 1), val, test }, { epochs: 6, batchSize: 16, rng: 1, loss });
    assert.ok(history.trainLoss[5] < history.trainLoss[0], `train loss ${history.trainLoss.join(', ')}`);
    assert.ok(history.testAccuracy !== undefined && history.testAccuracy > 0.8, `test accuracy ${history.testAccuracy}`);
    assert.equal(history.testLoss, evaluate(model, test, 256, lossFor(loss)).loss);
    assert.notEqual(history.testLoss, evaluate(model, test).loss, 'not the cross-entropy');
  });
}

test('one output with bce: a yes/no classifier, the class is the sign of its logit', async () => {
  // Class 1 when the first quarter is the brightest.
  const data = toyData(400, 4);
  const yes = { ...data, y: data.y.map((c) => (c === 0 ? 1 : 0)) };
  const model = mlp({ inputUnits: 16, hidden: [8], outputUnits: 1, rng: 2 });
  const history = await fit(model, { train: yes, test: { ...yes } }, { epochs: 8, batchSize: 16, rng: 1, loss: 'bce' });
  assert.ok(history.testAccuracy !== undefined && history.testAccuracy > 0.9, `test accuracy ${history.testAccuracy}`);
});

test('labels the model has no output for are refused up front, naming set and example', async () => {
  const data = toyData(30, 5);
  await assert.rejects(fit(mlp({ inputUnits: 16, hidden: [4], outputUnits: 3, rng: 1 }), { train: data }), /fit: example \d+ of the train set has label 3, the model's 3 output\(s\) take labels 0 to 2/);
  await assert.rejects(fit(mlp({ inputUnits: 16, hidden: [4], outputUnits: 1, rng: 1 }), { train: data }), /take labels 0 to 1/);
});

test('clipNorm clips the gradients of the step: plain SGD moves the weights by lr·clipNorm·g/‖g‖', async () => {
  // One step on the whole set (one batch, no shuffle), so the step's gradient
  // g is the same for every run: the unclipped run's update is −lr·g, from
  // which the clipped update follows without the clipping code.
  const lr = 0.5;
  const data = { train: toyData(64, 4) };
  const step = async (clipNorm?: number) => {
    const model = mlp({ inputUnits: 16, hidden: [12], outputUnits: 4, rng: 8 });
    const before = model.params().map((p) => Float64Array.from(p.value));
    await fit(model, data, { epochs: 1, batchSize: 64, shuffle: false, optimizer: new SGD({ lr }), clipNorm });
    return model.params().map((p, i) => Float64Array.from(p.value, (v, j) => v - before[i][j]));
  };
  const norm = (update: Float64Array[]) => Math.sqrt(update.reduce((s, u) => s + u.reduce((t, v) => t + v * v, 0), 0));
  const free = await step();
  const gradNorm = norm(free) / lr;
  assert.ok(gradNorm > 0.1, `the toy gradient is not negligible (‖g‖ = ${gradNorm})`);

  const clipNorm = gradNorm / 4;
  const clipped = await step(clipNorm);
  assert.ok(norm(clipped) <= lr * clipNorm * (1 + 1e-4), `‖update‖ = ${norm(clipped)} > lr·clipNorm = ${lr * clipNorm}`);
  // Same direction, a quarter of the length: −lr·(clipNorm/‖g‖)·g, up to
  // the float32 rounding of the weights (~1e-7 here; unclipped is ~1e-2 off).
  let worst = 0;
  free.forEach((u, i) => u.forEach((v, j) => (worst = Math.max(worst, Math.abs(clipped[i][j] - v / 4)))));
  assert.ok(worst <= 1e-5 * lr * clipNorm, `largest deviation from lr·clipNorm·g/‖g‖: ${worst}`);

  // A clipNorm above ‖g‖ leaves the step alone.
  assert.deepEqual(await step(gradNorm * 2), free);
});
