import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../errors.js';
import { rgbPngDataUrl, svgToPng } from '../io/png.js';
import { decisionGrid, planeExtent } from '../metrics/decision-grid.js';
import { boundaryTile, type BoundaryPanel } from '../plot/boundary.js';
import type { Tile } from '../plot/tiles.js';
import { makeFolder, writeFileAtomic } from '../io/write.js';
import { activations } from '../layers/activations.js';
import { Dropout } from '../layers/dropout.js';
import type { Sequential } from '../model/sequential.js';
import { optimizerFromConfig } from '../optim/from-config.js';
import { cliOptimizerNames, type CliOptimizerName } from '../optim/presets.js';
import { buildCompareReport, type CompareResult } from '../report/compare.js';
import { Rng } from '../rng.js';
import { fit } from '../train/fit.js';
import { scheduleNames } from '../train/schedules.js';
import { dataTitle, loadData, trainingSubset } from './data-source.js';
import { initValue, intList, nonNegativeNumber, positiveInt, positiveNumber, unitInterval } from './options.js';
import type { Output } from './progress.js';
import { historyJson, newRunDir } from './run-folder.js';
import { archNames, describeOptimizer, networkFromFlags, settingsFromFlags, type NetworkChoice, type SettingsFlags, type TrainSettings } from './settings.js';
import { addSettingsOptions, addStatsOptions, runModel, statsOption, stepOptions } from './train.js';

interface CompareFlags extends SettingsFlags {
  stats: boolean;
  statsEvery?: number;
  vary?: Variation;
  optimizers?: CliOptimizerName[];
  out?: string;
  png: boolean;
  json: boolean;
  quiet: boolean;
}

/** One setting and the values a comparison gives it: `--vary lr=0.01,0.1,1`. */
export interface Variation {
  /** The setting as --vary names it (`lr`, `batch-size`, …). */
  setting: string;
  /** The flag's attribute it sets (`lr`, `batchSize`, …). */
  attr: keyof SettingsFlags;
  /** Each value as written (the run's name) and as parsed. */
  values: { label: string; value: unknown }[];
}

/** A parser that takes one of `names`. */
const choice = (names: readonly string[]) => (v: string): string => {
  if (!names.includes(v)) throw new InvalidArgumentError(`expected one of ${names.join(', ')}`);
  return v;
};

/** Hidden sizes for --vary hidden: `64-32` for two layers, `none` for none (softmax regression). */
function hiddenSizes(v: string): number[] {
  if (v === 'none') return [];
  return intList(v.replaceAll('-', ','));
}

/** The settings --vary can vary: the train flag each one sets, and the parser of its values (the flag's own). */
export const VARIABLES: Readonly<Record<string, { attr: keyof SettingsFlags; parse: (v: string) => unknown }>> = {
  optimizer: { attr: 'optimizer', parse: choice(cliOptimizerNames) },
  lr: { attr: 'lr', parse: positiveNumber },
  'batch-size': { attr: 'batchSize', parse: positiveInt },
  epochs: { attr: 'epochs', parse: positiveInt },
  init: { attr: 'init', parse: initValue },
  activation: { attr: 'activation', parse: choice(Object.keys(activations)) },
  arch: { attr: 'arch', parse: choice(archNames) },
  hidden: { attr: 'hidden', parse: hiddenSizes },
  dropout: { attr: 'dropout', parse: unitInterval },
  'weight-decay': { attr: 'weightDecay', parse: nonNegativeNumber },
  momentum: { attr: 'momentum', parse: unitInterval },
  schedule: { attr: 'schedule', parse: choice(scheduleNames) },
};

/** Parses `SETTING=v1,v2,…` (at least one value, each once) with the setting's own parser. */
export function parseVariation(text: string): Variation {
  const eq = text.indexOf('=');
  const setting = text.slice(0, eq).trim();
  const variable = eq < 0 ? undefined : VARIABLES[setting];
  if (variable === undefined) throw new InvalidArgumentError(`expected SETTING=v1,v2,… with SETTING one of ${Object.keys(VARIABLES).join(', ')}`);
  const labels = text.slice(eq + 1).split(',').map((v) => v.trim());
  if (labels.some((v) => v === '')) throw new InvalidArgumentError(`expected comma-separated values of ${setting}, e.g. ${setting}=${setting === 'lr' ? '0.01,0.1,1' : 'a,b'}`);
  if (new Set(labels).size !== labels.length) throw new InvalidArgumentError(`expected each value of ${setting} once`);
  const values = labels.map((label) => {
    try {
      return { label, value: variable.parse(label) };
    } catch (err) {
      throw new InvalidArgumentError(`${setting} "${label}": ${(err as Error).message}`);
    }
  });
  return { setting, attr: variable.attr, values };
}

