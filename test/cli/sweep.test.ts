import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Command } from 'commander';
import { runSweep, sweepCommand } from '../../src/cli/sweep.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-sweep-'));

interface Row {
  name: string;
  settings: Record<string, string>;
  bestValAccuracy: number;
  testAccuracy: number;
  trainLoss: number[];
  valAccuracy: number[];
  threads: number;
}
interface SweepJson {
  axes: { setting: string; values: string[] }[];
  results: Row[];
}

/** The figures that must not depend on how the runs were scheduled. */
const figures = (rows: readonly Row[]) => rows.map(({ name, testAccuracy, trainLoss, valAccuracy, bestValAccuracy }) => ({ name, testAccuracy, trainLoss, valAccuracy, bestValAccuracy }));

/** Each heat-map cell of the SVG: its aria label (axis values and figure) and the text printed in it, in drawing order. */
function heatCells(svg: string): { label: string; text: string }[] {
  const group = (layer: string) => svg.slice(svg.indexOf(`class="mark-${layer}`), svg.indexOf('</g>', svg.indexOf(`class="mark-${layer}`)));
  const labels = [...group('rect role-mark layer_1_marks').matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]);
  const texts = [...group('text role-mark layer_2_marks').matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]);
  assert.equal(labels.length, texts.length, 'one label per coloured cell');
  return labels.map((label, i) => ({ label, text: texts[i] }));
}

const job = ['--subset', '1000', '--epochs', '1'];

