import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToUnit } from '../../src/kernels/gather.js';
import { allocFloat32, allocInt32, allocUint8, kernelMemoryUsage } from '../../src/kernels/memory.js';
import { CompressedImages, SparseRows, sparseMatmul, sparseMatmulTransA } from '../../src/kernels/sparse.js';
import { Rng } from '../../src/rng.js';

/** Byte images with ~20 % nonzeros, plus an all-zero and an all-255 image. */
function images(count: number, cols: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const x = Uint8Array.from({ length: count * cols }, () => (rng.uniform() < 0.2 ? 1 + rng.int(255) : 0));
  x.fill(0, 0, cols);
  x.fill(255, cols, 2 * cols);
  return x;
}

for (const place of ['auto', 'js'] as const) {
  for (const cols of [1, 15, 16, 17, 37, 784]) {
    test(`gathering compressed images equals converting their bytes (${cols} columns, ${place === 'js' ? 'ordinary arrays, JS loop' : 'kernel memory, wasm'})`, () => {
      const count = 40;
      const x = images(count, cols, cols);
      const compressed = CompressedImages.build(x, count, cols, place);
      assert.ok(compressed !== null);
      assert.equal(compressed.inKernelMemory, place === 'auto');
      assert.equal(compressed.rowStart[count], x.reduce((n, b) => n + (b !== 0 ? 1 : 0), 0));
      const rows = allocInt32(12);
      const order = [0, 1, 39, 5, 5, 17, 2, 30, 8, 1, 0, 22];
      const sparse = new SparseRows(12, cols);
      const dense = allocFloat32(12 * cols);
      dense.fill(7); // stale values must not survive
      for (const n of [12, 3, 1]) {
        for (let r = 0; r < n; r++) rows[r] = order[r];
        compressed.gather(rows, n, sparse);
        sparse.toDense(dense);
        const stage = allocUint8(n * cols);
        for (let r = 0; r < n; r++) stage.set(x.subarray(order[r] * cols, (order[r] + 1) * cols), r * cols);
        const want = allocFloat32(n * cols);
        const wantSparse = new SparseRows(n, cols);
        bytesToUnit(want, stage, n, cols, wantSparse);
        assert.deepEqual(dense.subarray(0, n * cols), want);
        assert.equal(sparse.rows, n);
        assert.equal(sparse.nnz, wantSparse.nnz);
        assert.deepEqual(sparse.idx.subarray(0, sparse.nnz), wantSparse.idx.subarray(0, wantSparse.nnz));
        assert.deepEqual(sparse.val.subarray(0, sparse.nnz), wantSparse.val.subarray(0, wantSparse.nnz));
        assert.deepEqual(sparse.rowEnd.subarray(0, n), wantSparse.rowEnd.subarray(0, n));
      }
    });
  }
}

test('the sparse products equal float32 loops over the nonzeros in order, bit for bit, for every width to 66', () => {
  // X · b: for each output, the nonzeros of its row in order, each product
  // rounded to float32 and added in float32. Xᵀ · g: the same, into rows of
  // out that start at zero. Widths 1–66 cover every block and every rest of
  // the forward kernel (with its overlapping last vector).
  const rng = new Rng(31);
  const f = Math.fround;
  const rows = 5, cols = 23;
  const x = allocFloat32(rows * cols);
  x.forEach((_, i) => (x[i] = rng.uniform() < 0.3 ? rng.normal() : 0));
  x.fill(0, 2 * cols, 3 * cols); // an empty row
  const sparse = new SparseRows(rows, cols);
  sparse.compress(x, rows);
  for (let n = 1; n <= 66; n++) {
    const b = allocFloat32(cols * n);
    b.forEach((_, i) => (b[i] = rng.normal()));
    const g = allocFloat32(rows * n);
    g.forEach((_, i) => (g[i] = rng.normal()));
    const wantOut = new Float32Array(rows * n);
    const wantGrad = new Float32Array(cols * n);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = x[r * cols + c];
        if (v === 0) continue;
        for (let j = 0; j < n; j++) {
          wantOut[r * n + j] = f(wantOut[r * n + j] + f(v * b[c * n + j]));
          wantGrad[c * n + j] = f(wantGrad[c * n + j] + f(v * g[r * n + j]));
        }
      }
    }
    const out = allocFloat32(rows * n + 4).fill(NaN);
    sparseMatmul(out.subarray(0, rows * n), sparse, b, n);
    assert.deepEqual(out.subarray(0, rows * n), wantOut, `X·b, ${n} columns`);
    assert.ok(out.subarray(rows * n).every(Number.isNaN), `X·b, ${n} columns: wrote past out`);
    const grad = allocFloat32(cols * n).fill(7); // cleared by the kernel's caller
    assert.deepEqual(sparseMatmulTransA(grad, sparse, g, n), wantGrad, `Xᵀ·g, ${n} columns`);
  }
});

