import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { RMSprop, type RMSpropOptions } from '../../src/optim/rmsprop.js';
import { assertClose, assertDiffer, assertTrajectory, fixedGrads, makeParams, quadratic, run, THETA0, type GradRule } from './problem.js';

/**
 * RMSprop written from PyTorch's documented algorithm (not centered), in
 * float64, independently of src/optim/rmsprop.ts: g ← g + λθ;
 * v ← ρv + (1 − ρ)g²; with momentum b ← μb + g/(√v + ε), θ ← θ − αb;
 * else θ ← θ − αg/(√v + ε).
 */
function referenceRMSprop(rule: GradRule, steps: number, o: Required<RMSpropOptions>): number[][] {
  const theta = [...THETA0];
  const v = theta.map(() => 0);
  const b = theta.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < theta.length; i++) {
      const g = rule(theta[i], i, t) + o.weightDecay * theta[i];
      v[i] = o.alpha * v[i] + (1 - o.alpha) * g * g;
      if (o.momentum > 0) {
        b[i] = o.momentum * b[i] + g / (Math.sqrt(v[i]) + o.eps);
        theta[i] -= o.lr * b[i];
      } else {
        theta[i] -= (o.lr * g) / (Math.sqrt(v[i]) + o.eps);
      }
    }
    out.push([...theta]);
  }
  return out;
}

const defaults: Required<RMSpropOptions> = { lr: 0.01, alpha: 0.99, eps: 1e-8, momentum: 0, weightDecay: 0 };

test("RMSprop defaults are PyTorch's: lr 0.01, alpha 0.99, eps 1e-8, no momentum, no weight decay", () => {
  assert.deepEqual(new RMSprop().config(), { name: 'rmsprop', ...defaults });
});

test('RMSprop trajectories over 10 steps match a float64 reference within 1e-6 relative', () => {
  const cases: Partial<RMSpropOptions>[] = [
    {},
    { lr: 0.02, alpha: 0.9, weightDecay: 0.1 },
    { lr: 0.003, momentum: 0.9 },
    { lr: 0.005, alpha: 0.5, eps: 1e-2, momentum: 0.5, weightDecay: 0.2 },
  ];
  for (const c of cases) {
    const o = { ...defaults, ...c };
    assertTrajectory(run(new RMSprop(o), makeParams(), quadratic, 10), referenceRMSprop(quadratic, 10, o), 1e-6, `RMSprop ${JSON.stringify(c)}`);
  }
});

test('RMSprop steps 1 and 2 by hand, with and without momentum', () => {
  const g = [1, -2, 0.5, 4, -0.25, 2];
  const constant = fixedGrads([g]);
  // Step 1: v = 0.01g², √v = 0.1|g| (no bias correction), so each weight moves 0.01/0.1 = 0.1·sign(g).
  const theta1 = [1.4, -1.9, 0.65, 2.9, -1.15, 2.4];
  // Step 2 (same g): v = 0.0199g², moves 0.01/√0.0199 = 0.0708881·sign(g).
  const theta2 = [1.329111879, -1.829111879, 0.579111879, 2.82911188, -1.079111879, 2.32911188];
  // With momentum 0.9: b1 = 10·sign(g) (the same step 1), b2 = 9 + 7.088812 → moves 0.1608881·sign(g).
  const theta2Momentum = [1.239111879, -1.739111879, 0.48911188, 2.739111879, -0.989111879, 2.239111879];
  const [p1, p2] = run(new RMSprop(), makeParams(), constant, 2);
  assertClose(p1, theta1, 1e-7, 'step 1');
  assertClose(p2, theta2, 2.5e-7, 'step 2');
  const withMomentum = new RMSprop({ momentum: 0.9 });
  const [m1, m2] = run(withMomentum, makeParams(), constant, 2);
  assertClose(m1, theta1, 1e-7, 'step 1, momentum');
  assertClose(m2, theta2Momentum, 2.5e-7, 'step 2, momentum');
  assertDiffer(p2, m2, 0.05, 'momentum vs none, step 2');
  const { slots } = withMomentum.getState();
  assertClose(slots.b.flatMap((x) => Array.from(x)), g.map((x) => 16.08881205 * Math.sign(x)), 1e-6, 'b after step 2');
  assertClose(slots.v.flatMap((x) => Array.from(x)), g.map((x) => 0.0199 * x * x), 1e-6, 'v after step 2');
  assert.deepEqual(Object.keys(new RMSprop().getState().slots), ['v']);
});

test('RMSprop rejects bad options, saying which and what it got', () => {
  const bad: [RMSpropOptions, RegExp][] = [
    [{ alpha: 1 }, /^RMSprop: expected alpha in \[0, 1\), got 1$/],
    [{ momentum: 1.2 }, /^RMSprop: expected momentum in \[0, 1\), got 1.2$/],
    [{ eps: NaN }, /^RMSprop: expected eps to be a positive number, got NaN$/],
    [{ lr: 0 }, /^RMSprop: expected lr to be a positive number, got 0$/],
    [{ weightDecay: -2 }, /^RMSprop: expected weightDecay to be a non-negative number, got -2$/],
    [{ centered: true } as RMSpropOptions, /^RMSprop: unknown option centered, expected one of lr, alpha, eps, momentum, weightDecay$/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => new RMSprop(options), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(options));
  }
});
