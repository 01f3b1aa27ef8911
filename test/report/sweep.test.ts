import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSweepReport, sweepMetric, type SweepRun } from '../../src/report/sweep.js';

const axes = [{ setting: 'init', values: ['he', 'normal:0.01'] }, { setting: 'activation', values: ['relu', '<tanh>'] }] as const;
const run = (values: [string, string], valAccuracy: number[], testAccuracy: number): SweepRun => ({ name: `init=${values[0]},activation=${values[1]}`, values, trainLoss: [0.5, 0.25], valAccuracy, testAccuracy, seconds: 1.25 });
const runs = [run(['he', 'relu'], [0.9, 0.95], 0.94), run(['he', '<tanh>'], [0.97, 0.93], 0.92), run(['normal:0.01', 'relu'], [0.5, 0.6], 0.61), run(['normal:0.01', '<tanh>'], [0.8, 0.85], 0.84)];

test('a row per run: its values, final loss, best and final val accuracy, test accuracy, time and its folder; the best in bold', async () => {
  const { html, svg } = await buildSweepReport(axes, runs, 'four runs', { reports: true });
  assert.ok(html.includes('<th>init</th><th>activation</th><th>final train loss</th><th>best val accuracy</th>'));
  assert.ok(html.includes('<tr><td>he</td><td>&lt;tanh&gt;</td><td class="num">0.2500</td><td class="num"><strong>97.00 %</strong></td><td class="num">93.00 %</td><td class="num">92.00 %</td><td class="num">1.3 s</td>'));
  assert.equal((html.match(/<strong>/g) ?? []).length, 1, 'only the best cell is bold');
  // `./` first, so that init=normal:0.01,… is a path and not a URL scheme.
  assert.ok(html.includes('<a href="./init=normal:0.01,activation=relu/">init=normal:0.01,activation=relu/</a> · <a href="./init=normal:0.01,activation=relu/report.html">report</a>'));
  assert.ok(html.includes('<a href="./init=he,activation=%3Ctanh%3E/">init=he,activation=&lt;tanh&gt;/</a>'));
  assert.ok(!html.includes('<tanh>'));
  assert.ok(html.includes('>four runs</figcaption>'));
  assert.ok(svg.includes('97.00 %'));
});

test('without a validation set the cells show the test accuracy', async () => {
  const unvalidated = runs.map((r) => ({ ...r, valAccuracy: [NaN, NaN] }));
  const metric = sweepMetric(unvalidated);
  assert.equal(metric.key, 'testAccuracy');
  assert.deepEqual(unvalidated.map((r) => metric.of(r)), [0.94, 0.92, 0.61, 0.84]);
  const { html, svg } = await buildSweepReport(axes, unvalidated, 'no validation', { reports: false });
  assert.ok(svg.includes('Test Accuracy (no validation set)'));
  assert.ok(html.includes('<td class="num">–</td><td class="num">–</td><td class="num"><strong>94.00 %</strong></td>'));
  assert.ok(!html.includes('report.html'));
  assert.equal(sweepMetric(runs).of(runs[1]), 0.97);
});
