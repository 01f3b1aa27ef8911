import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/rng.js';
import { addBias, sumColumns, argmaxRows, axpy, scale } from '../../src/kernels/elementwise.js';
import { addBiasRef, sumColumnsRef } from '../../src/kernels/reference.js';

const SIZES = [1, 3, 4, 17, 33, 784];

test('addBias: hand-checked [1 2 3; 4 5 6] + [10 20 30]', () => {
  const out = new Float32Array([1, 2, 3, 4, 5, 6]);
  assert.equal(addBias(out, new Float32Array([10, 20, 30]), 2, 3), out);
  assert.deepEqual(Array.from(out), [11, 22, 33, 14, 25, 36]);
});

test('addBias matches addBiasRef for rows, cols in {1, 3, 4, 17, 33, 784}', () => {
  const rng = new Rng(11);
  for (const rows of SIZES) for (const cols of SIZES) {
    const x = Float32Array.from({ length: rows * cols + 2 }, () => rng.normal());
    const bias = Float32Array.from({ length: cols }, () => rng.normal());
    const got = addBias(x.slice(), bias, rows, cols);
    // Same one float32 addition per element, so the results are identical,
    // including the two values past rows·cols, which neither may touch.
    assert.deepEqual(got, addBiasRef(x.slice(), bias, rows, cols), `${rows}×${cols}`);
    assert.deepEqual(Array.from(got.subarray(rows * cols)), Array.from(x.subarray(rows * cols)), `${rows}×${cols}: wrote past the end`);
  }
});

test('sumColumns: hand-checked column sums of [1 2 3; 4 5 6] are [5 7 9]', () => {
  const out = new Float32Array(3).fill(NaN);
  assert.equal(sumColumns(out, new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3), out);
  assert.deepEqual(Array.from(out), [5, 7, 9]);
  assert.deepEqual(Array.from(sumColumnsRef(new Float32Array(3).fill(NaN), new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3)), [5, 7, 9]);
});

test('sumColumns matches sumColumnsRef for rows, cols in {1, 3, 4, 17, 33, 784}', () => {
  const rng = new Rng(12);
  for (const rows of SIZES) for (const cols of SIZES) {
    const a = Float32Array.from({ length: rows * cols }, () => rng.normal());
    const want = sumColumnsRef(new Float32Array(cols), a, rows, cols);
    // Tolerance scaled by Σ_r |a| (sums of normals can cancel to ~0, where a
    // tolerance relative to the sum itself would be meaningless).
    const scale = sumColumnsRef(new Float32Array(cols), a.map(Math.abs), rows, cols);
    const out = new Float32Array(cols + 1).fill(NaN).fill(12345, cols); // garbage in, sentinel after
    assert.equal(sumColumns(out, a, rows, cols), out);
    for (let c = 0; c < cols; c++) {
      if (!(Math.abs(out[c] - want[c]) <= 1e-5 * scale[c])) {
        assert.fail(`sumColumns ${rows}×${cols}: out[${c}] = ${out[c]}, reference ${want[c]}`);
      }
    }
    assert.equal(out[cols], 12345, `sumColumns ${rows}×${cols}: wrote past cols`);
  }
});

test('argmaxRows: hand-checked rows, ties go to the first index', () => {
  const a = new Float32Array([
    0.1, 0.7, 0.2,
    3, -1, 3, // tie between 0 and 2
    -5, -2, -2, // tie between 1 and 2, all negative
    0, 0, 0, // all equal
  ]);
  for (const out of [new Uint8Array(4), new Uint16Array(4), new Uint32Array(4), new Int32Array(4)]) {
    out.fill(99);
    assert.equal(argmaxRows(out, a, 4, 3), out);
    assert.deepEqual(Array.from(out), [1, 0, 1, 0], out.constructor.name);
  }
});

test('argmaxRows: a single column gives 0; the max in the last column is found', () => {
  assert.deepEqual(Array.from(argmaxRows(new Uint8Array(3).fill(7), new Float32Array([5, -1, 2]), 3, 1)), [0, 0, 0]);
  assert.deepEqual(Array.from(argmaxRows(new Int32Array(2), new Float32Array([1, 2, 3, 4, -4, -3, -2, -1]), 2, 4)), [3, 3]);
});

test('argmaxRows matches indexOf(max) on random rows of 10 and 784 columns', () => {
  const rng = new Rng(13);
  for (const [rows, cols] of [[33, 10], [5, 784]]) {
    // Rounded to small integers so that ties actually happen.
    const a = Float32Array.from({ length: rows * cols }, () => Math.round(rng.normal() * 2));
    const out = argmaxRows(new Uint16Array(rows), a, rows, cols);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(a.subarray(r * cols, (r + 1) * cols));
      assert.equal(out[r], row.indexOf(Math.max(...row)), `row ${r} of ${rows}×${cols}`);
    }
  }
});

test('axpy: y += alpha·x in place; scale: out = s·a', () => {
  const y = new Float32Array([1, 2, 3]);
  assert.equal(axpy(y, -0.5, new Float32Array([2, 4, -6])), y);
  assert.deepEqual(Array.from(y), [0, 0, 6]);
  const out = new Float32Array(3).fill(NaN);
  assert.deepEqual(Array.from(scale(out, new Float32Array([1, -2, 0.5]), 4)), [4, -8, 2]);
  assert.deepEqual(Array.from(scale(y, y, 0.5)), [0, 0, 3]);
});
