import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/rng.js';
import { matmul, matmulTransA, matmulTransB } from '../../src/kernels/matmul.js';
import { matmulRef, matmulTransARef, matmulTransBRef } from '../../src/kernels/reference.js';

type Kernel = (out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number) => Float32Array;

// Each fast kernel with its reference. a and b hold m·k and k·n values in every layout.
const layouts: { name: string; fast: Kernel; ref: Kernel }[] = [
  { name: 'matmul', fast: matmul, ref: matmulRef },
  { name: 'matmulTransA', fast: matmulTransA, ref: matmulTransARef },
  { name: 'matmulTransB', fast: matmulTransB, ref: matmulTransBRef },
];

const SIZES = [1, 3, 4, 17, 33];
// The 784-64-32-10 network's shapes (forward, dW, gradInput of layer 1) and odd neighbours.
const BIG: [number, number, number][] = [
  [32, 784, 64], [784, 32, 64], [32, 64, 784], [1, 784, 64], [33, 784, 17], [3, 64, 784], [784, 3, 10],
];
const SENTINEL = 12345;

/**
 * Checks fast against reference for one shape. The tolerance scales with
 * Σ_p |a·b| (the reference run on absolute values), which bounds float32
 * rounding for any summation order even where the sum itself cancels to ~0.
 */
function checkShape(rng: Rng, name: string, fast: Kernel, ref: Kernel, m: number, k: number, n: number): void {
  const a = Float32Array.from({ length: m * k }, () => rng.normal());
  const b = Float32Array.from({ length: k * n }, () => rng.normal());
  const want = ref(new Float32Array(m * n), a, b, m, k, n);
  const scale = ref(new Float32Array(m * n), a.map(Math.abs), b.map(Math.abs), m, k, n);
  // Garbage in out (NaN would poison any kernel that accumulates into out)
  // and sentinels past its end (caught if a remainder loop overruns).
  const out = new Float32Array(m * n + 4).fill(NaN).fill(SENTINEL, m * n);
  const got = fast(out, a, b, m, k, n);
  assert.equal(got, out, `${name} ${m}×${k}×${n}: must return out`);
  for (let i = 0; i < m * n; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= 1e-5 * scale[i] + 1e-30)) {
      assert.fail(`${name} m=${m} k=${k} n=${n}: out[${Math.floor(i / n)}, ${i % n}] = ${got[i]}, reference ${want[i]}`);
    }
  }
  assert.deepEqual(Array.from(out.subarray(m * n)), [SENTINEL, SENTINEL, SENTINEL, SENTINEL], `${name} ${m}×${k}×${n}: wrote past m·n`);
}

for (const { name, fast, ref } of layouts) {
  test(`${name} matches ${name}Ref for every m, k, n in {1, 3, 4, 17, 33}`, () => {
    const rng = new Rng(1);
    for (const m of SIZES) for (const k of SIZES) for (const n of SIZES) checkShape(rng, name, fast, ref, m, k, n);
  });

  test(`${name} matches ${name}Ref on the network's shapes (784, 64, ...)`, () => {
    const rng = new Rng(2);
    for (const [m, k, n] of BIG) checkShape(rng, name, fast, ref, m, k, n);
  });
}

// Hand-checked 2×2 · 2×3, the same product in all three storage layouts:
//   [1 2]   [5 6  7]   [1·5+2·8  1·6+2·9  1·7+2·10]   [21 24 27]
//   [3 4] · [8 9 10] = [3·5+4·8  3·6+4·9  3·7+4·10] = [47 54 61]
// m, k, n < 4 here, so only the remainder loops run; the outer products below
// fill exactly one 4×4 tile and so run only the blocked loop.
const PRODUCT = [21, 24, 27, 47, 54, 61];

test('matmul: hand-checked 2×2 · 2×3', () => {
  const a = new Float32Array([1, 2, 3, 4]);
  const b = new Float32Array([5, 6, 7, 8, 9, 10]);
  assert.deepEqual(Array.from(matmul(new Float32Array(6), a, b, 2, 2, 3)), PRODUCT);
  assert.deepEqual(Array.from(matmulRef(new Float32Array(6), a, b, 2, 2, 3)), PRODUCT);
});

test('matmulTransA: hand-checked, a stored transposed (2×2 [1 3; 2 4])', () => {
  const aStored = new Float32Array([1, 3, 2, 4]); // k×m; its transpose is [1 2; 3 4]
  const b = new Float32Array([5, 6, 7, 8, 9, 10]);
  assert.deepEqual(Array.from(matmulTransA(new Float32Array(6), aStored, b, 2, 2, 3)), PRODUCT);
  assert.deepEqual(Array.from(matmulTransARef(new Float32Array(6), aStored, b, 2, 2, 3)), PRODUCT);
});

test('matmulTransB: hand-checked, b stored transposed (3×2 [5 8; 6 9; 7 10])', () => {
  const a = new Float32Array([1, 2, 3, 4]);
  const bStored = new Float32Array([5, 8, 6, 9, 7, 10]); // n×k; its transpose is [5 6 7; 8 9 10]
  assert.deepEqual(Array.from(matmulTransB(new Float32Array(6), a, bStored, 2, 2, 3)), PRODUCT);
  assert.deepEqual(Array.from(matmulTransBRef(new Float32Array(6), a, bStored, 2, 2, 3)), PRODUCT);
});

// Outer product (k = 1) of [1 2 3 4]ᵀ and [1 10 100 1000]: out[i, j] = (i+1)·10^j.
// With k = 1 the stored a (4×1 or 1×4) and b (1×4 or 4×1) are the same four
// numbers in every layout.
const OUTER = [1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000, 4, 40, 400, 4000];

for (const { name, fast } of layouts) {
  test(`${name}: hand-checked 4×4 outer product (one blocked tile)`, () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Float32Array([1, 10, 100, 1000]);
    assert.deepEqual(Array.from(fast(new Float32Array(16), a, b, 4, 1, 4)), OUTER);
  });
}

test('kernels overwrite out rather than accumulate into it, and return it', () => {
  const rng = new Rng(3);
  const a = Float32Array.from({ length: 5 * 6 }, () => rng.normal());
  const b = Float32Array.from({ length: 6 * 7 }, () => rng.normal());
  for (const { name, fast, ref } of layouts) {
    const want = ref(new Float32Array(5 * 7), a, b, 5, 6, 7);
    const out = new Float32Array(5 * 7).fill(-777);
    assert.equal(fast(out, a, b, 5, 6, 7), out, name);
    assert.deepEqual(fast(out, a, b, 5, 6, 7), want, `${name}: a second call on the same out`);
    const outRef = new Float32Array(5 * 7).fill(-777);
    assert.equal(ref(outRef, a, b, 5, 6, 7), outRef, `${name}Ref`);
    assert.deepEqual(outRef, want, `${name}Ref: garbage in out`);
  }
});
