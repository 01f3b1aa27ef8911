import { test } from 'node:test';
import assert from 'node:assert/strict';
import { col2im, col2imLoop, im2col, im2colLoop, slidingOutput, type Window2D } from '../../src/kernels/conv.js';
import { allocFloat32, inKernelMemory } from '../../src/kernels/memory.js';
import { Rng } from '../../src/rng.js';

function windowOf(channels: number, height: number, width: number, k: number, stride: number, padding: number): Window2D {
  return { channels, height, width, kernelH: k, kernelW: k, stride, padding, outH: slidingOutput(height, k, stride, padding), outW: slidingOutput(width, k, stride, padding) };
}

// Odd sizes; stride 1 (the four-at-a-time path) and 2, 3; padding 0, 1, 2; kernels of 1, 3, 5 and wider than the image with padding.
const CASES: [n: number, c: number, h: number, w: number, k: number, s: number, p: number][] = [
  [1, 1, 5, 5, 3, 1, 0],
  [3, 3, 7, 9, 3, 1, 1],
  [2, 1, 9, 7, 5, 2, 2],
  [1, 3, 3, 5, 1, 1, 0],
  [2, 2, 8, 11, 3, 3, 1],
  [1, 1, 4, 4, 5, 1, 2],
  [3, 1, 28, 28, 5, 1, 0],
];

for (const [n, c, h, w, k, s, p] of CASES) {
  test(`im2col and col2im: the SIMD kernels give the loops' bits (${n}×${c}×${h}×${w}, k ${k}, stride ${s}, padding ${p})`, () => {
    const rng = new Rng(h * 31 + k);
    const g = windowOf(c, h, w, k, s, p);
    const cols = c * k * k * n * g.outH * g.outW;
    const x = allocFloat32(n * c * h * w);
    x.forEach((_, i) => (x[i] = rng.normal()));
    const stale = (len: number) => allocFloat32(len + 4).fill(7);
    const col = stale(cols);
    im2col(col.subarray(0, cols), x, n, g);
    assert.ok(inKernelMemory(col, x));
    const want = im2colLoop(new Float32Array(cols), Float32Array.from(x), n, g);
    assert.deepEqual(col.subarray(0, cols), want);
    assert.ok(col.subarray(cols).every((v) => v === 7), 'nothing written past col');
    const dcol = allocFloat32(cols);
    dcol.forEach((_, i) => (dcol[i] = rng.normal()));
    const dx = stale(x.length);
    col2im(dx.subarray(0, x.length), dcol, n, g);
    assert.deepEqual(dx.subarray(0, x.length), col2imLoop(new Float32Array(x.length).fill(3), Float32Array.from(dcol), n, g));
    assert.ok(dx.subarray(x.length).every((v) => v === 7), 'nothing written past dx');
  });
}

test('maxPool2d: the SIMD kernel gives the loop\'s maxima and arg-maxes, ties and NaN included', async () => {
  const { maxPool2d, maxPool2dLoop } = await import('../../src/kernels/conv.js');
  const { allocInt32 } = await import('../../src/kernels/memory.js');
  const rng = new Rng(5);
  for (const [n, c, h, w, k, s] of [[2, 3, 7, 9, 2, 2], [1, 1, 5, 5, 3, 1], [3, 2, 8, 11, 3, 2], [1, 4, 28, 28, 2, 2]]) {
    const g: Window2D = { channels: c, height: h, width: w, kernelH: k, kernelW: k, stride: s, padding: 0, outH: slidingOutput(h, k, s, 0), outW: slidingOutput(w, k, s, 0) };
    const x = allocFloat32(n * c * h * w);
    // Few distinct values, so windows have ties; a NaN or two.
    x.forEach((_, i) => (x[i] = rng.int(4) - 1));
    x[3] = NaN;
    x[x.length - 2] = NaN;
    const outs = n * c * g.outH * g.outW;
    const out = allocFloat32(outs);
    const arg = allocInt32(outs);
    maxPool2d(out, arg, x, n, g);
    assert.ok(inKernelMemory(out, arg));
    const wantOut = new Float32Array(outs);
    const wantArg = new Int32Array(outs);
    maxPool2dLoop(wantOut, wantArg, Float32Array.from(x), n, g);
    assert.deepEqual(out, wantOut);
    assert.deepEqual(arg, wantArg);
  }
});
