import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/io/model-files.js';
import { cliPath, runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-ckpt-'));
const job = ['--subset', '20000', '--epochs', '8', '--no-report', '--quiet'];

/** Starts `scratchnet train`, calls `onLine` for each stdout line; resolves with the exit code and signal. */
function start(args: string[], onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => {}) {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, CI: 'true' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stdout += text;
    for (const line of text.split('\n')) if (line) onLine(line, child);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

const weights = (path: string) => loadModel(path).model.params().map((p) => Array.from(p.value));

test('Ctrl-C finishes the step, checkpoints, exits 130; --resume ends with the uninterrupted run’s weights', async () => {
  const whole = join(tmp, 'whole');
  const r = runCli(['train', ...job, '--out', whole]);
  assert.equal(r.code, 0, r.stderr);

  const cut = join(tmp, 'cut');
  // Without --quiet the epoch lines show how far it got; interrupt during epoch 3.
  const { done } = start(['train', ...job.filter((a) => a !== '--quiet'), '--out', cut], (line, child) => {
    if (line.startsWith('Epoch 2/8')) child.kill('SIGINT');
  });
  const stopped = await done;
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stdout, /Interrupted at epoch \d, batch \d+\. Wrote .*checkpoints\/last\.safetensors/);
  assert.match(stopped.stdout, new RegExp(`Resume with: scratchnet train --resume ${cut.replace(/[/.]/g, '\\$&')}`));
  assert.ok(!existsSync(join(cut, 'model.safetensors')), 'no final model for an interrupted run');

  const resumed = runCli(['train', '--resume', cut, '--quiet', '--json', '--no-report']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(weights(join(cut, 'model.safetensors')), weights(join(whole, 'model.safetensors')));
  const a = JSON.parse(readFileSync(join(whole, 'history.json'), 'utf8')) as Record<string, unknown>;
  const b = JSON.parse(readFileSync(join(cut, 'history.json'), 'utf8')) as Record<string, unknown>;
  for (const key of ['batchLoss', 'trainLoss', 'valAccuracy', 'testAccuracy']) assert.deepEqual(b[key], a[key], key);
});

test('SIGKILL at any moment leaves the last complete checkpoint loadable', async () => {
  const dir = join(tmp, 'killed');
  // Far more epochs than the last kill leaves time for (the 8-epoch job now
  // ends in about a second), so every round is killed mid-run.
  const long = job.map((arg, i) => (job[i - 1] === '--epochs' ? '100' : arg));
  for (let round = 0; round < 6; round++) {
    const { child, done } = start(['train', ...long, '--out', dir]);
    // Kill at different points: while loading, training, or writing a checkpoint.
    setTimeout(() => child.kill('SIGKILL'), 300 + round * 170);
    const result = await done;
    assert.equal(result.signal, 'SIGKILL');
    const last = join(dir, 'checkpoints', 'last.safetensors');
    if (existsSync(last)) {
      assert.doesNotThrow(() => loadModel(last), `round ${round}: last.safetensors must load`);
      for (const name of readdirSync(join(dir, 'checkpoints')).filter((n) => n.endsWith('.safetensors'))) {
        assert.doesNotThrow(() => loadModel(join(dir, 'checkpoints', name)), `round ${round}: ${name}`);
      }
    }
  }
  assert.ok(existsSync(join(dir, 'checkpoints', 'last.safetensors')), 'some round got as far as a checkpoint');
});

test('a diverging run (--lr 100) stops with the NaN message and exit 2, leaving the earlier checkpoint whole', () => {
  const dir = join(tmp, 'diverge');
  const ok = runCli(['train', '--subset', '2000', '--epochs', '1', '--no-report', '--quiet', '--out', dir]);
  assert.equal(ok.code, 0, ok.stderr);
  const last = join(dir, 'checkpoints', 'last.safetensors');
  const before = readFileSync(last);
  const history = readFileSync(join(dir, 'history.json'));
  // On the full training set, lr 100 overflows float32 within a few batches.
  const r = runCli(['train', '--epochs', '3', '--lr', '100', '--no-report', '--quiet', '--out', dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^scratchnet: error: the loss became (NaN|Infinity) at epoch 1, batch \d+: the weights diverged; try a lower learning rate \(now 100\)$/);
  assert.deepEqual(readFileSync(last), before);
  assert.deepEqual(readFileSync(join(dir, 'history.json')), history);
});

test('--resume of a folder without a checkpoint is one clear error', () => {
  const r = runCli(['train', '--resume', join(tmp, 'nothing-here')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^scratchnet: error: .*nothing-here\/checkpoints\/last\.safetensors: file not found$/);
});

test('with Adam, BatchNorm and Dropout too, Ctrl-C then --resume ends bit-identical (optimizer moments, running statistics and dropout masks restored)', async () => {
  const heavy = ['--subset', '20000', '--epochs', '6', '--optimizer', 'adam', '--batch-norm', '--dropout', '0.2', '--no-report'];
  const whole = join(tmp, 'adam-whole');
  const r = runCli(['train', ...heavy, '--quiet', '--out', whole]);
  assert.equal(r.code, 0, r.stderr);
  const cut = join(tmp, 'adam-cut');
  const { done } = start(['train', ...heavy, '--out', cut], (line, child) => {
    if (line.startsWith('Epoch 2/6')) child.kill('SIGINT');
  });
  const stopped = await done;
  assert.equal(stopped.code, 130, stopped.stderr);
  const resumed = runCli(['train', '--resume', cut, '--quiet', '--no-report']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const all = (path: string) => {
    const { model } = loadModel(path);
    return [...model.params(), ...model.buffers()].map((t) => Array.from(t.value));
  };
  assert.deepEqual(all(join(cut, 'model.safetensors')), all(join(whole, 'model.safetensors')));
});
