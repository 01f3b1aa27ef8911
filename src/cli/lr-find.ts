import { join } from 'node:path';
import { Command, InvalidArgumentError, type Option } from 'commander';
import { ConfigError } from '../errors.js';
import { svgToPng } from '../io/png.js';
import { makeFolder, writeFileAtomic } from '../io/write.js';
import type { Sequential } from '../model/sequential.js';
import { optimizerFromConfig } from '../optim/from-config.js';
import { formatLr } from '../plot/lr-find.js';
import { buildLrFindReport, lrFindAdvice } from '../report/lr-find.js';
import { Rng } from '../rng.js';
import { lrFind, type LrFindResult } from '../train/lr-find.js';
import { loadData, trainingSubset } from './data-source.js';
import { positiveInt, positiveNumber } from './options.js';
import type { Output } from './progress.js';
import { newRunDir } from './run-folder.js';
import { describeOptimizer, settingsFromFlags, type SettingsFlags, type TrainSettings } from './settings.js';
import { runModel, trainCommand } from './train.js';
import { VERSION } from '../version.js';

/** The flags of `scratchnet lr-find`: train's network, optimizer and data flags, and the sweep's. */
export interface LrFindFlags extends Omit<SettingsFlags, 'epochs' | 'lr' | 'schedule' | 'warmupEpochs' | 'earlyStop' | 'augment'> {
  startLr: number;
  endLr: number;
  steps: number;
  out?: string;
  png: boolean;
  json: boolean;
  quiet: boolean;
}

/**
 * The flags of `train` that lr-find takes, as train defines them (the same
 * parsers, choices, defaults and help): whatever shapes the network, the
 * optimizer (but its rate, which is swept) and the batches it trains on.
 * Not the ones about a whole run (epochs, schedule, early stop, checkpoints).
 */
const TRAIN_FLAGS = [
  '--arch', '--layers', '--hidden', '--activation', '--init', '--dropout', '--batch-norm', '--tutorial-compat',
  '--optimizer', '--momentum', '--beta1', '--beta2', '--eps', '--weight-decay', '--clip-norm',
  '--batch-size', '--seed', '--val-split', '--subset',
  '--dataset', '--points', '--noise', '--csv', '--label', '--test-split', '--normalize', '--images', '--image-size', '--channels', '--skip-bad', '--train-csv', '--test-csv', '--idx-dir',
] as const;

/** An integer ≥ 2 (a sweep needs a first and a last rate). */
function sweepSteps(value: string): number {
  const n = positiveInt(value);
  if (n < 2) throw new InvalidArgumentError('expected an integer ≥ 2');
  return n;
}

const examples = `
Examples:
  $ scratchnet lr-find                                   # the tutorial's network and SGD on the bundled MNIST
  $ scratchnet lr-find --subset 5000 --png               # a quick look, with lr-find.png
  $ scratchnet lr-find --optimizer adam --batch-size 64  # the rate for Adam
  $ scratchnet lr-find --arch lenet5 --steps 100 --json  # LeNet-5 (adam, batch 64, as train); one JSON line last
  $ scratchnet lr-find --start-lr 1e-4 --end-lr 1 --out runs/lr   # a narrower sweep, into runs/lr
Then train with the suggestion and the same flags, e.g.:
  $ scratchnet train --lr 0.1
`;

/** `value` as one shell word (quoted when it holds anything but plain characters). */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The `lr-find` command: the learning-rate range test of a network `train` would build. */
export function lrFindCommand(): Command {
  const command = new Command('lr-find')
    .description('find a learning rate: train briefly while the rate grows from --start-lr to --end-lr, chart the loss against it and suggest the rate where it falls fastest (the weights are not kept)')
    .option('--start-lr <rate>', 'the first learning rate', positiveNumber, 1e-6)
    .option('--end-lr <rate>', 'the last learning rate (the run stops sooner once the loss diverges)', positiveNumber, 10)
    .option('--steps <n>', 'mini-batches from --start-lr to --end-lr (a smaller training set is gone through again)', sweepSteps, 200);
  // The raw text of each train flag given, to print the matching `scratchnet train` line.
  const given = new Map<Option, string | undefined>();
  const trainOptions = new Map(trainCommand().options.map((o) => [o.long, o]));
  for (const flag of TRAIN_FLAGS) {
    const option = trainOptions.get(flag);
    if (option === undefined) throw new Error(`lr-find: train has no option ${flag}`);
    command.addOption(option);
    command.on(`option:${option.name()}`, (raw?: string) => given.set(option, raw));
  }
  return command
    .option('--out <dir>', 'folder for lr-find.html, lr-find.svg and results.json (default: a new runs/lr-find-… folder)')
    .option('--png', 'also write the chart as lr-find.png', false)
    .option('--json', 'print the result as one JSON line at the end', false)
    .option('--quiet', 'print nothing but errors (and the JSON line with --json)', false)
    .addHelpText('after', examples)
    .action(async (flags: LrFindFlags, cmd: Command) => {
      const explicit = new Set(cmd.options.map((o) => o.attributeName()).filter((name) => cmd.getOptionValueSource(name) === 'cli'));
      const words = [...given].flatMap(([option, raw]) => (raw === undefined ? [option.long ?? ''] : [option.long ?? '', shellWord(raw)]));
      await runLrFind(flags, { log: (line) => console.log(line) }, explicit, ['scratchnet', 'train', ...words].join(' '));
    });
}

