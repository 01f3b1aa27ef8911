import type { ActivationName } from '../layers/activations.js';
import type { InitName } from '../layers/init.js';
import { mlp } from '../model/mlp.js';
import type { Sequential } from '../model/sequential.js';
import { optimizerFromConfig } from '../optim/from-config.js';
import type { OptimizerConfig } from '../optim/optimizer.js';
import { optimizerConfigFromFlags, type CliOptimizerName, type OptimizerFlags } from '../optim/presets.js';
import { Rng } from '../rng.js';
import { ConfigError } from '../errors.js';
import { ARCHITECTURES, sequentialFromSpec } from '../model/spec.js';
import type { ScheduleName } from '../train/schedules.js';
import type { Augmentation } from '../data/augment.js';
import { dataSource, isToy, type DataFlags, type DataSource } from './data-source.js';

/** The networks of `--arch`: the tutorial's MLP (`--hidden`, `--activation`), or a CNN (see model/spec.ts). */
export type ArchName = 'mlp' | 'lenet5' | 'cnn';
export const archNames: readonly ArchName[] = ['mlp', 'lenet5', 'cnn'];

/** A run's settings, as history.json and every checkpoint record them. */
export interface TrainSettings {
  /** The network: `mlp` (from hidden, activation, dropout, batchNorm), a named CNN, or `layers` (a --layers spec). Absent in 0.1.0 files: mlp. */
  arch?: ArchName | 'layers';
  /** The --layers spec, when arch is `layers`. */
  layers?: string | null;
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
  /** Random shifts, rotations and size changes of the training images (`--augment`); absent: none. */
  augment?: Augmentation;
}

/** The flags of `scratchnet train` that make its settings. */
export interface SettingsFlags extends OptimizerFlags, DataFlags {
  arch: ArchName;
  layers?: string;
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
  augment?: Augmentation;
  tutorialCompat: boolean;
}

/** The epochs of a run on a 2-D toy set where --epochs is not given. */
export const TOY_EPOCHS = 100;

/** The defaults of a convolutional network where its flags are not given. */
export interface CnnRecipe {
  optimizer: CliOptimizerName;
  lr: number;
  batchSize: number;
  schedule: ScheduleName;
}

/**
 * The convolutional networks' defaults (the tutorial's SGD 0.1 on batches
 * of 32 stays the MLP's). LeNet-5 and --layers stacks: Adam at 1e-3 on
 * batches of 64, PyTorch's usual recipe, the one the benchmark times against
 * PyTorch. The cnn preset: Adam at 3e-3 on batches of 128 with a cosine
 * schedule, the best of the recipes measured for its 5 epochs (99.11 % test
 * accuracy at seed 42, 98.89–99.16 % over seeds 1–5; Adam 1e-3 on batches of
 * 64 with a constant rate: 98.48 %; README.md).
 */
const ADAM_64: CnnRecipe = { optimizer: 'adam', lr: 1e-3, batchSize: 64, schedule: 'constant' };
export const CNN_RECIPES: Record<Exclude<ArchName, 'mlp'> | 'layers', CnnRecipe> = {
  lenet5: ADAM_64,
  cnn: { optimizer: 'adam', lr: 3e-3, batchSize: 128, schedule: 'cosine' },
  layers: ADAM_64,
};

/** The flags with the convolutional recipe filled in where they were not given (`explicit`). */
function withRecipe(flags: SettingsFlags, arch: ArchName | 'layers', explicit: ReadonlySet<string>): SettingsFlags {
  if (arch === 'mlp') return flags;
  const recipe = CNN_RECIPES[arch];
  const optimizerGiven = explicit.has('optimizer');
  return {
    ...flags,
    optimizer: optimizerGiven ? flags.optimizer : recipe.optimizer,
    lr: flags.lr ?? (optimizerGiven ? undefined : recipe.lr),
    batchSize: explicit.has('batchSize') ? flags.batchSize : recipe.batchSize,
    schedule: explicit.has('schedule') ? flags.schedule : recipe.schedule,
  };
}

/** The flags that shape the MLP only: refused with a CNN (`explicit` names the flags given on the command line). */
const MLP_FLAGS = [['hidden', '--hidden'], ['activation', '--activation'], ['dropout', '--dropout'], ['batchNorm', '--batch-norm']] as const;

/**
 * A new run's settings from the command line's flags; a bad combination
 * fails here, before any data is read. `explicit` names the flags given on
 * the command line.
 */
