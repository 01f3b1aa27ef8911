import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inKernelMemory } from '../../src/kernels/memory.js';
import { param, type Param } from '../../src/layers/layer.js';
import { Adagrad } from '../../src/optim/adagrad.js';
import { Adam } from '../../src/optim/adam.js';
import { AdamW } from '../../src/optim/adamw.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { RMSprop } from '../../src/optim/rmsprop.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/rng.js';

// Params in kernel memory take the optimizers' wasm kernels; plain
// Float32Arrays take their JS loops. The kernels promise the loops' results
// bit for bit (float64 lanes, same operations, same order).
const optimizers: [string, () => Optimizer][] = [
  ['Adam', () => new Adam({ lr: 0.01 })],
  ['Adam, coupled decay', () => new Adam({ lr: 0.01, weightDecay: 0.1 })],
  ['AdamW', () => new AdamW({ lr: 0.01, weightDecay: 0.1 })],
  ['SGD momentum', () => new SGD({ lr: 0.05, momentum: 0.9 })],
  ['SGD Nesterov + decay', () => new SGD({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['SGD dampening', () => new SGD({ lr: 0.05, momentum: 0.8, dampening: 0.5 })],
  ['RMSprop', () => new RMSprop({ lr: 0.01 })],
  ['RMSprop momentum + decay', () => new RMSprop({ lr: 0.01, momentum: 0.9, weightDecay: 0.01 })],
  ['Adagrad + decay', () => new Adagrad({ lr: 0.05, weightDecay: 0.01, initialAccumulatorValue: 0.1 })],
];

for (const [name, make] of optimizers) {
  test(`${name}: the wasm kernel equals the JS loop bit for bit (values and state, lengths 1 to 784)`, () => {
    const rng = new Rng(11);
    const sizes = [1, 2, 3, 5, 33, 784];
    const start = sizes.map((n) => Float32Array.from({ length: n }, () => rng.normal()));
    const steps = Array.from({ length: 6 }, () => sizes.map((n) => Float32Array.from({ length: n }, () => rng.normal() * 0.1)));
    const kernel: Param[] = sizes.map((n, i) => {
      const p = param(`p${i}`, [n]);
      p.value.set(start[i]);
      return p;
    });
    const loop: Param[] = sizes.map((n, i) => ({ name: `p${i}`, shape: [n], value: start[i].slice(), grad: new Float32Array(n) }));
    assert.ok(inKernelMemory(kernel[0].value, kernel[0].grad) && !inKernelMemory(loop[0].value, loop[0].grad));
    const a = make();
    const b = make();
    for (const grads of steps) {
      kernel.forEach((p, i) => p.grad.set(grads[i]));
      loop.forEach((p, i) => p.grad.set(grads[i]));
      a.step(kernel);
      b.step(loop);
    }
    kernel.forEach((p, i) => assert.deepEqual(p.value, loop[i].value, `param ${i}`));
    assert.deepEqual(a.getState(), b.getState());
    assert.notDeepEqual(kernel[5].value, start[5]);
  });
}
