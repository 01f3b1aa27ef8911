import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../../src/data/dataset.js';
import { mlp } from '../../src/model/mlp.js';
import { buildReport, reportContent, type ReportInput } from '../../src/report/report.js';
import { Rng } from '../../src/rng.js';
import { evaluate } from '../../src/train/evaluate.js';

function randomDigits(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  return {
    x: Uint8Array.from({ length: count * 784 }, () => rng.int(256)),
    y: Uint8Array.from({ length: count }, () => rng.int(10)),
    count,
    features: 784,
  };
}

function input(): ReportInput {
  const test = randomDigits(50, 2);
  return {
    history: {
      settings: { seed: 3, data: { kind: 'csv', trainCsv: '/data/<mnist>&"train".csv' }, hidden: [16] },
      epochs: 2,
      batchLoss: [2.3, 2.1, 1.9, 1.8],
      trainLoss: [2.2, 1.85],
      valAccuracy: [0.4, 0.5],
      testAccuracy: 0.5,
      seconds: 1.5,
      imagesPerSecond: 1000,
    },
    model: mlp({ hidden: [16], rng: 1 }),
    train: randomDigits(12, 1),
    test,
    seed: 3,
    imageUrl: (pixels) => `data:test,${pixels.length}`,
  };
}

test('the confusion matrix covers the whole test set and its trace is the accuracy', () => {
  const i = input();
  const content = reportContent(i);
  const k = content.confusion.classes;
  assert.equal(content.metrics.total, i.test.count);
  let trace = 0;
  for (let c = 0; c < k; c++) trace += content.confusion.counts[c * k + c];
  assert.equal(trace / i.test.count, evaluate(i.model, i.test).accuracy);
  assert.equal(content.metrics.accuracy, trace / i.test.count);
});

test('seven charts; ten samples and ten predictions with probabilities summing to 1', () => {
  const content = reportContent(input());
  assert.deepEqual(content.charts.map((c) => c.id), [
    'activation-functions',
    'activation-derivatives',
    'mnist-samples',
    'relu-test',
    'training-history',
    'predictions',
    'confusion-matrix',
  ]);
  const predictions = content.charts[5].spec as unknown as { concat: unknown[] };
  assert.equal(predictions.concat.length, 10);
  const samples = content.charts[2].spec as unknown as { hconcat: { title: { text: string } }[] };
  assert.equal(samples.hconcat.length, 10);
  assert.ok(samples.hconcat.every((s) => /^Label: \d$/.test(s.title.text)));
});

test('the page has the nine sections in order, escapes user text, and links nothing outside', async () => {
  const { html, svgs } = await buildReport(input());
  const headings = [...html.matchAll(/<h2>(\d)\. /g)].map((m) => Number(m[1]));
  assert.deepEqual(headings, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(svgs.size, 7);
  for (const id of svgs.keys()) assert.ok(html.includes(`data-chart="${id}"><svg`), `chart ${id} is inline`);
  assert.ok(html.includes('/data/&lt;mnist&gt;&amp;&quot;train&quot;.csv'), 'settings are HTML-escaped');
  assert.ok(!html.includes('<mnist>'));
  assert.ok(!/(src|href)="(https?:)?\/\//.test(html));
  assert.ok(!/<script/i.test(html));
  assert.match(html, /<table class="metrics" data-total="50" data-trace="\d+">/);
});