export function settingsFromFlags(flags: SettingsFlags, explicit: ReadonlySet<string> = new Set()): TrainSettings {
  const network = networkFromFlags(flags, explicit);
  flags = withRecipe(flags, network.arch, explicit);
  return {
    ...network,
    hidden: flags.hidden,
    activation: flags.activation,
    init: flags.init,
    // A toy set's few hundred points take many passes (a hundred take about half a second).
    epochs: !explicit.has('epochs') && isToy(flags.dataset) ? TOY_EPOCHS : flags.epochs,
    batchSize: flags.batchSize,
    optimizer: optimizerFromConfig(optimizerConfigFromFlags(flags.optimizer, { lr: flags.lr, momentum: flags.momentum, beta1: flags.beta1, beta2: flags.beta2, eps: flags.eps, weightDecay: flags.weightDecay })).config(),
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
    ...(flags.augment === undefined ? {} : { augment: flags.augment }),
  };
}

/** Which network `--arch` and `--layers` choose (train's and compare's flags). */
export interface NetworkChoice {
  arch: ArchName | 'layers';
  layers: string | null;
}

/**
 * The network of `--arch` / `--layers`; a bad combination (both, or a flag
 * that shapes the MLP only with a CNN) or a bad spec fails here, before any
 * data is read. `explicit` names the flags given on the command line.
 */
export function networkFromFlags(flags: { arch: ArchName; layers?: string }, explicit: ReadonlySet<string>): NetworkChoice {
  if (flags.layers !== undefined && explicit.has('arch')) throw new ConfigError('give either --arch or --layers, not both');
  const arch = flags.layers !== undefined ? 'layers' : flags.arch;
  if (arch !== 'mlp') {
    const given = MLP_FLAGS.filter(([name]) => explicit.has(name)).map(([, flag]) => flag);
    if (given.length > 0) throw new ConfigError(`${given.join(', ')} ${given.length === 1 ? 'shapes' : 'shape'} the mlp only; ${arch === 'layers' ? '--layers gives' : `--arch ${arch} has`} its own layers`);
    // Built once now, so that a bad spec fails before any data is read.
    cnn(arch, flags.layers ?? null, new Rng(0));
  }
  return { arch, layers: flags.layers ?? null };
}

/** The shape of an MNIST image, as the CNNs take it: one channel of 28 × 28. */
const MNIST_IMAGE = [1, 28, 28];

/** A named CNN, or the --layers spec's network, for MNIST images; a bad spec is a ConfigError naming --layers and the layer. */
function cnn(arch: Exclude<ArchName, 'mlp'> | 'layers', layers: string | null, rng: Rng, shape: readonly number[] = MNIST_IMAGE): Sequential {
  if (arch !== 'layers') return sequentialFromSpec(ARCHITECTURES[arch], MNIST_IMAGE, rng);
  try {
    return sequentialFromSpec(layers ?? '', shape, rng);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`--layers: ${err.message}`);
    throw err;
  }
}

/** The network the settings describe, for inputs of `features` values and `classes` outputs, initialised from `rng`. */
export function modelFromSettings(
  settings: Pick<TrainSettings, 'arch' | 'layers' | 'hidden' | 'activation' | 'init' | 'tutorialCompat' | 'dropout' | 'batchNorm'>,
  features: number,
  rng: Rng,
  classes = 10,
  imageShape?: readonly number[],
): Sequential {
  const arch = settings.arch ?? 'mlp';
  if (arch !== 'mlp') {
    // Images of their own shape (an image folder) go to --layers as they are; the named CNNs take MNIST's.
    const shape = arch === 'layers' && imageShape !== undefined ? imageShape : MNIST_IMAGE;
    if (features !== shape.reduce((a, b) => a * b, 1) || (arch !== 'layers' && imageShape !== undefined && imageShape.join() !== MNIST_IMAGE.join())) {
      throw new ConfigError(`--${arch === 'layers' ? 'layers' : `arch ${arch}`} takes ${arch === 'layers' ? 'images' : 'one channel of 28 × 28 (784 pixels; --image-size 28 --channels 1 for --images)'}, the data has ${imageShape === undefined ? `${features} features` : `images of ${imageShape.join(' × ')}`}`);
    }
    return cnn(arch, settings.layers ?? null, rng, shape);
  }
  return mlp({
    inputUnits: features,
    outputUnits: classes,
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
