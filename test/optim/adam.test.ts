import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { Adam, type AdamOptions } from '../../src/optim/adam.js';
import { assertClose, assertDiffer, assertTrajectory, fixedGrads, makeParams, quadratic, run, THETA0, type GradRule } from './problem.js';

/**
 * Adam written from Kingma & Ba's algorithm 1 (PyTorch's form), in float64,
 * independently of src/optim/adam.ts: g ← g + λθ; m ← β1m + (1 − β1)g;
 * v ← β2v + (1 − β2)g²; θ ← θ − α·(m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε).
 */
function referenceAdam(rule: GradRule, steps: number, o: Required<AdamOptions>): number[][] {
  const theta = [...THETA0];
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < theta.length; i++) {
      const g = rule(theta[i], i, t) + o.weightDecay * theta[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
      const mHat = m[i] / (1 - Math.pow(o.beta1, t));
      const vHat = v[i] / (1 - Math.pow(o.beta2, t));
      theta[i] -= (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
    out.push([...theta]);
  }
  return out;
}

const defaults: Required<AdamOptions> = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
const g = [1, -2, 0.5, 4, -0.25, 2];
const sign = g.map(Math.sign);

test('Adam defaults are PyTorch\'s: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay', () => {
  assert.deepEqual(new Adam().config(), { name: 'adam', ...defaults });
});

test('Adam trajectories over 10 steps match a float64 reference within 1e-6 relative', () => {
  const cases: Partial<AdamOptions>[] = [
    { lr: 0.1 },
    { lr: 0.1, weightDecay: 0.05 },
    { lr: 0.2, beta1: 0.5, beta2: 0.9, eps: 1e-3 },
    { lr: 0.05, beta1: 0, beta2: 0 }, // RMS of one grad: steps of ±α (sign descent)
  ];
  for (const c of cases) {
    const o = { ...defaults, ...c };
    const got = run(new Adam(o), makeParams(), quadratic, 10);
    assertTrajectory(got, referenceAdam(quadratic, 10, o), 1e-6, `Adam ${JSON.stringify(c)}`);
  }
  // With the defaults the steps are small (≈ lr), so compare what moved: θ₁₀ − θ₀.
  const got = run(new Adam(), makeParams(), quadratic, 10)[9];
  const want = referenceAdam(quadratic, 10, defaults)[9];
  assertClose(got.map((x, i) => x - THETA0[i]), want.map((x, i) => x - THETA0[i]), 1e-4, 'Adam defaults, θ₁₀ − θ₀');
});

test('Adam step 1 by hand: m̂ = g, v̂ = g², so every weight moves by lr·g/(|g| + ε) ≈ lr·sign(g)', () => {
  // With the default lr 1e-3: θ1 = θ0 − 0.001·sign(g) (ε changes it by < 1e-10).
  const [theta1] = run(new Adam(), makeParams(), fixedGrads([g]), 1);
  assertClose(theta1, [1.499, -1.999, 0.749, 2.999, -1.249, 2.499], 1e-7, 'Adam step 1, defaults');
  // Constant grads keep m̂ = g and v̂ = g²: every step is lr·sign(g) again.
  const five = run(new Adam(), makeParams(), fixedGrads([g]), 5)[4];
  assertClose(five, THETA0.map((x, i) => x - 0.005 * sign[i]), 5e-7, 'Adam, 5 steps of constant grads');
});

test("Adam's bias correction: steps 1 and 2 by hand differ from the uncorrected m / (√v + ε)", () => {
  // lr 0.1, grads g then −g/2 (|g| factors out; s = sign(g)):
  //   step 1: m = 0.1g, v = 0.001g²; m̂ = g, v̂ = g²            → moves 0.1·s
  //           uncorrected: 0.1 · 0.1/√0.001 = 0.316228·s
  //   step 2: m = 0.09g − 0.05g = 0.04g, v = 0.000999g² + 0.00025g² = 0.001249g²
  //           m̂ = 0.04/0.19 = 0.210526g, v̂ = 0.001249/0.001999 = 0.624812g²
  //           → moves 0.1 · 0.210526/0.790451 = 0.0266337·s
  //           uncorrected: 0.1 · 0.04/√0.001249 = 0.113182·s
  const adam = new Adam({ lr: 0.1 });
  const [theta1, theta2] = run(adam, makeParams(), fixedGrads([g, g.map((x) => -x / 2)]), 2);
  const corrected1 = THETA0.map((x, i) => x - 0.1 * sign[i]);
  const corrected2 = corrected1.map((x, i) => x - 0.026633704 * sign[i]);
  assertClose(theta1, corrected1, 1e-7, 'step 1');
  assertClose(theta2, corrected2, 2.5e-7, 'step 2');
  const uncorrected1 = THETA0.map((x, i) => x - 0.316228 * sign[i]);
  const uncorrected2 = uncorrected1.map((x, i) => x - 0.113182 * sign[i]);
  assertDiffer(theta1, uncorrected1, 0.2, 'step 1 vs uncorrected');
  assertDiffer(theta2.map((x, i) => x - theta1[i]), uncorrected2.map((x, i) => x - uncorrected1[i]), 0.08, 'step 2 vs uncorrected');
  // The moments themselves are stored uncorrected.
  const { step, slots } = adam.getState();
  assert.equal(step, 2);
  assertClose(slots.m.flatMap((b) => Array.from(b)), g.map((x) => 0.04 * x), 1e-6, 'm after step 2');
  assertClose(slots.v.flatMap((b) => Array.from(b)), g.map((x) => 0.001249 * x * x), 1e-6, 'v after step 2');
});

test('Adam weightDecay is coupled: it enters g, so it is rescaled like the grad', () => {
  // Step 1 with λ = 0.5 at θ0: g' = g + 0.5θ0, and Adam still moves each weight by lr·sign(g').
  const gPrime = g.map((x, i) => x + 0.5 * THETA0[i]); // [1.75, −3, 0.875, 5.5, −0.875, 3.25]
  const [theta1] = run(new Adam({ lr: 0.1, weightDecay: 0.5 }), makeParams(), fixedGrads([g]), 1);
  assertClose(theta1, THETA0.map((x, i) => x - 0.1 * Math.sign(gPrime[i])), 1e-7, 'coupled decay, step 1');
});

test('Adam refuses a params list of another shape', () => {
  const adam = new Adam();
  const params = makeParams();
  adam.step(params);
  assert.throws(
    () => adam.step([params[1], params[0]]),
    (e: Error) => e instanceof ConfigError && /^Adam: step\(\) param 0 \(bias\) has 2 values, but its state holds 4; /.test(e.message),
  );
});

test('Adam rejects bad options, saying which and what it got', () => {
  const bad: [AdamOptions, RegExp][] = [
    [{ beta1: 1.5 }, /^Adam: expected beta1 in \[0, 1\), got 1.5$/],
    [{ beta1: -0.1 }, /^Adam: expected beta1 in \[0, 1\), got -0.1$/],
    [{ beta2: 1 }, /^Adam: expected beta2 in \[0, 1\), got 1$/],
    [{ beta2: NaN }, /^Adam: expected beta2 in \[0, 1\), got NaN$/],
    [{ lr: 0 }, /^Adam: expected lr to be a positive number, got 0$/],
    [{ eps: 0 }, /^Adam: expected eps to be a positive number, got 0$/],
    [{ weightDecay: -0.01 }, /^Adam: expected weightDecay to be a non-negative number, got -0.01$/],
    [{ beta: 0.9 } as AdamOptions, /^Adam: unknown option beta, expected one of lr, beta1, beta2, eps, weightDecay$/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => new Adam(options), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(options));
  }
});
