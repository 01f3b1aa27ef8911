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

test('compare --vary lr: each run is the run train makes with that --lr; --vary batch-size and hidden=none too', () => {
  const job = ['--epochs', '1', '--subset', '1000'];
  const r = runCli(['compare', '--vary', 'lr=0.05,0.5', ...job, '--json', '--quiet', '--out', join(tmp, 'cmp-lr')]);
  assert.equal(r.code, 0, r.stderr);
  const { vary, results } = lastJson<{ vary: string; results: { name: string; testAccuracy: number; trainLoss: number[] }[] }>(r.stdout);
  assert.equal(vary, 'lr');
  assert.deepEqual(results.map((x) => x.name), ['0.05', '0.5']);
  for (const [i, lr] of ['0.05', '0.5'].entries()) {
    const t = runCli(['train', '--lr', lr, ...job, '--json', '--quiet', '--no-report', '--out', join(tmp, `train-lr-${lr}`)]);
    const single = lastJson<{ testAccuracy: number; trainLoss: number[] }>(t.stdout);
    assert.equal(results[i].testAccuracy, single.testAccuracy, lr);
    assert.deepEqual(results[i].trainLoss, single.trainLoss, lr);
  }
  const html = readFileSync(join(tmp, 'cmp-lr', 'compare.html'), 'utf8');
  assert.ok(html.includes('lr 0.05; sgd (lr 0.05), batch 32'), 'settings column');
  const h = runCli(['compare', '--vary', 'hidden=none,32', ...job, '--json', '--quiet', '--out', join(tmp, 'cmp-hidden')]);
  assert.equal(h.code, 0, h.stderr);
  const { description } = JSON.parse(readFileSync(join(tmp, 'cmp-hidden', 'results.json'), 'utf8')) as { description: string; results: { settings: string }[] };
  assert.match(description, /^Varying hidden: A 784-…-10 MLP, 1 epoch each/);
  const runs = (JSON.parse(readFileSync(join(tmp, 'cmp-hidden', 'results.json'), 'utf8')) as { results: { settings: string }[] }).results;
  assert.match(runs[0].settings, /7,850 params$/); // softmax regression: 784·10 + 10
  assert.match(runs[1].settings, /25,450 params$/); // 784·32 + 32 + 32·10 + 10
});

test('compare --vary: an unknown setting, a bad or repeated value, or the same setting given twice is one line', () => {
  assertBadInput(['compare', '--vary', 'colour=red'], /argument 'colour=red' is invalid\. expected SETTING=v1,v2,… with SETTING one of optimizer, lr, batch-size/);
  assertBadInput(['compare', '--vary', 'lr=0.1,fast'], /argument 'lr=0\.1,fast' is invalid\. lr "fast": expected a positive number/);
  assertBadInput(['compare', '--vary', 'init=he,normal:0'], /init "normal:0": expected he, glorot or normal:<std>/);
  assertBadInput(['compare', '--vary', 'activation=relu,relu'], /expected each value of activation once/);
  assertBadInput(['compare', '--vary', 'lr=0.1,1', '--lr', '0.5'], /--vary lr and --lr both set lr: give one of them/);
  assertBadInput(['compare', '--vary', 'batch-size=16,64', '--batch-size', '8'], /--vary batch-size and --batch-size both set batch-size/);
  assertBadInput(['compare', '--vary', 'lr=0.1', '--optimizers', 'sgd'], /--optimizers is --vary optimizer=…: give one of them/);
});

test('compare --stats: each run looks inside; a small init on deep sigmoid layers shows as vanishing deviations', () => {
  const out = join(tmp, 'cmp-stats');
  const r = runCli(['compare', '--vary', 'init=he,normal:0.01', '--activation', 'sigmoid', '--hidden', '64,64,64', '--epochs', '1', '--subset', '2000', '--lr', '0.5', '--stats', '--json', '--quiet', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(join(out, 'compare.html'), 'utf8');
  assert.match(html, /<h2>3\. Inside the network<\/h2>/);
  for (const name of ['he', 'normal:0.01']) assert.ok(html.includes(`<h3>Run: ${name}</h3>`) && html.includes(`data-chart="inside-${name}"><svg`), name);
  const { stats } = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { stats: { name: string; layers: { std: number[] }[] }[] };
  // The last sigmoid layer's outputs: spread out with He's init, nearly constant with std 0.01 weights.
  const lastStd = (i: number): number => stats[i].layers[2].std[0];
  assert.ok(lastStd(1) < 0.2 * lastStd(0), `${lastStd(0)} vs ${lastStd(1)}`);
});
