import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSvg } from '../../src/plot/render.js';
import { historySpec } from '../../src/plot/history.js';
import { confusionSpec } from '../../src/plot/confusion.js';
import { reluTest, reluTestSpec } from '../../src/plot/relu-test.js';
import { confusionMatrix } from '../../src/metrics/confusion.js';

test('renderSvg draws a spec to standalone SVG with its titles and axis labels', async () => {
  const svg = await renderSvg(historySpec({ batchLoss: [2.3, 1.5, 1.1, 0.9, 0.8, 0.7, 0.6, 0.6, 0.5, 0.5, 0.4, 0.4], valAccuracy: [0.8, 0.9] }));
  assert.match(svg, /^<svg[^>]* width="\d+" height="\d+" viewBox=/);
  for (const text of ['Training Loss', 'Validation Accuracy', 'Batch', 'Loss', 'Epoch', 'Accuracy']) assert.ok(svg.includes(`>${text}<`), text);
  assert.ok(!/https?:\/\/(?!www\.w3\.org)/.test(svg), 'no URL but the SVG namespaces');
});

test('the confusion chart shows every count', async () => {
  const svg = await renderSvg(confusionSpec(confusionMatrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 1], 3)));
  // Row-major (truth, prediction): (0,0)=1 (1,1)=1 (2,1)=1 (1,2)=1 (2,2)=2, zeros elsewhere.
  const group = /<g class="mark-text role-mark[^"]*"[^>]*>(.*?)<\/g>/.exec(svg);
  assert.ok(group !== null, 'a text mark layer');
  const cells = [...group[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(cells, ['1', '0', '0', '0', '1', '1', '0', '1', '2']);
  for (const label of ['Predicted label', 'True label', '6 test images']) assert.ok(svg.includes(label), label);
});

test("the ReLU test plot uses the ReLU layer's real outputs", () => {
  const r = reluTest();
  assert.deepEqual(r.output, [0, 0, 0, 1, 2]);
  assert.deepEqual(r.gradInput, [0, 0, 0, 1, 1]);
  const spec = reluTestSpec() as unknown as { hconcat: { title: string }[] };
  assert.deepEqual(spec.hconcat.map((p) => p.title), ['ReLU Forward Pass', 'ReLU Backward Pass']);
});
