import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { ARCHITECTURES, sequentialFromSpec } from '../../src/model/spec.js';
import { Rng } from '../../src/rng.js';

test('LeNet-5 and the recommended CNN have exactly the layers and params the issue names', () => {
  const lenet = sequentialFromSpec(ARCHITECTURES.lenet5, [1, 28, 28], new Rng(1));
  assert.equal(lenet.paramCount(), 44_426);
  assert.deepEqual(lenet.config().map((c) => c.kind), ['conv2d', 'relu', 'maxpool2d', 'conv2d', 'relu', 'maxpool2d', 'flatten', 'dense', 'relu', 'dense', 'relu', 'dense']);
  assert.deepEqual(lenet.layerShapes[5], [16, 4, 4]);
  const cnn = sequentialFromSpec(ARCHITECTURES.cnn, [1, 28, 28], new Rng(1));
  assert.equal(cnn.paramCount(), 105_866);
  assert.deepEqual(cnn.layerShapes[2], [16, 14, 14]);
  assert.deepEqual(cnn.layerShapes[6], [1568]);
});

test('a spec: sizes from the layer before, stride and padding as s/p, every kind', () => {
  const model = sequentialFromSpec('conv(4,3,s2,p1),tanh,avgpool(2,s1),conv(2,1),flatten,dropout(0.5),dense(7),batchnorm,leaky-relu,dense(3),softmax', [3, 9, 9], new Rng(2));
  assert.deepEqual(model.config()[0], { kind: 'conv2d', inChannels: 3, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, init: 'he' });
  assert.deepEqual(model.config()[2], { kind: 'avgpool2d', size: 2, stride: 1 });
  assert.deepEqual(model.layerShapes.map((s) => s.join('×')), ['4×5×5', '4×5×5', '4×4×4', '2×4×4', '32', '32', '7', '7', '7', '3', '3']);
  // The same spec and seed give the same weights.
  const again = sequentialFromSpec('conv(4,3,s2,p1),tanh,avgpool(2,s1),conv(2,1),flatten,dropout(0.5),dense(7),batchnorm,leaky-relu,dense(3),softmax', [3, 9, 9], new Rng(2));
  assert.deepEqual(again.params().map((p) => Array.from(p.value)), model.params().map((p) => Array.from(p.value)));
});

test('a bad spec names the layer by position and text, and what was expected', () => {
  const fails = (spec: string, message: RegExp) =>
    assert.throws(() => sequentialFromSpec(spec, [1, 28, 28], new Rng(1)), (err: unknown) => err instanceof ConfigError && message.test(err.message));
  fails('', /expected comma-separated layers/);
  fails('flatten,,dense(10)', /expected comma-separated layers/);
  fails('conv(6,5),relu,maxpol(2)', /^layer 3 \("maxpol\(2\)"\): unknown layer "maxpol", expected one of conv, maxpool, avgpool, flatten, dense, /);
  fails('conv(6,5,q1)', /^layer 1 \("conv\(6,5,q1\)"\): expected numbers \(and s<stride>, p<padding>\), got "q1"$/);
  fails('flatten,dense(10,2)', /^layer 2 \("dense\(10,2\)"\): dense takes \(units\), got 2 number\(s\)$/);
  fails('maxpool(2,p1)', /^layer 1 \("maxpool\(2,p1\)"\): maxpool takes no padding$/);
  fails('conv(0,3)', /^layer 1 \("conv\(0,3\)"\): expected out channels to be a positive integer, got 0$/);
  fails('flatten,dense(10),dropout(1.5)', /^layer 3 \("dropout\(1\.5\)"\): Dropout: expected rate to be a number in \[0, 1\), got 1\.5$/);
  fails('conv(6,5', /^layer 1 \("conv\(6"\): expected a layer name with its numbers in parentheses/);
});
