import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../../src/data/dataset.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { mlp } from '../../src/model/mlp.js';
import type { Sequential } from '../../src/model/sequential.js';
import { ARCHITECTURES, sequentialFromSpec } from '../../src/model/spec.js';
import { buildReport, reportContent, type ReportInput } from '../../src/report/report.js';
import { firstLayerHtml } from '../../src/report/conv-views.js';
import type { Dense } from '../../src/layers/dense.js';
import type { Tile } from '../../src/plot/tiles.js';
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

function input(model: Sequential = mlp({ hidden: [16], rng: 1 })): ReportInput {
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
    model,
    train: randomDigits(12, 1),
    test,
    seed: 3,
    imageUrl: (pixels) => `data:test,${pixels.length}`,
    tileUrl: (t) => `data:tile,${t.width}x${t.height}`,
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

test('eight charts; ten samples, ten predictions and the surest mistakes with probabilities summing to 1', () => {
  const content = reportContent(input());
  assert.deepEqual(content.charts.map((c) => c.id), [
    'activation-functions',
    'activation-derivatives',
    'mnist-samples',
    'relu-test',
    'training-history',
    'predictions',
    'mistakes',
    'confusion-matrix',
  ]);
  const predictions = content.charts[5].spec as unknown as { concat: unknown[] };
  assert.equal(predictions.concat.length, 10);
  const samples = content.charts[2].spec as unknown as { hconcat: { title: { text: string } }[] };
  assert.equal(samples.hconcat.length, 10);
  assert.ok(samples.hconcat.every((s) => /^Label: \d$/.test(s.title.text)));
  // Where it goes wrong: misclassified test images only, surest first.
  const worst = content.mistakes.map((m) => Math.max(...m.probabilities));
  assert.ok(content.mistakes.length > 0 && content.mistakes.length <= 10);
  assert.deepEqual(worst, [...worst].sort((a, b) => b - a));
  for (const m of content.mistakes) assert.notEqual(m.probabilities.indexOf(Math.max(...m.probabilities)), m.label);
  for (const m of content.mistakes) assert.ok(Math.abs(m.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
});

test('the page has the eleven sections in order, escapes user text, and links nothing outside', async () => {
  const { html, svgs } = await buildReport(input());
  const headings = [...html.matchAll(/<h2>(\d+)\. /g)].map((m) => Number(m[1]));
  assert.deepEqual(headings, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(svgs.size, 8);
  for (const id of svgs.keys()) assert.ok(html.includes(`data-chart="${id}"><svg`), `chart ${id} is inline`);
  assert.ok(html.includes('/data/&lt;mnist&gt;&amp;&quot;train&quot;.csv'), 'settings are HTML-escaped');
  assert.ok(!html.includes('<mnist>'));
  assert.ok(!/(src|href)="(https?:)?\/\//.test(html));
  assert.ok(!/<script/i.test(html));
  assert.match(html, /<table class="metrics" data-total="50" data-trace="\d+">/);
  // An MLP has no convolution: no filters, no feature maps; its first layer's 16 units are drawn as 28 × 28 pictures.
  assert.ok(!html.includes('id="filters"') && !html.includes('id="feature-maps"'));
  assert.match(html, /<h2>9\. What the first layer learnt<\/h2><figure class="filters" data-layer="0" data-units="16" data-templates="false">/);
  assert.equal([...html.matchAll(/<img class="tile" src="data:tile,28x28"/g)].length, 16);
  assert.match(html, /<tr><td>0<\/td><td>Dense \(784 → 16\)<\/td><td>\(batch, 16\)<\/td><td class="num">12,560<\/td><\/tr>/);
});

/** Sections' ids in page order with their numbers. */
const sectionIds = (html: string): string[] => [...html.matchAll(/<section id="([a-z-]+)" data-section="(\d+)"><h2>(\d+)\. /g)].map((m) => `${m[2]}=${m[3]}:${m[1]}`);

/** The HTML of one feature-map figure (input or layer i). */
const mapsFigure = (html: string, layer: string): string => {
  const start = html.indexOf(`<figure class="maps-layer" data-layer="${layer}"`);
  assert.ok(start >= 0, `a feature-map figure for layer ${layer}`);
  return html.slice(start, html.indexOf('</figure>', start));
};

test('a CNN’s report adds its first filters and the feature maps of two test digits, numbered in order', async () => {
  const model = sequentialFromSpec(ARCHITECTURES.cnn, [1, 28, 28], new Rng(5));
  const i = input(model);
  const { html } = await buildReport(i);
  assert.deepEqual(sectionIds(html), [
    '1=1:activation-functions',
    '2=2:activation-derivatives',
    '3=3:matrix-operations',
    '4=4:mnist-samples',
    '5=5:relu-test',
    '6=6:training-history',
    '7=7:predictions',
    '8=8:mistakes',
    '9=9:filters',
    '10=10:feature-maps',
    '11=11:confusion-matrix',
    '12=12:network',
  ]);
  // 16 filters of 3 × 3 on one input channel: one tile each, numbered 0 … 15.
  const filters = html.slice(html.indexOf('<figure class="filters"'), html.indexOf('</figure>', html.indexOf('<figure class="filters"')));
  assert.match(filters, /data-layer="0" data-filters="16"/);
  assert.equal([...filters.matchAll(/<img class="tile" src="data:tile,3x3" width="63" height="63"/g)].length, 16);
  assert.deepEqual([...filters.matchAll(/data-filter="(\d+)"/g)].map((m) => Number(m[1])), Array.from({ length: 16 }, (_, k) => k));
  assert.match(filters, /The 16 filters of layer 0, Conv2D \(1 → 16, 3×3, padding 1\): each is a 3 × 3 grid/);
  // Each conv and pool layer: its title, its output shape, and one tile per channel for each of the two digits.
  const expected: [string, string, number, number][] = [
    ['0', 'Conv2D (1 → 16, 3×3, padding 1)', 16, 28],
    ['2', 'MaxPool2D (2×2)', 16, 14],
    ['3', 'Conv2D (16 → 32, 3×3, padding 1)', 32, 14],
    ['5', 'MaxPool2D (2×2)', 32, 7],
  ];
  for (const [layer, title, channels, size] of expected) {
    const figure = mapsFigure(html, layer);
    assert.ok(figure.includes(`<strong>Layer ${layer}: ${title}</strong> → (batch, ${channels}, ${size}, ${size}): ${channels} channels of ${size} × ${size}`), `layer ${layer}'s caption`);
    for (const digit of [0, 1]) {
      const grid = figure.slice(figure.indexOf(`data-digit="${digit}"`));
      const tiles = grid.slice(0, grid.indexOf('</div>'));
      assert.equal([...tiles.matchAll(new RegExp(`<img class="tile" src="data:tile,${size}x${size}"`, 'g'))].length, channels, `layer ${layer}, digit ${digit}`);
    }
  }
  assert.deepEqual([...html.matchAll(/<figure class="maps-layer" data-layer="(\w+)"/g)].map((m) => m[1]), ['input', '0', '2', '3', '5']);
  assert.equal([...mapsFigure(html, 'input').matchAll(/data:tile,28x28/g)].length, 2);
  // Every layer of the network summary, as Sequential.summary({shapes: true}) prints it, is a row of the table.
  for (const line of model.summary({ shapes: true })) {
    const m = /^Layer (\d+): (.+?)\s+→ \[batch, ([\d, ]+)\]\s+([\d,]+) params$/.exec(line);
    assert.ok(m, line);
    assert.ok(html.includes(`<tr><td>${m[1]}</td><td>${m[2].replace(' -> ', ' → ')}</td><td>(batch, ${m[3]})</td><td class="num">${m[4]}</td></tr>`), line);
  }
  assert.ok(html.includes('<td>(batch, 16, 14, 14)</td>'));
  assert.ok(!/<script/i.test(html));
});

test('a CNN run\'s settings table leaves out the MLP-only settings; one epoch is "1 epoch"', async () => {
  const i = input(sequentialFromSpec(ARCHITECTURES.lenet5, [1, 28, 28], new Rng(5)));
  i.history = { ...i.history, epochs: 1, settings: { ...i.history.settings, arch: 'lenet5', activation: 'relu', dropout: 0, batchNorm: false } };
  const { html } = await buildReport(i);
  for (const key of ['hidden', 'activation', 'dropout', 'batchNorm']) assert.ok(!html.includes(`<th>${key}</th>`), key);
  assert.ok(html.includes('<th>arch</th><td>lenet5</td>'));
  assert.match(html, /· 1 epoch ·/);
  const mlpHtml = (await buildReport(input())).html;
  assert.ok(mlpHtml.includes('<th>hidden</th><td>16</td>'), 'the MLP keeps its hidden sizes');
});

test('feature maps are of the first predicted test digit and the next of another label, on one scale per layer', () => {
  const model = sequentialFromSpec(ARCHITECTURES.cnn, [1, 28, 28], new Rng(6));
  // Filter 0 passes the image through (its centre weight 1), every other filter and bias is 0:
  // the first layer's only non-zero channel is the input itself.
  const conv = model.layers[0] as Conv2D;
  conv.weight.value.fill(0);
  conv.weight.value[4] = 1;
  conv.bias.value.fill(0);
  const i = input(model);
  // The second of the ten random test images has the first one's label: the report skips it for one that differs.
  const picks = new Rng(i.seed).permutation(i.test.count);
  i.test.y[picks[1]] = i.test.y[picks[0]];
  const content = reportContent(i);
  const views = content.conv;
  assert.ok(views !== null);
  const [a, b] = views.digits;
  assert.equal(a.index, picks[0]);
  const next = Array.from(picks.subarray(1)).find((k) => i.test.y[k] !== i.test.y[picks[0]]);
  assert.equal(b.index, next);
  assert.notEqual(a.label, b.label);
  const pixels = (k: number) => i.test.x.subarray(k * 784, (k + 1) * 784);
  // Values are pixels / 255 ≥ 0, so the layer is drawn grey with max = the brightest pixel of the two digits (255 → 1):
  // each byte of channel 0's tile is the digit's own byte again, and every other channel is black.
  const [conv0, pool0] = views.layers;
  const brightest = Math.max(...pixels(a.index), ...pixels(b.index)) / 255;
  assert.deepEqual(conv0.scale, { kind: 'grey', max: Math.fround(brightest) });
  const red = (t: { rgb: Uint8Array }) => Array.from(t.rgb.filter((_, j) => j % 3 === 0));
  const expectedBytes = (k: number) => Array.from(pixels(k), (v) => Math.round((255 * Math.fround(v / 255)) / Math.fround(brightest)));
  assert.deepEqual(red(conv0.tiles[0][0]), expectedBytes(a.index));
  assert.deepEqual(red(conv0.tiles[1][0]), expectedBytes(b.index));
  assert.ok(conv0.tiles[0].slice(1).every((t) => t.rgb.every((v) => v === 0)));
  // The input tiles are the digits at black 0, white 1.
  assert.deepEqual(red(a.input[0]), Array.from(pixels(a.index), (v) => Math.round(255 * Math.fround(v / 255))));
  // 2 × 2 max pooling of the ReLU: pixel (0, 0) of channel 0 is the brightest of the digit's top-left 2 × 2.
  const image = pixels(a.index);
  const top = Math.max(image[0], image[1], image[28], image[29]) / 255;
  assert.equal(red(pool0.tiles[0][0])[0], Math.round((255 * Math.fround(top)) / pool0.scale.max));
});

test('LeNet-5: 6 filters of 5 × 5, and maps of 6 × 24 × 24, 6 × 12 × 12, 16 × 8 × 8 and 16 × 4 × 4', () => {
  const views = reportContent(input(sequentialFromSpec(ARCHITECTURES.lenet5, [1, 28, 28], new Rng(7)))).conv;
  assert.ok(views !== null);
  assert.equal(views.filters.items.length, 6);
  assert.ok(views.filters.items.every((f) => f.tiles.length === 1 && f.tiles[0].width === 5 && f.tiles[0].height === 5));
  assert.deepEqual(views.layers.map((l) => [l.index, ...l.shape]), [[0, 6, 24, 24], [2, 6, 12, 12], [3, 16, 8, 8], [5, 16, 4, 4]]);
  assert.ok(views.layers.every((l) => l.tiles.length === 2 && l.tiles.every((row) => row.length === l.shape[0])));
  assert.deepEqual(views.layers.map((l) => l.title), ['Conv2D (1 → 6, 5×5)', 'MaxPool2D (2×2)', 'Conv2D (6 → 16, 5×5)', 'MaxPool2D (2×2)']);
});

test('what the weights learnt: softmax regression draws one template per class from W’s columns; an MLP its first units', async () => {
  const model = mlp({ hidden: [], rng: 4 });
  const dense = model.layers[0] as Dense;
  // Template 3 is +1 on pixel 0 and −2 on pixel 783: its tile is red at the top left, blue at the bottom right.
  dense.weight.value.fill(0);
  dense.weight.value[0 * 10 + 3] = 1;
  dense.weight.value[783 * 10 + 3] = -2;
  const urls: Tile[] = [];
  const i = { ...input(model), tileUrl: (t: Tile) => (urls.push(t), `data:tile,${t.width}x${t.height}`) };
  i.test = { ...i.test, classes: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] };
  const { html } = await buildReport(i);
  assert.match(html, /<h2>\d+\. What the weights learnt: a template per class<\/h2><figure class="filters" data-layer="0" data-units="10" data-templates="true">/);
  assert.ok(html.includes('<span>three</span>'), 'templates are named by class');
  const three = urls[3];
  // On the template's own scale (± its largest |weight| = 2): pixel 0 is +1/2 of the way to red, pixel 783 full blue, the rest white.
  assert.ok(three.rgb[0] > three.rgb[2], 'pixel 0 leans red');
  assert.ok(three.rgb[783 * 3 + 2] > three.rgb[783 * 3], 'pixel 783 is blue');
  assert.deepEqual(Array.from(three.rgb.subarray(3, 6)), [255, 255, 255]);
  // A CNN's first layer is a convolution: its filters have their own section.
  const cnn = sequentialFromSpec(ARCHITECTURES.cnn, [1, 28, 28], new Rng(5));
  assert.equal(firstLayerHtml(cnn, [1, 28, 28], () => ''), null);
});
