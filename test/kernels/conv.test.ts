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
  // 2 × 2 at stride 2 has its own kernel (four windows a step, the rest one at a time): widths of 4k, 4k + 1 … 4k + 3 windows.
  for (const [n, c, h, w, k, s] of [[2, 3, 7, 9, 2, 2], [1, 1, 5, 5, 3, 1], [3, 2, 8, 11, 3, 2], [1, 4, 28, 28, 2, 2], [2, 3, 24, 24, 2, 2], [1, 2, 14, 15, 2, 2], [1, 1, 3, 17, 2, 2], [1, 2, 2, 2, 2, 2]]) {
    const g: Window2D = { channels: c, height: h, width: w, kernelH: k, kernelW: k, stride: s, padding: 0, outH: slidingOutput(h, k, s, 0), outW: slidingOutput(w, k, s, 0) };
    const x = allocFloat32(n * c * h * w);
    // Few distinct values, so windows have ties; a NaN or two.
    x.forEach((_, i) => (x[i] = rng.int(4) - 1));
    // NaN first, later, twice in a window, and alone.
    x[3] = NaN;
    x[x.length - 2] = NaN;
    for (let i = 0; i < x.length; i += 1 + rng.int(13)) if (rng.int(5) === 0) x[i] = NaN;
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

test('convForward and convBackward: the SIMD path agrees with the JS path to float32 rounding (odd sizes, stride 2, padding, 3 channels; 16+ channels and pixels take the blocked product)', async () => {
  const { convBackward, convForward, convSizes } = await import('../../src/kernels/conv.js');
  const rng = new Rng(11);
  // The last three: 17 and 20 output channels (forward blocked), patches of 27 and 144 (dL/dx blocked), 16+ output pixels.
  for (const [n, c, h, w, k, s, p, o] of [[3, 3, 7, 9, 3, 1, 1, 5], [2, 1, 9, 7, 5, 2, 2, 6], [2, 2, 28, 28, 5, 1, 0, 4], [1, 3, 6, 5, 1, 1, 0, 7], [2, 3, 9, 8, 3, 1, 1, 17], [2, 16, 10, 10, 3, 1, 0, 20], [1, 2, 13, 11, 3, 2, 1, 33]]) {
    const g = windowOf(c, h, w, k, s, p);
    const { patch, hw, inSize } = convSizes(g);
    const values = (len: number) => Float32Array.from({ length: len }, () => rng.normal());
    const x = values(n * inSize), weight = values(o * patch), bias = values(o), gOut = values(n * o * hw);
    const run = (alloc: (len: number) => Float32Array) => {
      // NOTE: set, not map: a typed array's map returns a new array outside kernel memory, which would send the SIMD run down the JS path.
      const copy = (a: Float32Array) => {
        const b = alloc(a.length);
        b.set(a);
        return b;
      };
      const [xs, ws, bs, gs] = [x, weight, bias, gOut].map(copy);
      const out = alloc(n * o * hw), col = alloc(n * patch * hw);
      convForward(out, xs, ws, bs, col, n, o, g);
      // Twice, the second added to the first (a later chunk), then with the im2col redone.
      const grads = { weightGrad: alloc(o * patch), biasGrad: alloc(o), inputGrad: alloc(n * inSize), first: true };
      convBackward(grads, gs, xs, ws, col, true, alloc(o * patch), alloc(patch * hw), n, o, g);
      const dx1 = Float32Array.from(grads.inputGrad);
      grads.first = false;
      convBackward(grads, gs, xs, ws, alloc(n * patch * hw), false, alloc(o * patch), alloc(patch * hw), n, o, g);
      return { out: Float32Array.from(out), dW: Float32Array.from(grads.weightGrad), db: Float32Array.from(grads.biasGrad), dx1, dx2: Float32Array.from(grads.inputGrad), inKernel: inKernelMemory(out, col, xs) && inKernelMemory(ws, bs, gs) };
    };
    const simd = run(allocFloat32);
    const plain = run((len) => new Float32Array(len));
    assert.ok(simd.inKernel && !plain.inKernel);
    // The two paths add the same products in other orders (four SIMD lanes against the JS kernels' register blocks):
    // each result within 1e-6 of its set's largest magnitude (float32 rounding over ≤ 1,200 terms), the bias gradient to the bit.
    assert.deepEqual(simd.db, plain.db);
    for (const key of ['out', 'dW', 'dx1', 'dx2'] as const) {
      const [a, b] = [simd[key], plain[key]];
      const largest = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-6 * largest, `${key} [${i}] of ${[n, c, h, w, k, s, p, o].join(',')}: ${v} vs ${b[i]}`));
    }
    // And the math: out against the definition at a few points.
    for (const [b, oc, i, j] of [[0, 0, 0, 0], [n - 1, o - 1, g.outH - 1, g.outW - 1], [0, o >> 1, g.outH >> 1, 0]]) {
      let want = bias[oc];
      for (let ch = 0; ch < c; ch++) for (let ki = 0; ki < k; ki++) for (let kj = 0; kj < k; kj++) {
        const ih = i * s - p + ki, iw = j * s - p + kj;
        if (ih >= 0 && ih < h && iw >= 0 && iw < w) want += weight[((oc * c + ch) * k + ki) * k + kj] * x[((b * c + ch) * h + ih) * w + iw];
      }
      assert.ok(Math.abs(simd.out[((b * o + oc) * g.outH + i) * g.outW + j] - want) < 1e-4);
    }
  }
});

test('addChannelBias: the SIMD kernel gives the loop\'s bits, plane widths 1 … 9', async () => {
  const { addChannelBias, addChannelBiasLoop } = await import('../../src/kernels/conv.js');
  const rng = new Rng(2);
  for (let hw = 1; hw <= 9; hw++) {
    const [planes, channels] = [6, 3];
    const out = allocFloat32(planes * hw + 4).fill(7);
    const bias = allocFloat32(channels);
    out.forEach((_, i) => i < planes * hw && (out[i] = rng.normal()));
    bias.forEach((_, i) => (bias[i] = rng.normal()));
    const want = addChannelBiasLoop(Float32Array.from(out), Float32Array.from(bias), planes, channels, hw);
    addChannelBias(out.subarray(0, planes * hw), bias, planes, channels, hw);
    assert.deepEqual(out, want);
    assert.equal(out[planes * hw], 7, 'nothing written past out');
  }
});
