import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activations } from '../../src/layers/activations.js';
import { activationDerivativesSpec, activationsSpec } from '../../src/plot/activations.js';

type Panel = { title: string; layer: { data?: unknown; mark: { type: string }; encoding: { y: { scale?: { domain?: number[] } } } }[]; data: { values: { x: number; y: number; series: string }[] } };

test('the plotted curves are the layers’ own f and f′, on [-5, 5]', () => {
  const panels = (activationDerivativesSpec() as unknown as { concat: Panel[] }).concat;
  assert.equal(panels.length, 4);
  for (const panel of panels) {
    const name = Object.values(activations).find((fn) => panel.title.startsWith(`${fn.title} and`));
    assert.ok(name !== undefined, panel.title);
    const rows = panel.data.values;
    assert.equal(Math.min(...rows.map((r) => r.x)), -5);
    assert.equal(Math.max(...rows.map((r) => r.x)), 5);
    for (const r of rows) assert.equal(r.y, r.series === 'Derivative' ? name.der(r.x) : name.f(r.x));
  }
});

test("the tutorial's titles and y-limits", () => {
  const spec = activationsSpec() as unknown as { title: { text: string }; concat: Panel[] };
  assert.equal(spec.title.text, 'Common Activation Functions in Neural Networks');
  assert.deepEqual(spec.concat.map((p) => p.title), [
    'Sigmoid: σ(x) = 1 / (1 + e⁻ˣ)',
    'ReLU: f(x) = max(0, x)',
    'Tanh: f(x) = tanh(x)',
    'Leaky ReLU: f(x) = max(0.1x, x)',
  ]);
  const limits = spec.concat.map((p) => p.layer.find((l) => l.mark.type === 'line')?.encoding.y.scale?.domain);
  assert.deepEqual(limits, [[-0.1, 1.1], undefined, [-1.1, 1.1], undefined]);
  const derivativeLimits = (activationDerivativesSpec() as unknown as { concat: Panel[] }).concat.map((p) => p.layer.find((l) => l.mark.type === 'line')?.encoding.y.scale?.domain);
  assert.deepEqual(derivativeLimits, [[-0.1, 1.1], [-0.1, 1.1], [-1.1, 1.1], [-0.1, 1.1]]);
});
