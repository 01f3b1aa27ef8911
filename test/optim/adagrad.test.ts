import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { Adagrad, type AdagradOptions } from '../../src/optim/adagrad.js';
import { assertClose, assertTrajectory, fixedGrads, makeParams, quadratic, run, THETA0, type GradRule } from './problem.js';

/**
 * Adagrad written from Duchi et al.'s diagonal update (PyTorch's form), in
 * float64, independently of src/optim/adagrad.ts: g ← g + λθ; s ← s + g²;
 * θ ← θ − α·g/(√s + ε), s starting at initialAccumulatorValue.
 */
function referenceAdagrad(rule: GradRule, steps: number, o: Required<AdagradOptions>): number[][] {
  const theta = [...THETA0];
  const s = theta.map(() => o.initialAccumulatorValue);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < theta.length; i++) {
      const g = rule(theta[i], i, t) + o.weightDecay * theta[i];
      s[i] += g * g;
      theta[i] -= (o.lr * g) / (Math.sqrt(s[i]) + o.eps);
    }
    out.push([...theta]);
  }
  return out;
}

const defaults: Required<AdagradOptions> = { lr: 0.01, eps: 1e-10, weightDecay: 0, initialAccumulatorValue: 0 };

test("Adagrad defaults are PyTorch's: lr 0.01, eps 1e-10, no weight decay, accumulator from 0", () => {
  assert.deepEqual(new Adagrad().config(), { name: 'adagrad', ...defaults });
});

test('Adagrad trajectories over 10 steps match a float64 reference within 1e-6 relative', () => {
  const cases: Partial<AdagradOptions>[] = [{ lr: 0.5 }, { lr: 0.5, weightDecay: 0.1, initialAccumulatorValue: 0.1 }, { lr: 0.8, eps: 1e-2 }];
  for (const c of cases) {
    const o = { ...defaults, ...c };
    assertTrajectory(run(new Adagrad(o), makeParams(), quadratic, 10), referenceAdagrad(quadratic, 10, o), 1e-6, `Adagrad ${JSON.stringify(c)}`);
  }
});

test('Adagrad steps 1 and 2 by hand', () => {
  const g = [1, -2, 0.5, 4, -0.25, 2];
  const sign = g.map(Math.sign);
  // Defaults: s = g², so step 1 moves 0.01·g/|g| = 0.01·sign(g); step 2 (same g) s = 2g², moves 0.01/√2 = 0.00707107.
  const [d1, d2] = run(new Adagrad(), makeParams(), fixedGrads([g]), 2);
  assertClose(d1, [1.49, -1.99, 0.74, 2.99, -1.24, 2.49], 1e-7, 'step 1, defaults');
  assertClose(d2, d1.map((x, i) => x - 0.0070710678 * sign[i]), 2.5e-7, 'step 2, defaults');

  // lr 0.5, accumulator from 9, g = ±4 (and one 0): s = 9 + 16 = 25, moves 0.5·4/5 = 0.4;
  // step 2: s = 41, moves 0.5·4/√41 = 0.3123475. A zero grad moves nothing (ε keeps 0/0 away).
  const h = [4, -4, 0, 4, -4, 4];
  const adagrad = new Adagrad({ lr: 0.5, initialAccumulatorValue: 9 });
  const [a1, a2] = run(adagrad, makeParams(), fixedGrads([h]), 2);
  assertClose(a1, [1.1, -1.6, 0.75, 2.6, -0.85, 2.1], 1e-7, 'step 1, accumulator from 9');
  assertClose(a2, [0.78765248, -1.28765248, 0.75, 2.28765248, -0.53765248, 1.78765248], 2.5e-7, 'step 2, accumulator from 9');
  assert.deepEqual(adagrad.getState().slots.s.flatMap((b) => Array.from(b)), [41, 41, 9, 41, 41, 41]);
});

test('Adagrad rejects bad options, saying which and what it got', () => {
  const bad: [AdagradOptions, RegExp][] = [
    [{ lr: -0.01 }, /^Adagrad: expected lr to be a positive number, got -0.01$/],
    [{ eps: 0 }, /^Adagrad: expected eps to be a positive number, got 0$/],
    [{ weightDecay: -1 }, /^Adagrad: expected weightDecay to be a non-negative number, got -1$/],
    [{ initialAccumulatorValue: -0.1 }, /^Adagrad: expected initialAccumulatorValue to be a non-negative number, got -0.1$/],
    [{ lrDecay: 0.1 } as AdagradOptions, /^Adagrad: unknown option lrDecay, expected one of lr, eps, weightDecay, initialAccumulatorValue$/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => new Adagrad(options), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(options));
  }
});
