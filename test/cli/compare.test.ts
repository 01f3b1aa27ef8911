import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-compare-'));

test('compare trains each optimizer on the same data and seed, as train would, and writes one report', () => {
  const out = join(tmp, 'cmp');
  const r = runCli(['compare', '--optimizers', 'sgd,adam', '--epochs', '2', '--subset', '2000', '--png', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const { results } = lastJson<{ results: { name: string; testAccuracy: number; valAccuracy: number[] }[] }>(r.stdout);
  assert.deepEqual(results.map((x) => x.name), ['sgd', 'adam']);
  // Each run is the run `train` makes with the same optimizer and seed.
  for (const [i, name] of ['sgd', 'adam'].entries()) {
    const t = runCli(['train', '--optimizer', name, '--epochs', '2', '--subset', '2000', '--json', '--quiet', '--no-report', '--out', join(tmp, `train-${name}`)]);
    assert.equal(t.code, 0, t.stderr);
    const single = lastJson<{ testAccuracy: number; valAccuracy: number[] }>(t.stdout);
    assert.equal(results[i].testAccuracy, single.testAccuracy, name);
    assert.deepEqual(results[i].valAccuracy, single.valAccuracy, name);
  }
  const html = readFileSync(join(out, 'compare.html'), 'utf8');
  assert.match(html, /data-chart="compare"><svg/);
  for (const text of ['Training Loss (mean per epoch)', 'Validation Accuracy', '>sgd<', '>adam<']) assert.ok(html.includes(text), text);
  assert.equal((html.match(/<tr><td>/g) ?? []).length, 2);
  assert.ok(!/<script/i.test(html));
  const png = PNG.sync.read(readFileSync(join(out, 'compare.png')));
  assert.ok(png.width > 800 && png.height > 300);
  assert.ok(existsSync(join(out, 'results.json')));
});

test('compare --arch lenet5 trains LeNet-5 under every optimizer; each run is the one train makes', () => {
  const out = join(tmp, 'cmp-lenet5');
  const job = ['--epochs', '1', '--subset', '1000', '--batch-size', '64'];
  const names = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'];
  const r = runCli(['compare', '--arch', 'lenet5', '--optimizers', names.join(','), ...job, '--json', '--quiet', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const { results } = lastJson<{ results: { name: string; testAccuracy: number; valAccuracy: number[]; trainLoss: number[] }[] }>(r.stdout);
  assert.deepEqual(results.map((x) => x.name), names);
  // Every optimizer learns something in 15 steps (chance is 0.1).
  for (const x of results) assert.ok(x.testAccuracy > 0.3 && Number.isFinite(x.trainLoss[0]), `${x.name}: ${JSON.stringify(x)}`);
  const { description } = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { description: string };
  assert.match(description, /^--arch lenet5 \(44,426 params\), 1 epoch each on 1000 training images/);
  for (const [i, name] of [[0, 'sgd'], [5, 'adam']] as const) {
    const t = runCli(['train', '--arch', 'lenet5', '--optimizer', name, ...job, '--json', '--quiet', '--no-report', '--out', join(tmp, `lenet5-${name}`)]);
    assert.equal(t.code, 0, t.stderr);
    const single = lastJson<{ testAccuracy: number; valAccuracy: number[]; trainLoss: number[] }>(t.stdout);
    assert.equal(results[i].testAccuracy, single.testAccuracy, name);
    assert.deepEqual(results[i].valAccuracy, single.valAccuracy, name);
    assert.deepEqual(results[i].trainLoss, single.trainLoss, name);
  }
});

test('compare --layers takes a spec as train does; a bad spec or both --arch and --layers is one line', () => {
  const r = runCli(['compare', '--layers', 'conv(4,5,s2),relu,maxpool(2),flatten,dense(10)', '--optimizers', 'sgd', '--epochs', '1', '--subset', '2000', '--json', '--quiet', '--out', join(tmp, 'cmp-layers')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lastJson<{ results: { testAccuracy: number }[] }>(r.stdout).results[0].testAccuracy > 0.3, r.stdout);
  assertBadInput(['compare', '--layers', 'conv(6,5),dense(10)'], /--layers: layer 2 \("dense\(10\)"\): dense takes rows of features, got shape \[6, 24, 24\]: put flatten before it/);
  assertBadInput(['compare', '--arch', 'cnn', '--layers', 'flatten,dense(10)'], /give either --arch or --layers, not both/);
  assertBadInput(['compare', '--arch', 'resnet'], /option '--arch <name>' argument 'resnet' is invalid/);
});

test('compare rejects unknown or repeated optimizers', () => {
  assertBadInput(['compare', '--optimizers', 'sgd,lion'], /option '--optimizers <list>' argument 'sgd,lion' is invalid\. expected names from sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, got "lion"/);
  assertBadInput(['compare', '--optimizers', 'adam,adam'], /expected each optimizer once/);
});
