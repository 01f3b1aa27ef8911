import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { kernelMemoryUsage } from '../../src/kernels/memory.js';
import { param } from '../../src/layers/layer.js';
import { optimizerFromConfig } from '../../src/optim/from-config.js';
import type { Optimizer, OptimizerConfig, OptimizerState } from '../../src/optim/optimizer.js';
import { flat, makeParams, quadratic, run } from './problem.js';

/** Every optimizer, with the options that give it state (momentum, accumulators). */
const configs: OptimizerConfig[] = [
  { name: 'sgd', lr: 0.1 },
  { name: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0.01 },
  { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
  { name: 'adagrad', lr: 0.3, initialAccumulatorValue: 0.1 },
  { name: 'rmsprop', lr: 0.01 },
  { name: 'rmsprop', lr: 0.003, momentum: 0.9, weightDecay: 0.1 },
  { name: 'adam', lr: 0.1, weightDecay: 0.01 },
  { name: 'adamw', lr: 0.1 },
];
const label = (c: OptimizerConfig): string => JSON.stringify(c);
const isStateful = (o: Optimizer): boolean => Object.keys(o.getState().slots).length > 0;

/** What a checkpoint does to a state: Float32Arrays to number lists (JSON) and back. */
function throughJson(state: OptimizerState): OptimizerState {
  const json = JSON.parse(JSON.stringify({ step: state.step, slots: Object.fromEntries(Object.entries(state.slots).map(([k, list]) => [k, list.map((b) => Array.from(b))])) }));
  return { step: json.step, slots: Object.fromEntries(Object.entries(json.slots as Record<string, number[][]>).map(([k, list]) => [k, list.map((b) => Float32Array.from(b))])) };
}

test('getState → setState into a fresh optimizer, then continuing, is bit-identical to an uninterrupted run', () => {
  for (const config of configs) {
    const whole = optimizerFromConfig(config);
    const uninterrupted = run(whole, makeParams(), quadratic, 9);

    const first = optimizerFromConfig(config);
    const params = makeParams();
    run(first, params, quadratic, 4);
    const saved = throughJson(first.getState());
    const resumed = optimizerFromConfig(first.config());
    resumed.setState(saved);
    const copies = makeParams(flat(params));
    const rest = run(resumed, copies, quadratic, 5, 4);

    assert.deepEqual(rest, uninterrupted.slice(4), label(config));
    assert.deepEqual(resumed.getState(), whole.getState(), `${label(config)}: final state`);
    assert.equal(whole.getState().step, 9);
  }
});

test('state is created lazily on the first step, one buffer per param in the list order, and getState copies it', () => {
  for (const config of configs) {
    const optimizer = optimizerFromConfig(config);
    const before = optimizer.getState();
    assert.equal(before.step, 0);
    for (const list of Object.values(before.slots)) assert.deepEqual(list, [], label(config));
    const params = makeParams();
    run(optimizer, params, quadratic, 1);
    const state = optimizer.getState();
    assert.equal(state.step, 1);
    for (const [name, list] of Object.entries(state.slots)) {
      assert.deepEqual(list.map((b) => b.length), [4, 2], `${label(config)}: slot ${name}`);
      assert.ok(list.every((b) => b instanceof Float32Array));
      list[0].fill(1234); // a copy: the optimizer must not see this
    }
    const next = run(optimizer, params, quadratic, 1, 1);
    assert.deepEqual(next, run(optimizerFromConfig(config), makeParams(), quadratic, 2).slice(1), `${label(config)}: step 2`);
  }
});

test('setState copies its input: changing the saved buffers afterwards changes nothing', () => {
  const a = optimizerFromConfig({ name: 'adam', lr: 0.1 });
  const params = makeParams();
  run(a, params, quadratic, 3);
  const state = a.getState();
  const b = optimizerFromConfig(a.config());
  b.setState(state);
  const expected = run(a, makeParams(flat(params)), quadratic, 2, 3);
  state.slots.m[0].fill(99);
  state.slots.v[1].fill(99);
  assert.deepEqual(run(b, makeParams(flat(params)), quadratic, 2, 3), expected);
});

test('no allocation in a step after the first', () => {
  for (const config of configs) {
    const optimizer = optimizerFromConfig(config);
    const params = makeParams();
    run(optimizer, params, quadratic, 1);
    const allocations = kernelMemoryUsage().allocations;
    run(optimizer, params, quadratic, 5, 1);
    assert.equal(kernelMemoryUsage().allocations, allocations, label(config));
  }
});

test('a stateful optimizer refuses a params list of another shape, also after setState', () => {
  for (const config of configs) {
    const optimizer = optimizerFromConfig(config);
    const params = makeParams();
    optimizer.step(params);
    if (!isStateful(optimizer)) {
      optimizer.step([param('other', [3])]); // nothing is kept per param: any list goes
      continue;
    }
    const name = { sgd: 'SGD', adagrad: 'Adagrad', rmsprop: 'RMSprop', adam: 'Adam', adamw: 'AdamW' }[config.name as string];
    const expectError = (list: Parameters<Optimizer['step']>[0], message: RegExp): void => {
      assert.throws(() => optimizer.step(list), (e: Error) => e instanceof ConfigError && message.test(e.message), label(config));
    };
    expectError([params[0]], new RegExp(`^${name}: step\\(\\) got 1 params, but its state was created for 2; its state is kept per position in the params list`));
    expectError([params[0], param('bias', [3])], new RegExp(`^${name}: step\\(\\) param 1 \\(bias\\) has 3 values, but its state holds 2;`));
    optimizer.step(params); // the right list still works

    const restored = optimizerFromConfig(config);
    restored.setState(optimizer.getState());
    assert.throws(() => restored.step([params[1], params[0]]), /param 0 \(bias\) has 2 values, but its state holds 4/);
  }
});

test('setting a state from before the first step starts afresh, for any params list', () => {
  const adam = optimizerFromConfig({ name: 'adam' });
  const initial = adam.getState();
  adam.step(makeParams());
  adam.setState(initial);
  assert.deepEqual(adam.getState(), { step: 0, slots: { m: [], v: [] } });
  adam.step([param('w', [5])]);
  assert.equal(adam.getState().step, 1);
});

test('setState rejects a state that does not fit, saying what and where', () => {
  const adam = optimizerFromConfig({ name: 'adam' });
  run(adam, makeParams(), quadratic, 2);
  const good = adam.getState();
  const rmsprop = optimizerFromConfig({ name: 'rmsprop' });
  const bad: [unknown, Optimizer, RegExp][] = [
    [good, rmsprop, /^RMSprop\.setState: expected slots \{v\}, got \{m, v\} \(a state saved by another optimizer or other options\?\)$/],
    [{ step: 0, slots: {} }, optimizerFromConfig({ name: 'sgd', momentum: 0.9 }), /^SGD\.setState: expected slots \{v\}, got \{\}/],
    [{ ...good, step: -1 }, adam, /^Adam\.setState: expected step to be a non-negative integer, got -1$/],
    [{ ...good, step: 2.5 }, adam, /^Adam\.setState: expected step to be a non-negative integer, got 2.5$/],
    [{ ...good, step: 0 }, adam, /^Adam\.setState: a state at step 0 holds no buffers, got 2 per slot$/],
    [{ step: 2, slots: { m: good.slots.m, v: [good.slots.v[0]] } }, adam, /^Adam\.setState: slot v has buffers of sizes \[4\], but slot m \[4, 2\]$/],
    [{ step: 2, slots: { m: [[1, 2]], v: [[1, 2]] } }, adam, /^Adam\.setState: expected slot m to be an array of Float32Arrays$/],
    [null, adam, /^Adam\.setState: expected \{step, slots\}, got null$/],
  ];
  for (const [state, optimizer, message] of bad) {
    assert.throws(() => optimizer.setState(state as OptimizerState), (e: Error) => e instanceof ConfigError && message.test(e.message), message.source);
  }
  // A failed setState leaves the optimizer as it was.
  assert.deepEqual(adam.getState(), good);
});
