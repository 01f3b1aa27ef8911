import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initWeights, parseInit } from '../../src/layers/init.js';
import { Dense } from '../../src/layers/dense.js';
import { findLayerKind } from '../../src/layers/registry.js';
import { Rng } from '../../src/rng.js';

test('normal:<std> draws normal weights of that std whatever the fan-in; he is normal:√(2/fan-in) from the same draws', () => {
  const small = initWeights(new Float32Array(50_000), 'normal:0.01', 784, 64, new Rng(7));
  const mean = small.reduce((s, v) => s + v, 0) / small.length;
  const std = Math.sqrt(small.reduce((s, v) => s + (v - mean) ** 2, 0) / small.length);
  assert.ok(Math.abs(std / 0.01 - 1) < 0.02, `std ${std}`);
  // The same generator state gives the same normals, scaled: he at fan-in 2 is normal:1.
  const he = initWeights(new Float32Array(100), 'he', 2, 3, new Rng(7));
  const one = initWeights(new Float32Array(100), 'normal:1', 2, 3, new Rng(7));
  assert.deepEqual(he, one);
  assert.equal(new Dense(4, 3, { init: 'normal:0.5', rng: new Rng(1) }).init, 'normal:0.5');
});

test('parseInit takes he, glorot and normal:<positive std>, and names what it expected otherwise', () => {
  for (const ok of ['he', 'glorot', 'normal:0.01', 'normal:1', 'normal:1e-3', 'normal:.5']) assert.equal(parseInit(ok), ok);
  for (const bad of ['xavier', 'normal', 'normal:', 'normal:0', 'normal:-1', 'normal:abc', 'normal:Infinity', 3]) {
    assert.throws(() => parseInit(bad, 'layers[0].init'), /^ConfigError: layers\[0\]\.init: expected he, glorot or normal:<std> with a positive std/, String(bad));
  }
});

test('a model file may say normal:<std>; the file reader checks it like any field', () => {
  const config = { kind: 'dense', inputUnits: 2, outputUnits: 3, init: 'normal:0.01' };
  assert.equal(((findLayerKind('dense')?.plan(config, 'layers[0]', 0) ?? assert.fail('dense is registered')).build() as Dense).init, 'normal:0.01');
  assert.throws(() => findLayerKind('dense')?.plan({ ...config, init: 'normal:-2' }, 'layers[0]', 0), /layers\[0\]\.init: expected he, glorot or normal:<std>/);
});
