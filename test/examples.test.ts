import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Every example runs as a learner would run it (`npx tsx examples/….ts`, from
// the repository root) and prints what the tutorial prints; these tests hold
// the key numbers. The examples import 'scratchnet', which resolves to dist/
// (`npm run build` first, as `npm test` does).
const root = fileURLToPath(new URL('..', import.meta.url));
const examplesDir = join(root, 'examples');
const examples = readdirSync(examplesDir).filter((f) => /^\d\d-.*\.ts$/.test(f)).sort();
const out = mkdtempSync(join(tmpdir(), 'scratchnet-examples-'));
test.after(() => rmSync(out, { recursive: true, force: true }));

/** Runs examples/<name>-*.ts with `args` and returns its stdout (asserting exit code 0). */
function run(prefix: string, args: string[] = [out]): string {
  const file = examples.find((f) => f.startsWith(prefix));
  assert.ok(file, `no example ${prefix}-*.ts`);
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('examples', file), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${file} failed:\n${r.stderr}`);
  return r.stdout;
}

/** The numbers of `line` (e.g. "[[0.140 0.320]" → [0.14, 0.32]). */
const numbers = (line: string): number[] => (line.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);

/** The lines after `caption` up to the next blank line, as rows of numbers. */
function matrixAfter(stdout: string, caption: string): number[][] {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith(caption));
  assert.ok(i >= 0, `no line starting "${caption}" in:\n${stdout}`);
  const rows: number[][] = [];
  for (let j = i + 1; j < lines.length && lines[j].trim() !== ''; j++) {
    rows.push(numbers(lines[j]));
    if (lines[j].endsWith(']]')) break;
  }
  return rows;
}

function assertClose(actual: number[][], expected: number[][], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  actual.forEach((row, r) => {
    assert.equal(row.length, expected[r].length, `${what}: row ${r} length`);
    row.forEach((v, c) => assert.ok(Math.abs(v - expected[r][c]) <= tol, `${what}[${r}][${c}]: got ${v}, expected ${expected[r][c]}`));
  });
}

function assertSvg(file: string): void {
  const path = join(out, file);
  assert.ok(existsSync(path), `${file} was not written`);
  assert.match(readFileSync(path, 'utf8'), /^<svg[\s>]/);
}

test('there is one example per tutorial listing, numbered 01–11, then 12 past it, each documented in examples/README.md', () => {
  assert.deepEqual(examples.map((f) => f.slice(0, 2)), ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12']);
  const readme = readFileSync(join(examplesDir, 'README.md'), 'utf8');
  for (const f of examples) assert.ok(readme.includes(`npx tsx examples/${f}`), `examples/README.md does not show how to run ${f}`);
});

test('01: activation functions and derivatives, and both plots', () => {
  const stdout = run('01');
  for (const title of ['Sigmoid', 'ReLU', 'Tanh', 'Leaky ReLU']) assert.match(stdout, new RegExp(`^${title}: `, 'm'));
  // σ(0) = 0.5, σ'(0) = 0.25; tanh'(0) = 1; leaky ReLU(−2) = −0.2 with slope 0.1.
  assert.match(stdout, /x = {2}0 {3}f\(x\) = {2}0\.5000 {3}f'\(x\) = 0\.2500/);
  assert.match(stdout, /x = {2}0 {3}f\(x\) = {2}0\.0000 {3}f'\(x\) = 1\.0000/);
  assert.match(stdout, /x = -2 {3}f\(x\) = -0\.2000 {3}f'\(x\) = 0\.1000/);
  assertSvg('activation-functions.svg');
  assertSvg('activation-derivatives.svg');
});

test('02: matrix operations: the shapes table and softmax rows summing to 1', () => {
  const stdout = run('02');
  assert.ok(
    stdout.includes('Matrix shapes visualization:\nX: (3, 4)\nW1: (4, 5)\nb1: (5,)\nZ1: (3, 5)\nA1: (3, 5)\nW2: (5, 2)\nb2: (2,)\nZ2: (3, 2)\nA2: (3, 2)\n'),
    stdout,
  );
  const a2 = matrixAfter(stdout, 'A2 = softmax(Z2)');
  assert.equal(a2.length, 3);
  for (const row of a2) {
    assert.ok(row.every((p) => p > 0 && p < 1));
    assert.ok(Math.abs(row[0] + row[1] - 1) < 1e-6, `softmax row ${row} does not sum to 1`);
  }
  assert.match(stdout, /Sum of probabilities for each example \(should be 1\):\n\[1\.000000 1\.000000 1\.000000\]/);
  // A1 = ReLU(Z1): the negatives of Z1 become 0, the rest pass unchanged.
  const z1 = matrixAfter(stdout, 'Z1 = X·W1 + b1').flat();
  const a1 = matrixAfter(stdout, 'A1 = ReLU(Z1)').flat();
  assert.deepEqual(a1, z1.map((v) => Math.max(0, v)));
});

test('03: load_mnist_from_csv writes the CSVs when missing, then splits 54,000 / 6,000 / 10,000', () => {
  const csvDir = join(out, 'csv');
  const stdout = run('03', [csvDir]);
  assert.match(stdout, /running scratchnet data export-csv/);
  for (const line of [
    'Training data shape: (54000, 784)',
    'Training labels shape: (54000,)',
    'Validation data shape: (6000, 784)',
    'Validation labels shape: (6000,)',
    'Test data shape: (10000, 784)',
    'Test labels shape: (10000,)',
  ]) {
    assert.ok(stdout.includes(`${line}\n`), `missing "${line}" in:\n${stdout}`);
  }
});

test('04: MNIST samples with their labels', () => {
  const stdout = run('04');
  assert.deepEqual([...stdout.matchAll(/^Label: (\d)$/gm)].map((m) => Number(m[1])), [5, 0, 1, 9, 2]);
  assertSvg('mnist-samples.svg');
});

test("05: the ReLU layer test's forward and backward values", () => {
  const stdout = run('05');
  assert.match(stdout, /^ReLU output: \[\[0\.0 0\.0 0\.0 1\.0 2\.0\]\]$/m);
  assert.match(stdout, /^Gradient input \(dL\/dinput\): \[\[0\.0 0\.0 0\.0 1\.0 1\.0\]\]$/m);
  assert.match(stdout, /^Identity output: \[\[-2\.0 -1\.0 0\.0 1\.0 2\.0\]\]$/m);
  assertSvg('relu-test.svg');
});

test("06: the Dense layer test's hand-checked numbers", () => {
  const stdout = run('06');
  assert.match(stdout, /Input shape: \(2, 2\)/);
  assert.match(stdout, /Output shape: \(2, 3\)/);
  assertClose(matrixAfter(stdout, 'Output:'), [[1.0, 1.4, 1.8], [2.0, 2.8, 3.6]], 1e-6, 'output');
  assert.match(stdout, /^Correct forward pass: true$/m);
  assertClose(matrixAfter(stdout, 'Gradient input (dL/dinput):'), [[0.14, 0.32], [0.32, 0.77]], 1e-6, 'dL/dinput');
  // scratchnet's step: W − 0.1 · Xᵀ·G, b − 0.1 · ΣG.
  const after = stdout.split('With tutorialCompat');
  assertClose(matrixAfter(after[0], 'Weights after update:'), [[-0.03, 0.03, 0.09], [0.22, 0.26, 0.3]], 1e-6, 'weights after');
  assert.match(after[0], /Biases after update: \[0\.050 0\.130 0\.210\]/);
  // The tutorial's own numbers (its second division by the batch size of 2).
  assertClose(matrixAfter(after[1], 'Weights after update:'), [[0.035, 0.115, 0.195], [0.31, 0.38, 0.45]], 1e-6, 'tutorial weights after');
  assert.match(after[1], /Biases after update: \[0\.075 0\.165 0\.255\]/);
});

test('07: the loss and its gradient match the formula', () => {
  const stdout = run('07');
  // −(log p(2.0 | row 0) + log p(2.5 | row 1) + log p(0.3 | row 2)) / 3, computed independently.
  const rows = [[2.0, 1.0, 0.1, -1.0], [0.5, 2.5, 0.3, 0.0], [1.5, 0.2, 0.1, 0.3]];
  const labels = [0, 1, 3];
  const expected = -rows.reduce((s, z, r) => s + z[labels[r]] - Math.log(z.reduce((a, v) => a + Math.exp(v), 0)), 0) / 3;
  const loss = numbers(/^Loss: (.*)$/m.exec(stdout)?.[1] ?? '')[0];
  assert.ok(Math.abs(loss - expected) < 1e-5, `loss ${loss}, expected ${expected}`);
  assert.match(stdout, /^Loss matches the tutorial's formula: true$/m);
  assert.match(stdout, /^Gradient matches \(softmax − one_hot\) \/ batch_size: true$/m);
  assert.match(stdout, /Gradient row sums \(should be 0\): \[0\.000000 0\.000000 0\.000000\]/);
  assert.match(stdout, /Loss of a uniform guess over 4 classes: 1\.386294/);
});

test('08: forward gives every layer output; train lowers the loss', () => {
  const stdout = run('08');
  for (const [i, kind, shape] of [[0, 'Dense', '32, 64'], [1, 'ReLU', '32, 64'], [2, 'Dense', '32, 32'], [3, 'ReLU', '32, 32'], [4, 'Dense', '32, 10']]) {
    assert.ok(stdout.includes(`layer ${i} (${kind}): (${shape})`), `layer ${i} in:\n${stdout}`);
  }
  const losses = [...stdout.matchAll(/^Step +\d+: loss (\S+)$/gm)].map((m) => Number(m[1]));
  assert.equal(losses.length, 5);
  for (let i = 1; i < losses.length; i++) assert.ok(losses[i] < losses[i - 1], `loss rose: ${losses.join(', ')}`);
  const correct = Number(/Correct on this batch: (\d+)\/32/.exec(stdout)?.[1]);
  assert.ok(correct >= 28, `only ${correct}/32 right after 20 steps on the batch`);
});

test('09: train_mnist_network on a 10,000 subset reaches an accuracy floor', () => {
  const stdout = run('09');
  assert.ok(stdout.includes('Layer 0: Dense (784 -> 64)\nLayer 1: ReLU\nLayer 2: Dense (64 -> 32)\nLayer 3: ReLU\nLayer 4: Dense (32 -> 10)\n'));
  assert.match(stdout, /^Training on 10000 examples$/m);
  // ceil(10000 / 32) = 313 batches, progress every 20.
  assert.match(stdout, /^ {2}Batch 301\/313, Loss: \d\.\d{4}$/m);
  const val = [...stdout.matchAll(/Avg Loss: (\S+), Validation Accuracy: (\S+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.equal(val.length, 5);
  assert.ok(val[4][0] < val[0][0], 'the mean training loss fell over the epochs');
  const testAccuracy = Number(/^Test accuracy: (\S+)$/m.exec(stdout)?.[1]);
  // 0.934 measured (seed 42); the tutorial's demo setting reaches about 0.9.
  assert.ok(testAccuracy >= 0.9, `test accuracy ${testAccuracy} < 0.9`);
  assert.ok(val[4][1] >= 0.9, `validation accuracy ${val[4][1]} < 0.9`);
  assertSvg('training-history.svg');
});

test('10: predictions on ten random test digits, with confidences', () => {
  const stdout = run('10');
  const preds = [...stdout.matchAll(/^Pred: (\d) {2}true: (\d) {2}Confidence: (\S+) {2}(right|WRONG)$/gm)];
  assert.equal(preds.length, 10);
  for (const m of preds) {
    assert.equal(m[4] === 'right', m[1] === m[2]);
    const confidence = Number(m[3]);
    // The largest of ten probabilities summing to 1 is at least 0.1.
    assert.ok(confidence >= 0.1 && confidence <= 1, `confidence ${confidence}`);
  }
  assert.ok(preds.filter((m) => m[4] === 'right').length >= 8);
  assertSvg('predictions.svg');
});

test('11: the confusion matrix counts the 10,000 test images', () => {
  const stdout = run('11');
  const accuracy = Number(/^Test accuracy: (\S+)$/m.exec(stdout)?.[1]);
  assert.ok(accuracy >= 0.9, `test accuracy ${accuracy} after one epoch`);
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Confusion matrix')) + 2;
  const matrix = lines.slice(start, start + 10).map((l) => numbers(l).slice(1));
  assert.equal(matrix.length, 10);
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  assert.equal(total, 10000);
  const diagonal = matrix.reduce((s, row, i) => s + row[i], 0);
  assert.ok(Math.abs(diagonal / total - accuracy) < 1e-4, 'the diagonal is the accuracy');
  assert.match(stdout, /^macro {2}0\.\d{4} {5}0\.\d{4} {2}0\.\d{4} {2}10000$/m);
  assertSvg('confusion-matrix.svg');
});

test('12: a layer of its own: gradCheck passes Swish and fails a forgetful backward; registered, it trains and is saved', () => {
  const stdout = run('12', []);
  const sections = stdout.split('\n\n');
  const section = (title: string): string => {
    const found = sections.find((s) => s.startsWith(title));
    assert.ok(found, `no section "${title}" in:\n${stdout}`);
    return found;
  };
  const right = section('gradCheck(new Swish(), [10], { rows: 4 }):');
  assert.match(right, /^ {2}0 Swish +input +\[4, 10\] +20 +\S+ +pass$/m);
  assert.match(right, /^ {2}0 Swish +beta +\[1\] +1 +\S+ +pass$/m);
  assert.match(right, /verdict: pass$/);
  // The forgotten βx · s(1 − s) term shows in dL/dx alone.
  const forgetful = section('gradCheck(new ForgetfulSwish(), [10], { rows: 4 }):');
  assert.match(forgetful, /^ {2}0 ForgetfulSwish +input +\[4, 10\] +20 +\S+ +fail$/m);
  assert.match(forgetful, /^ {2}0 ForgetfulSwish +beta +\[1\] +1 +\S+ +pass$/m);
  assert.ok(stdout.includes('Layer 1: Swish            → [batch, 16]  1 params'), stdout);
  assert.match(section("gradCheck(model, [2])"), /verdict: pass$/);
  const losses = [...stdout.matchAll(/^Step +\d+: loss (\S+)$/gm)].map((m) => Number(m[1]));
  assert.equal(losses.length, 3);
  assert.ok(losses[2] < losses[0], `loss did not fall: ${losses.join(', ')}`);
  const accuracy = Number(/^Accuracy on the 128 points: (\S+);/m.exec(stdout)?.[1]);
  assert.ok(accuracy >= 0.9, `accuracy ${accuracy}`);
  assert.match(stdout, /^From the model file: Layer 1: Swish, the same predictions: true$/m);
});
