import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { Adagrad } from '../../src/optim/adagrad.js';
import { Adam } from '../../src/optim/adam.js';
import { AdamW } from '../../src/optim/adamw.js';
import { optimizerFromConfig, optimizerNames } from '../../src/optim/from-config.js';
import type { Optimizer, OptimizerConfig } from '../../src/optim/optimizer.js';
import { RMSprop } from '../../src/optim/rmsprop.js';
import { SGD } from '../../src/optim/sgd.js';
import { makeParams, quadratic, run } from './problem.js';

/** One optimizer of each kind, with options away from the defaults. */
const optimizers: Optimizer[] = [
  new SGD({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
  new SGD({ lr: 0.2, momentum: 0.5, dampening: 0.1 }),
  new Adagrad({ lr: 0.3, eps: 1e-6, weightDecay: 0.01, initialAccumulatorValue: 0.1 }),
  new RMSprop({ lr: 0.003, alpha: 0.9, eps: 1e-6, momentum: 0.9, weightDecay: 0.01 }),
  new Adam({ lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-7, weightDecay: 0.001 }),
  new AdamW({ lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-7, weightDecay: 0.1 }),
];

test('optimizerNames lists every optimizer, as config().name gives it', () => {
  assert.deepEqual(optimizerNames, ['sgd', 'adagrad', 'rmsprop', 'adam', 'adamw']);
  assert.deepEqual([...new Set(optimizers.map((o) => o.config().name))].sort(), [...optimizerNames].sort());
});

test('optimizerFromConfig round-trips every config (also through JSON), and the rebuilt optimizer steps the same', () => {
  for (const original of optimizers) {
    const config = original.config();
    const rebuilt = optimizerFromConfig(JSON.parse(JSON.stringify(config)) as OptimizerConfig);
    assert.equal(rebuilt.constructor, original.constructor, config.name);
    assert.deepEqual(rebuilt.config(), config);
    assert.deepEqual(run(rebuilt, makeParams(), quadratic, 5), run(optimizerFromConfig(config), makeParams(), quadratic, 5), config.name);
  }
});

test('optimizerFromConfig fills in the defaults for missing options', () => {
  const classes = { sgd: SGD, adagrad: Adagrad, rmsprop: RMSprop, adam: Adam, adamw: AdamW };
  for (const name of optimizerNames) {
    assert.deepEqual(optimizerFromConfig({ name }).config(), new classes[name]().config(), name);
  }
  assert.deepEqual(optimizerFromConfig({ name: 'adam', lr: 0.01 }).config(), { name: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
});

test('config() reports the current lr (a schedule changes it)', () => {
  const adam = new Adam();
  adam.lr = 5e-4;
  assert.equal(optimizerFromConfig(adam.config()).lr, 5e-4);
});

test('optimizerFromConfig rejects unknown names with the known ones, and bad options with the constructor\'s message', () => {
  const bad: [unknown, RegExp][] = [
    [{ name: 'momentum' }, /^optimizerFromConfig: unknown optimizer "momentum", expected one of sgd, adagrad, rmsprop, adam, adamw$/],
    [{ name: 'Adam' }, /^optimizerFromConfig: unknown optimizer "Adam", expected one of sgd, adagrad, rmsprop, adam, adamw$/],
    [{ lr: 0.1 }, /^optimizerFromConfig: unknown optimizer undefined, expected one of/],
    [null, /^optimizerFromConfig: expected \{name, \.\.\.options\}, got null$/],
    [{ name: 'adam', beta: 0.9 }, /^Adam: unknown option beta, expected one of lr, beta1, beta2, eps, weightDecay$/],
    [{ name: 'sgd', momentum: 2 }, /^SGD: expected momentum in \[0, 1\), got 2$/],
    [{ name: 'rmsprop', lr: '0.01' }, /^RMSprop: expected lr to be a positive number, got "0.01"$/],
  ];
  for (const [config, message] of bad) {
    assert.throws(() => optimizerFromConfig(config as OptimizerConfig), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(config));
  }
});
