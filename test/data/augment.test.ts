import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { augmentImages, batchRng, parseAugment } from '../../src/data/augment.js';
import type { Rng } from '../../src/rng.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';

/** A generator whose every draw is `u` (uniform() = 1 is each change at its largest, + direction). */
const fixed = (u: number) => ({ uniform: () => u }) as unknown as Rng;

test('parseAugment: any of shift, rotate and scale; a bad item or value is a ConfigError naming it', () => {
  assert.deepEqual(parseAugment('shift=2,rotate=10,scale=0.1'), { shift: 2, rotate: 10, scale: 0.1 });
  assert.deepEqual(parseAugment('rotate=15'), { shift: 0, rotate: 15, scale: 0 });
  assert.throws(() => parseAugment('shift=2,flip=1'), /--augment: expected items like shift=2,rotate=10,scale=0\.1, got "flip=1"/);
  assert.throws(() => parseAugment('rotate=200'), /--augment: rotate must be at most 180, got 200/);
  assert.throws(() => parseAugment('shift=-1'), /expected items like/);
});

test('augmentImages: no change is the identity; a shift of one pixel moves every pixel; a quarter turn turns it', () => {
  const src = Uint8Array.from({ length: 2 * 9 }, (_, i) => 10 * (i + 1));
  const out = new Uint8Array(src.length);
  augmentImages(out, src, 2, [1, 3, 3], { shift: 0, rotate: 0, scale: 0 }, fixed(0.3));
  assert.deepEqual(out, src);
  // uniform() = 1: dx = dy = +1, so out(x, y) = src(x − 1, y − 1), black where that is outside.
  augmentImages(out, src, 1, [1, 3, 3], { shift: 1, rotate: 0, scale: 0 }, fixed(1));
  assert.deepEqual(Array.from(out.subarray(0, 9)), [0, 0, 0, 0, 10, 20, 0, 40, 50]);
  // +90° about the centre: out(x, y) reads src at column y, row 2 − x: the image turned a quarter.
  augmentImages(out, src, 1, [1, 3, 3], { shift: 0, rotate: 90, scale: 0 }, fixed(1));
  assert.deepEqual(Array.from(out.subarray(0, 9)), [70, 40, 10, 80, 50, 20, 90, 60, 30]);
  // Channels of one image move together.
  const rgb = Uint8Array.from({ length: 2 * 9 }, (_, i) => (i < 9 ? 10 * (i + 1) : 5 * (i - 8)));
  const moved = new Uint8Array(rgb.length);
  augmentImages(moved, rgb, 1, [2, 3, 3], { shift: 1, rotate: 0, scale: 0 }, fixed(1));
  assert.deepEqual(Array.from(moved.subarray(9)), [0, 0, 0, 0, 5, 10, 0, 20, 25]);
});

test('batchRng: the same seed, epoch and batch draw the same; another of any draws otherwise', () => {
  const draws = (s: number, e: number, b: number) => Array.from({ length: 4 }, ((r) => () => r.uniform())(batchRng(s, e, b)));
  assert.deepEqual(draws(42, 1, 7), draws(42, 1, 7));
  for (const other of [draws(43, 1, 7), draws(42, 2, 7), draws(42, 1, 8)]) assert.notDeepEqual(other, draws(42, 1, 7));
});

test('train --augment: seeded (the same run twice), off by default, and for images only', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-augment-'));
  const job = ['--epochs', '1', '--subset', '2000', '--no-report', '--json'];
  const run = (name: string, extra: string[]) => {
    const r = runCli(['train', ...job, ...extra, '--out', join(tmp, name)]);
    assert.equal(r.code, 0, r.stderr);
    return lastJson<{ trainLoss: number[]; testAccuracy: number }>(r.stdout);
  };
  const a = run('a', ['--augment', 'shift=2,rotate=10,scale=0.1']);
  const b = run('b', ['--augment', 'shift=2,rotate=10,scale=0.1']);
  const plain = run('plain', []);
  assert.deepEqual(b.trainLoss, a.trainLoss);
  assert.equal(b.testAccuracy, a.testAccuracy);
  assert.notDeepEqual(plain.trainLoss, a.trainLoss);
  // It still learns (chance is 10 %); and with no change asked, the batches are the plain ones to the bit.
  assert.ok(a.testAccuracy > 0.5, `augmented test accuracy ${a.testAccuracy}`);
  assert.deepEqual(run('zero', ['--augment', 'shift=0']).trainLoss, plain.trainLoss);
  const csv = join(tmp, 't.csv');
  writeFileSync(csv, `x,label\n${Array.from({ length: 20 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);
  assertBadInput(['train', '--csv', csv, '--augment', 'shift=1'], /fit: augment transforms images; the training set is a table/);
  assertBadInput(['train', '--augment', 'tilt=3'], /--augment: expected items like shift=2,rotate=10,scale=0\.1, got "tilt=3"/);
});

test('augmented batches take no new kernel memory per step: a fit of three epochs allocates what a fit of one does', async () => {
  const { fit } = await import('../../src/train/fit.js');
  const { mlp } = await import('../../src/model/mlp.js');
  const { kernelMemoryUsage } = await import('../../src/kernels/memory.js');
  const { Rng: Generator } = await import('../../src/rng.js');
  const rng = new Generator(3);
  const count = 640;
  const x = Uint8Array.from({ length: count * 784 }, () => (rng.uniform() < 0.2 ? Math.floor(256 * rng.uniform()) : 0));
  const train = { x, y: Uint8Array.from({ length: count }, (_, i) => i % 10), count, features: 784 };
  const grown = async (epochs: number): Promise<number> => {
    const model = mlp({ hidden: [16], rng: 1 });
    const before = kernelMemoryUsage().used;
    await fit(model, { train }, { epochs, batchSize: 32, augment: { shift: 2, rotate: 10, scale: 0.1, seed: 5 } });
    return kernelMemoryUsage().used - before;
  };
  await grown(1); // the first fit also sets up what every later one shares
  assert.equal(await grown(3), await grown(1));
});
