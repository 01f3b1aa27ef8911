import { ConfigError } from '../errors.js';
import type { OptimizerConfig } from './optimizer.js';

/** Optimizer presets by name (the CLI's `--optimizer` and the playground's menu): the library's, plus SGD with momentum or Nesterov momentum by name. */
export const cliOptimizerNames = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const;
/** One of {@link cliOptimizerNames}. */
export type CliOptimizerName = (typeof cliOptimizerNames)[number];

/** The optimizer flags of train and compare (undefined: not given). */
export interface OptimizerFlags {
  lr?: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/**
 * Learning rates that train the tutorial's network well in 5 epochs, when
 * --lr is not given: the tutorial's 0.1 for plain SGD; momentum 0.9 makes
 * steps ~10× longer, hence 0.01; the adaptive methods use the usual 1e-3
 * (Keras's defaults), 0.01 for Adagrad (PyTorch's).
 */
export const defaultLr: Readonly<Record<CliOptimizerName, number>> = {
  sgd: 0.1,
  momentum: 0.01,
  nesterov: 0.01,
  adagrad: 0.01,
  rmsprop: 0.001,
  adam: 0.001,
  adamw: 0.001,
};

/** Which flags each optimizer takes. */
const accepts: Readonly<Record<CliOptimizerName, readonly (keyof OptimizerFlags)[]>> = {
  sgd: ['lr', 'weightDecay'],
  momentum: ['lr', 'momentum', 'weightDecay'],
  nesterov: ['lr', 'momentum', 'weightDecay'],
  adagrad: ['lr', 'eps', 'weightDecay'],
  rmsprop: ['lr', 'momentum', 'eps', 'weightDecay'],
  adam: ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'],
  adamw: ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'],
};

const flagName: Record<keyof OptimizerFlags, string> = {
  lr: '--lr',
  momentum: '--momentum',
  beta1: '--beta1',
  beta2: '--beta2',
  eps: '--eps',
  weightDecay: '--weight-decay',
};

/**
 * The optimizer config (for optimizerFromConfig) that `--optimizer name` and
 * its flags describe. A flag the optimizer does not take is a ConfigError
 * rather than silently ignored.
 */
export function optimizerConfigFromFlags(name: CliOptimizerName, flags: OptimizerFlags): OptimizerConfig {
  for (const [key, value] of Object.entries(flags) as [keyof OptimizerFlags, number | undefined][]) {
    if (value !== undefined && !accepts[name].includes(key)) {
      const takers = cliOptimizerNames.filter((n) => accepts[n].includes(key));
      throw new ConfigError(`${flagName[key]} applies to --optimizer ${takers.join(', ')}, not ${name}`);
    }
  }
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const lr = flags.lr ?? defaultLr[name];
  switch (name) {
    case 'momentum':
      return { name: 'sgd', ...given, lr, momentum: flags.momentum ?? 0.9 };
    case 'nesterov':
      return { name: 'sgd', ...given, lr, momentum: flags.momentum ?? 0.9, nesterov: true };
    default:
      return { name, ...given, lr };
  }
}
