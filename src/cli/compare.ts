import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { subset } from '../data/dataset.js';
import { svgToPng } from '../io/png.js';
import { makeFolder, writeFileAtomic } from '../io/write.js';
import { Dropout } from '../layers/dropout.js';
import type { Sequential } from '../model/sequential.js';
import { optimizerFromConfig } from '../optim/from-config.js';
import { buildCompareReport, type CompareResult } from '../report/compare.js';
import { Rng } from '../rng.js';
import { fit } from '../train/fit.js';
import { describeOptimizer, modelFromSettings, networkFromFlags, type ArchName, type NetworkChoice, type TrainSettings } from './settings.js';
import { archOption, layersOption } from './train.js';
import { loadData } from './data-source.js';
import { positiveInt, seedValue } from './options.js';
import { cliOptimizerNames, optimizerConfigFromFlags, type CliOptimizerName } from '../optim/presets.js';
import type { Output } from './progress.js';
import { newRunDir } from './run-folder.js';

interface CompareFlags {
  optimizers: CliOptimizerName[];
  arch: ArchName;
  layers?: string;
  epochs: number;
  batchSize: number;
  subset?: number;
  seed: number;
  out?: string;
  png: boolean;
  json: boolean;
  quiet: boolean;
}

function optimizerList(value: string): CliOptimizerName[] {
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(cliOptimizerNames as readonly string[]).includes(n)) throw new InvalidArgumentError(`expected names from ${cliOptimizerNames.join(', ')}, got "${n}"`);
  }
  if (new Set(names).size !== names.length) throw new InvalidArgumentError('expected each optimizer once');
  return names as CliOptimizerName[];
}

const examples = `
Examples:
  $ scratchnet compare                                  # sgd, momentum, rmsprop and adam, 5 epochs each
  $ scratchnet compare --optimizers sgd,adam,adamw --epochs 10 --png
  $ scratchnet compare --subset 10000 --epochs 3        # a quick look
  $ scratchnet compare --arch lenet5 --optimizers sgd,adam --epochs 2 --batch-size 64
`;

/** The MLP that compare trains without --arch / --layers: the tutorial's, as `train` builds it by default. */
const TUTORIAL_MLP: Pick<TrainSettings, 'hidden' | 'activation' | 'init' | 'tutorialCompat' | 'dropout' | 'batchNorm'> = {
  hidden: [64, 32],
  activation: 'relu',
  init: 'he',
  tutorialCompat: false,
  dropout: 0,
  batchNorm: false,
};

/** The network in the report's caption: `the tutorial's 784-64-32-10`, `--arch lenet5`, `--layers …`. */
function networkLabel({ arch, layers }: NetworkChoice): string {
  if (arch === 'mlp') return "The tutorial's 784-64-32-10";
  return arch === 'layers' ? `--layers ${layers ?? ''}` : `--arch ${arch}`;
}

/** Puts `from`'s state (weights, zero grads, BatchNorm statistics, Dropout generators) into `into`, a model of the same layers. */
function startFrom(into: Sequential, from: Sequential): void {
  const source = [...from.params().flatMap((p) => [p.value, p.grad]), ...from.buffers().map((b) => b.value)];
  [...into.params().flatMap((p) => [p.value, p.grad]), ...into.buffers().map((b) => b.value)].forEach((t, i) => t.set(source[i]));
  into.layers.forEach((layer, i) => {
    if (layer instanceof Dropout) layer.rng.setState((from.layers[i] as Dropout).rng.getState());
  });
}

/** The `compare` command: the same network, data and seed under several optimizers, in one report. */
export function compareCommand(): Command {
  return new Command('compare')
    .description("train one network (the tutorial's, or --arch / --layers) once per optimizer on the same data and seed, and write one report comparing their curves")
    .option('--optimizers <list>', `comma-separated, from ${cliOptimizerNames.join(', ')} (each with its default learning rate)`, optimizerList, ['sgd', 'momentum', 'rmsprop', 'adam'])
    .addOption(archOption("the tutorial's 784-64-32-10"))
    .addOption(layersOption())
    .option('--epochs <n>', 'epochs per run', positiveInt, 5)
    .option('--batch-size <n>', 'examples per mini-batch', positiveInt, 32)
    .option('--subset <n>', 'train on a random n of the training examples', positiveInt)
    .option('--seed <n>', 'seed of the split, init and shuffling (the same for every run)', seedValue, 42)
    .option('--out <dir>', 'folder for compare.html and results.json (default: a new runs/compare-… folder)')
    .option('--png', 'also write the chart as compare.png', false)
    .option('--json', 'print the results as one JSON line at the end', false)
    .option('--quiet', 'print nothing but errors (and the JSON line with --json)', false)
    .addHelpText('after', examples)
    .action(async (flags: CompareFlags, command: Command) => {
      const explicit = new Set(command.options.map((o) => o.attributeName()).filter((name) => command.getOptionValueSource(name) === 'cli'));
      await runCompare(flags, { log: (line) => console.log(line) }, explicit);
    });
}

