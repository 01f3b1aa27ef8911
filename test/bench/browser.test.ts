import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPage, serveDir, type PageRun } from '../../bench/browser/run.js';

// The browser benchmark page (bench/browser/, built by
// scripts/build-bench-page.ts into a temp folder so the test sees the current
// sources), served by `scratchnet serve` and run in headless Chromium on the
// first 6,000 training images. Correctness only: no assertion on time.
const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-bench-page-'));
const dist = join(tmp, 'dist');
let stop: (() => void) | undefined;
let run: PageRun;

before(async () => {
  const built = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/build-bench-page.ts'), dist], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const served = await serveDir(dist);
  stop = served.stop;
  run = await runPage(`${served.url}?subset=6000`, 180_000);
});

after(() => {
  stop?.();
  rmSync(tmp, { recursive: true, force: true });
});

test('both libraries train an epoch on 6,000 images in the page and reach a sane test accuracy', (t) => {
  const result = run.result;
  assert.ok(result.ok, result.ok ? '' : result.error);
  assert.deepEqual(result.job, { subset: 6000, epochs: 1 });
  const [ours, tfjs] = result.results;
  for (const r of result.results) {
    t.diagnostic(`${r.library}: ${r.secondsPerEpoch.toFixed(3)} s/epoch, ${Math.round(r.imagesPerSecond)} images/s, test accuracy ${r.testAccuracy}, ${r.backend}`);
  }
  t.diagnostic(`ratio (TF.js ÷ scratchnet): ${result.ratio.toFixed(1)}`);

  assert.equal(ours.library, 'scratchnet');
  assert.equal(ours.backend, 'wasm-simd');
  assert.equal(ours.trainCount, 6000);
  assert.equal(ours.testCount, 10_000);
  assert.equal(ours.epochSeconds.length, 1);
  assert.ok(ours.epochSeconds[0] > 0);
  assert.ok(ours.testAccuracy > 0.8, `scratchnet test accuracy ${ours.testAccuracy}`);

  assert.equal(tfjs.library, 'tfjs-wasm');
  assert.match(tfjs.backend, /^wasm \(simd=true/);
  assert.equal(tfjs.trainCount, 6000);
  assert.equal(tfjs.testCount, 10_000);
  assert.equal(tfjs.epochSeconds.length, 1);
  assert.ok(tfjs.epochSeconds[0] > 0);
  // TF.js shuffles with Math.random, so its accuracy varies run to run
  // (74–88 % in seven runs here); a broken fit would sit near chance (10 %).
  assert.ok(tfjs.testAccuracy > 0.6, `TF.js test accuracy ${tfjs.testAccuracy}`);

  assert.ok(Number.isFinite(result.ratio) && result.ratio > 0);
});

test('no request left 127.0.0.1 and nothing was logged as an error', () => {
  const outside = run.requests.filter((r) => {
    const u = new URL(r);
    return !(u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1');
  });
  assert.ok(run.requests.some((r) => r.endsWith('/mnist/train-images-idx3-ubyte.gz')), run.requests.join('\n'));
  assert.ok(run.requests.some((r) => r.endsWith('/tfjs-backend-wasm-simd.wasm')), run.requests.join('\n'));
  assert.deepEqual(outside, []);
  assert.deepEqual(run.errors, []);
});
