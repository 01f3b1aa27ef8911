import { Command, Option } from 'commander';
import { DATASET_NAMES } from '../data/classes.js';
import { TOY_NAMES } from '../data/toy.js';
import type { Dataset } from '../data/dataset.js';
import { NORMALIZATIONS } from '../data/table.js';
import { imageSize } from '../io/image-folder.js';
import { parseAugment } from '../data/augment.js';
import { Standardize } from '../layers/standardize.js';
import { Sequential } from '../model/sequential.js';
import { FASHION_MNIST_DIR } from '../io/mnist.js';
import { ConfigError } from '../errors.js';
import { makeFolder } from '../io/write.js';
import { activations } from '../layers/activations.js';
import { optimizerFromConfig } from '../optim/from-config.js';
import { cliOptimizerNames, defaultLr } from '../optim/presets.js';
import { Rng } from '../rng.js';
import { earlyStopping } from '../train/early-stopping.js';
import { fit, type FitOptions, type History } from '../train/fit.js';
import { lrSchedule, scheduleNames } from '../train/schedules.js';
import { boundaryCallbacks, checkpointCallbacks, stopOnSigint } from './callbacks.js';
import { type Checkpoint, checkpointPaths, checkpointState, loadCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint.js';
import { loadData, trainingSubset, type TableInfo } from './data-source.js';
import { hiddenList, initValue, nonNegativeNumber, positiveInt, positiveNumber, seedValue, unitInterval } from './options.js';
import { progressCallbacks, type Output } from './progress.js';
import { newRunDir, writeRunFolder } from './run-folder.js';
import { fusedMultiplyAdd, kernelBackend } from '../kernels/dispatch.js';
import { setThreads, threadCount } from '../kernels/threads.js';
import { archNames, describeOptimizer, modelFromSettings, settingsFromFlags, type SettingsFlags, type TrainSettings } from './settings.js';

/** The parsed flags of `scratchnet train`. */
export interface TrainFlags extends SettingsFlags {
  out?: string;
  json: boolean;
  quiet: boolean;
  /** False with --no-report. */
  report: boolean;
  /** Write checkpoints/last.safetensors every this many epochs. */
  checkpointEvery: number;
  /** A run folder to continue from its last checkpoint. */
  resume?: string;
  /** Threads for the split kernels (the same results for any count); default: SCRATCHNET_THREADS, which the executable sets (2 for a CNN or an MLP with a layer of 1,024+ units where 2 cores are, else 1). */
  threads?: number;
  /** Fused multiply-adds in the cache-blocked products (relaxed SIMD); the executable turns them on before the kernels load. */
  fma: boolean;
  /** Record what happens inside the network (fit's `stats`), every statsEvery steps (default: about a hundred records). */
  stats: boolean;
  statsEvery?: number;
}

/** `--stats` and `--stats-every`, as train and compare take them. */
export function addStatsOptions(command: Command): Command {
  return command
    .option('--stats', "record inside the network every few steps: each activation layer's mean, deviation, histogram and dead (ReLU) or saturated (sigmoid, tanh) fraction, each weight's gradient and update-to-weight ratio; in history.json and the report's \"Inside the network\"", false)
    .option('--stats-every <steps>', 'with --stats: a record every this many training steps (default: about a hundred over the run)', positiveInt);
}

/** fit's `stats` option for the --stats flags (a ConfigError for --stats-every alone). */
export function statsOption(flags: { stats: boolean; statsEvery?: number }): FitOptions['stats'] {
  if (flags.statsEvery !== undefined && !flags.stats) throw new ConfigError('--stats-every spaces the records of --stats: give --stats too');
  return flags.stats ? (flags.statsEvery === undefined ? true : { every: flags.statsEvery }) : undefined;
}

const examples = `
Examples:
  $ scratchnet train                                # the tutorial's network on the bundled MNIST
  $ scratchnet train --epochs 1 --json              # one epoch; the last stdout line is a JSON summary
  $ scratchnet train --dataset fashion-mnist --arch cnn   # clothes: T-shirt/top, Trouser, … Ankle boot
  $ scratchnet train --csv iris.csv --label species --hidden 16 --epochs 50   # a table of your own
  $ scratchnet train --images photos/ --image-size 32 --channels 3 --skip-bad   # photos/<class>/*.png
  $ scratchnet train --train-csv mnist_train.csv --test-csv mnist_test.csv
  $ scratchnet train --hidden 128,64 --activation tanh --init glorot --lr 0.05
  $ scratchnet train --activation sigmoid --hidden 256,256,256 --init normal:0.01 --stats   # watch the layers stall
  $ scratchnet train --hidden ''                    # no hidden layer: softmax regression; the report draws its ten templates
  $ scratchnet train --dataset spiral --hidden 16,16   # a 2-D toy problem: the report draws the decision boundary
  $ scratchnet train --subset 10000 --tutorial-compat   # replay the tutorial's exact update
  $ scratchnet train --resume runs/20261124-233512 --epochs 10   # continue a run (after Ctrl-C, or for more epochs)
  $ scratchnet train --optimizer adam --lr 1e-3                  # Adam (default lr per optimizer: see --optimizer)
  $ scratchnet train --optimizer momentum --schedule cosine --warmup-epochs 1
  $ scratchnet train --batch-norm --dropout 0.2 --epochs 20 --early-stop 3
  $ scratchnet train --arch cnn                 # the recommended CNN: adam 3e-3, batch 128, cosine, 5 epochs
  $ scratchnet train --arch lenet5 --epochs 1   # LeNet-5, one epoch (adam 1e-3, batch 64)
  $ scratchnet train --layers "conv(8,3,p1),relu,maxpool(2),flatten,dense(10)"
`;

/** `--arch`, as train and compare take it (`mlp` says what shapes the MLP there). */
export const archOption = (mlp = "the tutorial's, shaped by --hidden, --activation, --dropout, --batch-norm"): Option =>
  new Option('--arch <name>', `the network: mlp (${mlp}), lenet5 (LeNet-5: 44,426 params), cnn (two 3×3 convolutions: 105,866 params)`)
    .choices(archNames)
    .default('mlp');

/** `--layers`, as train and compare take it. */
export const layersOption = (): Option =>
  new Option('--layers <spec>', 'any stack of layers, e.g. conv(8,3,p1),relu,maxpool(2),flatten,dense(10) (see docs/adding-a-layer.md for the layers)');

/** `--hidden`, as train and gradcheck take it. */
export const hiddenOption = (): Option =>
  new Option('--hidden <units>', "hidden layer sizes, comma-separated (mlp); '' or none for no hidden layer (softmax regression)").argParser(hiddenList).default([64, 32]);

/** `--activation`, as train and gradcheck take it. */
export const activationOption = (): Option => new Option('--activation <name>', 'hidden activation').choices(Object.keys(activations)).default('relu');

/** `--dropout`, as train and gradcheck take it. */
export const dropoutOption = (): Option => new Option('--dropout <rate>', 'dropout after each hidden activation').argParser(unitInterval).default(0);

/** `--batch-norm`, as train and gradcheck take it. */
export const batchNormOption = (): Option => new Option('--batch-norm', 'batch normalisation between each hidden Dense and its activation').default(false);

/**
 * The flags that say what to train and how (network, optimizer, schedule,
 * data), added to `command`: train takes them, and compare, sweep and
 * lr-find take the same ones, so one setting is spelt one way everywhere.
 */
export function addSettingsOptions(command: Command): Command {
  return command
    .option('--epochs <n>', 'passes over the training set (a toy --dataset: 100)', positiveInt, 5)
    .option('--batch-size <n>', 'examples per mini-batch (lenet5, --layers: 64; cnn: 128)', positiveInt, 32)
    .addOption(
      new Option('--optimizer <name>', `the optimizer (lenet5, --layers: adam at lr 1e-3; cnn: adam at lr 3e-3, cosine schedule); default learning rates: ${cliOptimizerNames.map((n) => `${n} ${defaultLr[n]}`).join(', ')}`)
        .choices(cliOptimizerNames)
        .default('sgd'),
    )
    .option('--lr <rate>', 'learning rate (default: per optimizer, 0.1 for sgd as the tutorial)', positiveNumber)
    .option('--momentum <m>', 'momentum for momentum, nesterov (default 0.9) and rmsprop (default 0)', unitInterval)
    .option('--beta1 <b>', 'Adam/AdamW first-moment decay (default 0.9)', unitInterval)
    .option('--beta2 <b>', 'Adam/AdamW second-moment decay (default 0.999)', unitInterval)
    .option('--eps <e>', 'the adaptive optimizers’ epsilon', positiveNumber)
    .option('--weight-decay <wd>', 'L2 weight decay (decoupled for adamw, default 0.01; else coupled, default 0)', nonNegativeNumber)
    .addOption(dropoutOption())
    .addOption(batchNormOption())
    .option('--clip-norm <n>', 'clip the gradients to this global norm', positiveNumber)
    .addOption(new Option('--schedule <name>', 'learning-rate schedule over the epochs').choices(scheduleNames).default('constant'))
    .option('--warmup-epochs <n>', 'linear learning-rate warm-up first (fractions allowed)', nonNegativeNumber, 0)
    .option('--early-stop <patience>', 'stop after this many epochs without a better validation accuracy, keeping the best weights', positiveInt)
    .addOption(archOption())
    .addOption(layersOption())
    .addOption(hiddenOption())
    .addOption(activationOption())
    .option('--init <name>', 'weight initialisation: he (normal, std √(2/fan-in)), glorot (uniform, ±√(6/(fan-in + fan-out))) or normal:<std>, e.g. normal:0.01', initValue, 'he')
    .option('--seed <n>', 'seed of the one RNG behind the split, init and shuffling', seedValue, 42)
    .option('--val-split <fraction>', 'fraction of the training file held out for validation', unitInterval, 0.1)
    .option('--subset <n>', 'train on a random n of the training examples (the tutorial used 10000)', positiveInt)
    .addOption(
      new Option('--dataset <name>', `a named data set: mnist (bundled), fashion-mnist (Zalando's clothes in MNIST's layout, from ${FASHION_MNIST_DIR}, Debian's dataset-fashion-mnist, or --idx-dir), or a seeded 2-D toy problem: ${TOY_NAMES.join(', ')}`)
        .choices([...DATASET_NAMES, ...TOY_NAMES])
        .default('mnist'),
    )
    .option('--points <n>', 'with a toy --dataset: how many points (default 1000; test share by --test-split)', positiveInt)
    .option('--noise <sd>', 'with a toy --dataset: the deviation of the jitter of each coordinate, the plane being [-1, 1]² (default: xor, circles 0.05, spiral 0.05, moons, gaussians 0.1)', nonNegativeNumber)
    .option('--csv <file>', 'a table: a header row of column names, a label column (integers or names) and numeric features; test rows from --test-csv, else --test-split')
    .option('--label <column>', 'the --csv label column (default: the column named label, else the first)')
    .option('--test-split <fraction>', 'with --csv and no --test-csv, --images, or a toy --dataset: the seeded share held out for the test (default 0.2)', unitInterval)
    .addOption(new Option('--normalize <how>', 'with --csv: scale each feature by the training rows: standard (mean 0, deviation 1), minmax (to [0, 1]) or none; saved in the model').choices(NORMALIZATIONS))
    .option('--augment <spec>', 'random changes of each training image, drawn afresh every batch (seeded by --seed), e.g. shift=2,rotate=10,scale=0.1 (pixels, degrees, fraction); images only, never validation or test', (v: string) => parseAugment(v))
    .option('--images <dir>', 'a folder of class folders of PNG images (DIR/<class>/*.png, any size, grey or colour); test images by --test-split')
    .option('--image-size <HxW>', 'with --images: the size every image is resized to, e.g. 28 or 32x48 (default 28)', imageSize)
    .addOption(new Option('--channels <n>', 'with --images: 1 (grey) or 3 (RGB) (default 1)').choices(['1', '3']))
    .option('--skip-bad', 'with --images: leave out (and count) files that are not readable PNGs instead of stopping')
    .option('--train-csv <file>', "training data in the tutorial's CSV layout (header, label, 784 pixels)")
    .option('--test-csv <file>', "test data in the tutorial's CSV layout (with --csv: the test table)")
    .option('--idx-dir <dir>', 'a folder with the four original IDX files of MNIST (or, with --dataset fashion-mnist, of Fashion-MNIST), .gz or not')
    .option('--tutorial-compat', "replay the tutorial's update (weight and bias gradients divided by the batch size twice)", false);
}

/** The `train` command. */
export function trainCommand(): Command {
  return addStatsOptions(
    addSettingsOptions(new Command('train').description("train a network on MNIST (defaults: the tutorial's 784-64-32-10 ReLU network, batch 32, lr 0.1, 5 epochs)")),
  )
    .option('--out <dir>', 'run folder to write (default: a new folder under runs/)')
    .option('--json', 'print a JSON summary as the last line of stdout', false)
    .option('--quiet', 'print nothing but errors (and the JSON line with --json)', false)
    .option('--no-report', 'do not write report.html into the run folder')
    .option('--checkpoint-every <epochs>', 'write checkpoints/last.safetensors every this many epochs (best.safetensors follows the validation accuracy)', positiveInt, 1)
    .option('--threads <n>', "threads for the convolutions and the wide products, Node only; the results are the same for any count (default on 2 or more cores: 2 for --arch lenet5|cnn, --layers, or a --hidden layer of 1024+ units, else 1; a --resume: 1 unless given)", positiveInt)
    .option('--fma', 'fused multiply-adds (relaxed SIMD) in the large products: faster, but the weights differ in the last bits from the default run and between engines and machines', false)
    .option('--resume <run-dir>', "continue a run from its last checkpoint, with the run's settings (--epochs may raise the total)")
    .addHelpText('after', examples)
    .action(async (flags: TrainFlags, command: Command) => {
      const explicit = new Set(command.options.map((o) => o.attributeName()).filter((name) => command.getOptionValueSource(name) === 'cli'));
      await runTrain(flags, { log: (line) => console.log(line) }, explicit);
    });
}

/**
 * The network a run of `settings` trains, its weights drawn from `rng`: a
 * table's starts with its training rows' statistics, so the saved model takes raw rows.
 */
export function runModel(settings: TrainSettings, data: { train: Dataset; table?: TableInfo }, rng: Rng): Sequential {
  const { train, table } = data;
  const network = modelFromSettings(settings, train.features, rng, train.classes?.length ?? 10, train.shape);
  return table === undefined ? network : new Sequential([Standardize.of(table.mean, table.scale), ...network.layers], train.features);
}

/** The fit options `settings` fix: epochs, batch size, schedule, clipping and augmentation (of `train`'s images). */
export function stepOptions(settings: TrainSettings, train: Dataset): Pick<FitOptions, 'epochs' | 'batchSize' | 'lrSchedule' | 'clipNorm' | 'augment'> {
  return {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    lrSchedule: settings.schedule.kind === 'constant' && settings.schedule.warmupEpochs === 0 ? undefined : lrSchedule(settings.schedule),
    clipNorm: settings.clipNorm ?? undefined,
    ...(settings.augment === undefined ? {} : { augment: { ...settings.augment, seed: settings.seed, ...(train.shape === undefined ? {} : { shape: train.shape }) } }),
  };
}

/** Runs `scratchnet train` with parsed flags; human lines go to `out`, the JSON line to stdout. `explicit` names the flags given on the command line. */
export async function runTrain(flags: TrainFlags, out: Output, explicit: ReadonlySet<string> = new Set()): Promise<History> {
  const quiet: Output = flags.quiet ? { log: () => {} } : out;
  const stats = statsOption(flags);
  let settings: TrainSettings;
  let resumed: Checkpoint | undefined;
  if (flags.resume !== undefined) {
    resumed = loadCheckpoint(checkpointPaths(flags.resume).last);
    // The run's own settings; only the number of epochs may change.
    settings = { ...resumed.state.settings, epochs: explicit.has('epochs') ? flags.epochs : resumed.state.settings.epochs };
    const at = resumed.state.resume;
    if (at.epoch >= settings.epochs) {
      throw new ConfigError(`${flags.resume} already trained ${at.epoch} of ${settings.epochs} epochs; give a larger --epochs to continue`);
    }
    quiet.log(`Resuming ${flags.resume} at epoch ${at.epoch + 1}, batch ${at.batch + 1}`);
  } else {
    settings = settingsFromFlags(flags, explicit);
  }
  // The default is the executable's (main.ts): two where two cores are for a CNN, which gains 1.08–1.29× an
  // epoch, or an MLP with a layer of 1,024+ units, 1.05–1.50× (bench/README.md), else one; it set
  // SCRATCHNET_THREADS for that before the kernels loaded.
  const threads = flags.threads ?? (Number(process.env.SCRATCHNET_THREADS) || 1);
  if (threads !== threadCount()) {
    const got = await setThreads(threads);
    if (flags.threads !== undefined && got < threads) {
      quiet.log(`--threads ${threads}: running on ${got} (kernel threads need Node and a shared kernel memory: SCRATCHNET_THREADS=${process.env.SCRATCHNET_THREADS ?? 'unset'} in the environment asks for a private one)`);
    }
  }

  // One generator, used in a fixed order: split, subset, init, shuffling.
  const rng = new Rng(settings.seed);
  const data = await loadData(settings.data, settings.valSplit, rng, quiet);
  const train = trainingSubset(data.train, settings.subset, rng);
  quiet.log(`Training data: ${train.count} × ${train.features}, validation: ${data.val.count}, test: ${data.test.count}`);

  const model = runModel(settings, { ...data, train }, rng);
  const optimizer = optimizerFromConfig(settings.optimizer);
  if (resumed !== undefined) restoreCheckpoint(resumed, model, optimizer);
  quiet.log('Network architecture:');
  for (const line of model.summary({ shapes: true })) quiet.log(line);
  quiet.log(`Total: ${model.paramCount().toLocaleString('en-US')} params`);
  quiet.log(
    `Training on ${train.count} examples: ${settings.epochs} epoch${settings.epochs === 1 ? '' : 's'}, batch ${settings.batchSize}, ${describeOptimizer(settings.optimizer)}, seed ${settings.seed}` +
      (settings.tutorialCompat ? ' (tutorial-compatible update: effective lr = lr / batch size)' : ''),
  );
  const kernels = { kernels: kernelBackend, threads: threadCount(), fma: fusedMultiplyAdd };
  if (flags.fma && !fusedMultiplyAdd) quiet.log('--fma: this engine has no relaxed SIMD (or SCRATCHNET_FMA is not 1 in the environment), so the products stay plain SIMD');
  quiet.log(`Kernels: ${kernelBackend === 'wasm-simd' ? `WebAssembly SIMD${fusedMultiplyAdd ? ' with fused multiply-add' : ''}` : 'JavaScript'}, ${kernels.threads} thread${kernels.threads === 1 ? '' : 's'}`);

  const dir = flags.out ?? flags.resume ?? newRunDir();
  makeFolder(dir);
  const bar = !flags.quiet && process.stderr.isTTY === true && !process.env.CI;
  const interrupt = stopOnSigint();
  const stopper = settings.earlyStop === null ? undefined : earlyStopping(model, { patience: settings.earlyStop });
  // A network of the plane (two features): its decision boundary at a few epochs, for the report.
  const boundary = boundaryCallbacks(model, { ...data, train }, settings.epochs);
  let history: History;
  try {
    history = await fit(
      model,
      { train, val: data.val, test: data.test },
      {
        optimizer,
        rng,
        signal: interrupt.signal,
        callbacks: [
          progressCallbacks(quiet, { bar, batchSize: settings.batchSize }),
          checkpointCallbacks(dir, { settings, model, optimizer }, flags.checkpointEvery),
          ...(stopper === undefined ? [] : [stopper]),
          ...(boundary === undefined ? [] : [boundary.callbacks]),
        ],
        ...stepOptions(settings, train),
        stats,
        resume: resumed === undefined ? undefined : { ...resumed.state.resume, history: resumed.state.history },
      },
    );
  } finally {
    interrupt.dispose();
  }

  if (history.stopped) {
    const at = history.resumeAt;
    const last = checkpointPaths(dir).last;
    saveCheckpoint(last, model, checkpointState(settings, history, at, model, optimizer));
    out.log(`Interrupted at epoch ${at.epoch + 1}, batch ${at.batch}. Wrote ${last}`);
    out.log(`Resume with: scratchnet train --resume ${dir}`);
    process.exitCode = 130;
    return history;
  }
  if (stopper?.stoppedAt !== null && stopper?.stoppedAt !== undefined) {
    quiet.log(`Early stop after epoch ${stopper.stoppedAt + 1}: no better validation accuracy for ${settings.earlyStop} epochs; restored the weights of epoch ${(stopper.bestEpoch ?? 0) + 1}`);
  }
  if (history.testAccuracy !== undefined) {
    quiet.log(`Test accuracy: ${history.testAccuracy.toFixed(4)} (loss ${history.testLoss?.toFixed(4)})`);
  }

  await writeRunFolder(dir, { settings, model, history, train: data.train, test: data.test, ...(boundary === undefined ? {} : { boundary: boundary.record }) }, { report: flags.report, out: quiet });

  if (flags.json) {
    console.log(
      JSON.stringify({
        epochs: history.epochs,
        trainLoss: history.trainLoss,
        valAccuracy: history.valAccuracy,
        valLoss: history.valLoss,
        testAccuracy: history.testAccuracy ?? null,
        testLoss: history.testLoss ?? null,
        seconds: history.seconds,
        imagesPerSecond: history.imagesPerSecond,
        seed: settings.seed,
        ...kernels,
      }),
    );
  }
  return history;
}
