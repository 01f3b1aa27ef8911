import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCompareReport } from '../../src/report/compare.js';
import { compareSpec } from '../../src/plot/compare.js';

const runs = [
  { name: 'sgd', settings: 'sgd (lr 0.1)', trainLoss: [0.5, 0.3], valAccuracy: [0.9, 0.93], testAccuracy: 0.931, seconds: 2 },
  { name: '<adam>', settings: 'adam (lr 0.001)', trainLoss: [0.4, 0.2], valAccuracy: [0.92, 0.91], testAccuracy: 0.925, seconds: 3 },
];

test('the chart puts every run on shared axes, one colour each', () => {
  const spec = compareSpec(runs) as unknown as { data: { values: { run: string; epoch: number }[] }; hconcat: unknown[] };
  assert.equal(spec.hconcat.length, 2);
  assert.deepEqual(spec.data.values.map((v) => `${v.run}@${v.epoch}`), ['sgd@1', 'sgd@2', '<adam>@1', '<adam>@2']);
});

test('the page has the curves and a row per run with best and final accuracies, escaped', async () => {
  const { html } = await buildCompareReport(runs, 'two runs');
  assert.match(html, /<td>sgd<\/td><td>sgd \(lr 0\.1\)<\/td><td class="num">0\.3000<\/td><td class="num">93\.00 %<\/td><td class="num">93\.00 %<\/td><td class="num"><strong>93\.10 %<\/strong>/);
  assert.match(html, /<td>&lt;adam&gt;<\/td>.*<td class="num">92\.00 %<\/td><td class="num">91\.00 %<\/td>/);
  assert.ok(!html.includes('<adam>'));
});
