import { ConfigError } from '../errors.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { Optimizer, OptimizerConfig } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

/** The optimizers' names, as their `config().name` gives them. */
export const optimizerNames = ['sgd', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const;

/** One of {@link optimizerNames}. */
export type OptimizerName = (typeof optimizerNames)[number];

/**
 * Rebuilds an optimizer from its `config()` (a checkpoint's), e.g.
 * `{name: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0}`;
 * missing options take their defaults. Its state is not part of the config:
 * restore it with `setState`.
 */
export function optimizerFromConfig(config: OptimizerConfig): Optimizer {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(`optimizerFromConfig: expected {name, ...options}, got ${JSON.stringify(config)}`);
  }
  const { name, ...options } = config;
  switch (name) {
    case 'sgd':
      return new SGD(options);
    case 'adagrad':
      return new Adagrad(options);
    case 'rmsprop':
      return new RMSprop(options);
    case 'adam':
      return new Adam(options);
    case 'adamw':
      return new AdamW(options);
    default:
      throw new ConfigError(`optimizerFromConfig: unknown optimizer ${JSON.stringify(name)}, expected one of ${optimizerNames.join(', ')}`);
  }
}
