import { ConfigError } from '../errors.js';
import { activationLayer, type ActivationName } from '../layers/activations.js';
import { BatchNorm } from '../layers/batchnorm.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import type { InitName } from '../layers/init.js';
import type { Layer } from '../layers/layer.js';
import { Rng } from '../rng.js';
import { Sequential } from './sequential.js';

/** Options of {@link mlp}; the defaults are the tutorial's network. */
export interface MlpOptions {
  /** Input units (default 784 = 28×28 pixels). */
  inputUnits?: number;
  /** Units of each hidden layer (default [64, 32]). */
  hidden?: readonly number[];
  /** Output units = classes (default 10 digits). */
  outputUnits?: number;
  /** The activation after each hidden Dense layer (default `relu`). */
  activation?: ActivationName;
  /** Weight initialisation (default `he`). */
  init?: InitName;
  /** The generator for the initial weights, or a seed for a new one (default 42). */
  rng?: Rng | number;
  /** Replay the tutorial's double division by the batch size (see Dense). */
  tutorialCompat?: boolean;
  /** Dropout rate after each hidden activation (default 0: none). */
  dropout?: number;
  /** A BatchNorm between each hidden Dense and its activation (default false). */
  batchNorm?: boolean;
}

/**
 * A multi-layer perceptron: Dense → [BatchNorm] → activation → [Dropout] for
 * each hidden size, then a final Dense to the logits. `mlp()` is the
 * tutorial's 784-64-32-10 ReLU network. Each Dropout gets its own generator,
 * seeded from `rng`, so its masks do not shift the shuffling.
 */
export function mlp(options: MlpOptions = {}): Sequential {
  const inputUnits = options.inputUnits ?? 784;
  const hidden = options.hidden ?? [64, 32];
  const outputUnits = options.outputUnits ?? 10;
  for (const units of [inputUnits, ...hidden, outputUnits]) {
    if (!Number.isInteger(units) || units < 1) {
      throw new ConfigError(`mlp: expected layer sizes to be positive integers, got ${units}`);
    }
  }
  const rng = options.rng instanceof Rng ? options.rng : new Rng(options.rng ?? 42);
  const dense = { init: options.init ?? 'he', rng, tutorialCompat: options.tutorialCompat ?? false };
  const layers: Layer[] = [];
  let units = inputUnits;
  const dropout = options.dropout ?? 0;
  for (const h of hidden) {
    layers.push(new Dense(units, h, dense));
    if (options.batchNorm === true) layers.push(new BatchNorm(h));
    layers.push(activationLayer(options.activation ?? 'relu'));
    if (dropout > 0) layers.push(new Dropout(dropout, { rng: new Rng(rng.nextUint32()) }));
    units = h;
  }
  layers.push(new Dense(units, outputUnits, dense));
  return new Sequential(layers, inputUnits);
}
