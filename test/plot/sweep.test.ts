import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSvg } from '../../src/plot/render.js';
import { sweepSpec, type HeatCell, type SweepAxis } from '../../src/plot/sweep.js';

const axes: [SweepAxis, SweepAxis] = [
  { setting: 'lr', values: ['1', '0.1', '0.01'] },
  { setting: 'batch-size', values: ['128', '32'] },
];
/** The grid's cells, first axis outermost, with `values` in that order. */
const grid = (values: number[]): HeatCell[] =>
  axes[0].values.flatMap((a, i) => axes[1].values.map((b, j) => ({ at: [a, b] as const, value: values[2 * i + j], label: Number.isNaN(values[2 * i + j]) ? '–' : `${(100 * values[2 * i + j]).toFixed(2)} %` })));

interface Spec {
  title: string | { text: string; subtitle: string };
  data: { values: { x: string; y: string; value: number | null; label: string; ink: string }[] };
  encoding: { x: { sort: string[]; title: string }; y: { sort: string[]; title: string } };
  layer: { encoding?: { color?: { scale?: { domain?: number[] } } } }[];
}

test('one cell per run at its two values, the axes in the order given, each labelled with its figure', async () => {
  const values = [0.11, 0.9, 0.93, 0.955, 0.962, 0.97];
  const spec = sweepSpec(axes, grid(values), { title: 'Best Validation Accuracy', legend: 'best val accuracy' }) as unknown as Spec;
  assert.deepEqual(spec.encoding.x.sort, ['1', '0.1', '0.01']);
  assert.deepEqual(spec.encoding.y.sort, ['128', '32']);
  assert.equal(spec.encoding.x.title, 'lr');
  assert.equal(spec.encoding.y.title, 'batch-size');
  assert.deepEqual(spec.data.values.map((r) => `${r.x}/${r.y}=${r.value}`), ['1/128=0.11', '1/32=0.9', '0.1/128=0.93', '0.1/32=0.955', '0.01/128=0.962', '0.01/32=0.97']);
  const svg = await renderSvg(spec as never);
  for (const text of ['Best Validation Accuracy', 'best val accuracy', '11.00 %', '97.00 %', '>lr<', '>batch-size<', '>0.01<', '>128<']) assert.ok(svg.includes(text), text);
  // The first axis across: its values' labels run left to right in the order given.
  const xs = ['1', '0.1', '0.01'].map((v) => Number(new RegExp(`translate\\(([\\d.]+),[\\d.]+\\)"[^>]*>${v.replace('.', '\\.')}</text>`).exec(svg)?.[1] ?? NaN));
  assert.ok(xs[0] < xs[1] && xs[1] < xs[2], `x positions ${xs}`);
});

test('a run far below the rest takes the darkest colour without flattening the others; close figures span the whole scale', () => {
  const diverged = sweepSpec(axes, grid([0.11, 0.9, 0.93, 0.955, 0.962, 0.97]), { title: 'T', legend: 'l' }) as unknown as Spec;
  const [low, high] = diverged.layer[1].encoding?.color?.scale?.domain ?? [];
  assert.ok(low > 0.8 && low < 0.9, `floor ${low}`);
  assert.equal(high, 0.97);
  assert.match((diverged.title as { subtitle: string }).subtitle, /^the darkest colour: 8\d\.\d % or less$/);
  // White on the dark (low) cells, black on the light (high) ones.
  assert.deepEqual(diverged.data.values.map((r) => r.ink), ['white', 'white', '#111111', '#111111', '#111111', '#111111']);
  const close = sweepSpec(axes, grid([0.9, 0.91, 0.92, 0.93, 0.94, 0.95]), { title: 'T', legend: 'l' }) as unknown as Spec;
  assert.deepEqual(close.layer[1].encoding?.color?.scale?.domain, [0.9, 0.95]);
  assert.equal(close.title, 'T');
});

test('a cell without a figure stays grey and reads –; equal figures still render', async () => {
  const spec = sweepSpec(axes, grid([0.5, NaN, 0.7, 0.8, 0.9, 0.95]), { title: 'T', legend: 'l' }) as unknown as Spec;
  assert.equal(spec.data.values[1].value, null);
  assert.equal(spec.data.values[1].ink, '#555555');
  const svg = await renderSvg(spec as never);
  assert.ok(svg.includes('>–<'));
  assert.equal((svg.match(/aria-label="lr: [^"]*; l: /g) ?? []).length, 5, 'five coloured cells');
  const flat = await renderSvg(sweepSpec(axes, grid([1, 1, 1, 1, 1, 1]), { title: 'T', legend: 'l' }));
  assert.equal((flat.match(/>100\.00 %</g) ?? []).length, 6);
});
