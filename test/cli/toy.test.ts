import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/io/model-files.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-toy-'));

test('train --dataset spiral: a 2-16-16-3 network learns the spiral, history.json keeps its boundary at four epochs, the report draws them', () => {
  const out = join(tmp, 'spiral');
  const r = runCli(['train', '--dataset', 'spiral', '--hidden', '16,16', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Toy data: Spiral, 1000 points on the plane, 3 classes, noise 0\.05/);
  assert.match(r.stdout, /Training data: 720 × 2, validation: 80, test: 200/);
  const summary = lastJson<{ epochs: number; testAccuracy: number }>(r.stdout);
  assert.equal(summary.epochs, 100); // a toy set's default
  assert.ok(summary.testAccuracy > 0.95, String(summary.testAccuracy));
  const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { settings: { data: unknown }; boundary: { size: number; extent: number[]; snapshots: { epoch: number; classes: string }[] } };
  assert.deepEqual(history.settings.data, { kind: 'toy', name: 'spiral', points: 1000, noise: null, testSplit: 0.2 });
  assert.deepEqual(history.boundary.snapshots.map((s) => s.epoch), [1, 10, 30, 100]);
  assert.equal(history.boundary.size, 60);
  // Every class holds part of the plane by the end, and the first epoch's boundary is not the last.
  const last = history.boundary.snapshots[3].classes;
  for (const c of ['0', '1', '2']) assert.ok(last.split(c).length - 1 > 400, `class ${c}`);
  assert.notEqual(history.boundary.snapshots[0].classes, last);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /<h2>\d+\. The decision boundary<\/h2>/);
  for (const epoch of [1, 10, 30, 100]) assert.ok(html.includes(`>Epoch ${epoch}<`), `panel of epoch ${epoch}`);
  assert.match(html, /Decision Boundary \(Spiral, test points\)/);
  const { training } = loadModel(join(out, 'model.safetensors'));
  assert.deepEqual((training as { classes: string[] }).classes, ['0', '1', '2']);
  // The same seed draws the same points and trains the same network.
  const again = runCli(['train', '--dataset', 'spiral', '--hidden', '16,16', '--json', '--quiet', '--no-report', '--out', join(tmp, 'spiral-again')]);
  assert.equal(lastJson<{ testAccuracy: number }>(again.stdout).testAccuracy, summary.testAccuracy);
  // `report` rebuilds the page from the folder, boundary included.
  const rebuilt = runCli(['report', out, '--out', join(tmp, 'rebuilt.html')]);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.ok(readFileSync(join(tmp, 'rebuilt.html'), 'utf8').includes('>Epoch 30<'));
});

test('compare --vary activation=linear,relu on the spiral: without a nonlinearity the network stays linear and fails', () => {
  const r = runCli(['compare', '--vary', 'activation=linear,relu', '--dataset', 'spiral', '--hidden', '16,16', '--json', '--quiet', '--out', join(tmp, 'cmp')]);
  assert.equal(r.code, 0, r.stderr);
  const { vary, results } = lastJson<{ vary: string; results: { name: string; testAccuracy: number }[] }>(r.stdout);
  assert.equal(vary, 'activation');
  assert.deepEqual(results.map((x) => x.name), ['linear', 'relu']);
  assert.ok(results[0].testAccuracy < 0.6, `linear ${results[0].testAccuracy}`);
  assert.ok(results[1].testAccuracy > 0.95, `relu ${results[1].testAccuracy}`);
  const { description } = JSON.parse(readFileSync(join(tmp, 'cmp', 'results.json'), 'utf8')) as { description: string };
  assert.match(description, /^Varying activation: A 2-16-16-3 MLP \(371 params\), 100 epochs each on 720 Spiral points/);
  // The page draws each run's final boundary side by side, over the test points.
  const html = readFileSync(join(tmp, 'cmp', 'compare.html'), 'utf8');
  assert.match(html, /<h2>3\. The decision boundaries<\/h2><figure class="chart" data-chart="decision-boundary"><svg/);
  for (const name of ['linear', 'relu']) assert.ok(html.includes(`>${name}</text>`), `panel ${name}`);
  assert.equal((html.match(/<image /g) ?? []).length, 2);
});

test('toy data: bad flag values and combinations are one line, exit 2', () => {
  assertBadInput(['train', '--dataset', 'swirl'], /option '--dataset <name>' argument 'swirl' is invalid/);
  assertBadInput(['train', '--dataset', 'xor', '--csv', 'x.csv'], /--dataset xor draws its points from --seed: give it alone/);
  assertBadInput(['train', '--noise', '0.1'], /--points and --noise shape a toy --dataset \(xor, circles, spiral, moons, gaussians\)/);
  assertBadInput(['train', '--dataset', 'moons', '--points', '3'], /moons: expected a count of points from 4 to 1000000, got 3/);
  assertBadInput(['train', '--dataset', 'moons', '--noise', '2'], /moons: expected a noise level in \[0, 1\], got 2/);
  assertBadInput(['train', '--dataset', 'moons', '--points', '4', '--test-split', '0.1'], /--test-split 0.1 of 4 points leaves no test point/);
});
