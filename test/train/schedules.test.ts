import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lrSchedule } from '../../src/train/schedules.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('constant, step, exponential and cosine factors at known points', () => {
  close(lrSchedule()(3.7, 10), 1);
  const step = lrSchedule({ kind: 'step', gamma: 0.5, stepEpochs: 2 });
  [0, 1.99, 2, 3.5, 4, 6].forEach((p, i) => close(step(p, 10), [1, 1, 0.5, 0.5, 0.25, 0.125][i]));
  const exp = lrSchedule({ kind: 'exponential', gamma: 0.9 });
  close(exp(0, 5), 1);
  close(exp(2, 5), 0.81);
  close(exp(0.5, 5), Math.sqrt(0.9));
  const cos = lrSchedule({ kind: 'cosine' });
  close(cos(0, 4), 1);
  close(cos(2, 4), 0.5);
  close(cos(4, 4), 0);
  close(lrSchedule({ kind: 'cosine', minFactor: 0.1 })(4, 4), 0.1);
});

test('linear warm-up rises to the base rate, then the schedule takes over from its own start', () => {
  const s = lrSchedule({ kind: 'cosine', warmupEpochs: 2 });
  assert.ok(s(0, 10) > 0 && s(0, 10) < 0.001);
  close(s(1, 10), (1 + 0.001) / 2);
  close(s(2, 10), 1); // cosine at its own t = 0
  close(s(6, 10), 0.5); // halfway through the 8 cosine epochs
  close(s(10, 10), 0);
});

test('bad options are rejected', () => {
  assert.throws(() => lrSchedule({ kind: 'linear' as never }), /unknown schedule "linear": expected one of constant, step, exponential, cosine/);
  assert.throws(() => lrSchedule({ kind: 'step', gamma: 1.5 }), /expected gamma in \(0, 1\], got 1.5/);
  assert.throws(() => lrSchedule({ warmupEpochs: -1 }), /expected warmupEpochs ≥ 0, got -1/);
});
