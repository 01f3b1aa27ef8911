import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimizerConfigFromFlags } from '../../src/optim/presets.js';
import { optimizerFromConfig } from '../../src/optim/from-config.js';

test('--optimizer names map to library configs with their default learning rates', () => {
  assert.deepEqual(optimizerConfigFromFlags('sgd', {}), { name: 'sgd', lr: 0.1 });
  assert.deepEqual(optimizerConfigFromFlags('momentum', {}), { name: 'sgd', lr: 0.01, momentum: 0.9 });
  assert.deepEqual(optimizerConfigFromFlags('nesterov', { momentum: 0.8 }), { name: 'sgd', lr: 0.01, momentum: 0.8, nesterov: true });
  assert.deepEqual(optimizerConfigFromFlags('adam', { lr: 0.002, beta2: 0.99 }), { name: 'adam', lr: 0.002, beta2: 0.99 });
  for (const name of ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const) {
    assert.ok(optimizerFromConfig(optimizerConfigFromFlags(name, {})).lr > 0);
  }
});

test('a flag the optimizer does not take is an error naming who takes it', () => {
  assert.throws(() => optimizerConfigFromFlags('sgd', { beta1: 0.8 }), /--beta1 applies to --optimizer adam, adamw, not sgd/);
  assert.throws(() => optimizerConfigFromFlags('adam', { momentum: 0.5 }), /--momentum applies to --optimizer momentum, nesterov, rmsprop, not adam/);
});
