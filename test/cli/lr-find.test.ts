import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-lr-find-'));

interface LrFindLine {
  suggestedLr: number | null;
  minLossLr: number | null;
  stoppedEarly: boolean;
  steps: number;
  out: string;
}

test('lr-find on a small subset writes the chart, the page and results.json, and prints a suggestion', () => {
  const out = join(tmp, 'sgd');
  const r = runCli(['lr-find', '--subset', '1000', '--steps', '60', '--start-lr', '1e-4', '--png', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const line = lastJson<LrFindLine>(r.stdout);
  assert.equal(line.out, out);
  assert.ok(line.steps >= 2 && line.steps <= 60);
  assert.ok(typeof line.suggestedLr === 'number' && line.suggestedLr >= 1e-4 && line.suggestedLr <= 10, JSON.stringify(line));
  // Progress, then the suggestion with the train line to use it.
  assert.match(r.stdout, /Range test on 1000 training examples: mlp 784-64-32-10 \(52,650 params\), sgd, batch 32, seed 42/);
  assert.match(r.stdout, /^step  1\/60  lr 0\.0001 +loss \d\.\d{4}  smoothed \d\.\d{4}$/m);
  assert.match(r.stdout, /Suggested learning rate: [\d.e-]+, where the smoothed loss falls fastest\..* Train with it: scratchnet train --subset 1000 --lr [\d.e-]+$/m);

  const html = readFileSync(join(out, 'lr-find.html'), 'utf8');
  assert.match(html, /data-chart="lr-find"><svg/);
  for (const text of ['Learning-Rate Range Test', 'suggested lr', 'scratchnet train --subset 1000 --lr']) assert.ok(html.includes(text), text);
  assert.ok(!/<script/i.test(html));
  assert.match(readFileSync(join(out, 'lr-find.svg'), 'utf8'), /^<svg/);
  const png = PNG.sync.read(readFileSync(join(out, 'lr-find.png')));
  assert.ok(png.width > 1000 && png.height > 600, `${png.width} × ${png.height}`);
  const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Record<string, unknown> & { lrs: number[]; losses: number[]; settings: { optimizer: Record<string, unknown> } };
  assert.equal(saved.format, 'scratchnet-lr-find');
  assert.equal(saved.lrs.length, line.steps);
  assert.equal(saved.losses.length, line.steps);
  assert.equal(saved.suggestedLr, line.suggestedLr);
  assert.equal(saved.settings.optimizer.name, 'sgd');
  assert.ok(!('lr' in saved.settings.optimizer), 'the swept rate is not a setting');
});

test("lr-find takes train's network and optimizer flags and repeats them in the train line; --quiet prints only the JSON", () => {
  const out = join(tmp, 'adam');
  const r = runCli(['lr-find', '--subset', '500', '--steps', '30', '--hidden', '16', '--optimizer', 'adam', '--batch-size', '16', '--quiet', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
  lastJson<LrFindLine>(r.stdout);
  const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { trainCommand: string; settings: { hidden: number[]; batchSize: number; optimizer: { name: string } } };
  assert.equal(saved.trainCommand, 'scratchnet train --subset 500 --hidden 16 --optimizer adam --batch-size 16');
  assert.deepEqual(saved.settings.hidden, [16]);
  assert.equal(saved.settings.batchSize, 16);
  assert.equal(saved.settings.optimizer.name, 'adam');
  assert.ok(existsSync(join(out, 'lr-find.html')) && !existsSync(join(out, 'lr-find.png')));
});

test('lr-find refuses bad flag values with one line and exit code 2', () => {
  assertBadInput(['lr-find', '--steps', '1'], /option '--steps <n>' argument '1' is invalid\. expected an integer ≥ 2/);
  assertBadInput(['lr-find', '--start-lr', '0'], /option '--start-lr <rate>' argument '0' is invalid\. expected a positive number/);
  assertBadInput(['lr-find', '--start-lr', '1', '--end-lr', '0.1'], /error: --start-lr 1 must be below --end-lr 0\.1/);
  assertBadInput(['lr-find', '--arch', 'cnn', '--hidden', '16'], /--hidden shapes the mlp only/);
  assertBadInput(['lr-find', '--batch-size', '0'], /option '--batch-size <n>' argument '0' is invalid\. expected a positive integer/);
});

test('lr-find --help lists the sweep flags and examples', () => {
  const r = runCli(['lr-find', '--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const text of ['--start-lr <rate>', '--end-lr <rate>', '--steps <n>', '--optimizer <name>', '--dataset <name>', 'Examples:', 'scratchnet lr-find --subset 5000 --png']) assert.ok(r.stdout.includes(text), text);
});
