import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm run bench -- --sweep` at a toy size: two widths, one batch size, 64
// images, one rep. Structure and arithmetic only: no assertion on time.
// Needs dist/ (`npm test` builds it first).
const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-bench-sweep-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function bench(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/run.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Row {
  hidden: number[];
  batch: number;
  flopsPerImage: number;
  peers: { peer: string; status: string; reason?: string; secondsPerEpoch?: number; imagesPerSecond?: number; gflops?: number }[];
  ratios: Record<string, number>;
}

test('--sweep: a row per width and batch size, GFLOP/s from the step\'s multiply-adds, ratios to scratchnet, and the chart', () => {
  const out = join(tmp, 'sweep.json');
  const chart = join(tmp, 'sweep.svg');
  const r = bench(['--sweep', '--widths', '16x8,32x16', '--batches', '8', '--limit', '64', '--reps', '1', '--out', out, '--chart', chart]);
  assert.equal(r.code, 0, r.stderr);
  const { rows, images, peak } = JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[]; images: number; peak: { oneThread: number; threads: number; allThreads: number } };
  assert.equal(images, 64);
  // The yardstick of the same run: one thread, and two at once.
  assert.ok(peak.oneThread > 0 && peak.allThreads > 0 && peak.threads === 2, JSON.stringify(peak));
  assert.match(r.stdout, new RegExp(`SIMD peak .*: ${peak.oneThread.toFixed(1)} GFLOP/s on one thread, ${peak.allThreads.toFixed(1)} on 2 at once`));
  const firstRow = r.stdout.split('\n').find((l) => l.startsWith('16,8'));
  const ours = rows[0].peers.find((p) => p.peer === 'scratchnet')?.gflops ?? 0;
  assert.ok(firstRow?.trimEnd().endsWith(`${Math.round((100 * ours) / peak.oneThread)} %`), `the ÷ peak column: ${firstRow}`);
  assert.deepEqual(rows.map((row) => `${row.hidden.join('x')}/${row.batch}`), ['16x8/8', '32x16/8']);
  // 784-16-8-10: forward, dL/dW and dL/dX (none for the first layer), 2 flops a multiply-add.
  assert.equal(rows[0].flopsPerImage, 6 * (784 * 16 + 16 * 8 + 8 * 10) - 2 * 784 * 16);
  for (const row of rows) {
    const ours = row.peers.find((p) => p.peer === 'scratchnet');
    assert.equal(ours?.status, 'ok', ours?.reason);
    for (const p of row.peers) {
      if (p.status !== 'ok') {
        assert.equal(p.status, 'skipped', `${p.peer}: ${p.reason}`);
        assert.ok(row.ratios[p.peer] === undefined);
        continue;
      }
      assert.ok(Math.abs((p.imagesPerSecond ?? 0) * (p.secondsPerEpoch ?? 0) - 64) < 1e-6, `${p.peer} trained on the 64 images`);
      assert.ok(Math.abs((p.gflops ?? 0) - ((p.imagesPerSecond ?? 0) * row.flopsPerImage) / 1e9) < 1e-9, p.peer);
      if (p.peer !== 'scratchnet') assert.ok(Math.abs(row.ratios[p.peer] - (p.secondsPerEpoch ?? 0) / (ours?.secondsPerEpoch ?? 1)) < 1e-12, p.peer);
    }
  }
  assert.match(r.stdout, /^16,8 +8 /m);
  assert.match(r.stdout, /÷ NumPy, ÷ PyTorch = the peer's median s\/epoch ÷ scratchnet's/);
  assert.ok(existsSync(chart));
  assert.match(readFileSync(chart, 'utf8'), /^<svg[\s\S]*GFLOP\/s[\s\S]*<\/svg>\s*$/);
});

test('--sweep refuses malformed widths and batch sizes in one line, exit 2', () => {
  for (const [flag, value, want] of [['--widths', '64', /--widths: expected sizes like 64x32,1024x1024, got "64"/], ['--batches', '0', /--batches: expected batch sizes like 32,256, got "0"/]] as const) {
    const r = bench(['--sweep', flag, value, '--reps', '1']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
