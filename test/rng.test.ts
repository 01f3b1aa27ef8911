import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/rng.js';

/** xoshiro128** and SplitMix32 written independently with BigInt, as the oracle. */
function referenceStream(seed: number, count: number): number[] {
  const M = 0xffffffffn;
  let x = BigInt(seed >>> 0);
  const splitmix = (): bigint => {
    x = (x + 0x9e3779b9n) & M;
    let z = x;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M;
    return z ^ (z >> 16n);
  };
  const s = [splitmix(), splitmix(), splitmix(), splitmix()];
  const rotl = (v: bigint, k: bigint): bigint => ((v << k) | (v >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1] * 5n) & M, 7n) * 9n) & M));
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

test('nextUint32 is xoshiro128** seeded by SplitMix32 (BigInt reference)', () => {
  for (const seed of [0, 1, 42, 0xffffffff]) {
    const rng = new Rng(seed);
    assert.deepEqual(Array.from({ length: 50 }, () => rng.nextUint32()), referenceStream(seed, 50));
  }
});

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 5 }, () => a.normal());
  assert.deepEqual(xa, Array.from({ length: 5 }, () => b.normal()));
  assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.normal()));
});

test('uniform is in [0, 1), int is in range and roughly uniform, normal has mean 0 and std 1', () => {
  const rng = new Rng(9);
  const counts = new Array(7).fill(0);
  let sum = 0, sumSq = 0;
  const n = 70000;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    counts[rng.int(7)]++;
    const z = rng.normal();
    sum += z;
    sumSq += z * z;
  }
  for (const c of counts) assert.ok(Math.abs(c - n / 7) < 0.05 * (n / 7), `bucket ${c}`);
  assert.ok(Math.abs(sum / n) < 0.02);
  assert.ok(Math.abs(Math.sqrt(sumSq / n) - 1) < 0.02);
});

test('permutation holds every index once', () => {
  const p = new Rng(3).permutation(1000);
  assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
});

test('getState/setState resumes the exact stream, including the cached normal', () => {
  const rng = new Rng(5);
  rng.normal(); // leaves a spare deviate cached
  const state = structuredClone(rng.getState());
  const next = [rng.normal(), rng.normal(), rng.nextUint32()];
  const other = new Rng(0);
  other.setState(state);
  assert.deepEqual([other.normal(), other.normal(), other.nextUint32()], next);
});
