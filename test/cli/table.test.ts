import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseTable, tableClasses, tableDataset } from '../../src/data/table.js';
import { loadModel } from '../../src/io/model-files.js';
import { tensor } from '../../src/kernels/tensor.js';
import { Rng } from '../../src/rng.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-table-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

test('parseTable reads integers, decimals, negatives and exponents, a label column anywhere, CRLF and a byte-order mark', () => {
  const text = '\uFEFFa,kind,b,c\r\n3,cat,-0.5,1e-3\r\n-2,dog,+2.,.5\r\n0,cat,7.25E+2,-4e0\r\n';
  const t = parseTable(text, 'pets.csv', { label: 'kind' });
  assert.deepEqual(t.featureNames, ['a', 'b', 'c']);
  assert.equal(t.labelName, 'kind');
  assert.deepEqual(Array.from(t.values), Array.from(Float32Array.from([3, -0.5, 1e-3, -2, 2, 0.5, 0, 725, -4])));
  assert.deepEqual([t.labels, t.lines], [['cat', 'dog', 'cat'], [2, 3, 4]]);
  // String labels: the sorted names; integer labels: the numbers themselves.
  assert.deepEqual(tableClasses(t), ['cat', 'dog']);
  assert.deepEqual(Array.from(tableDataset(t, tableClasses(t)).y), [0, 1, 0]);
  // The default label column: one named "label", else the first.
  assert.equal(parseTable('x,label,y\n1,0,2\n', 'a.csv').labelName, 'label');
  assert.equal(parseTable('target,x,y\n1,0,2\n', 'a.csv').labelName, 'target');
  const last = parseTable('x,y,class\n1,2,1\n3,4,0\n', 'a.csv', { label: 'class' });
  assert.deepEqual([last.featureNames, tableClasses(last)], [['x', 'y'], ['0', '1']]);
  // Rows to predict may leave the label column out.
  assert.equal(parseTable('a,b,c\n1,2,3\n', 'p.csv', { label: 'kind', featureNames: ['a', 'b', 'c'], labelOptional: true }).labelName, null);
  // Test rows may not: their labels are what is scored.
  assert.throws(() => parseTable('a,b,c\n1,2,3\n', 't.csv', { label: 'kind', featureNames: ['a', 'b', 'c'] }), /t\.csv:1: no column "kind" for the labels/);
});

/** Three blobs in (x, y), a noise column and a quoted name column, labels by name: one row per line, at `seed`. */
function blobs(rows: number, seed: number, classes: readonly string[]): string {
  const rng = new Rng(seed);
  const lines = ['x,y,noise,species'];
  for (let i = 0; i < rows; i++) {
    const c = i % classes.length;
    const angle = (2 * Math.PI * c) / classes.length;
    const x = 4 * Math.cos(angle) + rng.normal(), y = 4 * Math.sin(angle) + rng.normal();
    // Some values in exponent form, as spreadsheets write them.
    lines.push(`${i % 3 === 0 ? x.toExponential(4) : x.toFixed(3)},${y.toFixed(3)},${(1000 * rng.normal()).toFixed(1)},${classes[c]}`);
  }
  return `${lines.join('\n')}\n`;
}

