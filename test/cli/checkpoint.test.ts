import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointState, loadCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../src/cli/checkpoint.js';
import type { TrainSettings } from '../../src/cli/settings.js';
import { decodeModel, encodeModel, MAX_HEADER_BYTES, paramTensorNames } from '../../src/io/model-file.js';
import { loadModel } from '../../src/io/model-files.js';
import { mlp } from '../../src/model/mlp.js';
import { train, type Sequential } from '../../src/model/sequential.js';
import { optimizerFromConfig } from '../../src/optim/from-config.js';
import type { OptimizerConfig, OptimizerState } from '../../src/optim/optimizer.js';
import { Rng } from '../../src/rng.js';
import { assertBadInput, cliPath, lastJson, runCli } from '../support/cli.js';
import { tempDir } from '../support/fixtures.js';
import { randn } from '../support/gradcheck.js';

const temp = tempDir();
after(() => temp.remove());
const tmp = temp.dir;
const job = ['--subset', '20000', '--epochs', '8', '--no-report', '--quiet'];

/** Starts `scratchnet train`, calls `onLine` for each whole stdout line; resolves with the exit code and signal. */
function start(args: string[], onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => {}) {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, CI: 'true' } });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stdout += text;
    // A chunk may end mid-line: keep the rest for the next one.
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) onLine(line, child);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

const weights = (path: string) => loadModel(path).model.params().map((p) => Array.from(p.value));

/** Every param and buffer of a model file, as arrays (what a bit-identical resume must reproduce). */
const allTensors = (path: string) => {
  const { model } = loadModel(path);
  return [...model.params(), ...model.buffers()].map((t) => Array.from(t.value));
};

/** The History in a run folder's history.json that must not depend on interruptions. */
const historyOf = (dir: string) => {
  const h = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(['batchLoss', 'trainLoss', 'valAccuracy', 'valLoss', 'testAccuracy'].map((key) => [key, h[key]]));
};

/** The parsed header of a safetensors file (what any reader sees first) and its length in bytes. */
function headerOf(path: string): { length: number; header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> } {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  return { length, header: JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as never };
}

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

