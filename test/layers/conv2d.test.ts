import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conv2D } from '../../src/layers/conv2d.js';
import { tensor, type Tensor } from '../../src/kernels/tensor.js';
import { Rng } from '../../src/rng.js';
import { gradCheck, randn } from '../support/gradcheck.js';

/** The textbook convolution (cross-correlation, zero padding), in float64: the oracle. */
function convRef(x: Tensor, layer: Conv2D): { data: Float64Array; shape: number[] } {
  const [n, C, H, W] = x.shape;
  const { outChannels: O, kernelSize: k, stride: s, padding: p } = layer;
  const oH = Math.floor((H + 2 * p - k) / s) + 1;
  const oW = Math.floor((W + 2 * p - k) / s) + 1;
  const w = layer.weight.value;
  const out = new Float64Array(n * O * oH * oW);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < oH; i++) {
        for (let j = 0; j < oW; j++) {
          let sum = layer.bias.value[o];
          for (let c = 0; c < C; c++) {
            for (let ki = 0; ki < k; ki++) {
              for (let kj = 0; kj < k; kj++) {
                const ih = i * s - p + ki;
                const iw = j * s - p + kj;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                sum += w[((o * C + c) * k + ki) * k + kj] * x.data[((b * C + c) * H + ih) * W + iw];
              }
            }
          }
          out[((b * O + o) * oH + i) * oW + j] = sum;
        }
      }
    }
  }
  return { data: out, shape: [n, O, oH, oW] };
}

// Odd sizes, 1 and 3 channels, stride 1 and 2, padding 0, 1 and 2.
const CASES: [c: number, o: number, k: number, stride: number, padding: number, h: number, w: number][] = [
  [1, 2, 3, 1, 0, 7, 9],
  [3, 4, 3, 2, 1, 9, 7],
  [1, 3, 5, 1, 2, 5, 5],
  [3, 2, 1, 1, 0, 3, 5],
  [3, 5, 3, 2, 2, 8, 11],
];

function setup([c, o, k, stride, padding, h, w]: (typeof CASES)[number], seed: number) {
  const rng = new Rng(seed);
  const layer = new Conv2D(c, o, k, { stride, padding, rng });
  layer.bias.value.forEach((_, i) => (layer.bias.value[i] = rng.normal()));
  const x = tensor(randn(rng, 2 * c * h * w), [2, c, h, w]);
  return { layer, x, rng };
}

for (const spec of CASES) {
  const name = `Conv2D(${spec[0]}→${spec[1]}, ${spec[2]}, stride ${spec[3]}, padding ${spec[4]}) on ${spec[5]}×${spec[6]}`;

  test(`${name}: forward is the textbook convolution`, () => {
    const { layer, x } = setup(spec, 1);
    const out = layer.forward(x);
    const want = convRef(x, layer);
    assert.deepEqual(out.shape, want.shape);
    assert.deepEqual(layer.outputShape(x.shape.slice(1)), want.shape.slice(1));
    out.data.forEach((v, i) => assert.ok(Math.abs(v - want.data[i]) < 1e-4, `out[${i}] ${v} vs ${want.data[i]}`));
  });

  test(`${name}: backward passes the central-difference check (weight, bias, input)`, () => {
    const { layer, x, rng } = setup(spec, 2);
    const outShape = layer.outputShape(x.shape.slice(1));
    const r = randn(rng, 2 * outShape.reduce((a, b) => a * b, 1));
    const loss = () => layer.forward(x).data.reduce((s, v, i) => s + v * r[i], 0);
    layer.forward(x);
    const gradInput = Float32Array.from(layer.backward(x, tensor(r, [2, ...outShape])).data);
    gradCheck('dW', loss, layer.weight.value, layer.weight.grad, { h: 1e-2 });
    gradCheck('db', loss, layer.bias.value, layer.bias.grad, { h: 1e-2 });
    gradCheck('dX', loss, x.data, gradInput, { h: 1e-2 });
    // The model's first layer skips dL/dX: the same param grads (after a
    // forward pass of the restored input: gradCheck's last one saw it perturbed).
    layer.forward(x);
    layer.backward(x, tensor(r, [2, ...outShape]));
    const grads = [Float32Array.from(layer.weight.grad), Float32Array.from(layer.bias.grad)];
    layer.weight.grad.fill(0);
    layer.bias.grad.fill(0);
    layer.backwardParams(x, tensor(r, [2, ...outShape]));
    assert.deepEqual([layer.weight.grad, layer.bias.grad], grads);
  });
}