/** Runs every optimizer of `flags` on the same data and seed and writes the comparison. */
export async function runCompare(flags: CompareFlags, out: Output, explicit: ReadonlySet<string> = new Set()): Promise<CompareResult[]> {
  const quiet: Output = flags.quiet ? { log: () => {} } : out;
  // The network as train builds it from the same flags (a bad spec fails before any data is read).
  const network = networkFromFlags(flags, explicit);
  // The split and subset draw from the seed's generator exactly as train does;
  // each run then starts from that generator state, as `train --seed` would.
  const rng = new Rng(flags.seed);
  const data = await loadData({ kind: 'bundled' }, 0.1, rng, quiet);
  const train = flags.subset !== undefined && flags.subset < data.train.count ? subset(data.train, rng.permutation(data.train.count).subarray(0, flags.subset)) : data.train;
  const start = rng.getState();
  const results: CompareResult[] = [];
  // One model trains every run: each starts from the weights a new model draws, as `train` would, but
  // keeps the first run's activation and im2col buffers. A new model per run would take new kernel
  // memory, which returns only when the garbage collector runs: a CNN's runs after the first would
  // find it full and run on the slower JS kernels, whose last bits differ from train's.
  let model: Sequential | undefined;
  for (const name of flags.optimizers) {
    const config = optimizerFromConfig(optimizerConfigFromFlags(name, {})).config();
    const runRng = new Rng(0);
    runRng.setState(start);
    const fresh = modelFromSettings({ ...network, ...TUTORIAL_MLP }, train.features, runRng);
    if (model === undefined) model = fresh;
    else startFrom(model, fresh);
    const history = await fit(model, { train, val: data.val, test: data.test }, { epochs: flags.epochs, batchSize: flags.batchSize, optimizer: optimizerFromConfig(config), rng: runRng });
    const result: CompareResult = {
      name,
      settings: describeOptimizer(config),
      trainLoss: history.trainLoss,
      valAccuracy: history.valAccuracy,
      testAccuracy: history.testAccuracy ?? NaN,
      seconds: history.seconds,
    };
    results.push(result);
    quiet.log(`${name.padEnd(9)} test accuracy ${result.testAccuracy.toFixed(4)}, best val ${Math.max(...result.valAccuracy).toFixed(4)}, final train loss ${result.trainLoss[result.trainLoss.length - 1].toFixed(4)}, ${result.seconds.toFixed(1)} s  [${result.settings}]`);
  }
  const dir = flags.out ?? newRunDir('compare-');
  makeFolder(dir);
  const description = `${networkLabel(network)} (${(model?.paramCount() ?? 0).toLocaleString('en-US')} params), ${flags.epochs} epoch${flags.epochs === 1 ? '' : 's'} each on ${train.count} training images (batch ${flags.batchSize}, seed ${flags.seed}); validation on ${data.val.count}, test on ${data.test.count}.`;
  const { html, svg } = await buildCompareReport(results, description);
  writeFileAtomic(join(dir, 'compare.html'), html);
  writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify({ description, results }, null, 2)}\n`);
  quiet.log(`Wrote ${join(dir, 'compare.html')}`);
  if (flags.png) {
    writeFileAtomic(join(dir, 'compare.png'), svgToPng(svg));
    quiet.log(`Wrote ${join(dir, 'compare.png')}`);
  }
  if (flags.json) console.log(JSON.stringify({ results: results.map(({ name, testAccuracy, valAccuracy, trainLoss, seconds }) => ({ name, testAccuracy, valAccuracy, trainLoss, seconds })) }));
  return results;
}
