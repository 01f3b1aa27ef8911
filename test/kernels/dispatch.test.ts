import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/rng.js';
import { addBias, axpy, kernelBackend, matmul, matmulTransA, matmulTransB, reluBackward, reluForward, sumColumns } from '../../src/kernels/dispatch.js';
import * as js from '../../src/kernels/elementwise.js';
import { allocFloat32, inKernelMemory } from '../../src/kernels/memory.js';
import { matmulRef, matmulTransARef, matmulTransBRef } from '../../src/kernels/reference.js';

type Kernel = (out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number) => Float32Array;
const layouts: [string, Kernel, Kernel][] = [
  ['matmul', matmul, matmulRef],
  ['matmulTransA', matmulTransA, matmulTransARef],
  ['matmulTransB', matmulTransB, matmulTransBRef],
];
const SIZES = [1, 3, 4, 17, 33];
const BIG: [number, number, number][] = [[32, 784, 64], [784, 32, 64], [32, 64, 784], [16, 784, 64], [33, 784, 17], [3, 64, 10], [784, 3, 10], [32, 32, 10]];

/** `values` copied into kernel memory (so the SIMD kernels take it). */
function inMemory(values: Float32Array): Float32Array {
  const view = allocFloat32(values.length);
  view.set(values);
  return view;
}

test('Node 20 runs the WebAssembly SIMD kernels', () => {
  assert.equal(kernelBackend, 'wasm-simd');
  assert.ok(inKernelMemory(allocFloat32(10), allocFloat32(3)));
});

test('SIMD matmuls equal the reference on odd shapes, with sparse inputs too', () => {
  const rng = new Rng(21);
  const shapes: [number, number, number][] = [...SIZES.flatMap((m) => SIZES.flatMap((k) => SIZES.map((n): [number, number, number] => [m, k, n]))), ...BIG];
  for (const [name, fast, ref] of layouts) {
    for (const [m, k, n] of shapes) {
      for (const density of [1, 0.2]) {
        // Zeros in a exercise the skipped rows (MNIST pixels are 81 % zeros).
        const a = Float32Array.from({ length: m * k }, () => (rng.uniform() < density ? rng.normal() : 0));
        const b = Float32Array.from({ length: k * n }, () => rng.normal());
        const want = ref(new Float32Array(m * n), a, b, m, k, n);
        const scale = ref(new Float32Array(m * n), a.map(Math.abs), b.map(Math.abs), m, k, n);
        const out = allocFloat32(m * n + 4);
        out.fill(NaN);
        const result = fast(out.subarray(0, m * n), inMemory(a), inMemory(b), m, k, n);
        assert.ok(inKernelMemory(result, out), 'the SIMD path ran');
        for (let i = 0; i < m * n; i++) {
          // float32 accumulation: the error is bounded by a few ulps of Σ|a·b| per term.
          assert.ok(Math.abs(result[i] - want[i]) <= 1e-5 * scale[i] * Math.max(1, Math.sqrt(k) / 8) + 1e-30, `${name} ${m}×${k}×${n} density ${density} [${i}]: ${result[i]} vs ${want[i]}`);
        }
        assert.ok(out.subarray(m * n).every(Number.isNaN), `${name} ${m}×${k}×${n} wrote past out`);
      }
    }
  }
});

