import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocFloat32, inKernelMemory } from '../../src/kernels/memory.js';
import { adagradStep, adamStep, rmspropStep, sgdMomentumStep, sgdStep } from '../../src/kernels/updates.js';
import { Rng } from '../../src/rng.js';

// Each update kernel, on its SIMD path (arrays in kernel memory) and its JS
// loop (ordinary arrays), over several steps, against the textbook formula
// written independently here in float64 (PyTorch's definitions). The
// kernels keep their state in float32, so they drift from the float64
// reference by rounding only: a wrong term (a missing bias correction, a
// dropped dampening) is orders of magnitude larger than the tolerance.

const N = 37;
const STEPS = 8;

/** A float64 reference update: one step of every weight, given the step number t (1, 2, …). */
type Reference = (theta: Float64Array, g: Float64Array, t: number) => void;
/** One step with the kernel under test on float32 arrays (state owned by the closure). */
type Kernel = (value: Float32Array, grad: Float32Array, t: number) => void;

function check(name: string, makeReference: () => Reference, makeKernel: (alloc: (n: number) => Float32Array) => Kernel): void {
  for (const [path, alloc] of [['SIMD', allocFloat32], ['JS', (n: number) => new Float32Array(n)]] as const) {
    test(`${name} (${path}) follows the float64 textbook formula over ${STEPS} steps`, () => {
      const rng = new Rng(5);
      const start = Float64Array.from({ length: N }, () => Math.fround(rng.normal()));
      const grads = Array.from({ length: STEPS }, () => Float64Array.from({ length: N }, () => Math.fround(rng.normal() * 0.5)));
      const value = alloc(N);
      value.set(start);
      const grad = alloc(N);
      assert.equal(inKernelMemory(value, grad), path === 'SIMD');
      const kernel = makeKernel(alloc);
      const reference = makeReference();
      const theta = Float64Array.from(start);
      for (let t = 1; t <= STEPS; t++) {
        grad.set(grads[t - 1]);
        kernel(value, grad, t);
        reference(theta, grads[t - 1], t);
      }
      let moved = 0;
      for (let i = 0; i < N; i++) {
        const tol = 1e-5 * Math.max(1, Math.abs(theta[i]));
        assert.ok(Math.abs(value[i] - theta[i]) <= tol, `weight ${i}: ${value[i]} vs ${theta[i]}`);
        moved = Math.max(moved, Math.abs(theta[i] - start[i]));
      }
      assert.ok(moved > 1e-3, 'the weights moved');
    });
  }
}

{
  const lr = 0.1, wd = 0.01;
  check('sgdStep with weight decay', () => (theta, g) => theta.forEach((w, i) => (theta[i] = w - lr * (g[i] + wd * w))), () => (value, grad) => sgdStep(value, grad, lr, wd));
  check('sgdStep (the tutorial\'s)', () => (theta, g) => theta.forEach((w, i) => (theta[i] = w - lr * g[i])), () => (value, grad) => sgdStep(value, grad, lr, 0));
}

for (const nesterov of [false, true]) {
  const lr = 0.05, mu = 0.9, dampening = nesterov ? 0 : 0.3, wd = 0.02;
  check(
    `sgdMomentumStep${nesterov ? ' (Nesterov)' : ' (dampening)'}`,
    () => {
      const buf = new Float64Array(N);
      return (theta, g, t) => {
        for (let i = 0; i < N; i++) {
          const d = g[i] + wd * theta[i];
          // PyTorch: b ← d on the first step, else μ·b + (1 − dampening)·d.
          buf[i] = t === 1 ? d : mu * buf[i] + (1 - dampening) * d;
          theta[i] -= lr * (nesterov ? d + mu * buf[i] : buf[i]);
        }
      };
    },
    (alloc) => {
      const v = alloc(N);
      return (value, grad, t) => sgdMomentumStep(value, grad, v, { lr, mu, keep: 1 - dampening, wd, first: t === 1, nesterov });
    },
  );
}

for (const momentum of [0, 0.8]) {
  const lr = 0.01, alpha = 0.9, eps = 1e-8, wd = 0.01;
  check(
    `rmspropStep${momentum > 0 ? ' with momentum' : ''}`,
    () => {
      const sq = new Float64Array(N);
      const buf = new Float64Array(N);
      return (theta, g) => {
        for (let i = 0; i < N; i++) {
          const d = g[i] + wd * theta[i];
          sq[i] = alpha * sq[i] + (1 - alpha) * d * d;
          const step = d / (Math.sqrt(sq[i]) + eps);
          if (momentum > 0) {
            buf[i] = momentum * buf[i] + step;
            theta[i] -= lr * buf[i];
          } else theta[i] -= lr * step;
        }
      };
    },
    (alloc) => {
      const v = alloc(N);
      const b = momentum > 0 ? alloc(N) : null;
      return (value, grad) => rmspropStep(value, grad, v, b, { lr, alpha, eps, mu: momentum, wd });
    },
  );
}

{
  const lr = 0.05, eps = 1e-10, wd = 0.01, initial = 0.1;
  check(
    'adagradStep',
    () => {
      const sum = new Float64Array(N).fill(initial);
      return (theta, g) => {
        for (let i = 0; i < N; i++) {
          const d = g[i] + wd * theta[i];
          sum[i] += d * d;
          theta[i] -= (lr * d) / (Math.sqrt(sum[i]) + eps);
        }
      };
    },
    (alloc) => {
      const s = alloc(N).fill(initial);
      return (value, grad) => adagradStep(value, grad, s, { lr, eps, wd });
    },
  );
}

for (const decoupled of [false, true]) {
  const lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, wd = 0.1;
  check(
    decoupled ? 'adamStep (AdamW)' : 'adamStep (Adam, coupled decay)',
    () => {
      const m1 = new Float64Array(N);
      const m2 = new Float64Array(N);
      return (theta, g, t) => {
        for (let i = 0; i < N; i++) {
          if (decoupled) theta[i] *= 1 - lr * wd;
          const d = decoupled ? g[i] : g[i] + wd * theta[i];
          m1[i] = beta1 * m1[i] + (1 - beta1) * d;
          m2[i] = beta2 * m2[i] + (1 - beta2) * d * d;
          const mHat = m1[i] / (1 - beta1 ** t);
          const vHat = m2[i] / (1 - beta2 ** t);
          theta[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
        }
      };
    },
    (alloc) => {
      const m = alloc(N);
      const v = alloc(N);
      return (value, grad, t) =>
        adamStep(value, grad, m, v, {
          beta1, beta2, eps,
          coupled: decoupled ? 0 : wd,
          shrink: decoupled ? 1 - lr * wd : 1,
          stepSize: lr / (1 - beta1 ** t),
          invCorrection2: 1 / (1 - beta2 ** t),
        });
    },
  );
}
