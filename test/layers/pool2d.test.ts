import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AvgPool2D, MaxPool2D } from '../../src/layers/pool2d.js';
import { tensor } from '../../src/kernels/tensor.js';
import { Rng } from '../../src/rng.js';
import { gradCheck, randn } from '../support/gradcheck.js';

test('MaxPool2D(2): the largest of each window, by hand', () => {
  // One 4 × 4 channel: windows {1,2,5,6} {3,4,7,8} {9,10,13,14} {11,12,15,16}, shuffled.
  const x = tensor([1, 6, 3, 8, 5, 2, 7, 4, 9, 14, 11, 16, 13, 10, 15, 12], [1, 1, 4, 4]);
  const pool = new MaxPool2D(2);
  const out = pool.forward(x);
  assert.deepEqual(out.shape, [1, 1, 2, 2]);
  assert.deepEqual(Array.from(out.data), [6, 8, 14, 16]);
  // The gradient goes to each window's arg-max alone.
  const g = pool.backward(x, tensor([1, 2, 3, 4], [1, 1, 2, 2]));
  assert.deepEqual(Array.from(g.data), [0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0]);
});

test('AvgPool2D(2): the mean of each window, by hand', () => {
  const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 1, 4, 4]);
  const pool = new AvgPool2D(2);
  assert.deepEqual(Array.from(pool.forward(x).data), [3.5, 5.5, 11.5, 13.5]);
  const g = pool.backward(x, tensor([4, 8, 12, 16], [1, 1, 2, 2]));
  assert.deepEqual(Array.from(g.data), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
});

// Odd sizes, 1 and 3 channels, overlapping (stride < size) and strided windows.
for (const [Pool, name] of [[MaxPool2D, 'MaxPool2D'], [AvgPool2D, 'AvgPool2D']] as const) {
  for (const [c, size, stride, h, w] of [[1, 2, 2, 7, 9], [3, 3, 2, 9, 7], [3, 2, 1, 5, 6], [1, 3, 3, 9, 9]]) {
    test(`${name}(${size}, stride ${stride}) on ${c}×${h}×${w}: backward passes the central-difference check`, () => {
      const rng = new Rng(size * 10 + h);
      const pool = new Pool(size, { stride });
      const x = tensor(randn(rng, 2 * c * h * w), [2, c, h, w]);
      const outShape = pool.outputShape([c, h, w]);
      assert.deepEqual(outShape, [c, Math.floor((h - size) / stride) + 1, Math.floor((w - size) / stride) + 1]);
      const r = randn(rng, 2 * outShape.reduce((a, b) => a * b, 1));
      const loss = () => pool.forward(x).data.reduce((s, v, i) => s + v * r[i], 0);
      pool.forward(x);
      const gradInput = Float32Array.from(pool.backward(x, tensor(r, [2, ...outShape])).data);
      // Small steps: a max must not change its window's winner (random normals are far apart at 1e-3).
      gradCheck('dX', loss, x.data, gradInput, { h: 1e-3, samples: 60 });
    });
  }
}

test('pooling: shape errors say expected and got; stride defaults to the size', () => {
  const pool = new MaxPool2D(3);
  assert.equal(pool.stride, 3);
  assert.deepEqual(pool.config(), { kind: 'maxpool2d', size: 3, stride: 3 });
  assert.throws(() => pool.outputShape([2, 2, 8]), /MaxPool2D: expected input shape \[channels, height, width\] of at least 3 × 3 pixels, got \[2, 2, 8\]/);
  assert.throws(() => new AvgPool2D(2).forward(tensor(new Float32Array(4), [2, 2])), /AvgPool2D: expected input of shape \[batch, channels, height, width\], got \[2, 2\]/);
  assert.throws(() => new AvgPool2D(0), /AvgPool2D: expected size to be a positive integer, got 0/);
});
