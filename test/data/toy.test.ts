import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOY_NAMES, TOY_SETS, toyDataset } from '../../src/data/toy.js';
import { Rng } from '../../src/rng.js';

const points = (name: (typeof TOY_NAMES)[number], noise: number, count = 600) => {
  const d = toyDataset(name, new Rng(5), { count, noise });
  const v = d.values as Float32Array;
  return Array.from({ length: d.count }, (_, i) => ({ x1: v[2 * i], x2: v[2 * i + 1], c: d.y[i] }));
};

test('every toy set: the same seed gives the same points, another seed others; classes share the points evenly', () => {
  for (const name of TOY_NAMES) {
    const a = toyDataset(name, new Rng(1), { count: 301 });
    assert.deepEqual(toyDataset(name, new Rng(1), { count: 301 }), a, name);
    assert.notDeepEqual(toyDataset(name, new Rng(2), { count: 301 }).values, a.values, name);
    assert.equal(a.features, 2);
    assert.deepEqual(a.featureNames, ['x1', 'x2']);
    assert.deepEqual(a.classes, TOY_SETS[name].classes);
    const k = TOY_SETS[name].classes.length;
    const counts = Array.from({ length: k }, (_, c) => a.y.filter((y) => y === c).length);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${name}: ${counts}`);
    assert.ok((a.values as Float32Array).every((v) => Math.abs(v) < 1.6), name);
  }
});

test('without noise each point lies in its class region', () => {
  for (const p of points('xor', 0)) assert.equal(p.x1 * p.x2 > 0 ? 0 : 1, p.c);
  for (const p of points('xor', 0)) assert.ok(Math.abs(p.x1) >= 0.05 && Math.abs(p.x2) >= 0.05);
  for (const p of points('circles', 0)) {
    const r = Math.hypot(p.x1, p.x2);
    assert.ok(p.c === 0 ? r <= 0.5 : r >= 0.7 && r <= 1 + 1e-6, `r ${r} class ${p.c}`);
  }
  // Spiral arm c at radius r has angle 4r + 2πc/3 (measured from the x2 axis towards x1).
  for (const p of points('spiral', 0)) {
    const r = Math.hypot(p.x1, p.x2);
    if (r < 1e-3) continue;
    const expected = 4 * r + (2 * Math.PI * p.c) / 3;
    const d = Math.atan2(p.x1, p.x2) - expected;
    assert.ok(Math.abs(Math.atan2(Math.sin(d), Math.cos(d))) < 1e-4, `spiral point ${JSON.stringify(p)}`);
  }
  // Moons: the upper one (class 0) on a circle of radius 0.5 around (−0.25, −0.125), the lower around (0.25, 0.125).
  for (const p of points('moons', 0)) {
    const [cx, cy] = p.c === 0 ? [-0.25, -0.125] : [0.25, 0.125];
    assert.ok(Math.abs(Math.hypot(p.x1 - cx, p.x2 - cy) - 0.5) < 1e-5);
    assert.ok(p.c === 0 ? p.x2 >= cy - 1e-6 : p.x2 <= cy + 1e-6);
  }
  // Gaussians: the class means sit near (−0.4, −0.4) and (0.4, 0.4).
  const g = points('gaussians', 0, 4000);
  for (const [c, centre] of [[0, -0.4], [1, 0.4]] as const) {
    const mine = g.filter((p) => p.c === c);
    const mean = mine.reduce((s, p) => s + p.x1 + p.x2, 0) / (2 * mine.length);
    assert.ok(Math.abs(mean - centre) < 0.02, `class ${c} mean ${mean}`);
  }
});

test('noise moves each point by a normal jitter of that deviation', () => {
  // The jitter is drawn whatever the noise (0 included), so both sets place their points from the same draws
  // and differ by the jitter alone: its deviation is the noise asked for.
  const clean = toyDataset('circles', new Rng(9), { count: 4000, noise: 0 }).values as Float32Array;
  const noisy = toyDataset('circles', new Rng(9), { count: 4000, noise: 0.1 }).values as Float32Array;
  const d = Array.from(noisy, (v, i) => v - clean[i]);
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  const std = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
  assert.ok(Math.abs(mean) < 0.005 && Math.abs(std - 0.1) < 0.003, `mean ${mean}, std ${std}`);
});

test('a bad count, noise or name is a ConfigError naming the set and what it expects', () => {
  assert.throws(() => toyDataset('spiral', new Rng(1), { count: 5 }), /^ConfigError: spiral: expected a count of points from 6 to 1000000, got 5/);
  assert.throws(() => toyDataset('xor', new Rng(1), { noise: -0.1 }), /^ConfigError: xor: expected a noise level in \[0, 1\], got -0.1/);
  assert.throws(() => toyDataset('swirl' as never, new Rng(1)), /unknown toy data set "swirl": expected one of xor, circles, spiral, moons, gaussians/);
});