test('train --csv with string labels: trains, saves the standardisation, evaluates and predicts raw rows; ONNX gives the same probabilities', async () => {
  const classes = ['setosa', 'versicolor', 'virginica', 'other'];
  const trainCsv = file('blobs-train.csv', blobs(400, 1, classes));
  const testCsv = file('blobs-test.csv', blobs(120, 2, classes));
  const out = join(tmp, 'blobs');
  const r = runCli(['train', '--csv', trainCsv, '--test-csv', testCsv, '--label', 'species', '--hidden', '16', '--epochs', '30', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Table: 3 features, label column "species", 4 classes \(other, setosa, versicolor, virginica\); features standardised/m);
  const summary = lastJson<{ testAccuracy: number }>(r.stdout);
  assert.ok(summary.testAccuracy >= 0.9, `test accuracy ${summary.testAccuracy}`);
  assert.ok(existsSync(join(out, 'report.html')));
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<h2>\d+\. Predictions on test rows<\/h2>/);

  const model = join(out, 'model.safetensors');
  const { model: net, training } = loadModel(model);
  assert.deepEqual((training as { classes: string[] }).classes, ['other', 'setosa', 'versicolor', 'virginica']);
  // The first layer holds the training rows' mean and 1/deviation: the noise column's deviation is ~1000.
  const [first] = net.layers as unknown as { mean: { value: Float32Array }; scale: { value: Float32Array } }[];
  assert.ok(first.scale.value[2] > 1 / 1500 && first.scale.value[2] < 1 / 700, `noise scale ${first.scale.value[2]}`);

  const evaluated = runCli(['evaluate', '--model', model, '--test-csv', testCsv, '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.equal(lastJson<{ accuracy: number }>(evaluated.stdout).accuracy, summary.testAccuracy);

  // predict: the same rows with and without the label column.
  const predicted = runCli(['predict', '--model', model, '--csv', testCsv, '--json']);
  assert.equal(predicted.code, 0, predicted.stderr);
  assert.match(predicted.stdout, new RegExp(`^\\d+ of 120 rows predicted as labelled \\(accuracy ${summary.testAccuracy.toFixed(4)}\\)$`, 'm'));
  const unlabelled = file('blobs-rows.csv', readFileSync(testCsv, 'utf8').split('\n').map((l) => l.split(',').slice(0, 3).join(',')).join('\n'));
  const bare = runCli(['predict', '--model', model, '--csv', unlabelled, '--json']);
  assert.equal(bare.code, 0, bare.stderr);
  const withLabel = lastJson<{ predictions: { probabilities: number[] }[] }>(predicted.stdout).predictions;
  const without = lastJson<{ predictions: { probabilities: number[]; top: { name: string }[] }[] }>(bare.stdout).predictions;
  assert.deepEqual(without.map((p) => p.probabilities), withLabel.map((p) => p.probabilities));
  assert.ok(classes.includes(without[0].top[0].name));

  // ONNX: the Standardize layer in the graph, so onnxruntime takes the raw rows too.
  const onnx = join(tmp, 'blobs.onnx');
  const exported = runCli(['export', '--model', model, '--onnx', onnx]);
  assert.equal(exported.code, 0, exported.stderr);
  const table = parseTable(readFileSync(testCsv, 'utf8'), testCsv, { label: 'species' });
  const session = await ort.InferenceSession.create(readFileSync(onnx));
  const result = await session.run({ pixels: new ort.Tensor('float32', table.values, [table.count, 3]) });
  const theirs = result.probabilities.data as Float32Array;
  const ours = net.predictProba(tensor(table.values, [table.count, 3])).data;
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(theirs[i] - ours[i]));
  assert.ok(worst < 1e-5, `onnxruntime and scratchnet differ by ${worst}`);
});

test('train --csv with two integer classes, the label first, min–max scaling and a seeded test split: reproducible by seed', () => {
  const rng = new Rng(5);
  const rows = Array.from({ length: 200 }, (_, i) => {
    const c = i % 2;
    return `${c},${(c * 3 + rng.normal()).toFixed(4)},${(-2 * c + rng.normal()).toFixed(4)}`;
  });
  const csv = file('two.csv', `label,u,v\r\n${rows.join('\r\n')}\r\n`);
  const run = (name: string) => {
    const r = runCli(['train', '--csv', csv, '--normalize', 'minmax', '--test-split', '0.25', '--hidden', '8', '--epochs', '20', '--no-report', '--json', '--out', join(tmp, name)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Training data: 135 × 2, validation: 15, test: 50$/m);
    return lastJson<{ testAccuracy: number; trainLoss: number[] }>(r.stdout);
  };
  const a = run('two-a');
  assert.ok(a.testAccuracy >= 0.9, `test accuracy ${a.testAccuracy}`);
  assert.deepEqual(run('two-b').trainLoss, a.trainLoss);
});

test('bad tables: one line naming the file and line (and column), exit 2; a constant column is a warning, not NaN', () => {
  const good = 'x,y,label\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n';
  // A file that is not there, or is a folder: its path and what went wrong, in one line.
  assertBadInput(['train', '--csv', join(tmpdir(), 'no-such-table.csv')], /no-such-table\.csv: file not found$/);
  assertBadInput(['train', '--csv', tmpdir()], /: is a directory, expected a file$/);
  assertBadInput(['train', '--csv', file('nolabel.csv', good), '--label', 'kind'], /nolabel\.csv:1: no column "kind" for the labels \(the columns: x, y, label\)$/);
  assertBadInput(['train', '--csv', file('word.csv', 'x,y,label\n1,2,a\n3,four,b\n')], /word\.csv:3: column "y": expected a number, got "four"$/);
  assertBadInput(['train', '--csv', file('short.csv', 'x,y,label\n1,2,a\n3,b\n')], /short\.csv:3: expected 3 fields \(as the header has\), got 2$/);
  assertBadInput(['train', '--csv', file('gap.csv', `x,label\n${Array.from({ length: 20 }, (_, i) => `${i},${2 * (i % 2)}`).join('\n')}\n`)], /gap\.csv: no row has the label 1 \(the labels run 0–2\): an empty class cannot be learnt/);
  assertBadInput(['train', '--csv', file('t1.csv', good), '--test-csv', file('t2.csv', 'x,y,label\n1,2,c\n')], /t2\.csv:2: the label "c" is not one of the classes seen in training \(a, b\)$/);
  assertBadInput(['train', '--csv', file('t3.csv', good), '--test-csv', file('t4.csv', 'x,z,label\n1,2,a\n')], /t4\.csv:1: expected the feature columns x, y \(as in training\), got x, z$/);
  assertBadInput(['train', '--csv', file('empty.csv', '')], /empty\.csv: the file is empty: expected a header row/);
  assertBadInput(['train', '--csv', file('dup.csv', 'x,x,label\n1,2,a\n')], /dup\.csv:1: the column name "x" is there twice$/);

  const rows = Array.from({ length: 40 }, (_, i) => `${i % 2 ? 2 : -2},5,${i % 2}`).join('\n');
  const r = runCli(['train', '--csv', file('flat.csv', `x,flat,label\n${rows}\n`), '--epochs', '3', '--hidden', '4', '--no-report', '--json', '--out', join(tmp, 'flat')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^scratchnet: warning: .*flat\.csv: column "flat" has one value in every training row: it is scaled to 0/m);
  const summary = lastJson<{ trainLoss: number[]; testAccuracy: number }>(r.stdout);
  assert.ok(summary.trainLoss.every(Number.isFinite) && Number.isFinite(summary.testAccuracy), JSON.stringify(summary));
});