function optimizerList(value: string): CliOptimizerName[] {
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(cliOptimizerNames as readonly string[]).includes(n)) throw new InvalidArgumentError(`expected names from ${cliOptimizerNames.join(', ')}, got "${n}"`);
  }
  if (new Set(names).size !== names.length) throw new InvalidArgumentError('expected each optimizer once');
  return names as CliOptimizerName[];
}

/** What compare varies without --vary or --optimizers. */
const DEFAULT_OPTIMIZERS: readonly CliOptimizerName[] = ['sgd', 'momentum', 'rmsprop', 'adam'];

const examples = `
Examples:
  $ scratchnet compare                                  # sgd, momentum, rmsprop and adam, 5 epochs each
  $ scratchnet compare --optimizers sgd,adam,adamw --epochs 10 --png
  $ scratchnet compare --vary lr=0.01,0.1,1 --subset 10000 --epochs 3
  $ scratchnet compare --vary activation=linear,relu --dataset spiral --hidden 16,16   # depth without a nonlinearity stays linear
  $ scratchnet compare --vary init=he,normal:0.01 --activation sigmoid --hidden 256,256,256 --stats   # why a small init stalls
  $ scratchnet compare --vary hidden=none,64,64-32 --epochs 3      # none: softmax regression
  $ scratchnet compare --arch lenet5 --optimizers sgd,adam --epochs 2 --batch-size 64
`;

/** The network in the report's caption: `the tutorial's 784-64-32-10`, `--arch lenet5`, `--layers …`, a 2-64-32-3 MLP, or a 784-…-10 one when its hidden sizes are what varies. */
export function networkLabel({ arch, layers }: NetworkChoice, settings: TrainSettings, inputs: number, classes: number, varied: string): string {
  if (varied === 'arch') return 'Each network';
  if (arch === 'mlp') {
    const sizes = varied === 'hidden' ? `${inputs}-…-${classes}` : [inputs, ...settings.hidden, classes].join('-');
    return sizes === '784-64-32-10' ? "The tutorial's 784-64-32-10" : `A ${sizes} MLP`;
  }
  return arch === 'layers' ? `--layers ${layers ?? ''}` : `--arch ${arch}`;
}

/** Puts `from`'s state (weights, zero grads, BatchNorm statistics, Dropout generators) into `into`, a model of the same layers. */
export function startFrom(into: Sequential, from: Sequential): void {
  const source = [...from.params().flatMap((p) => [p.value, p.grad]), ...from.buffers().map((b) => b.value)];
  [...into.params().flatMap((p) => [p.value, p.grad]), ...into.buffers().map((b) => b.value)].forEach((t, i) => t.set(source[i]));
  into.layers.forEach((layer, i) => {
    if (layer instanceof Dropout) layer.rng.setState((from.layers[i] as Dropout).rng.getState());
  });
}

