import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { Adam } from '../../src/optim/adam.js';
import { AdamW, type AdamWOptions } from '../../src/optim/adamw.js';
import { assertClose, assertDiffer, assertTrajectory, fixedGrads, makeParams, quadratic, run, THETA0, type GradRule } from './problem.js';

/**
 * AdamW written from Loshchilov & Hutter's algorithm 2 (PyTorch's form), in
 * float64, independently of src/optim/: θ ← θ − αλθ; then Adam's step with the
 * raw grad, m ← β1m + (1 − β1)g, v ← β2v + (1 − β2)g², θ ← θ − α·m̂/(√v̂ + ε).
 */
function referenceAdamW(rule: GradRule, steps: number, o: Required<AdamWOptions>): number[][] {
  const theta = [...THETA0];
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < theta.length; i++) {
      const g = rule(theta[i], i, t);
      theta[i] -= o.lr * o.weightDecay * theta[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
      const mHat = m[i] / (1 - o.beta1 ** t);
      const vHat = v[i] / (1 - o.beta2 ** t);
      theta[i] -= (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
    out.push([...theta]);
  }
  return out;
}

const defaults: Required<AdamWOptions> = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
const g = [1, -2, 0.5, 4, -0.25, 2];
const sign = g.map(Math.sign);
// Fixed grads that do not depend on θ: Adam's m, v and steps are then the same with or without decay.
const grads = fixedGrads([g, g.map((x) => -x / 2), g.map((x, i) => x * (i + 1) * 0.3), g.map((x) => 0.1 * x)]);

test("AdamW defaults are PyTorch's: Adam's, with decoupled weightDecay 0.01", () => {
  assert.deepEqual(new AdamW().config(), { name: 'adamw', ...defaults });
});

test('AdamW trajectories over 10 steps match a float64 reference within 1e-6 relative', () => {
  const cases: Partial<AdamWOptions>[] = [{ lr: 0.1 }, { lr: 0.1, weightDecay: 0.5 }, { lr: 0.2, beta1: 0.5, beta2: 0.9, eps: 1e-3, weightDecay: 0.2 }];
  for (const c of cases) {
    const o = { ...defaults, ...c };
    assertTrajectory(run(new AdamW(o), makeParams(), quadratic, 10), referenceAdamW(quadratic, 10, o), 1e-6, `AdamW ${JSON.stringify(c)}`);
    assertTrajectory(run(new AdamW(o), makeParams(), grads, 10), referenceAdamW(grads, 10, o), 1e-6, `AdamW ${JSON.stringify(c)}, fixed grads`);
  }
});

test('AdamW step 1 by hand: θ1 = θ0·(1 − lr·λ) − lr·sign(g)', () => {
  // lr 0.1, λ 0.5: θ1 = 0.95·θ0 − 0.1·sign(g) = [1.325, −1.8, 0.6125, 2.75, −1.0875, 2.275]
  const [theta1] = run(new AdamW({ lr: 0.1, weightDecay: 0.5 }), makeParams(), fixedGrads([g]), 1);
  assertClose(theta1, [1.325, -1.8, 0.6125, 2.75, -1.0875, 2.275], 1e-7, 'AdamW step 1');
  // Coupled, Adam's λ enters g and is normalised away on step 1: θ1 = θ0 − 0.1·sign(g + 0.5θ0) = θ0 − 0.1·sign(g).
  const [adam1] = run(new Adam({ lr: 0.1, weightDecay: 0.5 }), makeParams(), fixedGrads([g]), 1);
  assertClose(adam1, THETA0.map((x, i) => x - 0.1 * sign[i]), 1e-7, 'Adam (coupled) step 1');
  assertDiffer(theta1, adam1, 0.05, 'decoupled vs coupled, step 1');
});

test('AdamW is decoupled: each step is θ·(1 − lr·λ) − (Adam step without decay), not Adam with coupled decay', () => {
  const lr = 0.1;
  const wd = 0.3;
  const adamW = run(new AdamW({ lr, weightDecay: wd }), makeParams(), grads, 8);
  const adam = run(new Adam({ lr }), makeParams(), grads, 8); // the same Adam steps, no decay
  const coupled = run(new Adam({ lr, weightDecay: wd }), makeParams(), grads, 8);
  let prevW = [...THETA0];
  let prevA = [...THETA0];
  adamW.forEach((row, t) => {
    const adamStep = prevA.map((x, i) => x - adam[t][i]);
    assertClose(row, prevW.map((x, i) => x * (1 - lr * wd) - adamStep[i]), 1e-6, `AdamW step ${t + 1} = θ·(1 − lr·λ) − adam_step`);
    assertDiffer(row, coupled[t], 1e-3, `AdamW vs Adam with coupled weightDecay, step ${t + 1}`);
    prevW = row;
    prevA = adam[t];
  });
  // λ = 0: AdamW is Adam, bit for bit.
  assert.deepEqual(run(new AdamW({ lr, weightDecay: 0 }), makeParams(), quadratic, 6), run(new Adam({ lr }), makeParams(), quadratic, 6));
});

test('AdamW rejects bad options, saying which and what it got', () => {
  const bad: [AdamWOptions, RegExp][] = [
    [{ beta1: 1.5 }, /^AdamW: expected beta1 in \[0, 1\), got 1.5$/],
    [{ beta2: -1 }, /^AdamW: expected beta2 in \[0, 1\), got -1$/],
    [{ weightDecay: -0.01 }, /^AdamW: expected weightDecay to be a non-negative number, got -0.01$/],
    [{ eps: -1 }, /^AdamW: expected eps to be a positive number, got -1$/],
    [{ lr: Infinity }, /^AdamW: expected lr to be a positive number, got Infinity$/],
    [{ decay: 0.1 } as AdamWOptions, /^AdamW: unknown option decay, expected one of lr, beta1, beta2, eps, weightDecay$/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => new AdamW(options), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(options));
  }
});
