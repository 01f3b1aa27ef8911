import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { subset } from '../data/dataset.js';
import { svgToPng } from '../io/png.js';
import { makeFolder, writeFileAtomic } from '../io/write.js';
import { mlp } from '../model/mlp.js';
import { optimizerFromConfig } from '../optim/from-config.js';
import { buildCompareReport, type CompareResult } from '../report/compare.js';
import { Rng } from '../rng.js';
import { fit } from '../train/fit.js';
import { describeOptimizer } from './settings.js';
import { loadData } from './data-source.js';
import { positiveInt, seedValue } from './options.js';
import { cliOptimizerNames, optimizerConfigFromFlags, type CliOptimizerName } from '../optim/presets.js';
import type { Output } from './progress.js';
import { newRunDir } from './run-folder.js';

interface CompareFlags {
  optimizers: CliOptimizerName[];
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
`;

/** The `compare` command: the same network, data and seed under several optimizers, in one report. */
export function compareCommand(): Command {
  return new Command('compare')
    .description("train the tutorial's network once per optimizer on the same data and seed, and write one report comparing their curves")
    .option('--optimizers <list>', `comma-separated, from ${cliOptimizerNames.join(', ')} (each with its default learning rate)`, optimizerList, ['sgd', 'momentum', 'rmsprop', 'adam'])
    .option('--epochs <n>', 'epochs per run', positiveInt, 5)
    .option('--batch-size <n>', 'examples per mini-batch', positiveInt, 32)
    .option('--subset <n>', 'train on a random n of the training examples', positiveInt)
    .option('--seed <n>', 'seed of the split, init and shuffling (the same for every run)', seedValue, 42)
    .option('--out <dir>', 'folder for compare.html and results.json (default: a new runs/compare-… folder)')
    .option('--png', 'also write the chart as compare.png', false)
    .option('--json', 'print the results as one JSON line at the end', false)
    .option('--quiet', 'print nothing but errors (and the JSON line with --json)', false)
    .addHelpText('after', examples)
    .action(async (flags: CompareFlags) => {
      await runCompare(flags, { log: (line) => console.log(line) });
    });
}

/** Runs every optimizer of `flags` on the same data and seed and writes the comparison. */
export async function runCompare(flags: CompareFlags, out: Output): Promise<CompareResult[]> {
  const quiet: Output = flags.quiet ? { log: () => {} } : out;
  // The split and subset draw from the seed's generator exactly as train does;
  // each run then starts from that generator state, as `train --seed` would.
  const rng = new Rng(flags.seed);
  const data = await loadData({ kind: 'bundled' }, 0.1, rng, quiet);
  const train = flags.subset !== undefined && flags.subset < data.train.count ? subset(data.train, rng.permutation(data.train.count).subarray(0, flags.subset)) : data.train;
  const start = rng.getState();
  const results: CompareResult[] = [];
  for (const name of flags.optimizers) {
    const config = optimizerFromConfig(optimizerConfigFromFlags(name, {})).config();
    const runRng = new Rng(0);
    runRng.setState(start);
    const model = mlp({ rng: runRng });
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
  const description = `${flags.epochs} epochs each on ${train.count} training images (batch ${flags.batchSize}, seed ${flags.seed}); validation on ${data.val.count}, test on ${data.test.count}.`;
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