test('sweep runs every cell of lr × batch-size as train runs it, into its own folder, and writes the heat map and the table', () => {
  const out = join(tmp, 'grid');
  const r = runCli(['sweep', '--lr', '0.05,0.5', '--batch-size', '16,64', ...job, '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const { axes, results } = lastJson<SweepJson>(r.stdout);
  assert.deepEqual(axes, [{ setting: 'lr', values: ['0.05', '0.5'] }, { setting: 'batch-size', values: ['16', '64'] }]);
  const names = ['lr=0.05,batch-size=16', 'lr=0.05,batch-size=64', 'lr=0.5,batch-size=16', 'lr=0.5,batch-size=64'];
  assert.deepEqual(results.map((x) => x.name), names);
  // A progress line per run, and the page.
  assert.equal((r.stdout.match(/^\[\d\/4\] lr=/gm) ?? []).length, 4, r.stdout);
  assert.deepEqual(readdirSync(out).sort(), [...names, 'results.json', 'sweep.html', 'sweep.svg'].sort());
  for (const name of names) assert.deepEqual(readdirSync(join(out, name)).sort(), ['history.json', 'model.safetensors'], name);

  // Each cell is the run `train` makes with the same flags: bit for bit.
  for (const [i, [lr, batch]] of [['0.05', '16'], ['0.05', '64'], ['0.5', '16'], ['0.5', '64']].entries()) {
    const t = runCli(['train', '--lr', lr, '--batch-size', batch, ...job, '--json', '--quiet', '--no-report', '--out', join(tmp, `train-${lr}-${batch}`)]);
    assert.equal(t.code, 0, t.stderr);
    const single = lastJson<{ testAccuracy: number; trainLoss: number[]; valAccuracy: number[] }>(t.stdout);
    assert.equal(results[i].testAccuracy, single.testAccuracy, names[i]);
    assert.deepEqual(results[i].trainLoss, single.trainLoss, names[i]);
    assert.deepEqual(results[i].valAccuracy, single.valAccuracy, names[i]);
    assert.deepEqual(results[i].settings, { lr, 'batch-size': batch });
    const history = JSON.parse(readFileSync(join(out, names[i], 'history.json'), 'utf8')) as { settings: { batchSize: number; optimizer: { lr: number } }; trainLoss: number[] };
    assert.equal(history.settings.batchSize, Number(batch));
    assert.equal(history.settings.optimizer.lr, Number(lr));
    assert.deepEqual(history.trainLoss, single.trainLoss);
  }

  // The heat map: one cell per run, at its values, showing its best validation accuracy.
  const svg = readFileSync(join(out, 'sweep.svg'), 'utf8');
  const cells = heatCells(svg);
  assert.equal(cells.length, 4);
  for (const [i, x] of results.entries()) {
    assert.equal(x.bestValAccuracy, Math.max(...x.valAccuracy));
    assert.match(cells[i].label, new RegExp(`^lr: ${x.settings.lr}; batch-size: ${x.settings['batch-size']}; best val accuracy: `));
    assert.equal(cells[i].text, `${(100 * x.bestValAccuracy).toFixed(2)} %`, x.name);
  }
  for (const text of ['Best Validation Accuracy', '>lr<', '>batch-size<', '>best val accuracy<']) assert.ok(svg.includes(text), text);

  const html = readFileSync(join(out, 'sweep.html'), 'utf8');
  assert.match(html, /data-chart="sweep"><svg/);
  assert.equal((html.match(/<tr><td>/g) ?? []).length, 4);
  assert.ok(html.includes('<a href="./lr=0.5,batch-size=64/">lr=0.5,batch-size=64/</a>'));
  assert.ok(!html.includes('report.html'), 'no reports without --reports');
  assert.ok(!/<script/i.test(html));
  const record = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { format: string; results: Row[] };
  assert.equal(record.format, 'scratchnet-sweep');
  assert.deepEqual(figures(record.results), figures(results));
});

test('sweep --workers 2 gives the same figures as the runs one after another, each worker on one kernel thread', () => {
  const flags = ['sweep', '--dataset', 'xor', '--lr', '0.1,0.5', '--hidden', '4,16', '--epochs', '20', '--json', '--quiet'];
  // SCRATCHNET_THREADS=2 asks for two kernel threads: the runs on this thread take them, as train's do; a worker's take one.
  const env = { SCRATCHNET_THREADS: '2' };
  const one = runCli([...flags, '--out', join(tmp, 'seq')], { env });
  const two = runCli([...flags, '--workers', '2', '--png', '--reports', '--out', join(tmp, 'par')], { env });
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  const a = lastJson<SweepJson>(one.stdout).results;
  const b = lastJson<SweepJson>(two.stdout).results;
  assert.equal(b.length, 4);
  assert.deepEqual(figures(b), figures(a));
  assert.deepEqual(a.map((x) => x.threads), [2, 2, 2, 2]);
  assert.deepEqual(b.map((x) => x.threads), [1, 1, 1, 1]);
  // Over 20 epochs the best validation accuracy is not the last one: the heat map shows the best.
  const cells = heatCells(readFileSync(join(tmp, 'par', 'sweep.svg'), 'utf8'));
  assert.deepEqual(cells.map((c) => c.text), b.map((x) => `${(100 * Math.max(...x.valAccuracy)).toFixed(2)} %`));
  assert.ok(b.some((x) => x.valAccuracy[x.valAccuracy.length - 1] !== Math.max(...x.valAccuracy)), 'a run whose best epoch is not its last');
  // The toy runs learn (chance is 0.5), and with --reports each folder has its report, linked from the page.
  assert.ok(Math.max(...b.map((x) => x.testAccuracy)) > 0.8, JSON.stringify(b));
  for (const x of b) assert.ok(existsSync(join(tmp, 'par', x.name, 'report.html')), x.name);
  assert.ok(readFileSync(join(tmp, 'par', 'sweep.html'), 'utf8').includes('<a href="./lr=0.5,hidden=16/report.html">report</a>'));
  const png = PNG.sync.read(readFileSync(join(tmp, 'par', 'sweep.png')));
  assert.ok(png.width > 400 && png.height > 200, `${png.width} × ${png.height}`);
});

test('runSweep on worker threads from the sources (tsx) matches the runs on this thread', async () => {
  /** The flags and explicit set commander makes of `args`, without running the command. */
  const parse = async (args: string[]) => {
    let parsed: [Parameters<typeof runSweep>[0], Set<string>] | undefined;
    const command = sweepCommand().exitOverride();
    command.action((flags: Parameters<typeof runSweep>[0], cmd: Command) => {
      parsed = [flags, new Set(cmd.options.map((o) => o.attributeName()).filter((n) => cmd.getOptionValueSource(n) === 'cli'))];
    });
    await command.parseAsync(args, { from: 'user' });
    assert.ok(parsed !== undefined);
    return parsed;
  };
  const args = ['--dataset', 'moons', '--lr', '0.1,1', '--vary', 'hidden=8,none', '--epochs', '10', '--quiet'];
  const silent = { log: () => {} };
  const here = await parse([...args, '--out', join(tmp, 'src-seq')]);
  const there = await parse([...args, '--workers', '2', '--out', join(tmp, 'src-par')]);
  const a = await runSweep(here[0], silent, here[1]);
  const b = await runSweep(there[0], silent, there[1]);
  assert.deepEqual(b.map((r) => r.name), ['lr=0.1,hidden=8', 'lr=0.1,hidden=none', 'lr=1,hidden=8', 'lr=1,hidden=none']);
  assert.deepEqual(
    b.map(({ seconds: _s, ...r }) => r),
    a.map(({ seconds: _s, ...r }) => r),
  );
});

test('sweep: one or three swept settings, an unknown setting, a bad or repeated value, or a setting given twice is one line', () => {
  const out = ['--out', join(tmp, 'bad')];
  assertBadInput(['sweep', ...out], /error: sweep needs comma lists on two settings, e\.g\. --lr 0\.01,0\.1,1 --batch-size 32,128; got none/);
  assertBadInput(['sweep', '--lr', '0.01,0.1', '--batch-size', '32', ...out], /sweep needs comma lists on two settings, got one \(--lr 0\.01,0\.1\): add another, e\.g\. --batch-size 32,128, or compare the values of one with scratchnet compare --vary lr=…/);
  assertBadInput(['sweep', '--lr', '0.01,0.1', '--batch-size', '32,64', '--hidden', '16,64', ...out], /sweep takes comma lists on exactly two settings, got 3 \(--lr 0\.01,0\.1; --batch-size 32,64; --hidden 16,64\): give the others one value each/);
  assertBadInput(['sweep', '--vary', 'colour=red,blue', '--lr', '0.1,1', ...out], /option '--vary <setting=values>' argument 'colour=red,blue' is invalid\. expected SETTING=v1,v2,… with SETTING one of optimizer, lr, batch-size/);
  assertBadInput(['sweep', '--colour', 'red,blue', '--lr', '0.1,1', ...out], /error: unknown option '--colour'/);
  assertBadInput(['sweep', '--lr', '0.1,fast', '--batch-size', '32,64', ...out], /option '--lr <values>' argument '0\.1,fast' is invalid\. lr "fast": expected a positive number/);
  assertBadInput(['sweep', '--activation', 'relu,swish', '--lr', '0.1,1', ...out], /activation "swish": expected one of sigmoid, relu, tanh/);
  assertBadInput(['sweep', '--lr', '0.1,0.1', '--batch-size', '32,64', ...out], /argument '0\.1,0\.1' is invalid\. expected each value of lr once/);
  assertBadInput(['sweep', '--lr', '0.1,0.10', '--batch-size', '32,64', ...out], /expected each value of lr once, got 0\.1 and 0\.10, the same value/);
  assertBadInput(['sweep', '--vary', 'lr=0.1,1', '--lr', '0.5', '--batch-size', '32,64', ...out], /error: --vary lr and --lr both set lr: give one of them/);
  assertBadInput(['sweep', '--lr', '0.1,1', '--vary', 'lr=0.5,2', '--batch-size', '32,64', ...out], /error: --vary lr and --lr both set lr: give one of them/);
  assertBadInput(['sweep', '--vary', 'lr=0.1,1', '--vary', 'lr=0.5,2', '--batch-size', '32,64', ...out], /error: --vary lr given twice: give all its values in one/);
  assertBadInput(['sweep', '--lr', '0.1', '--lr', '1', '--batch-size', '32,64', ...out], /option '--lr <values>' argument '1' is invalid\. give --lr once, with all its values in one comma list/);
  assertBadInput(['sweep', '--arch', 'cnn', '--hidden', '16,64', '--lr', '0.1,1', ...out], /error: --hidden shapes the mlp only; --arch cnn has its own layers/);
  assertBadInput(['sweep', '--lr', '0.1,1', '--batch-size', '32,64', '--workers', '0', ...out], /option '--workers <n>' argument '0' is invalid\. expected a positive integer/);
  assertBadInput(['sweep', '--lr', '0.1,1', '--batch-size', '32,64', '--seed', '1,2', ...out], /option '--seed <n>' argument '1,2' is invalid/);
  assert.ok(!existsSync(join(tmp, 'bad')), 'nothing is written before the flags are good');
  // An error in a worker's run ends the sweep the same way: one line, exit 2.
  const missing = join(tmp, 'missing.csv');
  const workers = ['--lr', '0.1,1', '--batch-size', '32,64', '--workers', '2', '--quiet', ...out];
  assertBadInput(['sweep', '--train-csv', missing, '--test-csv', missing, ...workers], new RegExp(`error: ${missing.replace(/[.]/g, '\\.')}: file not found`));
  assertBadInput(['sweep', '--dataset', 'xor', '--arch', 'lenet5', ...workers], /error: --arch lenet5 takes one channel of 28 × 28 .*, the data has 2 features/);
});

test('sweep --help shows the list flags, the train flags and examples', () => {
  const r = runCli(['sweep', '--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const text of ['Settings to sweep', '--lr <values>', '--batch-size <values>', 'Train flags', '--subset <n>', '--workers <n>', '--reports', '$ scratchnet sweep --lr 0.03,0.1,0.3 --batch-size 16,64 --subset 10000 --epochs 2', '--dataset spiral --hidden 4,16,64 --activation relu,tanh']) {
    assert.ok(r.stdout.includes(text), text);
  }
});