test('a set that would leave too little kernel memory for the models stays in ordinary arrays', () => {
  // 5000 images of 4096 pixels, a quarter nonzero: 15 MB compressed, built
  // until kernel memory can no longer keep its reserve.
  const count = 5000;
  const cols = 4096;
  const x = new Uint8Array(count * cols);
  for (let i = 0; i < x.length; i += 4) x[i] = 1 + (i % 255);
  const sets = [];
  // Until one is refused (kept alive, so none of their blocks is recycled); more than the memory could hold is a failure.
  const most = Math.ceil(kernelMemoryUsage().capacity / (15 << 20)) + 2;
  while (sets.length < most && sets.at(-1)?.inKernelMemory !== false) sets.push(CompressedImages.build(x, count, cols));
  assert.ok(sets.every((set) => set !== null));
  assert.ok(sets[0]?.inKernelMemory);
  assert.equal(sets.at(-1)?.inKernelMemory, false, `${sets.length} sets all in kernel memory`);
  // The reserve is 24 MiB; the builds' scratch buffers (1 MiB each, not yet
  // collected) come out of it.
  const { used, capacity } = kernelMemoryUsage();
  assert.ok(capacity - used >= 16 << 20, `${capacity - used} bytes left`);
});

test('images too wide for 16-bit column indices are not compressed', () => {
  assert.equal(CompressedImages.build(new Uint8Array(70_000), 1, 70_000), null);
  assert.equal(CompressedImages.build(new Uint8Array(10), 0, 10), null);
});

test('large buffers take whole 64 KiB pages, not the next power of two', () => {
  const before = kernelMemoryUsage().used;
  const big = allocUint8((1 << 20) + 1);
  assert.ok(big.byteOffset >= before);
  assert.equal(kernelMemoryUsage().used - big.byteOffset, (1 << 20) + (1 << 16));
});

test('every byte value gathers to exactly float32(byte / 255)', () => {
  // One row of 0…255 among zero rows, sparse enough to be compressed.
  const x = new Uint8Array(4 * 256);
  for (let b = 0; b < 256; b++) x[b] = b;
  const compressed = CompressedImages.build(x, 4, 256);
  assert.ok(compressed !== null);
  const rows = allocInt32(1);
  const sparse = new SparseRows(1, 256);
  const dense = allocFloat32(256);
  compressed.gather(rows, 1, sparse);
  sparse.toDense(dense);
  for (let b = 0; b < 256; b++) assert.equal(dense[b], Math.fround(b / 255), `byte ${b}`);
  assert.equal(sparse.nnz, 255);
});

test('image sets denser than the sparse path takes are not compressed', () => {
  assert.equal(CompressedImages.build(new Uint8Array(40).fill(9), 4, 10), null);
  const halfFull = new Uint8Array(40);
  halfFull.fill(9, 0, 20);
  assert.ok(CompressedImages.build(halfFull, 4, 10) !== null);
});
