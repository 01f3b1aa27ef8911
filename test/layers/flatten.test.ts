import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Flatten } from '../../src/layers/flatten.js';
import { tensor } from '../../src/kernels/tensor.js';

test('Flatten: [n, C, H, W] to rows [n, C·H·W] in channel, row, column order, without a copy', () => {
  const flatten = new Flatten();
  const x = tensor(Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i), [2, 3, 2, 2]);
  const out = flatten.forward(x);
  assert.deepEqual(out.shape, [2, 12]);
  assert.equal(out.data, x.data, 'a view of the same floats');
  assert.equal(flatten.forward(x), out, 'the same view for the same input');
  assert.deepEqual(flatten.outputShape([3, 2, 2]), [12]);
  const g = tensor(new Float32Array(24).fill(1), [2, 12]);
  const back = flatten.backward(x, g);
  assert.deepEqual(back.shape, [2, 3, 2, 2]);
  assert.equal(back.data, g.data);
});