/** The `compare` command: the same data and seed under each value of one setting, in one report. */
export function compareCommand(): Command {
  return addStatsOptions(
    addSettingsOptions(
      new Command('compare').description(
        "train one network (the tutorial's, or as the train flags say) once per value of one setting (--vary; default: the optimizer) on the same data and seed, and write one report comparing their curves",
      ),
    ),
  )
    .option('--vary <setting=values>', `the setting to vary and its values, e.g. lr=0.01,0.1,1; settings: ${Object.keys(VARIABLES).join(', ')}; every other setting is as the train flags say`, parseVariation)
    .option('--optimizers <list>', `shorthand for --vary optimizer=…: comma-separated, from ${cliOptimizerNames.join(', ')} (each with its default learning rate; default ${DEFAULT_OPTIMIZERS.join(',')})`, optimizerList)
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

/** A picture as a `data:` PNG at its own size (the page enlarges it). */
const rgbTileUrl = (t: Tile): string => rgbPngDataUrl(t.rgb, t.width, t.height);

/** The flag that sets `attr` (`batchSize` → `--batch-size`). */
const flagOf = (attr: string): string => `--${attr.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Runs each value of the varied setting on the same data and seed, each the run `train` would make, and writes the comparison. */
export async function runCompare(flags: CompareFlags, out: Output, explicit: ReadonlySet<string> = new Set()): Promise<CompareResult[]> {
  const quiet: Output = flags.quiet ? { log: () => {} } : out;
  const stats = statsOption(flags);
  if (flags.vary !== undefined && flags.optimizers !== undefined) throw new ConfigError('--optimizers is --vary optimizer=…: give one of them');
  const variation = flags.vary ?? { setting: 'optimizer', attr: 'optimizer', values: (flags.optimizers ?? DEFAULT_OPTIMIZERS).map((name) => ({ label: name, value: name })) };
  if (explicit.has(variation.attr)) throw new ConfigError(`--vary ${variation.setting} and ${flagOf(variation.attr)} both set ${variation.setting}: give one of them`);
  // Every run's settings, as train makes them from the same flags with the one setting changed (bad ones fail before any data is read).
  const given = new Set([...explicit, variation.attr]);
  const runs = variation.values.map(({ label, value }) => ({ label, settings: settingsFromFlags({ ...flags, [variation.attr]: value }, given) }));
  const first = runs[0].settings;
  // The split and subset draw from the seed's generator exactly as train does;
  // each run then starts from that generator state, as `train --seed` would.
  const rng = new Rng(first.seed);
  const data = await loadData(first.data, first.valSplit, rng, quiet);
  const train = trainingSubset(data.train, first.subset, rng);
  const start = rng.getState();
  const results: CompareResult[] = [];
  // Runs of the same network train one model: each starts from the weights a new model draws, as `train` would, but
  // keeps the first run's activation and im2col buffers. A new model per run would take new kernel
  // memory, which returns only when the garbage collector runs: a CNN's runs after the first would
  // find it full and run on the slower JS kernels, whose last bits differ from train's.
  let model: Sequential | undefined;
  const paramCounts = new Set<number>();
  // On the plane (a toy set, a 2-column table), each run's final decision boundary.
  const extent = planeExtent({ ...data, train });
  const panels: BoundaryPanel[] = [];
  for (const { label, settings } of runs) {
    const runRng = new Rng(0);
    runRng.setState(start);
    const fresh = runModel(settings, { ...data, train }, runRng);
    if (model !== undefined && JSON.stringify(model.config()) === JSON.stringify(fresh.config())) startFrom(model, fresh);
    else model = fresh;
    paramCounts.add(model.paramCount());
    const history = await fit(model, { train, val: data.val, test: data.test }, { ...stepOptions(settings, train), optimizer: optimizerFromConfig(settings.optimizer), rng: runRng, stats });
    const params = `${model.paramCount().toLocaleString('en-US')} params`;
    const result: CompareResult = {
      name: label,
      settings: variation.setting === 'optimizer' ? describeOptimizer(settings.optimizer) : `${variation.setting} ${label}; ${describeOptimizer(settings.optimizer)}, batch ${settings.batchSize}${paramCounts.size > 1 || variation.setting === 'arch' || variation.setting === 'hidden' ? `; ${params}` : ''}`,
      trainLoss: history.trainLoss,
      valAccuracy: history.valAccuracy,
      testAccuracy: history.testAccuracy ?? NaN,
      seconds: history.seconds,
      ...(history.stats === undefined ? {} : { stats: history.stats }),
    };
    results.push(result);
    if (extent !== undefined) panels.push({ title: label, url: rgbTileUrl(boundaryTile(decisionGrid(model, extent), model.outputUnits)) });
    quiet.log(`${label.padEnd(9)} test accuracy ${result.testAccuracy.toFixed(4)}, best val ${Math.max(...result.valAccuracy).toFixed(4)}, final train loss ${result.trainLoss[result.trainLoss.length - 1].toFixed(4)}, ${result.seconds.toFixed(1)} s  [${result.settings}]`);
  }
  const dir = flags.out ?? newRunDir('compare-');
  makeFolder(dir);
  const network = networkFromFlags(flags, explicit);
  const size = paramCounts.size === 1 ? ` (${(model?.paramCount() ?? 0).toLocaleString('en-US')} params)` : '';
  const epochs = new Set(runs.map((r) => r.settings.epochs)).size === 1 ? `${first.epochs} epoch${first.epochs === 1 ? '' : 's'} each` : 'epochs as set';
  const what = first.data.kind === 'toy' ? `${dataTitle(first.data)} points` : first.data.kind === 'table' ? 'training rows' : 'training images';
  const description = `${variation.setting === 'optimizer' ? '' : `Varying ${variation.setting}: `}${networkLabel(network, first, train.features, train.classes?.length ?? 10, variation.setting)}${size}, ${epochs} on ${train.count} ${what} (${variation.setting === 'batch-size' ? '' : `batch ${first.batchSize}, `}seed ${first.seed}); validation on ${data.val.count}, test on ${data.test.count}.`;
  const { html, svg } = await buildCompareReport(results, description, extent === undefined ? undefined : { panels, extent, test: data.test, ...(data.test.classes === undefined ? {} : { classes: data.test.classes }) });
  writeFileAtomic(join(dir, 'compare.html'), html);
  writeFileAtomic(join(dir, 'results.json'), historyJson({ description, vary: variation.setting, results: results.map(({ stats: _inside, ...r }) => r), ...(stats === undefined ? {} : { stats: results.map((r) => ({ name: r.name, ...r.stats })) }) }));
  quiet.log(`Wrote ${join(dir, 'compare.html')}`);
  if (flags.png) {
    writeFileAtomic(join(dir, 'compare.png'), svgToPng(svg));
    quiet.log(`Wrote ${join(dir, 'compare.png')}`);
  }
  if (flags.json) console.log(JSON.stringify({ vary: variation.setting, results: results.map(({ name, testAccuracy, valAccuracy, trainLoss, seconds }) => ({ name, testAccuracy, valAccuracy, trainLoss, seconds })) }));
  return results;
}
