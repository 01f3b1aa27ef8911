import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { EvaluateSummary } from '../../src/cli/evaluate.js';
import { subset } from '../../src/data/dataset.js';
import { loadBundledMnist } from '../../src/io/mnist.js';
import { loadModel } from '../../src/io/model-files.js';
import { classificationReport, confusionMatrix } from '../../src/metrics/confusion.js';
import type { Sequential } from '../../src/model/sequential.js';
import { evaluate } from '../../src/train/evaluate.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';
import { csvText, idxBytes, tempDir } from '../support/fixtures.js';

const tmp = tempDir();
const modelPath = join(tmp.dir, 'run', 'model.safetensors');
const mnist = loadBundledMnist(0).test;
let model: Sequential;



before(() => {
  const r = runCli(['train', '--epochs', '1', '--subset', '3000', '--no-report', '--quiet', '--out', join(tmp.dir, 'run')]);
  assert.equal(r.code, 0, r.stderr);
  model = loadModel(modelPath).model;
});
after(() => tmp.remove());

test('evaluate on the bundled test set: the numbers of evaluate() in-process, a confusion matrix over all 10000', () => {
  const r = runCli(['evaluate', '--model', modelPath, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = lastJson<EvaluateSummary>(r.stdout);
  const expected = evaluate(model, mnist);
  assert.equal(json.accuracy, expected.accuracy);
  assert.ok(Math.abs(json.loss - expected.loss) < 1e-9, `loss ${json.loss} vs ${expected.loss}`);
  assert.equal(json.count, 10000);
  assert.ok(json.accuracy > 0.5 && json.accuracy <= 1, 'a fraction, better than chance');

  assert.equal(json.confusion.length, 10);
  assert.ok(json.confusion.every((row) => row.length === 10));
  assert.equal(json.confusion.flat().reduce((a, b) => a + b, 0), 10000);
  const trace = json.confusion.reduce((s, row, t) => s + row[t], 0);
  assert.equal(trace / 10000, json.accuracy);
  // Row t sums to the number of test images of class t.
  json.confusion.forEach((row, t) => assert.equal(row.reduce((a, b) => a + b, 0), mnist.y.filter((y) => y === t).length));

  const report = classificationReport(confusionMatrix(expected.predictions, mnist.y));
  // Each class with its name: MNIST's digits are their own.
  assert.deepEqual(json.perClass, report.perClass.map((m, c) => ({ class: c, name: String(c), ...m })));
  assert.deepEqual(json.macro, report.macro);

  // The text: accuracy, loss, an aligned matrix and the per-class table.
  assert.match(r.stdout, new RegExp(`^Accuracy: ${json.accuracy.toFixed(4)} \\(${trace} of 10000\\)$`, 'm'));
  assert.match(r.stdout, /^Loss: \d+\.\d{4}$/m);
  const lines = r.stdout.split('\n');
  const header = lines.findIndex((l) => l.startsWith('true\\pred'));
  assert.ok(header > 0, 'the matrix has a header row');
  const matrix = lines.slice(header, header + 11);
  assert.ok(matrix.every((l) => l.length === matrix[0].length), 'matrix rows are aligned');
  assert.deepEqual(matrix.slice(1).map((l) => l.trim().split(/\s+/).slice(1).map(Number)), json.confusion);
  const table = lines.findIndex((l) => /^\s+class\s+precision\s+recall\s+f1\s+support$/.test(l));
  assert.ok(table > header, 'the per-class table follows');
  assert.match(lines[table + 11], /^macro avg/);
  assert.ok(lines.slice(table, table + 12).every((l) => l.length === lines[table].length), 'table rows are aligned');
});

test('evaluate --test-csv: a small CSV in the tutorial layout gives the in-process numbers', () => {
  const rows = Array.from({ length: 50 }, (_, i) => i * 13);
  const part = subset(mnist, rows);
  const pixels = rows.map((_, r) => Array.from(part.x.subarray(r * 784, (r + 1) * 784)));
  const csv = tmp.write('test.csv', csvText(Array.from(part.y), pixels));
  const r = runCli(['evaluate', '--model', modelPath, '--test-csv', csv, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = lastJson<EvaluateSummary>(r.stdout);
  const expected = evaluate(model, part);
  assert.equal(json.count, 50);
  assert.equal(json.accuracy, expected.accuracy);
  assert.ok(Math.abs(json.loss - expected.loss) < 1e-9);
  assert.equal(json.confusion.flat().reduce((a, b) => a + b, 0), 50);
  assert.match(r.stdout, new RegExp(`^Test set: .*test\\.csv \\(50 images\\)$`, 'm'));
});

test('evaluate --idx-dir reads the t10k files (gzipped here)', () => {
  const dir = join(tmp.dir, 'idx');
  mkdirSync(dir);
  const part = subset(mnist, Array.from({ length: 100 }, (_, i) => 9999 - i));
  tmp.write('idx/t10k-images-idx3-ubyte.gz', gzipSync(idxBytes([100, 28, 28], part.x)));
  tmp.write('idx/t10k-labels-idx1-ubyte.gz', gzipSync(idxBytes([100], part.y)));
  const r = runCli(['evaluate', '--model', modelPath, '--idx-dir', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = lastJson<EvaluateSummary>(r.stdout);
  assert.equal(json.count, 100);
  assert.equal(json.accuracy, evaluate(model, part).accuracy);
});

test('evaluate: bad files and flags are one line on stderr naming the file, exit 2', () => {
  const garbage = tmp.write('garbage.safetensors', 'not a model at all');
  assertBadInput(['evaluate', '--model', garbage], /^scratchnet: error: .*garbage\.safetensors: byte \d+: /);
  assertBadInput(['evaluate', '--model', join(tmp.dir, 'none.safetensors')], /^scratchnet: error: .*none\.safetensors: file not found$/);
  const shortRow = tmp.write('short.csv', csvText([7, 2], [Array(784).fill(0), Array(783).fill(0)]));
  assertBadInput(['evaluate', '--model', modelPath, '--test-csv', shortRow], /^scratchnet: error: .*short\.csv:3: expected 785 values \(label \+ 784 pixels\), got 784$/);
  assertBadInput(['evaluate', '--model', modelPath, '--test-csv', join(tmp.dir, 'none.csv')], /^scratchnet: error: .*none\.csv: file not found$/);
  assertBadInput(['evaluate', '--model', modelPath, '--idx-dir', join(tmp.dir, 'no-such-dir')], /^scratchnet: error: .*no-such-dir\/t10k-images-idx3-ubyte: file not found$/);
  assertBadInput(['evaluate', '--model', modelPath, '--idx-dir', tmp.dir, '--test-csv', shortRow], /^scratchnet: error: give either --test-csv or --idx-dir, not both$/);
  const wrongSize = join(tmp.dir, 'idx14');
  mkdirSync(wrongSize);
  tmp.write('idx14/t10k-images-idx3-ubyte', idxBytes([2, 14, 14], new Uint8Array(2 * 196)));
  tmp.write('idx14/t10k-labels-idx1-ubyte', idxBytes([2], [1, 2]));
  assertBadInput(['evaluate', '--model', modelPath, '--idx-dir', wrongSize], /^scratchnet: error: .*idx14\/t10k-images-idx3-ubyte: byte 8: expected images of 784 pixels \(the model's input size\), got 196$/);
});
