import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FASHION_MNIST_CLASSES } from '../../src/data/classes.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../../src/io/mnist.js';
import { loadModel } from '../../src/io/model-files.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';

// Fashion-MNIST from Debian's dataset-fashion-mnist (.ci/run installs it): the original IDX files, gzipped.
const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-fashion-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the Fashion-MNIST files are where Debian puts them (apt-get install dataset-fashion-mnist)', () => {
  const data = loadFashionMnist(FASHION_MNIST_DIR, 0.1, 1);
  assert.deepEqual([data.train.count, data.val.count, data.test.count, data.test.features], [54000, 6000, 10000, 784]);
  assert.deepEqual(data.test.classes, FASHION_MNIST_CLASSES);
  // The first test image of Fashion-MNIST is an ankle boot, the second a pullover.
  assert.deepEqual([data.test.y[0], data.test.y[1]], [9, 2]);
});

test('train --dataset fashion-mnist: learns, and its class names reach the model file, the report, evaluate and predict', () => {
  const out = join(tmp, 'run');
  const r = runCli(['train', '--dataset', 'fashion-mnist', '--epochs', '1', '--subset', '6000', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Loading Fashion-MNIST IDX files from \/usr\/share\/datasets\/fashion-mnist\.\.\.$/m);
  // Chance is 10 %; one epoch of 6,000 images gets past 70 %.
  const summary = lastJson<{ testAccuracy: number }>(r.stdout);
  assert.ok(summary.testAccuracy > 0.7, `test accuracy ${summary.testAccuracy}`);

  const model = join(out, 'model.safetensors');
  assert.deepEqual((loadModel(model).training as { classes: string[] }).classes, FASHION_MNIST_CLASSES);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /<h2>\d+\. Fashion-MNIST samples<\/h2>/);
  for (const name of ['Ankle boot', 'T-shirt/top', 'Sneaker']) assert.ok(html.includes(name), `the report names ${name}`);
  assert.match(html, /<td>9 Ankle boot<\/td>/);

  // evaluate with no data named: the test set of what the model was trained on, per class by name.
  const evaluated = runCli(['evaluate', '--model', model, '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.match(evaluated.stdout, /^Test set: the Fashion-MNIST test set \(.*t10k-images-idx3-ubyte\.gz\) \(10000 images\)$/m);
  assert.match(evaluated.stdout, /^classes: 0 T-shirt\/top, 1 Trouser, .*, 9 Ankle boot$/m);
  assert.match(evaluated.stdout, /^ +9 Ankle boot +\d\.\d{4}/m);
  const scored = lastJson<{ accuracy: number; perClass: { name: string }[] }>(evaluated.stdout);
  assert.equal(scored.accuracy, summary.testAccuracy);
  assert.deepEqual(scored.perClass.map((c) => c.name), FASHION_MNIST_CLASSES);

  // predict on the first two test images as CSV rows (label, 784 pixels): an ankle boot and a pullover.
  const { test: images } = loadFashionMnist(FASHION_MNIST_DIR, 0.1, 1);
  const rows = [0, 1].map((i) => [images.y[i], ...images.x.subarray(784 * i, 784 * (i + 1))].join(','));
  const csv = join(tmp, 'two.csv');
  writeFileSync(csv, `label,${Array.from({ length: 784 }, (_, j) => `p${j}`).join(',')}\n${rows.join('\n')}\n`);
  const predicted = runCli(['predict', '--model', model, '--csv', csv, '--top', '2', '--json']);
  assert.equal(predicted.code, 0, predicted.stderr);
  assert.match(predicted.stdout, new RegExp(`^${csv.replace(/[/.]/g, '\\$&')}:2: [A-Z][\\w/ -]+ \\(0\\.\\d{4}\\), [A-Z][\\w/ -]+ \\(0\\.\\d{4}\\) - label Ankle boot`, 'm'));
  const { predictions } = lastJson<{ predictions: { top: { class: number; name: string }[] }[] }>(predicted.stdout);
  for (const p of predictions) for (const t of p.top) assert.equal(t.name, FASHION_MNIST_CLASSES[t.class]);
});

test('Fashion-MNIST missing, or named with CSV files: one line, exit 2, saying how to get it', () => {
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  assertBadInput(['train', '--dataset', 'fashion-mnist', '--idx-dir', empty], new RegExp(`^scratchnet: error: ${empty}: Fashion-MNIST's IDX files .* are not there: on Debian or Ubuntu, \`apt-get install dataset-fashion-mnist\``));
  assertBadInput(['train', '--dataset', 'fashion-mnist', '--train-csv', 'a.csv', '--test-csv', 'b.csv'], /--dataset fashion-mnist reads its IDX files: give --idx-dir \(or nothing\), not --train-csv\/--test-csv/);
  assertBadInput(['train', '--dataset', 'cifar'], /option '--dataset <name>' argument 'cifar' is invalid\. Allowed choices are mnist, fashion-mnist/);
});
