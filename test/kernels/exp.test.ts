import { test } from 'node:test';
import assert from 'node:assert/strict';
import wabtInit from 'wabt';
import { expF64x2 } from '../../src/kernels/wasm/softmax.js';
import { Rng } from '../../src/rng.js';

/** expF64x2 alone, in a module of its own: exp(out, in, n) over float64 arrays (n even). */
async function expKernel(): Promise<{ exp(out: number, input: number, n: number): void; memory: WebAssembly.Memory }> {
  const wat = `(module (memory (export "memory") 32)
    (func (export "exp") (param $out i32) (param $in i32) (param $n i32)
      (local $x v128) (local $t v128) (local $k v128) (local $r v128) (local $r2 v128) (local $r4 v128) (local $e v128) (local $i i32)
      (block $done (loop $each (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ${expF64x2('(v128.load (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 3))))')}
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (local.get $e))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $each)))))`;
  const wabt = await wabtInit();
  const module = wabt.parseWat('exp.wat', wat, { simd: true });
  module.validate();
  const { buffer } = module.toBinary({});
  module.destroy();
  return new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(buffer)), {}).exports as never;
}

test('the kernels\' e^x is within 1 ulp of Math.exp on [−200, 0], the same once rounded to float32, and exact at 0', async () => {
  const { exp, memory } = await expKernel();
  const n = 1 << 16;
  const all = new Float64Array(memory.buffer);
  const x = all.subarray(0, n);
  const y = all.subarray(n, 2 * n);
  const rng = new Rng(13);
  let oneUlp = 0;
  for (const [lo, hi] of [[-0.35, 0.35], [-1, 0], [-30, 0], [-200, 0], [-110, -100]]) {
    for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * rng.uniform();
    x.set([0, -0, -200, Math.fround(-1.5), -1e-300, -745.2, -Infinity, NaN]);
    exp(8 * n, 0, n);
    for (let i = 0; i < n; i++) {
      const want = Math.exp(Math.max(x[i], -200));
      if (Number.isNaN(x[i])) {
        assert.ok(Number.isNaN(y[i]), 'NaN stays NaN');
        continue;
      }
      if (y[i] !== want) {
        oneUlp++;
        assert.ok(Math.abs(y[i] - want) <= want * 2 ** -52, `e^${x[i]}: ${y[i]} vs Math.exp ${want}`);
      }
      assert.equal(Math.fround(y[i]), Math.fround(want), `e^${x[i]} as float32`);
    }
    assert.equal(y[0], 1);
    assert.equal(y[1], 1);
  }
  // Inputs below −200 are taken as −200 (documented): e^−200 is 0 as a float32.
  assert.equal(Math.fround(y[5]), 0);
  assert.equal(Math.fround(y[6]), 0);
  // Seen while writing it: about 4 % differ by 1 ulp.
  assert.ok(oneUlp < 0.1 * 5 * n, `${oneUlp} of ${5 * n} differ by 1 ulp`);
});