test('SIMD matmul and matmulTransA equal a float32 loop that skips zeros, bit for bit, for every column count to 66', () => {
  // Their documented order: for each output, Σ over the inner index in order,
  // each product rounded to float32 and added in float32, zeros of a skipped.
  // Column counts 1–66 cover every block remainder (and its overlapping last
  // vector); inner counts cover groups of four with and without a tail.
  const rng = new Rng(22);
  const f = Math.fround;
  for (const [name, fast, transA] of [['matmul', matmul, false], ['matmulTransA', matmulTransA, true]] as const) {
    for (let n = 1; n <= 66; n++) {
      for (const k of [1, 3, 4, 6, 9, 64]) {
        const m = 3;
        // Half zeros at random (ReLU outputs), and a run of four zeros (a skipped group).
        const a = Float32Array.from({ length: m * k }, () => (rng.uniform() < 0.5 ? rng.normal() : 0));
        const at = (row: number, p: number): number => (transA ? a[p * m + row] : a[row * k + p]);
        if (k >= 8) for (let p = 4; p < 8; p++) for (let row = 0; row < m; row++) a[transA ? p * m + row : row * k + p] = 0;
        const b = Float32Array.from({ length: k * n }, () => rng.normal());
        const want = new Float32Array(m * n);
        for (let row = 0; row < m; row++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) if (at(row, p) !== 0) s = f(s + f(at(row, p) * b[p * n + j]));
            want[row * n + j] = s;
          }
        }
        const result = fast(allocFloat32(m * n), inMemory(a), inMemory(b), m, k, n);
        assert.deepEqual(result, want, `${name} ${m}×${k}×${n}`);
      }
    }
  }
});

test('arrays outside kernel memory take the JS kernels and give the same result', () => {
  const rng = new Rng(4);
  const a = Float32Array.from({ length: 5 * 7 }, () => rng.normal());
  const b = Float32Array.from({ length: 7 * 6 }, () => rng.normal());
  const plain = matmul(new Float32Array(30), a, b, 5, 7, 6);
  const simd = matmul(allocFloat32(30), inMemory(a), inMemory(b), 5, 7, 6);
  plain.forEach((v, i) => assert.ok(Math.abs(v - simd[i]) < 1e-5));
});

test('SIMD axpy equals the JS version within float32 rounding, ReLU bit for bit, lengths 1 to 33', () => {
  const rng = new Rng(8);
  for (let n = 1; n <= 33; n++) {
    const x = Float32Array.from({ length: n }, () => rng.normal());
    const y = Float32Array.from({ length: n }, () => rng.normal());
    const g = Float32Array.from({ length: n }, () => rng.normal());
    // The SIMD axpy rounds alpha·x to float32 before adding; JS rounds once.
    const simd = axpy(inMemory(y), -0.1, inMemory(x));
    const plain = js.axpy(y.slice(), -0.1, x);
    simd.forEach((v, i) => assert.ok(Math.abs(v - plain[i]) <= 2.4e-7 * (Math.abs(y[i]) + Math.abs(0.1 * x[i])), `axpy[${i}] ${v} vs ${plain[i]}`));
    assert.deepEqual(reluForward(allocFloat32(n), inMemory(x)), js.reluForward(new Float32Array(n), x));
    assert.deepEqual(reluBackward(allocFloat32(n), inMemory(x), inMemory(g)), js.reluBackward(new Float32Array(n), x, g));
  }
});

test('SIMD axpy is the float32 loop y = fround(y + fround(fround(alpha)·x)) bit for bit, lengths 1 to 70; it and ReLU write nothing past n', () => {
  // Lengths past 16 go through the four-vector steps, then single vectors, then floats.
  const rng = new Rng(10);
  for (let n = 1; n <= 70; n++) {
    const x = Float32Array.from({ length: n }, () => rng.normal());
    const y = Float32Array.from({ length: n }, () => rng.normal());
    const alpha = Math.fround(-0.1);
    const want = y.map((v, i) => Math.fround(v + Math.fround(alpha * x[i])));
    // y is the start of a longer buffer whose rest must stay as it was.
    const buffer = allocFloat32(n + 40).fill(7);
    const yIn = buffer.subarray(0, n);
    yIn.set(y);
    const xIn = inMemory(x);
    assert.deepEqual(axpy(yIn, -0.1, xIn), want, `n = ${n}`);
    assert.deepEqual(xIn, x, 'x unchanged');
    assert.ok(buffer.subarray(n).every((v) => v === 7), `n = ${n}: nothing written past y`);
    const out = allocFloat32(n + 40).fill(7);
    reluForward(out.subarray(0, n), xIn);
    reluBackward(out.subarray(0, n), xIn, xIn);
    assert.ok(out.subarray(n).every((v) => v === 7), `n = ${n}: nothing written past the ReLU output`);
  }
});

