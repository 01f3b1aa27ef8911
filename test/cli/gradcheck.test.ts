import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReLU } from '../../src/layers/activations.js';
import { Dense } from '../../src/layers/dense.js';
import { Sequential } from '../../src/model/sequential.js';
import { Rng } from '../../src/rng.js';
import { checkNetwork, exitCodeFor, gradcheckTable } from '../../src/cli/gradcheck.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';
import { DoubledBiasGrad } from '../support/gradcheck.js';

interface Row {
  scope: 'layer' | 'model';
  layer: number;
  param: string | null;
  shape: number[];
  checked: number;
  skipped: number;
  maxError: number | null;
  verdict: string;
}

test("gradcheck checks the tutorial's network layer by layer and whole: a table, a pass verdict, exit 0", () => {
  const r = runCli(['gradcheck']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(r.stdout, /^Layer +Tensor +Shape +Values +Max rel\. error +Verdict$/m);
  // One row per tensor: each layer's input and params alone, then each param of the model.
  for (const row of [
    /^0 Dense \(784 -> 64\) +input +\[3, 784\] +20 +\d\.\de-\d +pass$/,
    /^0 Dense \(784 -> 64\) +weight +\[784, 64\] +20 +\d\.\de-\d +pass$/,
    /^1 ReLU +input +\[3, 64\] +20 +\d\.\de-\d+ +pass$/,
    /^4 Dense \(32 -> 10\) +bias +\[10\] +10 +\d\.\de-\d +pass$/,
    /^model +layers\.0\.weight +\[784, 64\] +20 +\d\.\de-\d +pass$/,
    /^model +layers\.4\.bias +\[10\] +10 +\d\.\de-\d +pass$/,
  ]) {
    assert.ok(lines.some((l) => row.test(l)), `no line matching ${row} in:\n${r.stdout}`);
  }
  assert.equal(lines.filter((l) => / (pass|warn|fail)$/.test(l)).length, 11 + 6);
  assert.match(lines[lines.length - 2], /^Verdict: pass \(17 pass, 0 warn, 0 fail; largest error \d\.\de-\d; pass ≤ 0\.001, fail > 0\.01\)$/);
});

test('gradcheck --arch lenet5 --json: every layer and every param, no failure; the last line is the JSON report', () => {
  const r = runCli(['gradcheck', '--arch', 'lenet5', '--samples', '8', '--seed', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = lastJson<{ verdict: string; maxError: number; rows: Row[] }>(r.stdout);
  assert.equal(report.verdict, 'pass', r.stdout);
  const layerRows = report.rows.filter((row) => row.scope === 'layer');
  // 12 layers, each with its input; 5 of them with a weight and a bias.
  assert.equal(layerRows.length, 12 + 10);
  assert.deepEqual(report.rows.filter((row) => row.scope === 'model').map((row) => `${row.layer}.${row.param}`), ['0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias', '9.weight', '9.bias', '11.weight', '11.bias']);
  assert.deepEqual(layerRows[0], { ...layerRows[0], layer: 0, param: null, shape: [3, 1, 28, 28], verdict: 'pass' });
  assert.ok(report.rows.every((row) => row.maxError !== null && row.maxError <= 1e-3), r.stdout);
});

test('gradcheck --layers takes a spec; the MLP flags shape the mlp; --help shows the exit codes and examples', () => {
  const spec = runCli(['gradcheck', '--layers', 'conv(3,3,s2),tanh,avgpool(2),flatten,dense(10),softmax', '--samples', '5']);
  assert.equal(spec.code, 0, spec.stderr);
  assert.match(spec.stdout, /^5 Softmax +input +\[3, 10\] +5 +\S+ +pass$/m);
  const mlpFlags = runCli(['gradcheck', '--hidden', '16', '--activation', 'sigmoid', '--batch-norm', '--dropout', '0.3', '--samples', '5']);
  assert.equal(mlpFlags.code, 0, mlpFlags.stderr);
  for (const row of [/^1 BatchNorm +gamma +\[16\]/m, /^3 Dropout +input +\[3, 16\]/m, /^model +layers\.1\.beta +\[16\]/m]) assert.match(mlpFlags.stdout, row);
  const help = runCli(['gradcheck', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Exit code: 0 when every check passes or only warns, 1 when some check fails/);
  assert.match(help.stdout, /\$ scratchnet gradcheck --arch lenet5/);
});

test('bad flags end with one line and exit code 2', () => {
  assertBadInput(['gradcheck', '--arch', 'resnet'], /^scratchnet: error: option '--arch <name>' argument 'resnet' is invalid\. Allowed choices are mlp, lenet5, cnn\.$/);
  assertBadInput(['gradcheck', '--rows', '0'], /^scratchnet: error: option '--rows <n>' argument '0' is invalid\. expected a positive integer$/);
  assertBadInput(['gradcheck', '--arch', 'cnn', '--hidden', '16'], /^scratchnet: error: --hidden shapes the mlp only; --arch cnn has its own layers$/);
  assertBadInput(['gradcheck', '--layers', 'dense(10)'], /^scratchnet: error: --layers: layer 1 \("dense\(10\)"\): dense takes rows of features, got shape \[1, 28, 28\]: put flatten before it$/);
});

test('a wrong backward pass fails its rows of the table, and the command exits 1', () => {
  const rng = new Rng(3);
  const model = new Sequential([new Dense(12, 8, { rng }), new ReLU(), new DoubledBiasGrad(8, 4, { rng })], 12);
  const report = checkNetwork(model);
  assert.equal(report.verdict, 'fail');
  assert.deepEqual(report.rows.filter((row) => row.verdict === 'fail').map((row) => `${row.scope} ${row.layer}.${row.param}`), ['layer 2.bias', 'model 2.bias']);
  const table = gradcheckTable(report);
  assert.match(table.join('\n'), /^2 Dense \(8 -> 4\) +bias +\[4\] +4 +5\.0e-1 +fail$/m);
  assert.match(table[table.length - 1], /^Verdict: fail \(\d+ pass, 0 warn, 2 fail; largest error 5\.0e-1;/);
  assert.equal(exitCodeFor(report.verdict), 1);
  assert.equal(exitCodeFor('warn'), 0);
  assert.equal(exitCodeFor('pass'), 0);
});
