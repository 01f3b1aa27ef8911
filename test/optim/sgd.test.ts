import { test } from 'node:test';
import assert from 'node:assert/strict';
import { param } from '../../src/layers/layer.js';
import { SGD } from '../../src/optim/sgd.js';

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
