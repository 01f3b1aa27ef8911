import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dense } from '../../src/layers/dense.js';
import { boundaryEpochs, boundarySnapshot, decisionGrid, extentOf, gridCentres, snapshotGrid } from '../../src/metrics/decision-grid.js';
import { Sequential } from '../../src/model/sequential.js';
import { Rng } from '../../src/rng.js';
import type { Dataset } from '../../src/data/dataset.js';

/** Logits (0, 2·x1): class 1 where x1 > 0, with p = σ(2·x1). */
function halfPlane(): Sequential {
  const dense = new Dense(2, 2, { rng: new Rng(1) });
  dense.weight.value.set([0, 2, 0, 0]); // W is [inputs, outputs]: x1 → logit 1
  dense.bias.value.fill(0);
  return new Sequential([dense], 2);
}

test('decisionGrid: cell centres row by row from the top; the class and probability of each, worked by hand', () => {
  const grid = decisionGrid(halfPlane(), [-1, 1, -1, 1], 4);
  // Centres at x1 = −0.75, −0.25, 0.25, 0.75 in every row: classes 0 0 1 1, p = σ(1.5), σ(0.5), σ(0.5), σ(1.5).
  const s = (z: number): number => 1 / (1 + Math.exp(-z));
  for (let r = 0; r < 4; r++) {
    assert.deepEqual(Array.from(grid.classes.subarray(4 * r, 4 * r + 4)), [0, 0, 1, 1]);
    const p = Array.from(grid.confidence.subarray(4 * r, 4 * r + 4));
    [s(1.5), s(0.5), s(0.5), s(1.5)].forEach((e, c) => assert.ok(Math.abs(p[c] - e) < 1e-6, `row ${r} col ${c}: ${p[c]} vs ${e}`));
  }
  // The top row is the largest x2: a boundary along x2 = 0.4 puts class 1 in the first row only.
  const dense = new Dense(2, 2, { rng: new Rng(1) });
  dense.weight.value.set([0, 0, 0, 1]);
  dense.bias.value.set([0, -0.4]);
  const rows = decisionGrid(new Sequential([dense], 2), [-1, 1, -1, 1], 4);
  assert.deepEqual(Array.from(rows.classes), [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => decisionGrid(new Sequential([new Dense(3, 2)], 3), [-1, 1, -1, 1]), /a decision grid needs a model of 2 inputs, got 3/);
});

test('gridCentres: (x1, x2) of each cell centre, row 0 at the top (the largest x2), worked by hand', () => {
  // A 2 × 2 grid over [0, 4] × [10, 12]: cells 2 wide and 1 high, centres at x1 = 1, 3 and x2 = 11.5 (top), 10.5.
  assert.deepEqual(Array.from(gridCentres([0, 4, 10, 12], 2)), [1, 11.5, 3, 11.5, 1, 10.5, 3, 10.5]);
  assert.equal(gridCentres([-1, 1, -1, 1], 24).length, 2 * 24 * 24);
  assert.throws(() => gridCentres([-1, 1, -1, 1], 1), /decision grid: expected a size from 2 to 1000, got 1/);
});

test('a snapshot keeps classes exactly and probabilities to 1/35, and a damaged one is refused', () => {
  const grid = decisionGrid(halfPlane(), [-1, 1, -1, 1], 6);
  const snap = boundarySnapshot(grid, 3);
  assert.equal(snap.classes.length, 36);
  const back = snapshotGrid({ extent: grid.extent, size: 6, snapshots: [snap] }, snap);
  assert.deepEqual(back.classes, grid.classes);
  back.confidence.forEach((p, i) => assert.ok(Math.abs(p - grid.confidence[i]) <= 0.5 / 35 + 1e-7));
  assert.throws(() => snapshotGrid({ extent: grid.extent, size: 6, snapshots: [] }, { ...snap, classes: snap.classes.slice(1) }), /boundary snapshot of epoch 3: expected 36 cells as base-36 digits/);
  assert.throws(() => snapshotGrid({ extent: grid.extent, size: 6, snapshots: [] }, { ...snap, confidence: `#${snap.confidence.slice(1)}` }), /expected 36 cells/);
});

test('extentOf is the points’ box widened by a tenth on each side; boundaryEpochs picks first, a tenth, three tenths, last', () => {
  const set: Dataset = { x: new Uint8Array(0), values: Float32Array.from([0, 1, 2, 5, 1, 3]), y: new Uint8Array(3), count: 3, features: 2 };
  // x1 in [0, 2], x2 in [1, 5]: padded by 0.2 and 0.4.
  extentOf([set]).forEach((v, i) => assert.ok(Math.abs(v - [-0.2, 2.2, 0.6, 5.4][i]) < 1e-9, `${i}: ${v}`));
  assert.deepEqual(boundaryEpochs(100), [1, 10, 30, 100]);
  assert.deepEqual(boundaryEpochs(5), [1, 2, 5]);
  assert.deepEqual(boundaryEpochs(1), [1]);
});
