import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { subset } from '../data/dataset.js';
import { saveModel } from '../io/model-files.js';
import { writeFileAtomic } from '../io/write.js';
import { activations, type ActivationName } from '../layers/activations.js';
import { initNames, type InitName } from '../layers/init.js';
import { mlp } from '../model/mlp.js';
import { SGD } from '../optim/sgd.js';
import { Rng } from '../rng.js';
import { fit, type History } from '../train/fit.js';
import { VERSION } from '../version.js';
import { dataSource, loadData } from './data.js';
import { fraction, intList, positiveInt, positiveNumber, seedValue } from './options.js';
import { progressCallbacks, type Output } from './progress.js';
import { writeReport } from './report.js';

/** The parsed flags of `scratchnet train`. */
export interface TrainFlags {
  epochs: number;
  batchSize: number;
  lr: number;
  hidden: number[];
  activation: ActivationName;
  init: InitName;
  seed: number;
  valSplit: number;
  subset?: number;
  trainCsv?: string;
  testCsv?: string;
  idxDir?: string;
  out?: string;
  json: boolean;
  quiet: boolean;
  tutorialCompat: boolean;
  /** False with --no-report. */
  report: boolean;
}

const examples = `
Examples:
  $ scratchnet train                                # the tutorial's network on the bundled MNIST
  $ scratchnet train --epochs 1 --json              # one epoch; the last stdout line is a JSON summary
  $ scratchnet train --train-csv mnist_train.csv --test-csv mnist_test.csv
  $ scratchnet train --hidden 128,64 --activation tanh --init glorot --lr 0.05
  $ scratchnet train --subset 10000 --tutorial-compat   # replay the tutorial's exact update
`;

/** The `train` command. */
export function trainCommand(): Command {
  return new Command('train')
    .description("train a network on MNIST (defaults: the tutorial's 784-64-32-10 ReLU network, batch 32, lr 0.1, 5 epochs)")
    .option('--epochs <n>', 'passes over the training set', positiveInt, 5)
    .option('--batch-size <n>', 'examples per mini-batch', positiveInt, 32)
    .option('--lr <rate>', 'SGD learning rate', positiveNumber, 0.1)
    .option('--hidden <units>', 'hidden layer sizes, comma-separated', intList, [64, 32])
    .addOption(new Option('--activation <name>', 'hidden activation').choices(Object.keys(activations)).default('relu'))
    .addOption(new Option('--init <name>', 'weight initialisation').choices(initNames).default('he'))
    .option('--seed <n>', 'seed of the one RNG behind the split, init and shuffling', seedValue, 42)
    .option('--val-split <fraction>', 'fraction of the training file held out for validation', fraction, 0.1)
    .option('--subset <n>', 'train on a random n of the training examples (the tutorial used 10000)', positiveInt)
    .option('--train-csv <file>', "training data in the tutorial's CSV layout (header, label, 784 pixels)")
    .option('--test-csv <file>', "test data in the tutorial's CSV layout")
    .option('--idx-dir <dir>', 'a folder with the four original MNIST IDX files (.gz or not)')
    .option('--out <dir>', 'run folder to write (default: a new folder under runs/)')
    .option('--json', 'print a JSON summary as the last line of stdout', false)
    .option('--quiet', 'print nothing but errors (and the JSON line with --json)', false)
    .option('--tutorial-compat', "replay the tutorial's update (weight and bias gradients divided by the batch size twice)", false)
    .option('--no-report', 'do not write report.html into the run folder')
    .addHelpText('after', examples)
    .action(async (flags: TrainFlags) => {
      await runTrain(flags, { log: (line) => console.log(line) });
    });
}

/** A new folder under runs/ named after the current time (with a suffix if taken). */
function newRunDir(): string {
  const stamp = new Date().toISOString().replace(/\..*$/, '').replace(/[-:]/g, '').replace('T', '-');
  let dir = join('runs', stamp);
  for (let i = 2; existsSync(dir); i++) dir = join('runs', `${stamp}-${i}`);
  return dir;
}

/** Runs `scratchnet train` with parsed flags; human lines go to `out`, the JSON line to stdout. */
export async function runTrain(flags: TrainFlags, out: Output): Promise<History> {
  const quiet: Output = flags.quiet ? { log: () => {} } : out;
  // One generator, used in a fixed order: split, subset, init, shuffling.
  const rng = new Rng(flags.seed);
  const source = dataSource(flags);
  const data = await loadData(source, flags.valSplit, rng, quiet);
  let train = data.train;
  if (flags.subset !== undefined && flags.subset < train.count) {
    train = subset(train, rng.permutation(train.count).subarray(0, flags.subset));
  }
  quiet.log(`Training data: ${train.count} × ${train.features}, validation: ${data.val.count}, test: ${data.test.count}`);

  const model = mlp({
    inputUnits: train.features,
    hidden: flags.hidden,
    activation: flags.activation,
    init: flags.init,
    rng,
    tutorialCompat: flags.tutorialCompat,
  });
  quiet.log('Network architecture:');
  for (const line of model.summary()) quiet.log(line);
  quiet.log(
    `Training on ${train.count} examples: ${flags.epochs} epoch${flags.epochs === 1 ? '' : 's'}, batch ${flags.batchSize}, SGD lr ${flags.lr}, seed ${flags.seed}` +
      (flags.tutorialCompat ? ' (tutorial-compatible update: effective lr = lr / batch size)' : ''),
  );

  const optimizer = new SGD({ lr: flags.lr });
  const bar = !flags.quiet && process.stderr.isTTY === true && !process.env.CI;
  const history = fit(
    model,
    { train, val: data.val, test: data.test },
    { epochs: flags.epochs, batchSize: flags.batchSize, optimizer, rng, callbacks: progressCallbacks(quiet, { bar, batchSize: flags.batchSize }) },
  );
  if (history.testAccuracy !== undefined) {
    quiet.log(`Test accuracy: ${history.testAccuracy.toFixed(4)} (loss ${history.testLoss?.toFixed(4)})`);
  }

  const dir = flags.out ?? newRunDir();
  mkdirSync(dir, { recursive: true });
  const settings = {
    hidden: flags.hidden,
    activation: flags.activation,
    init: flags.init,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    optimizer: optimizer.config(),
    seed: flags.seed,
    valSplit: flags.valSplit,
    subset: flags.subset ?? null,
    data: source,
    tutorialCompat: flags.tutorialCompat,
  };
  const record = { format: 'scratchnet-history', version: VERSION, settings, architecture: model.config(), ...history };
  writeFileAtomic(join(dir, 'history.json'), `${JSON.stringify(record, null, 2)}\n`);
  quiet.log(`Wrote ${join(dir, 'history.json')}`);
  const { batchLoss: _perBatch, ...summary } = history;
  saveModel(model, join(dir, 'model.safetensors'), { settings, history: summary });
  quiet.log(`Wrote ${join(dir, 'model.safetensors')}`);
  if (flags.report) {
    const html = join(dir, 'report.html');
    // The samples come from the split before --subset, as `scratchnet report` reloads them.
    await writeReport({ history: record, model, train: data.train, test: data.test, seed: flags.seed }, html, undefined);
    quiet.log(`Wrote ${html}`);
  }

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
        seed: flags.seed,
      }),
    );
  }
  return history;
}
