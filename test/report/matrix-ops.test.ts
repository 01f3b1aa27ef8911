import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMatrixOperationsDemo, matrixOperationsDemo } from '../../src/report/matrix-ops.js';

test("the walkthrough has the tutorial's matrices and shapes", () => {
  const demo = matrixOperationsDemo();
  assert.deepEqual(
    demo.steps.map((s) => `${s.name} ${s.shape.join('x')}`),
    ['X 3x4', 'W1 4x5', 'b1 5', 'Z1 3x5', 'A1 3x5', 'W2 5x2', 'b2 2', 'Z2 3x2', 'A2 3x2'],
  );
});

test('each step follows from the previous ones (recomputed in float64)', () => {
  const m = Object.fromEntries(matrixOperationsDemo(7).steps.map((s) => [s.name, s.values]));
  const matmulAdd = (a: number[][], w: number[][], b: number[]) => a.map((row) => b.map((bj, j) => row.reduce((s, v, k) => s + v * w[k][j], bj)));
  const close = (x: number[][], y: number[][], tol = 1e-6) => x.forEach((r, i) => r.forEach((v, j) => assert.ok(Math.abs(v - y[i][j]) < tol, `${v} vs ${y[i][j]}`)));
  close(m.Z1, matmulAdd(m.X, m.W1, m.b1[0]));
  close(m.A1, m.Z1.map((r) => r.map((v) => Math.max(0, v))));
  close(m.Z2, matmulAdd(m.A1, m.W2, m.b2[0]));
  const softmax = m.Z2.map((r) => {
    const e = r.map((v) => Math.exp(v - Math.max(...r)));
    return e.map((v) => v / e.reduce((a, b) => a + b, 0));
  });
  close(m.A2, softmax);
  assert.ok(m.X.flat().every((v) => v >= 0 && v < 1), 'X is uniform on [0, 1) like np.random.rand');
  assert.ok(m.b1[0].every((v) => v === 0) && m.b2[0].every((v) => v === 0), 'biases start at zero');
});

test('softmax rows sum to 1; the same seed gives the same walkthrough', () => {
  const demo = matrixOperationsDemo(3);
  demo.rowSums.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-6));
  assert.deepEqual(matrixOperationsDemo(3), demo);
  assert.notDeepEqual(matrixOperationsDemo(4).steps[0], demo.steps[0]);
  const text = formatMatrixOperationsDemo(demo);
  assert.match(text, /^Input X \(batch_size=3, features=4\):\n\[\[ 0\.\d{4}/);
  assert.match(text, /Matrix shapes:\nX: \(3, 4\)\nW1: \(4, 5\)\nb1: \(5,\)/);
});
