import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// The fused product, asked for as `scratchnet train --fma` asks: SCRATCHNET_FMA=1 and Node 20's relaxed-SIMD flag, both
// before the kernels compile; a shared memory, so that it also runs split over two threads.
setFlagsFromString('--experimental-wasm-relaxed-simd');
process.env.SCRATCHNET_FMA = '1';
process.env.SCRATCHNET_THREADS = '2';
const { blockedProduct } = await import('../../src/kernels/gemm.js');
const { fusedMultiplyAdd } = await import('../../src/kernels/dispatch.js');
const { allocFloat32 } = await import('../../src/kernels/memory.js');
const { setThreads } = await import('../../src/kernels/threads.js');
const { Rng } = await import('../../src/rng.js');

type Layout = 'nn' | 'tn' | 'nt';

/** a's element (i, p) and b's (p, j) in each layout's storage (tn: a is k × m; nt: b is n × k). */
const at: Record<Layout, (a: Float32Array, b: Float32Array, i: number, p: number, j: number, m: number, k: number, n: number) => [number, number]> = {
  nn: (a, b, i, p, j, _m, k, n) => [a[i * k + p], b[p * n + j]],
  tn: (a, b, i, p, j, m, _k, n) => [a[p * m + i], b[p * n + j]],
  nt: (a, b, i, p, j, _m, k) => [a[i * k + p], b[j * k + p]],
};

/**
 * Each output summed in order over p, one rounding per step (fused: the
 * exact a·b, which a double holds for float32 inputs, added and rounded once)
 * or two (the plain product's multiply, then add).
 */
function inOrder(layout: Layout, fused: boolean, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  const f = Math.fround;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const [x, y] = at[layout](a, b, i, p, j, m, k, n);
        s = fused ? f(s + x * y) : f(s + f(x * y));
      }
      out[i * n + j] = s;
    }
  }
  return out;
}

function values(rng: InstanceType<typeof Rng>, length: number): Float32Array {
  const a = allocFloat32(length);
  for (let i = 0; i < length; i++) a[i] = rng.normal();
  return a;
}

function blocked(layout: Layout, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const out = allocFloat32(m * n);
  assert.ok(blockedProduct(layout, out, a, b, m, k, n), 'the blocked kernel ran');
  return out.slice();
}

// V8 compiles relaxed_madd to a fused instruction where the CPU has one (x86's FMA3, every ARM64), else to a multiply and an add.
const cpuFuses = process.arch === 'arm64' || (process.platform === 'linux' && /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8')));

test('asked for on an engine with relaxed SIMD, the blocked product rounds once per multiply-add, in order, every layout', (t) => {
  assert.equal(fusedMultiplyAdd, true, 'the fused product is in use');
  t.diagnostic(`this CPU ${cpuFuses ? 'fuses' : 'does not fuse'}: the product is expected to round ${cpuFuses ? 'once' : 'twice'} per step`);
  const rng = new Rng(41);
  let differ = 0;
  for (const layout of ['nn', 'tn', 'nt'] as const) {
    for (const [m, k, n] of [[1, 1, 1], [3, 17, 33], [17, 300, 19], [33, 257, 3], [5, 600, 40]] as const) {
      const a = values(rng, m * k), b = values(rng, k * n);
      const got = blocked(layout, a, b, m, k, n);
      assert.deepEqual(got, inOrder(layout, cpuFuses, a, b, m, k, n), `${layout} ${m}×${k}×${n}`);
      const plain = inOrder(layout, !cpuFuses, a, b, m, k, n);
      differ += got.filter((v, i) => v !== plain[i]).length;
    }
  }
  // The two roundings give other bits often enough that a product that never fused could not pass the check above.
  if (cpuFuses) assert.ok(differ > 100, `only ${differ} outputs differ from the plain product's`);
});

test('the fused product split over two threads gives one thread\'s bits', async () => {
  try {
    const rng = new Rng(42);
    for (const [m, k, n] of [[33, 1000, 257], [17, 257, 2049]] as const) {
      for (const layout of ['nn', 'tn', 'nt'] as const) {
        const a = values(rng, m * k), b = values(rng, k * n);
        assert.equal(await setThreads(1), 1);
        const one = blocked(layout, a, b, m, k, n);
        assert.equal(await setThreads(2), 2);
        assert.deepEqual(blocked(layout, a, b, m, k, n), one, `${layout} ${m}×${k}×${n}`);
      }
    }
  } finally {
    await setThreads(1);
  }
});

test('asked for where the engine has no relaxed SIMD (Node 20 without its flag), the plain product runs', () => {
  const script = [
    "const { fusedMultiplyAdd, kernelBackend } = await import('./src/kernels/dispatch.ts');",
    "const { gemmFmaWasmBase64 } = await import('./src/kernels/wasm/module.generated.ts');",
    "const relaxed = WebAssembly.validate(Buffer.from(gemmFmaWasmBase64, 'base64'));",
    'console.log(JSON.stringify({ relaxed, fusedMultiplyAdd, kernelBackend }));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, SCRATCHNET_FMA: '1', SCRATCHNET_THREADS: '1' } });
  assert.equal(run.status, 0, run.stderr);
  const seen = JSON.parse(run.stdout) as { relaxed: boolean; fusedMultiplyAdd: boolean; kernelBackend: string };
  // Node 20 validates relaxed SIMD only with its flag; a later Node that has it on would use the fused product.
  if (process.versions.node.startsWith('20.')) assert.equal(seen.relaxed, false);
  assert.deepEqual(seen, { relaxed: seen.relaxed, fusedMultiplyAdd: seen.relaxed, kernelBackend: 'wasm-simd' });
});
