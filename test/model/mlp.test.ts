import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlp } from '../../src/model/mlp.js';

test("mlp() is the tutorial's 784-64-32-10 ReLU network", () => {
  const model = mlp();
  assert.deepEqual(model.summary(), [
    'Layer 0: Dense (784 -> 64)',
    'Layer 1: ReLU',
    'Layer 2: Dense (64 -> 32)',
    'Layer 3: ReLU',
    'Layer 4: Dense (32 -> 10)',
  ]);
  assert.equal(model.outputUnits, 10);
});

test('mlp: same seed → bit-identical weights; options are honoured', () => {
  const a = mlp({ rng: 7 }).params().map((p) => p.value);
  const b = mlp({ rng: 7 }).params().map((p) => p.value);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, mlp({ rng: 8 }).params().map((p) => p.value));
  const small = mlp({ inputUnits: 4, hidden: [3], outputUnits: 2, activation: 'tanh' });
  assert.deepEqual(small.config().map((c) => c.kind), ['dense', 'tanh', 'dense']);
  assert.throws(() => mlp({ hidden: [64, 0] }), /expected layer sizes to be positive integers, got 0/);
});

test('mlp with batchNorm and dropout: Dense → BatchNorm → activation → Dropout per hidden layer', () => {
  const model = mlp({ hidden: [64, 32], batchNorm: true, dropout: 0.2, rng: 1 });
  assert.deepEqual(model.config().map((c) => c.kind), ['dense', 'batchnorm', 'relu', 'dropout', 'dense', 'batchnorm', 'relu', 'dropout', 'dense']);
  assert.deepEqual(mlp({ hidden: [8], dropout: 0 }).config().map((c) => c.kind), ['dense', 'relu', 'dense']);
});
