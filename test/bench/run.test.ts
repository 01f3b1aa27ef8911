import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARCHITECTURES } from '../../src/model/spec.js';

// The side-by-side harness (bench/run.ts) with --arch lenet5 at a tiny size:
// 128 training images, two reps, one timed TF.js batch. Structure only: no
// assertion on time. Needs dist/ (`npm test` builds it first).
const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-bench-run-'));
const out = join(tmp, 'results.json');

/** `tsx bench/run.ts ...args` to completion. */
function bench(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/run.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Whether the harness will find a PyTorch (it looks the same way). */
const torch = ['python3', '/usr/bin/python3'].some((python) => spawnSync(python, ['-c', 'import torch'], { timeout: 120_000 }).status === 0);

interface Summary {
  peer: string;
  status: string;
  reason?: string;
  runs: number;
  secondsPerEpoch?: { median: number; all: number[] };
  trainCount?: number;
  imagesPerSecond?: number;
  testAccuracy?: number;
  inferenceSeconds?: number;
  peakRssMB?: number;
  paramCount?: number;
  projected?: boolean;
  ratio?: number;
}
interface Results {
  settings: { arch: string; spec: string; batchSize: number; limit: number; tfjsBatches: number; reps: number; peers: string[]; trainImages: number };
  versions: { torch?: string };
  summary: Summary[];
  runs: { peer: string; rep: number; ok: boolean; result?: { epochSeconds: number[]; trainCount: number; batchSize: number; paramCount: number } }[];
}

let run: { code: number | null; stdout: string; stderr: string };
let results: Results;

before(() => {
  assert.ok(existsSync(join(root, 'dist/index.js')), 'dist/ is missing: run `npm run build` first');
  run = bench(['--arch', 'lenet5', '--limit', '128', '--reps', '2', '--tfjs-batches', '1', '--out', out]);
  assert.equal(run.code, 0, run.stderr);
  results = JSON.parse(readFileSync(out, 'utf8')) as Results;
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('--arch lenet5 runs every CNN peer on the same network and the limited training set', () => {
  assert.equal(results.settings.arch, 'lenet5');
  assert.equal(results.settings.spec, ARCHITECTURES.lenet5);
  assert.equal(results.settings.batchSize, 64);
  assert.equal(results.settings.limit, 128);
  assert.equal(results.settings.trainImages, 128);
  assert.deepEqual(results.settings.peers, ['scratchnet', 'scratchnet-2threads', 'pytorch-1thread', 'pytorch-2threads', 'tfjs-cpu']);
  const byPeer = new Map(results.summary.map((s) => [s.peer, s]));
  const ran = torch ? ['scratchnet', 'scratchnet-2threads', 'pytorch-1thread', 'pytorch-2threads', 'tfjs-cpu'] : ['scratchnet', 'scratchnet-2threads', 'tfjs-cpu'];
  for (const name of ran) {
    const s = byPeer.get(name);
    assert.equal(s?.status, 'ok', `${name}: ${s?.reason}`);
    assert.equal(s.trainCount, 128, name);
    assert.equal(s.paramCount, 44_426, `${name} built another network`);
    assert.ok(s.secondsPerEpoch !== undefined && s.secondsPerEpoch.median > 0, name);
    assert.ok(Math.abs((s.imagesPerSecond ?? 0) * s.secondsPerEpoch.median - 128) < 1e-6, name);
    assert.ok((s.peakRssMB ?? 0) > 0, name);
  }
  if (!torch) {
    for (const name of ['pytorch-1thread', 'pytorch-2threads']) assert.match(byPeer.get(name)?.reason ?? '', /PyTorch is not installed/);
  }
  for (const r of results.runs.filter((r) => r.ok)) {
    assert.equal(r.result?.batchSize, 64, r.peer);
    assert.equal(r.result?.trainCount, 128, r.peer);
  }
});

test('measured peers report a test accuracy; the projected TF.js epoch reports none', () => {
  const byPeer = new Map(results.summary.map((s) => [s.peer, s]));
  for (const name of torch ? ['scratchnet', 'scratchnet-2threads', 'pytorch-1thread', 'pytorch-2threads'] : ['scratchnet', 'scratchnet-2threads']) {
    const s = byPeer.get(name);
    assert.equal(s?.projected, undefined, name);
    assert.ok(s?.testAccuracy !== undefined && s.testAccuracy >= 0 && s.testAccuracy <= 1, `${name}: ${s?.testAccuracy}`);
    assert.ok((s?.inferenceSeconds ?? 0) > 0, name);
  }
  assert.equal(byPeer.get('scratchnet-2threads')?.testAccuracy, byPeer.get('scratchnet')?.testAccuracy, 'two threads train the same network');
  const tfjs = byPeer.get('tfjs-cpu');
  assert.equal(tfjs?.projected, true);
  assert.equal(tfjs?.testAccuracy, undefined);
  const row = run.stdout.split('\n').find((l) => l.startsWith('tfjs-cpu'));
  assert.match(row ?? '', /projected [\d.]+ .* n\/a .* n\/a /, `tfjs-cpu row: ${row}`);
  assert.match(run.stdout, /tfjs-cpu: projected — 1 batch of 64 timed after one untimed warm-up batch/);
});

test('reps are interleaved, with the starting peer rotated, and TF.js cpu runs once', () => {
  const order = results.runs.map((r) => `${r.rep}:${r.peer}`);
  const peers = torch ? ['scratchnet', 'scratchnet-2threads', 'pytorch-1thread', 'pytorch-2threads', 'tfjs-cpu'] : ['scratchnet', 'scratchnet-2threads', 'tfjs-cpu'];
  const rep2 = peers.filter((p) => p !== 'tfjs-cpu');
  const rotated = rep2.map((_, i) => rep2[(i + 1) % rep2.length]);
  assert.deepEqual(order, [...peers.map((p) => `1:${p}`), ...rotated.map((p) => `2:${p}`)]);
  const byPeer = new Map(results.summary.map((s) => [s.peer, s]));
  assert.equal(byPeer.get('tfjs-cpu')?.runs, 1);
  assert.equal(byPeer.get('scratchnet')?.runs, 2);
  assert.equal(byPeer.get('scratchnet')?.secondsPerEpoch?.all.length, 2);
});

test('ratios are to PyTorch at its faster thread count (none without PyTorch)', () => {
  if (!torch) {
    assert.ok(results.summary.every((s) => s.ratio === undefined));
    assert.match(run.stdout, /÷ PyTorch: no PyTorch peer ran, so no ratios\./);
    return;
  }
  const torchPeers = results.summary.filter((s) => s.peer.startsWith('pytorch-'));
  const best = torchPeers.reduce((a, b) => ((a.secondsPerEpoch?.median ?? Infinity) <= (b.secondsPerEpoch?.median ?? Infinity) ? a : b));
  assert.equal(best.ratio, 1);
  for (const s of results.summary.filter((x) => x.status === 'ok')) {
    assert.ok(Math.abs((s.ratio ?? NaN) - (s.secondsPerEpoch?.median ?? NaN) / (best.secondsPerEpoch?.median ?? NaN)) < 1e-12, s.peer);
  }
  assert.match(run.stdout, new RegExp(`÷ PyTorch = peer's median s/epoch ÷ ${best.peer}'s`));
  assert.match(run.stdout, /^peer .* ÷ PyTorch +runs$/m);
  assert.ok(results.versions.torch !== undefined);
});

test('bad flags end with one line and exit code 2', () => {
  for (const [args, pattern] of [
    [['--limit', '100'], /^bench: --limit: works with --arch lenet5\|cnn only$/],
    [['--arch', 'lenet'], /^bench: --arch: expected mlp, lenet5 or cnn, got "lenet"$/],
    [['--arch', 'cnn', '--peers', 'pytorch'], /^bench: --peers: unknown peer pytorch for --arch cnn; expected some of scratchnet, /],
    [['--arch', 'cnn', '--limit', '0'], /^bench: --limit: expected a positive integer, got "0"$/],
  ] as const) {
    const r = bench([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
