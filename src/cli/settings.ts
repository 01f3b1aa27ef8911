import type { ActivationName } from '../layers/activations.js';
import type { InitName } from '../layers/init.js';
import { mlp } from '../model/mlp.js';
import type { Sequential } from '../model/sequential.js';
import { optimizerFromConfig } from '../optim/from-config.js';
import type { OptimizerConfig } from '../optim/optimizer.js';
import { optimizerConfigFromFlags, type CliOptimizerName, type OptimizerFlags } from '../optim/presets.js';
import type { Rng } from '../rng.js';
import type { ScheduleName } from '../train/schedules.js';
import { dataSource, type DataSource } from './data-source.js';

/** A run's settings, as history.json and every checkpoint record them. */
export interface TrainSettings {
  hidden: number[];
  activation: ActivationName;
  init: InitName;
  epochs: number;
  batchSize: number;
  /** The optimizer's full config() (optimizerFromConfig rebuilds it). */
  optimizer: OptimizerConfig;
  dropout: number;
  batchNorm: boolean;
  clipNorm: number | null;
  schedule: { kind: ScheduleName; warmupEpochs: number };
  earlyStop: number | null;
  seed: number;
  valSplit: number;
  subset: number | null;
  data: DataSource;
  tutorialCompat: boolean;
}

/** The flags of `scratchnet train` that make its settings. */
export interface SettingsFlags extends OptimizerFlags {
  epochs: number;
  batchSize: number;
  optimizer: CliOptimizerName;
  dropout: number;
  batchNorm: boolean;
  clipNorm?: number;
  schedule: ScheduleName;
  warmupEpochs: number;
  earlyStop?: number;
  hidden: number[];
  activation: ActivationName;
  init: InitName;
  seed: number;
  valSplit: number;
  subset?: number;
  trainCsv?: string;
  testCsv?: string;
  idxDir?: string;
  tutorialCompat: boolean;
}

/** A new run's settings from the command line's flags; a bad optimizer combination fails here, before any data is read. */
export function settingsFromFlags(flags: SettingsFlags): TrainSettings {
  const { lr, momentum, beta1, beta2, eps, weightDecay } = flags;
  return {
    hidden: flags.hidden,
    activation: flags.activation,
    init: flags.init,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    optimizer: optimizerFromConfig(optimizerConfigFromFlags(flags.optimizer, { lr, momentum, beta1, beta2, eps, weightDecay })).config(),
    dropout: flags.dropout,
    batchNorm: flags.batchNorm,
    clipNorm: flags.clipNorm ?? null,
    schedule: { kind: flags.schedule, warmupEpochs: flags.warmupEpochs },
    earlyStop: flags.earlyStop ?? null,
    seed: flags.seed,
    valSplit: flags.valSplit,
    subset: flags.subset ?? null,
    data: dataSource(flags),
    tutorialCompat: flags.tutorialCompat,
  };
}

/** The network the settings describe, for inputs of `features` values, initialised from `rng`. */
export function modelFromSettings(settings: TrainSettings, features: number, rng: Rng): Sequential {
  return mlp({
    inputUnits: features,
    hidden: settings.hidden,
    activation: settings.activation,
    init: settings.init,
    rng,
    tutorialCompat: settings.tutorialCompat,
    dropout: settings.dropout,
    batchNorm: settings.batchNorm,
  });
}

/** The optimizer for a human: `sgd (lr 0.1)`, `adam (lr 0.001, beta1 0.9, …)`. */
export function describeOptimizer(config: OptimizerConfig): string {
  const { name, ...options } = config;
  const shown = Object.entries(options).filter(([k, v]) => k === 'lr' || (v !== 0 && v !== false));
  return `${name} (${shown.map(([k, v]) => `${k} ${String(v)}`).join(', ')})`;
}
