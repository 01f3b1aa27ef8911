import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { axpy } from '../../src/kernels/index.js';
import { param } from '../../src/layers/layer.js';
import { SGD, type SGDOptions } from '../../src/optim/sgd.js';
import { assertClose, assertDiffer, assertTrajectory, fixedGrads, flat, makeParams, quadratic, run, setGrads, THETA0, type GradRule } from './problem.js';

/**
 * PyTorch's SGD written from its formula, in float64, independently of
 * src/optim/sgd.ts: g ← g + λθ; v ← μv + (1 − d)g (first step v ← g);
 * g ← nesterov ? g + μv : v; θ ← θ − αg.
 */
function referenceSGD(rule: GradRule, steps: number, o: Required<SGDOptions>): number[][] {
  const theta = [...THETA0];
  const v = theta.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < theta.length; i++) {
      let g = rule(theta[i], i, t) + o.weightDecay * theta[i];
      if (o.momentum !== 0) {
        v[i] = t === 1 ? g : o.momentum * v[i] + (1 - o.dampening) * g;
        g = o.nesterov ? g + o.momentum * v[i] : v[i];
      }
      theta[i] -= o.lr * g;
    }
    out.push([...theta]);
  }
  return out;
}

const base: Required<SGDOptions> = { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 };

test('SGD: θ ← θ − lr·g, over several steps with changing grads', () => {
  const p = param('w', [3]);
  p.value.set([1, -2, 0.5]);
  const sgd = new SGD({ lr: 0.5 });
  const grads = [[1, 1, 1], [0.5, -4, 0], [-2, 0, 8]];
  const expected = [1, -2, 0.5];
  for (const g of grads) {
    p.grad.set(g);
    sgd.step([p]);
    g.forEach((gi, i) => (expected[i] = Math.fround(expected[i] - 0.5 * gi)));
  }
  assert.deepEqual(Array.from(p.value), expected);
  // By hand: 1 − 0.5·(1 + 0.5 − 2), −2 − 0.5·(1 − 4 + 0), 0.5 − 0.5·(1 + 0 + 8)
  assert.deepEqual(Array.from(p.value), [1.25, -0.5, -4]);
});

test('SGD defaults to the tutorial lr 0.1 and rejects nonsense', () => {
  assert.equal(new SGD().lr, 0.1);
  assert.throws(() => new SGD({ lr: -1 }), /expected lr to be a positive number, got -1/);
  assert.throws(() => new SGD({ lr: NaN }), /got NaN/);
});

