import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLr, lrFindSpec } from '../../src/plot/lr-find.js';
import { renderSvg } from '../../src/plot/render.js';
import { smoothLosses, suggestLr, sweepLr } from '../../src/train/lr-find.js';

/** A made-up range test: flat, then falling, then blowing up to 10⁶ in its last step. */
function curve() {
  const steps = 60;
  const lrs = Array.from({ length: steps }, (_, i) => sweepLr(1e-5, 10, steps, i));
  const losses = lrs.map((lr, i) => (i === steps - 1 ? 1e6 : 2.3 - 1.8 / (1 + Math.pow(1e-2 / lr, 2)) + (lr > 1 ? 40 * (lr - 1) : 0) + 0.05 * Math.sin(i)));
  const smoothed = smoothLosses(losses, 0.9);
  return { lrs, losses, smoothed, ...suggestLr(lrs, smoothed, 6) };
}

/** Every coordinate of the SVG's line paths. */
function pathNumbers(svg: string): number[] {
  const paths = [...svg.matchAll(/aria-roledescription="line mark" d="([^"]*)"/g)].map((m) => m[1]);
  assert.ok(paths.length >= 2, 'the batch loss and the smoothed loss');
  return paths.flatMap((d) => (d.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number));
}

test('the range-test chart labels its axes, the suggestion and the minimum, and keeps the blow-up inside the chart', async () => {
  const result = curve();
  assert.ok(Number.isFinite(result.suggestedLr));
  const svg = await renderSvg(lrFindSpec(result));
  for (const text of ['Learning-Rate Range Test', 'Learning rate (log scale)', 'Loss', 'batch loss', 'smoothed loss', `suggested lr ${formatLr(result.suggestedLr)}`, `minimum at ${formatLr(result.minLossLr)}`, '1e-5', '0.01', '10']) {
    assert.ok(svg.includes(`>${text}<`), text);
  }
  // The last loss (10⁶) is drawn at a ceiling just above the axis: a path reaching millions of pixels is
  // dropped whole by resvg (the PNG renderer), losing the batch-loss line.
  const coordinates = pathNumbers(svg);
  assert.ok(Math.max(...coordinates.map(Math.abs)) < 2000, `largest coordinate ${Math.max(...coordinates.map(Math.abs))}`);
});

test('without a suggestion the chart has no rule or label for it, and an empty result still renders', async () => {
  const lrs = [1e-3, 1e-2, 1e-1];
  const svg = await renderSvg(lrFindSpec({ lrs, losses: [1, 2, 3], smoothed: [1, 2, 3], ...suggestLr(lrs, [1, 2, 3]) }));
  assert.ok(!svg.includes('suggested lr'));
  assert.ok(svg.includes('>minimum at 0.001<'));
  const empty = await renderSvg(lrFindSpec({ lrs: [], losses: [], smoothed: [], suggestedLr: NaN, minLossLr: NaN }));
  assert.match(empty, /^<svg/);
});

test('formatLr gives two significant digits, usable as a --lr value', () => {
  assert.equal(formatLr(0.018896), '0.019');
  assert.equal(formatLr(3.16e-7), '3.2e-7');
  assert.equal(formatLr(2), '2');
  assert.equal(formatLr(NaN), '–');
});
