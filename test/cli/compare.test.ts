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

test('compare rejects unknown or repeated optimizers', () => {
  assertBadInput(['compare', '--optimizers', 'sgd,lion'], /option '--optimizers <list>' argument 'sgd,lion' is invalid\. expected names from sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, got "lion"/);
  assertBadInput(['compare', '--optimizers', 'adam,adam'], /expected each optimizer once/);
});