test('SIGKILL at any moment leaves the last complete checkpoint loadable, and --resume then ends bit-identical', async () => {
  // Adam, BatchNorm and Dropout: every part of the state a resume restores.
  const killJob = ['--subset', '6000', '--epochs', '8', '--optimizer', 'adam', '--batch-norm', '--dropout', '0.2', '--no-report'];
  const whole = join(tmp, 'kill-whole');
  const full = runCli(['train', ...killJob, '--quiet', '--out', whole]);
  assert.equal(full.code, 0, full.stderr);

  const dir = join(tmp, 'killed');
  const last = join(dir, 'checkpoints', 'last.safetensors');
  /** The epochs the last checkpoint has trained (0 while there is none). */
  const savedEpochs = (): number => (existsSync(last) ? loadCheckpoint(last).state.resume.epoch : 0);
  // Where to kill, read from the run's own output (without --quiet and on a
  // pipe, train prints one line per epoch, just before it writes that
  // epoch's checkpoint), never from the clock:
  //   setup     during data loading and model building: no checkpoint yet;
  //   writing   as soon as "Epoch k/8" appears, while checkpoint k is written;
  //   training  once checkpoint k is on disk, in the middle of epoch k + 1.
  const rounds: { when: 'setup' | 'writing' | 'training'; epoch: number }[] = [
    { when: 'setup', epoch: 0 },
    { when: 'writing', epoch: 1 },
    { when: 'training', epoch: 2 },
    { when: 'setup', epoch: 0 },
    { when: 'writing', epoch: 4 },
    { when: 'training', epoch: 5 },
  ];
  let resumes = 0;
  for (const [round, { when, epoch }] of rounds.entries()) {
    const before = savedEpochs();
    // As a user would: resume if there is a checkpoint, else start over.
    const resume = existsSync(last);
    const args = resume ? ['train', '--resume', dir] : ['train', ...killJob, '--out', dir];
    if (resume) resumes++;
    let killed = false;
    const kill = (child: ReturnType<typeof spawn>) => {
      if (!killed) child.kill('SIGKILL');
      killed = true;
    };
    const { done } = start(args, (line, child) => {
      if (when === 'setup' && line.startsWith('Training data:')) kill(child);
      if (when === 'writing' && line.startsWith(`Epoch ${epoch}/8`)) kill(child);
      if (when === 'training' && line.startsWith(`Epoch ${epoch}/8`)) {
        // Wait until checkpoint `epoch` is complete on disk (renamed into place), then kill.
        const poll = (): void => {
          if (killed) return;
          if (savedEpochs() >= epoch) kill(child);
          else setTimeout(poll, 2);
        };
        poll();
      }
    });
    const result = await done;
    assert.equal(result.signal, 'SIGKILL', `round ${round} (${when}) ran to the end: ${result.stdout}`);
    // Every checkpoint left must be whole and resumable, and as far along as the kill allows.
    const files = existsSync(join(dir, 'checkpoints')) ? readdirSync(join(dir, 'checkpoints')) : [];
    for (const name of files.filter((n) => n.endsWith('.safetensors'))) {
      assert.doesNotThrow(() => loadCheckpoint(join(dir, 'checkpoints', name)), `round ${round}: ${name}`);
    }
    const now = savedEpochs();
    const allowed = when === 'setup' ? [before] : when === 'writing' ? [epoch - 1, epoch] : [epoch, epoch + 1];
    assert.ok(allowed.includes(now), `round ${round} (${when} ${epoch}): the last checkpoint has ${now} epochs, expected one of ${allowed.join(', ')}`);
  }
  assert.ok(resumes >= 3, `${resumes} of the rounds resumed`);

  const resumed = runCli(['train', '--resume', dir, '--quiet', '--no-report']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(allTensors(join(dir, 'model.safetensors')), allTensors(join(whole, 'model.safetensors')));
  assert.deepEqual(historyOf(dir), historyOf(whole));
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
  assert.deepEqual(allTensors(join(cut, 'model.safetensors')), allTensors(join(whole, 'model.safetensors')));
});

test('LeNet-5 with Adam: Ctrl-C in the middle of an epoch, then --resume, ends bit-identical to the uninterrupted run', async (t) => {
  const lenet = ['--arch', 'lenet5', '--optimizer', 'adam', '--subset', '3000', '--epochs', '3', '--no-report'];
  const whole = join(tmp, 'lenet-whole');
  const r = runCli(['train', ...lenet, '--quiet', '--out', whole]);
  assert.equal(r.code, 0, r.stderr);
  const cut = join(tmp, 'lenet-cut');
  // The line after epoch 1: the signal lands in epoch 2, between two of its 85 steps.
  const { done } = start(['train', ...lenet, '--out', cut], (line, child) => {
    if (line.startsWith('Epoch 1/3')) child.kill('SIGINT');
  });
  const stopped = await done;
  assert.equal(stopped.code, 130, stopped.stderr);
  const at = /Interrupted at epoch 2, batch (\d+)\. Wrote /.exec(stopped.stdout);
  assert.ok(at !== null, stopped.stdout);
  t.diagnostic(`interrupted at epoch 2, batch ${at[1]}`);
  const resumed = runCli(['train', '--resume', cut, '--quiet', '--no-report']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(loadModel(join(cut, 'model.safetensors')).model.summary().join('\n'), /Conv2D \(1 -> 6, 5×5\)/);
  assert.deepEqual(allTensors(join(cut, 'model.safetensors')), allTensors(join(whole, 'model.safetensors')));
  assert.deepEqual(historyOf(cut), historyOf(whole));
});

// --- Checkpoints of any size -------------------------------------------------

/**
 * Trains `run` for 1 epoch into tmp/`name`, lets `between` see (or rewrite)
 * its last checkpoint, resumes to 2 epochs, and checks the result is
 * bit-identical to 2 epochs at once. Returns the checkpoint's path.
 */
function resumesToTwoEpochs(name: string, run: string[], between: (last: string) => void = () => {}): string {
  const dir = join(tmp, name);
  const first = runCli(['train', ...run, '--epochs', '1', '--no-report', '--quiet', '--out', dir]);
  assert.equal(first.code, 0, first.stderr);
  const last = join(dir, 'checkpoints', 'last.safetensors');
  between(last);
  const resumed = runCli(['train', '--resume', dir, '--epochs', '2', '--quiet', '--no-report']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const whole = join(tmp, `${name}-whole`);
  const r = runCli(['train', ...run, '--epochs', '2', '--no-report', '--quiet', '--out', whole]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(weights(join(dir, 'model.safetensors')), weights(join(whole, 'model.safetensors')));
  assert.deepEqual(historyOf(dir), historyOf(whole));
  return last;
}

test('784-512-256-10 with Adam: the checkpoint resumes to 2 epochs, bit-identical to 2 epochs at once, and evaluate reads it', () => {
  const last = resumesToTwoEpochs('wide', ['--hidden', '512,256', '--optimizer', 'adam', '--subset', '2000']);
  const evaluated = runCli(['evaluate', '--model', last, '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const { accuracy } = lastJson<{ accuracy: number }>(evaluated.stdout);
  assert.ok(accuracy > 0.8 && accuracy <= 1, `accuracy ${accuracy}`);
});

test('784-1024-1024-10 with Adam: a small header, the moments as body tensors of the params\' shapes; it resumes, and evaluate and predict read it', () => {
  const dir = join(tmp, 'big');
  const first = runCli(['train', '--hidden', '1024,1024', '--optimizer', 'adam', '--subset', '300', '--batch-size', '100', '--epochs', '1', '--no-report', '--quiet', '--out', dir]);
  assert.equal(first.code, 0, first.stderr);
  const last = join(dir, 'checkpoints', 'last.safetensors');
  const { length, header } = headerOf(last);
  assert.ok(length < 8192, `header of ${length} bytes, expected a few KB`);
  const { model } = loadModel(last);
  const names = paramTensorNames(model);
  assert.deepEqual(names, ['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias', 'layers.4.weight', 'layers.4.bias']);
  const shapes = [[784, 1024], [1024], [1024, 1024], [1024], [1024, 10], [10]];
  for (const [k, name] of names.entries()) {
    for (const tensor of [name, `optimizer.m.${name}`, `optimizer.v.${name}`]) {
      assert.equal(header[tensor]?.dtype, 'F32', tensor);
      assert.deepEqual(header[tensor].shape, shapes[k], tensor);
    }
  }
  assert.deepEqual({ dtype: header['history.batchLoss']?.dtype, shape: header['history.batchLoss']?.shape }, { dtype: 'F64', shape: [3] });
  assert.equal(Object.keys(header).length, 1 + 3 * names.length + 1, Object.keys(header).join(', '));
  const training = JSON.parse((header.__metadata__ as unknown as Record<string, string>).training) as { optimizerState: unknown; history: Record<string, unknown> };
  assert.deepEqual(training.optimizerState, { step: 3 });
  assert.equal(training.history.batchLoss, undefined);
  // The moments themselves: Adam's v is a mean of squares.
  const state = loadCheckpoint(last).state.optimizerState;
  assert.equal(state.slots.v.length, names.length);
  assert.ok(state.slots.v.every((v) => v.every((x) => x >= 0)) && state.slots.v[0].some((x) => x > 0));

  const evaluated = runCli(['evaluate', '--model', last, '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const csv = join(tmp, 'big-rows.csv');
  writeFileSync(csv, `label,${Array.from({ length: 784 }, (_, i) => `p${i}`).join(',')}\n7,${Array.from({ length: 784 }, (_, i) => (i * 37) % 256).join(',')}\n`);
  const predicted = runCli(['predict', '--model', last, '--csv', csv]);
  assert.equal(predicted.code, 0, predicted.stderr);
  const resumed = runCli(['train', '--resume', dir, '--epochs', '2', '--quiet', '--no-report']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(loadCheckpoint(last).state.optimizerState.step, 6);
});

// --- The optimizer state, slot by slot ----------------------------------------

const configs: OptimizerConfig[] = [
  { name: 'sgd', lr: 0.1 },
  { name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true },
  { name: 'rmsprop', lr: 0.01 },
  { name: 'rmsprop', lr: 0.01, momentum: 0.9 },
  { name: 'adagrad', lr: 0.1 },
  { name: 'adam', lr: 0.01 },
  { name: 'adamw', lr: 0.01, weightDecay: 0.1 },
];

/** The bit patterns of an optimizer state, slot by slot. */
const stateBits = (state: OptimizerState) => ({
  step: state.step,
  slots: Object.fromEntries(Object.entries(state.slots).map(([k, list]) => [k, list.map((b) => Array.from(new Uint32Array(b.slice().buffer)))])),
});

/** A run's settings for checkpoints made in-process (only the optimizer matters to restoring). */
const settingsFor = (optimizer: OptimizerConfig): TrainSettings => ({
  hidden: [5],
  activation: 'relu',
  init: 'he',
  epochs: 2,
  batchSize: 8,
  optimizer,
  dropout: 0,
  batchNorm: true,
  clipNorm: null,
  schedule: { kind: 'constant', warmupEpochs: 0 },
  earlyStop: null,
  seed: 1,
  valSplit: 0.1,
  subset: null,
  data: { kind: 'bundled' },
  tutorialCompat: false,
});

/** A small model (BatchNorm's γ and β are trained too) and a batch for it. */
function smallRun(seed: number): { model: Sequential; x: { data: Float32Array; shape: number[] }; y: number[] } {
  const model = mlp({ inputUnits: 6, hidden: [5], outputUnits: 3, batchNorm: true, rng: seed });
  const x = { data: Float32Array.from(randn(new Rng(seed + 1), 8 * 6)), shape: [8, 6] };
  return { model, x, y: [0, 1, 2, 0, 1, 2, 0, 1] };
}

for (const config of configs) {
  test(`${JSON.stringify(config)}: the optimizer state round-trips through a checkpoint bit for bit, and training goes on identically`, () => {
    const { model, x, y } = smallRun(3);
    const optimizer = optimizerFromConfig(config);
    for (let step = 0; step < 4; step++) train(model, x, y, optimizer);
    const path = join(tmp, `opt-${config.name}-${Object.keys(config).length}.safetensors`);
    const history = { epochs: 0, batchLoss: [2.302585092994046, 1 / 3, 0.1, 1e-300], trainLoss: [], valAccuracy: [], valLoss: [] };
    saveCheckpoint(path, model, checkpointState(settingsFor(config), history, { epoch: 0, batch: 4, epochLossSum: 1.5, rng: new Rng(9).getState() }, model, optimizer));

    // One tensor per slot and param, none in the header.
    const { length, header } = headerOf(path);
    const slotNames = Object.keys(optimizer.getState().slots);
    const names = paramTensorNames(model);
    assert.deepEqual(
      Object.keys(header).filter((k) => k.startsWith('optimizer.')).sort(),
      slotNames.flatMap((slot) => names.map((n) => `optimizer.${slot}.${n}`)).sort(),
    );
    assert.ok(length < 4096, `header of ${length} bytes`);

    const loaded = loadCheckpoint(path);
    assert.deepEqual(loaded.state.history.batchLoss, history.batchLoss);
    const fresh = smallRun(4); // other initial weights: restoring must replace them
    const restored = optimizerFromConfig(config);
    restoreCheckpoint(loaded, fresh.model, restored);
    assert.deepEqual(stateBits(restored.getState()), stateBits(optimizer.getState()));
    for (let step = 0; step < 3; step++) {
      train(model, x, y, optimizer);
      train(fresh.model, x, y, restored);
    }
    const bits = (m: Sequential) => [...m.params(), ...m.buffers()].map((p) => Array.from(new Uint32Array(p.value.slice().buffer)));
    assert.deepEqual(bits(fresh.model), bits(model));
    assert.deepEqual(stateBits(restored.getState()), stateBits(optimizer.getState()));
  });
}

test('a checkpoint missing an optimizer tensor, or holding another optimizer\'s, is one clear error naming the file', () => {
  const { model, x, y } = smallRun(3);
  const adam = optimizerFromConfig({ name: 'adam', lr: 0.01 });
  train(model, x, y, adam);
  const path = join(tmp, 'opt-broken.safetensors');
  saveCheckpoint(path, model, checkpointState(settingsFor(adam.config()), { epochs: 0, batchLoss: [1], trainLoss: [], valAccuracy: [], valLoss: [] }, { epoch: 0, batch: 1, epochLossSum: 1, rng: new Rng(9).getState() }, model, adam));
  const decoded = decodeModel(readFileSync(path), path);
  const shapes = new Map(paramTensorNames(model).map((name, k) => [name, model.params()[k].shape]));
  /** The checkpoint re-encoded without the training tensors `drop` selects. */
  const without = (drop: (name: string) => boolean, file: string) => {
    const kept = [...decoded.trainingTensors]
      .filter(([name]) => !drop(name))
      .map(([name, values]) => ({ name, values, shape: name.startsWith('history.') ? [values.length] : (shapes.get(name.split('.').slice(2).join('.')) ?? []) }));
    const out = join(tmp, file);
    writeFileSync(out, encodeModel(decoded.model, decoded.training, kept));
    return out;
  };
  const one = without((name) => name === 'optimizer.v.layers.3.bias', 'opt-missing-one.safetensors');
  assert.throws(() => loadCheckpoint(one), { message: `${one}: missing tensor "optimizer.v.layers.3.bias", expected the optimizer's v buffer of every param, got nothing` });
  const slot = without((name) => name.startsWith('optimizer.v.'), 'opt-missing-slot.safetensors');
  assert.throws(() => restoreCheckpoint(loadCheckpoint(slot), smallRun(4).model, optimizerFromConfig({ name: 'adam', lr: 0.01 })), {
    message: `${slot}: optimizer state, expected the tensors of adam (lr 0.01, beta1 0.9, beta2 0.999, eps 1e-8) (optimizer.m.*, optimizer.v.*), got optimizer.m.*`,
  });
  const losses = without((name) => name === 'history.batchLoss', 'opt-no-losses.safetensors');
  assert.throws(() => loadCheckpoint(losses), { message: `${losses}: missing tensor "history.batchLoss", expected the loss of every batch so far, got nothing` });
});

// --- Checkpoints written by 0.1.0 ---------------------------------------------

/** Rewrites a checkpoint in the 0.1.0 layout: optimizer slots and batchLoss as JSON arrays in the header, no training tensors. */
function toOldLayout(path: string): void {
  const { model, training, trainingTensors } = decodeModel(readFileSync(path), path);
  const state = training as { history: Record<string, unknown>; optimizerState: { step: number } };
  const slots: Record<string, number[][]> = {};
  const names = paramTensorNames(model);
  for (const [name, values] of trainingTensors) {
    const [space, slot, ...param] = name.split('.');
    if (space !== 'optimizer') continue;
    (slots[slot] ??= [])[names.indexOf(param.join('.'))] = Array.from(values);
  }
  const old = {
    ...state,
    history: { ...state.history, batchLoss: Array.from(trainingTensors.get('history.batchLoss') ?? []) },
    optimizerState: { step: state.optimizerState.step, slots },
  };
  writeFileSync(path, encodeModel(model, old));
}

test('a checkpoint in the 0.1.0 layout (moments as JSON arrays in the header) still resumes, bit-identical', () => {
  resumesToTwoEpochs('old', ['--optimizer', 'adam', '--subset', '2000'], (last) => {
    toOldLayout(last);
    const { header } = headerOf(last);
    assert.deepEqual(Object.keys(header).filter((k) => !k.startsWith('layers.')), ['__metadata__']);
    const training = JSON.parse((header.__metadata__ as unknown as Record<string, string>).training) as { optimizerState: { slots: Record<string, unknown[]> } };
    assert.equal(training.optimizerState.slots.m.length, 6);
  });
});

test('a 0.1.0 checkpoint too large to read, or with malformed slots, is one clear error line', () => {
  // 0.1.0 wrote headers past the reader's bound for networks such as 784-512-256-10 with Adam.
  const dir = join(tmp, 'old-huge');
  const huge = Buffer.alloc(8);
  huge.writeBigUInt64LE(20052536n);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  writeFileSync(join(dir, 'checkpoints', 'last.safetensors'), huge);
  assertBadInput(
    ['train', '--resume', dir],
    new RegExp(`^scratchnet: error: ${dir}/checkpoints/last\\.safetensors: byte 0: header length too large, expected at most ${MAX_HEADER_BYTES} bytes, got 20052536 \\(a checkpoint of scratchnet 0\\.1\\.0, which kept the optimizer state in its header: start the run again\\)$`),
  );
  // Slots that do not fit the model.
  const { model, x, y } = smallRun(3);
  const sgd = optimizerFromConfig({ name: 'sgd', lr: 0.1, momentum: 0.9 });
  train(model, x, y, sgd);
  const path = join(tmp, 'old-bad.safetensors');
  saveCheckpoint(path, model, checkpointState(settingsFor(sgd.config()), { epochs: 0, batchLoss: [1], trainLoss: [], valAccuracy: [], valLoss: [] }, { epoch: 0, batch: 1, epochLossSum: 1, rng: new Rng(9).getState() }, model, sgd));
  toOldLayout(path);
  const { training } = decodeModel(readFileSync(path), path) as { training: { optimizerState: { slots: { v: number[][] } } } };
  training.optimizerState.slots.v[2] = [1, 2];
  writeFileSync(path, encodeModel(model, training));
  assert.throws(() => loadCheckpoint(path), {
    message: `${path}: __metadata__.training.optimizerState.slots.v[2]: expected 5 numbers (one per value of layers.1.gamma), got 2 values`,
  });
});