test('Conv2D: PyTorch\'s parameter layout, and shape errors that say expected and got', () => {
  const layer = new Conv2D(3, 8, 5);
  assert.deepEqual(layer.weight.shape, [8, 3, 5, 5]);
  assert.deepEqual(layer.bias.shape, [8]);
  assert.deepEqual(layer.outputShape([3, 28, 28]), [8, 24, 24]);
  assert.throws(() => layer.outputShape([1, 28, 28]), /Conv2D: expected input shape \[3, height, width\] of at least 5 × 5 pixels with padding 0, got \[1, 28, 28\]/);
  assert.throws(() => layer.forward(tensor(new Float32Array(6), [2, 3])), /Conv2D: expected input of shape \[batch, 3, height, width\], got \[2, 3\]/);
  const x = tensor(new Float32Array(2 * 3 * 6 * 6), [2, 3, 6, 6]);
  layer.forward(x);
  assert.throws(() => layer.backward(x, tensor(new Float32Array(8), [2, 4])), /Conv2D.backward: expected gradOutput of shape \[2, 8, 2, 2\], got \[2, 4\]/);
  assert.throws(() => new Conv2D(1, 2, 3, { stride: 0 }), /expected stride to be a positive integer, got 0/);
  assert.throws(() => new Conv2D(1, 2, 3, { padding: -1 }), /expected padding to be an integer ≥ 0, got -1/);
});

test('Conv2D: backward for an input forward did not see redoes its im2col', () => {
  const { layer, x, rng } = setup(CASES[1], 3);
  const other = tensor(randn(rng, x.data.length), x.shape);
  const g = tensor(randn(rng, 2 * 4 * 5 * 4), [2, 4, 5, 4]);
  layer.forward(other);
  layer.backward(x, g);
  const stale = Float32Array.from(layer.weight.grad);
  layer.forward(x);
  layer.backward(x, g);
  assert.deepEqual(layer.weight.grad, stale);
});

test('Conv2D: a batch larger than its chunk of 64 images (150 = 64 + 64 + 22) gives the same outputs and grads', () => {
  const rng = new Rng(9);
  const layer = new Conv2D(2, 3, 3, { padding: 1, rng });
  const x = tensor(randn(rng, 150 * 2 * 5 * 5), [150, 2, 5, 5]);
  const out = layer.forward(x);
  const want = convRef(x, layer);
  out.data.forEach((v, i) => assert.ok(Math.abs(v - want.data[i]) < 1e-4, `out[${i}] ${v} vs ${want.data[i]}`));
  const r = randn(rng, 150 * 3 * 5 * 5);
  const loss = () => layer.forward(x).data.reduce((s, v, i) => s + v * r[i], 0);
  const gradInput = Float32Array.from(layer.backward(x, tensor(r, [150, 3, 5, 5])).data);
  gradCheck('dW', loss, layer.weight.value, layer.weight.grad, { h: 1e-2, rtol: 5e-3 });
  gradCheck('db', loss, layer.bias.value, layer.bias.grad, { h: 1e-2, rtol: 5e-3 });
  // Inputs of the last chunk too.
  gradCheck('dX', loss, x.data, gradInput, { h: 1e-2, indices: [0, 1, 3000, 6400, 7499] });
});
