import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastJson, runCli } from '../support/cli.js';

test('scratchnet bench times an epoch of the default job with the SIMD kernels (no timing asserted)', () => {
  const r = runCli(['bench', '--reps', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = lastJson<{ kernels: string; secondsPerEpoch: number; imagesPerSecond: number; testAccuracy: number; inferenceSeconds: number }>(r.stdout);
  assert.equal(result.kernels, 'wasm-simd');
  assert.ok(result.secondsPerEpoch > 0 && result.inferenceSeconds > 0);
  assert.ok(Math.abs(result.imagesPerSecond * result.secondsPerEpoch - 54000) < 1e-6 * 54000);
  assert.ok(result.testAccuracy > 0.9, `one epoch reaches ${result.testAccuracy}`);
});