test('SGD defaults: no momentum, no dampening, no nesterov, no weight decay (PyTorch)', () => {
  assert.deepEqual(new SGD().config(), { name: 'sgd', lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
});

test('SGD trajectories over 8 steps match a float64 reference within 1e-6 relative', () => {
  const cases: Partial<SGDOptions>[] = [
    {},
    { weightDecay: 0.1 },
    { lr: 0.05, momentum: 0.9 },
    { momentum: 0.5, dampening: 0.3 },
    { lr: 0.05, momentum: 0.9, nesterov: true },
    { momentum: 0.8, nesterov: true, weightDecay: 0.05, lr: 0.05 },
  ];
  for (const c of cases) {
    const o = { ...base, ...c };
    const got = run(new SGD(o), makeParams(), quadratic, 8);
    assertTrajectory(got, referenceSGD(quadratic, 8, o), 1e-6, `SGD ${JSON.stringify(c)}`);
  }
});

test('SGD momentum, first steps by hand: v = g on step 1 (undampened), then μv + (1 − d)g', () => {
  const g = [1, -2, 0.5, 4, -0.25, 2];
  const constant = fixedGrads([g]);
  // Step 1, any μ and d: v = g, θ1 = θ0 − 0.1·g.
  const theta1 = [1.4, -1.8, 0.7, 2.6, -1.225, 2.3];
  // Step 2, μ = 0.9, d = 0: v = 0.9g + g = 1.9g, θ2 = θ1 − 0.19g.
  const theta2 = [1.21, -1.42, 0.605, 1.84, -1.1775, 1.92];
  // Step 2, μ = 0.9, d = 0.5: v = 0.9g + 0.5g = 1.4g, θ2 = θ1 − 0.14g.
  const theta2Damped = [1.26, -1.52, 0.63, 2.04, -1.19, 2.02];

  const sgd = new SGD({ lr: 0.1, momentum: 0.9 });
  const params = makeParams();
  const [s1, s2] = run(sgd, params, constant, 2);
  assertClose(s1, theta1, 1e-7, 'momentum step 1');
  assertClose(s2, theta2, 2.5e-7, 'momentum step 2');
  assertClose([...sgd.getState().slots.v.flatMap((b) => Array.from(b))], g.map((x) => 1.9 * x), 1e-7, 'velocity after step 2');

  const damped = new SGD({ lr: 0.1, momentum: 0.9, dampening: 0.5 });
  const [d1, d2] = run(damped, makeParams(), constant, 2);
  assertClose(d1, theta1, 1e-7, 'dampened step 1 (PyTorch does not dampen the first step)');
  assertClose(d2, theta2Damped, 2.5e-7, 'dampened step 2');
});

test('SGD nesterov, by hand: step 1 moves by lr·(g + μg), unlike plain momentum', () => {
  const g = [1, -2, 0.5, 4, -0.25, 2];
  // Step 1: v = g; update g + 0.9·v = 1.9g; θ1 = θ0 − 0.19g.
  const theta1 = [1.31, -1.62, 0.655, 2.24, -1.2025, 2.12];
  // Step 2: v = 1.9g; update g + 0.9·1.9g = 2.71g; θ2 = θ1 − 0.271g.
  const theta2 = [1.039, -1.078, 0.5195, 1.156, -1.13475, 1.578];
  const [n1, n2] = run(new SGD({ lr: 0.1, momentum: 0.9, nesterov: true }), makeParams(), fixedGrads([g]), 2);
  assertClose(n1, theta1, 1e-7, 'nesterov step 1');
  assertClose(n2, theta2, 2.5e-7, 'nesterov step 2');

  const plain = run(new SGD({ lr: 0.1, momentum: 0.9 }), makeParams(), quadratic, 6);
  const nesterov = run(new SGD({ lr: 0.1, momentum: 0.9, nesterov: true }), makeParams(), quadratic, 6);
  plain.forEach((row, t) => assertDiffer(row, nesterov[t], 1e-3, `nesterov vs plain momentum, step ${t + 1}`));
});

test('SGD weight decay is coupled L2, by hand: g ← g + λθ', () => {
  const g = [1, -2, 0.5, 4, -0.25, 2];
  // θ1 = θ0 − 0.1·(g + 0.5·θ0) = 0.95·θ0 − 0.1·g.
  const theta1 = [1.325, -1.7, 0.6625, 2.45, -1.1625, 2.175];
  const [s1] = run(new SGD({ lr: 0.1, weightDecay: 0.5 }), makeParams(), fixedGrads([g]), 1);
  assertClose(s1, theta1, 1e-7, 'weight decay step 1');
});

test('plain SGD stays the axpy fast path: bit-identical to axpy(θ, −lr, g), stateless', () => {
  const params = makeParams();
  const copies = makeParams();
  const sgd = new SGD({ lr: 0.3 });
  for (let t = 1; t <= 5; t++) {
    setGrads(copies, quadratic, t);
    for (const p of copies) axpy(p.value, -0.3, p.grad);
    const [got] = run(sgd, params, quadratic, 1, t - 1);
    assert.deepEqual(got, flat(copies), `step ${t}`);
  }
  assertClose(flat(params), referenceSGD(quadratic, 5, { ...base, lr: 0.3 })[4], 1e-6, 'plain SGD after 5 steps');
  assert.deepEqual(sgd.getState(), { step: 5, slots: {} });
  // No state is kept per param, so another list is fine.
  sgd.step([param('other', [7])]);
});

test('SGD with momentum refuses a params list of another shape', () => {
  const sgd = new SGD({ momentum: 0.9 });
  sgd.step(makeParams());
  assert.throws(
    () => sgd.step([param('w', [3])]),
    (e: Error) => e instanceof ConfigError && /^SGD: step\(\) got 1 params, but its state was created for 2; its state is kept per position/.test(e.message),
  );
});

test('SGD rejects bad options, saying which and what it got', () => {
  const bad: [SGDOptions, RegExp][] = [
    [{ momentum: 1 }, /^SGD: expected momentum in \[0, 1\), got 1$/],
    [{ momentum: -0.1 }, /^SGD: expected momentum in \[0, 1\), got -0.1$/],
    [{ dampening: 1.5 }, /^SGD: expected dampening in \[0, 1\], got 1.5$/],
    [{ weightDecay: -1 }, /^SGD: expected weightDecay to be a non-negative number, got -1$/],
    [{ weightDecay: Infinity }, /^SGD: expected weightDecay to be a non-negative number, got Infinity$/],
    [{ nesterov: 'yes' as unknown as boolean, momentum: 0.9 }, /^SGD: expected nesterov to be true or false, got "yes"$/],
    [{ nesterov: true }, /^SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0$/],
    [{ nesterov: true, momentum: 0.9, dampening: 0.1 }, /^SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1$/],
    [{ lr: 0.1, mometum: 0.9 } as SGDOptions, /^SGD: unknown option mometum, expected one of lr, momentum, dampening, nesterov, weightDecay$/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => new SGD(options), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(options));
  }
});
