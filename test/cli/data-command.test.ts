import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idxToDataset, parseIdx } from '../../src/data/idx.js';
import { readFileBytes } from '../../src/io/files.js';
import { bundledMnistPaths, loadBundledMnist, loadMnistFromCsv } from '../../src/io/mnist.js';
import { assertBadInput, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scratchnet-data-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const trainCsv = join(dir, 'mnist_train.csv');
const testCsv = join(dir, 'mnist_test.csv');

/** The bundled IDX data, read independently of the command. */
function idx(which: 'train' | 'test') {
  const p = bundledMnistPaths();
  const [images, labels] = which === 'train' ? [p.trainImages, p.trainLabels] : [p.testImages, p.testLabels];
  return idxToDataset(parseIdx(readFileBytes(images), images), parseIdx(readFileBytes(labels), labels), images, labels);
}

test('data export-csv writes both files and says so', () => {
  const r = runCli(['data', 'export-csv', dir], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Wrote ${trainCsv} \\(header \\+ 60000 rows, [\\d.]+ MB\\)$`, 'm'));
  assert.match(r.stdout, new RegExp(`^Wrote ${testCsv} \\(header \\+ 10000 rows, [\\d.]+ MB\\)$`, 'm'));
});

test("the CSVs are in the tutorial's layout: 60,001 and 10,001 lines of 785 columns, the IDX data row by row", () => {
  for (const [path, which, rows] of [[trainCsv, 'train', 60_000], [testCsv, 'test', 10_000]] as const) {
    const lines = readFileSync(path, 'latin1').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    assert.equal(lines.length, rows + 1, `${path}: header + ${rows} rows`);
    const header = lines[0].split(',');
    assert.equal(header.length, 785);
    assert.deepEqual(header.slice(0, 4), ['label', '1x1', '1x2', '1x3']);
    assert.equal(header[28], '1x28');
    assert.equal(header[29], '2x1');
    assert.equal(header[784], '28x28');
    const data = idx(which);
    // The first rows, a middle one and the last one, value by value.
    for (const r of [0, 1, 2, 3, 4, Math.floor(rows / 2), rows - 1]) {
      const values = lines[r + 1].split(',');
      assert.equal(values.length, 785, `${path} row ${r}`);
      assert.deepEqual(values.map(Number), [data.y[r], ...data.x.subarray(r * 784, (r + 1) * 784)], `${path} row ${r}`);
    }
    for (let r = 1; r <= rows; r += 997) assert.equal(lines[r].split(',').length, 785, `${path} line ${r + 1}`);
  }
});

test('it refuses to overwrite without --force (one line, exit 2), and overwrites with it', () => {
  const before = statSync(trainCsv).mtimeMs;
  assertBadInput(['data', 'export-csv', dir], /^scratchnet: error: .*mnist_train\.csv and .*mnist_test\.csv: already exist; pass --force to overwrite$/);
  assert.equal(statSync(trainCsv).mtimeMs, before, 'nothing was rewritten');
  // One file present is enough to refuse, and nothing is written then.
  const other = mkdtempSync(join(dir, 'one-'));
  writeFileSync(join(other, 'mnist_test.csv'), 'mine');
  assertBadInput(['data', 'export-csv', other], /^scratchnet: error: .*mnist_test\.csv: already exists; pass --force to overwrite$/);
  assert.equal(readFileSync(join(other, 'mnist_test.csv'), 'utf8'), 'mine');
  assertBadInput(['data', 'export-csv', trainCsv], /^scratchnet: error: .*mnist_train\.csv: expected a folder for the CSV files, got a file$/);
  assertBadInput(['data', 'export-csv'], /^scratchnet: error: missing required argument 'dir'$/);
  const r = runCli(['data', 'export-csv', dir, '--force'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Wrote .*mnist_train\.csv/m);
});

test("the CSVs load with the tutorial's load_mnist_from_csv semantics: 54,000 / 6,000 / 10,000, as the bundled data", async () => {
  const fromCsv = await loadMnistFromCsv(trainCsv, testCsv, 0.1, 42);
  assert.equal(fromCsv.train.count, 54_000);
  assert.equal(fromCsv.val.count, 6_000);
  assert.equal(fromCsv.test.count, 10_000);
  // Same rows, same seed: the same split as the IDX files give.
  const bundled = loadBundledMnist(0.1, 42);
  for (const set of ['train', 'val', 'test'] as const) {
    assert.ok(Buffer.from(fromCsv[set].x).equals(Buffer.from(bundled[set].x)), `${set} pixels`);
    assert.ok(Buffer.from(fromCsv[set].y).equals(Buffer.from(bundled[set].y)), `${set} labels`);
  }
});

test('data export-csv --help shows examples', () => {
  const r = runCli(['data', 'export-csv', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:\n {2}\$ scratchnet data export-csv mnist/);
  assert.match(r.stdout, /load_mnist_from_csv/);
});