test('SIMD addBias and sumColumns equal the JS loops bit for bit on odd shapes', () => {
  const rng = new Rng(9);
  for (const rows of [1, 2, 5, 32]) {
    for (const cols of [1, 3, 4, 5, 10, 17, 64]) {
      const a = Float32Array.from({ length: rows * cols }, () => rng.normal());
      const bias = Float32Array.from({ length: cols }, () => rng.normal());
      const simd = addBias(inMemory(a), inMemory(bias), rows, cols);
      assert.ok(inKernelMemory(simd, simd));
      assert.deepEqual(simd, js.addBias(a.slice(), bias, rows, cols), `addBias ${rows}×${cols}`);
      const sums = allocFloat32(cols);
      sums.fill(5); // stale values must be cleared
      assert.deepEqual(sumColumns(sums, inMemory(a), rows, cols), js.sumColumns(new Float32Array(cols), a, rows, cols), `sumColumns ${rows}×${cols}`);
    }
  }
});

test('matmul and matmulTransA walk only the nonzeros of a mostly-zero X, and keep the dense kernels for a dense one, with the same results', async () => {
  const { nonzerosOf } = await import('../../src/kernels/sparse.js');
  const { BatchLoader } = await import('../../src/data/batches.js');
  const rng = new Rng(13);
  // 40 images of 300 pixels: the first 8 are 90 % nonzero, the rest 5 %, so
  // the set is compressed and its batches gathered from their nonzeros, but
  // a batch of the first 8 is too dense for the sparse path.
  const cols = 300, count = 40, n = 5, rows = 8;
  const bytes = Uint8Array.from({ length: count * cols }, (_, i) => (rng.uniform() < (i < rows * cols ? 0.9 : 0.05) ? 1 + rng.int(255) : 0));
  const loader = new BatchLoader({ x: bytes, y: new Uint8Array(count), count, features: cols }, rows);
  const w = inMemory(Float32Array.from({ length: cols * n }, () => rng.normal()));
  const g = inMemory(Float32Array.from({ length: rows * n }, () => rng.normal()));
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  for (const [start, sparse] of [[0, false], [16, true]] as const) {
    const batch = loader.load(order, start, rows).x;
    assert.equal(nonzerosOf(batch, rows, cols) !== null, sparse, `rows ${start}…: sparse path ${sparse}`);
    // The same floats in kernel memory but not gathered: compressed by the kernel itself (300 ≥ its width threshold).
    const copy = inMemory(batch.data);
    assert.equal(nonzerosOf(copy, rows, cols) !== null, sparse);
    // And in an ordinary array: the JS kernels.
    const plain = Float32Array.from(copy);
    const want = matmulRef(new Float32Array(rows * n), plain, w, rows, cols, n);
    const wantGrad = matmulTransARef(new Float32Array(cols * n), plain, g, cols, rows, n);
    for (const [what, a] of [['gathered', batch], ['copied', copy]] as const) {
      const out = matmul(allocFloat32(rows * n), a, w, rows, cols, n);
      out.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `${what} X·W[${i}] ${v} vs ${want[i]}`));
      const grad = matmulTransA(allocFloat32(cols * n).fill(7), a, g, cols, rows, n);
      grad.forEach((v, i) => assert.ok(Math.abs(v - wantGrad[i]) < 1e-5, `${what} Xᵀ·G[${i}] ${v} vs ${wantGrad[i]}`));
    }
    assert.deepEqual(matmul(allocFloat32(rows * n), batch, w, rows, cols, n), matmul(allocFloat32(rows * n), copy, w, rows, cols, n), 'gathered = compressed here, bit for bit');
  }
});
