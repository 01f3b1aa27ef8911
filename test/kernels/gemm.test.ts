import { test } from 'node:test';
import assert from 'node:assert/strict';

// Shared kernel memory, so that the blocked product can also run split over two threads.
process.env.SCRATCHNET_THREADS = '2';
const { blockedProduct, takesBlocked } = await import('../../src/kernels/gemm.js');
const { matmul, matmulTransA, matmulTransB } = await import('../../src/kernels/dispatch.js');
const { allocFloat32 } = await import('../../src/kernels/memory.js');
const { matmulRef, matmulTransARef, matmulTransBRef } = await import('../../src/kernels/reference.js');
const { setThreads } = await import('../../src/kernels/threads.js');
const { GEMM_BLOCKS } = await import('../../src/kernels/wasm/gemm.js');
const { wasm } = await import('../../src/kernels/wasm/instance.js');
const { Rng } = await import('../../src/rng.js');

type Layout = 'nn' | 'tn' | 'nt';
type Ref = (out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number) => Float32Array;
const REFERENCE: Record<Layout, Ref> = { nn: matmulRef, tn: matmulTransARef, nt: matmulTransBRef };

// Sizes that are multiples of no block (R 4, W 8, KC 256, MC 64, NC 256), each
// in every position; 2049 crosses eight column blocks and eight inner blocks.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 17, 33], [17, 3, 257], [33, 257, 3], [257, 33, 17], [3, 1000, 33], [33, 1000, 257],
  [1000, 17, 33], [17, 33, 1000], [3, 2049, 17], [2049, 3, 33], [17, 33, 2049], [257, 257, 257],
];

function values(rng: InstanceType<typeof Rng>, length: number, zeros = 0): Float32Array {
  const a = allocFloat32(length);
  for (let i = 0; i < length; i++) a[i] = rng.uniform() < zeros ? 0 : rng.normal();
  return a;
}

/** The blocked product into a fresh buffer with NaN guards after it; the guards must survive. */
function blocked(layout: Layout, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const out = allocFloat32(m * n + 8);
  out.fill(NaN);
  assert.ok(blockedProduct(layout, out.subarray(0, m * n), a, b, m, k, n), 'the blocked kernel ran');
  assert.ok(out.subarray(m * n).every(Number.isNaN), `${layout} ${m}×${k}×${n} wrote past out`);
  return out.slice(0, m * n);
}

test('the blocked product equals the reference on sizes that are multiples of no block, every layout', () => {
  const rng = new Rng(31);
  for (const layout of ['nn', 'tn', 'nt'] as const) {
    for (const [m, k, n] of SHAPES) {
      const a = values(rng, m * k, 0.3), b = values(rng, k * n);
      const want = REFERENCE[layout](new Float32Array(m * n), a, b, m, k, n);
      const scale = REFERENCE[layout](new Float32Array(m * n), a.map(Math.abs), b.map(Math.abs), m, k, n);
      const got = blocked(layout, a, b, m, k, n);
      for (let i = 0; i < m * n; i++) {
        // float32 sums in order: within k·2⁻²⁴ of Σ|a·b| (a few ulps per term).
        assert.ok(Math.abs(got[i] - want[i]) <= 6e-8 * k * scale[i] + 1e-30, `${layout} ${m}×${k}×${n} [${i}]: ${got[i]} vs ${want[i]}`);
      }
    }
  }
});

test('blocked X·W and Xᵀ·G give the unblocked SIMD kernels\' bits (both sum each output in order)', () => {
  const k32 = wasm as NonNullable<typeof wasm>;
  const rng = new Rng(32);
  for (const [layout, unblocked] of [['nn', k32.matmul], ['tn', k32.matmulTransA]] as const) {
    for (const [m, k, n] of SHAPES) {
      const a = values(rng, m * k, 0.5), b = values(rng, k * n);
      const want = allocFloat32(m * n);
      unblocked(want.byteOffset, a.byteOffset, b.byteOffset, m, k, n);
      assert.deepEqual(blocked(layout, a, b, m, k, n), want, `${layout} ${m}×${k}×${n}`);
    }
  }
});

test('blocked a·bᵀ sums each output in order: a float32 loop\'s bits', () => {
  const rng = new Rng(33);
  const f = Math.fround;
  for (const [m, k, n] of [[5, 300, 19], [9, 17, 40]] as const) {
    const a = values(rng, m * k), b = values(rng, n * k);
    const want = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s = f(s + f(a[i * k + p] * b[j * k + p]));
        want[i * n + j] = s;
      }
    }
    assert.deepEqual(blocked('nt', a, b, m, k, n), want);
  }
});

test('split over two threads, the blocked product gives one thread\'s bits, every layout', async () => {
  try {
    const rng = new Rng(34);
    // Big enough to be split (2²¹ multiply-adds), with column counts that split into unequal parts.
    for (const [m, k, n] of [[33, 1000, 257], [17, 257, 2049], [2049, 33, 33]] as const) {
      for (const layout of ['nn', 'tn', 'nt'] as const) {
        const a = values(rng, m * k, 0.3), b = values(rng, k * n);
        assert.equal(await setThreads(1), 1);
        const one = blocked(layout, a, b, m, k, n);
        assert.equal(await setThreads(2), 2);
        const two = blocked(layout, a, b, m, k, n);
        assert.deepEqual(two, one, `${layout} ${m}×${k}×${n}`);
      }
    }
  } finally {
    await setThreads(1);
  }
});

test('the Dense products take the blocked kernel where it wins, and the tutorial\'s network keeps the unblocked a·bᵀ', () => {
  assert.equal(GEMM_BLOCKS.W, 8);
  // 784-64-32-10 at batch 32: dL/dX of its hidden Dense (32×32×64) and output Dense (32×10×32) stay unblocked, so its results are those of earlier versions.
  assert.equal(takesBlocked('nt', 32, 32, 64), false);
  assert.equal(takesBlocked('nt', 32, 10, 32), false);
  assert.equal(takesBlocked('nt', 32, 2048, 2048), true);
  assert.equal(takesBlocked('nn', 32, 64, 32), true);
  // Ten output columns: mostly padding in the 8-column panels.
  assert.equal(takesBlocked('nn', 32, 32, 10), false);
  // Through the dispatcher, a wide product equals the blocked one.
  const rng = new Rng(35);
  const [m, k, n] = [32, 300, 260];
  const a = values(rng, m * k), b = values(rng, k * n);
  for (const [layout, product] of [['nn', matmul], ['tn', matmulTransA], ['nt', matmulTransB]] as const) {
    const bIn = layout === 'nt' ? values(rng, n * k) : b;
    const aIn = layout === 'tn' ? values(rng, k * m) : a;
    const got = product(allocFloat32(m * n), aIn, bIn, m, k, n);
    assert.deepEqual(got, blocked(layout, aIn, bIn, m, k, n), layout);
  }
});