/** The network for a caption: `mlp 784-64-32-10`, `--arch lenet5`, `--layers …`. */
function networkText(settings: TrainSettings, model: Sequential): string {
  if ((settings.arch ?? 'mlp') === 'mlp') return `mlp ${[model.inputUnits, ...settings.hidden, model.outputUnits].join('-')}`;
  return settings.arch === 'layers' ? `--layers ${settings.layers ?? ''}` : `--arch ${settings.arch}`;
}

/**
 * Runs `scratchnet lr-find`: builds the network, optimizer and training
 * batches exactly as `train` would from the same flags and seed, runs
 * {@link lrFind} on them and writes the chart, the page and results.json.
 * `trainCommand` is the `scratchnet train` line of the same flags.
 */
export async function runLrFind(flags: LrFindFlags, out: Output, explicit: ReadonlySet<string> = new Set(), trainCommand = 'scratchnet train'): Promise<LrFindResult> {
  const quiet: Output = flags.quiet ? { log: () => {} } : out;
  if (!(flags.startLr < flags.endLr)) throw new ConfigError(`--start-lr ${flags.startLr} must be below --end-lr ${flags.endLr}`);
  // Train's settings of the same flags (its CNN recipes included); the run-length ones do not matter here.
  const settings = settingsFromFlags({ ...flags, epochs: 1, schedule: 'constant', warmupEpochs: 0 }, explicit);

  // The generator is used in train's order (split, subset, init, shuffling), so this is the network train would start from.
  const rng = new Rng(settings.seed);
  const data = await loadData(settings.data, settings.valSplit, rng, quiet);
  const train = trainingSubset(data.train, settings.subset, rng);
  const model = runModel(settings, { ...data, train }, rng);
  const optimizer = optimizerFromConfig(settings.optimizer);
  const { lr: _swept, ...fixed } = settings.optimizer;
  const optimizerText = describeOptimizer({ ...fixed, name: settings.optimizer.name }).replace(' ()', '');
  quiet.log(`Range test on ${train.count} training examples: ${networkText(settings, model)} (${model.paramCount().toLocaleString('en-US')} params), ${optimizerText}, batch ${settings.batchSize}, seed ${settings.seed}`);
  quiet.log(`Learning rate from ${flags.startLr} to ${flags.endLr} over ${flags.steps} steps`);

  const every = Math.max(1, Math.round(flags.steps / 10));
  const started = performance.now();
  const result = await lrFind(model, { train }, {
    startLr: flags.startLr,
    endLr: flags.endLr,
    steps: flags.steps,
    batchSize: settings.batchSize,
    optimizer,
    rng,
    clipNorm: settings.clipNorm ?? undefined,
    onStep: ({ step, steps, lr, loss, smoothed }) => {
      if ((step + 1) % every === 0 || step === 0) quiet.log(`step ${String(step + 1).padStart(String(steps).length)}/${steps}  lr ${formatLr(lr).padEnd(7)}  loss ${loss.toFixed(4)}  smoothed ${smoothed.toFixed(4)}`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.stoppedEarly) {
    quiet.log(`Stopped after step ${result.steps} of ${flags.steps} (lr ${formatLr(result.lrs[result.steps - 1] ?? flags.startLr)}): the loss diverged`);
  }

  const dir = flags.out ?? newRunDir('lr-find-');
  makeFolder(dir);
  const description = `${networkText(settings, model)}, ${optimizerText}, batch ${settings.batchSize}, ${train.count} training examples, seed ${settings.seed}: ${result.steps} steps from lr ${flags.startLr} towards ${flags.endLr}${result.stoppedEarly ? ' (stopped when the loss diverged)' : ''}, ${seconds.toFixed(1)} s.`;
  const { html, svg } = await buildLrFindReport(result, description, trainCommand);
  writeFileAtomic(join(dir, 'lr-find.html'), html);
  writeFileAtomic(join(dir, 'lr-find.svg'), svg);
  const { epochs: _e, schedule: _s, earlyStop: _x, ...used } = settings;
  const record = { format: 'scratchnet-lr-find', version: VERSION, settings: { ...used, optimizer: fixed }, startLr: flags.startLr, endLr: flags.endLr, requestedSteps: flags.steps, trainCommand, seconds, ...result };
  writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify(record, null, 2)}\n`);
  const written = ['lr-find.html', 'lr-find.svg', 'results.json'];
  if (flags.png) {
    writeFileAtomic(join(dir, 'lr-find.png'), svgToPng(svg));
    written.push('lr-find.png');
  }
  quiet.log(`Wrote ${written.map((f) => join(dir, f)).join(', ')}`);
  quiet.log(lrFindAdvice(result, trainCommand));
  if (flags.json) {
    const { suggestedLr, minLossLr, stoppedEarly, steps } = result;
    console.log(JSON.stringify({ suggestedLr, minLossLr, stoppedEarly, steps, seconds, out: dir }));
  }
  return result;
}
