import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../errors.js';
import { svgToPng } from '../io/png.js';
import { makeFolder, writeFileAtomic } from '../io/write.js';
import type { SweepAxis } from '../plot/sweep.js';
import { buildSweepReport, sweepMetric, type SweepRun } from '../report/sweep.js';
import { VERSION } from '../version.js';
import { networkLabel, parseVariation, VARIABLES, type Variation } from './compare.js';
import { positiveInt } from './options.js';
import type { Output } from './progress.js';
import { newRunDir } from './run-folder.js';
import { describeOptimizer, settingsFromFlags, type SettingsFlags, type TrainSettings } from './settings.js';
import { runCells, type CellResult, type SweepCell } from './sweep-runner.js';
import { addSettingsOptions, addStatsOptions, statsOption } from './train.js';

/**
 * The values given for one setting (`--lr 0.01,0.1` or `--vary lr=0.01,0.1`),
 * with the place it took on the command line: the axes keep that order.
 */
class SettingList {
  constructor(
    /** How it was given, for messages: `--lr` or `--vary lr`. */
    readonly flag: string,
    readonly variation: Variation,
    readonly order: number,
  ) {}
}

/** The parsed flags of `scratchnet sweep`; a swept setting's attribute holds a SettingList when given, else train's default. */
interface SweepFlags extends SettingsFlags {
  vary?: SettingList[];
  workers: number;
  reports: boolean;
  out?: string;
  png: boolean;
  json: boolean;
  quiet: boolean;
  stats: boolean;
  statsEvery?: number;
}

/** `SETTING=v1,v2,…` as compare's --vary parses it, refusing also two spellings of one value (`0.1,0.10`: the same run twice). */
function sweepValues(text: string): Variation {
  const variation = parseVariation(text);
  const seen = new Map<string, string>();
  for (const { label, value } of variation.values) {
    const key = JSON.stringify(value);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new InvalidArgumentError(`expected each value of ${variation.setting} once, got ${earlier} and ${label}, the same value`);
    seen.set(key, label);
  }
  return variation;
}

/** A comma list of each setting's values, for its flag's help. */
const LIST_EXAMPLES: Readonly<Record<string, string>> = {
  optimizer: 'sgd,adam',
  lr: '0.01,0.1,1',
  'batch-size': '16,64',
  epochs: '1,3',
  init: 'he,glorot',
  activation: 'relu,tanh',
  arch: 'mlp,lenet5',
  hidden: '16,64,64-32',
  dropout: '0,0.2',
  'weight-decay': '0,0.0001',
  momentum: '0.5,0.9',
  schedule: 'constant,cosine',
};

const examples = `
Examples:
  $ scratchnet sweep --lr 0.03,0.1,0.3 --batch-size 16,64 --subset 10000 --epochs 2
  $ scratchnet sweep --dataset spiral --hidden 4,16,64 --activation relu,tanh     # a toy set: 100 epochs a run
  $ scratchnet sweep --lr 0.01,0.1,1 --batch-size 32,128 --workers 2 --png        # two runs at a time
  $ scratchnet sweep --optimizer sgd,adam --lr 0.001,0.01,0.1 --epochs 3 --reports   # a report.html per run
  $ scratchnet sweep --vary init=he,glorot --vary hidden=64,64-32,256-128 --epochs 2   # the --vary spelling
A comma separates values, so a network of two hidden layers is 64-32 and none has no
hidden layer; one value (--lr 0.05) fixes a setting, as in train. The first swept
setting runs across the heat map, the second down it. Each run writes OUT/<setting>=<value>,<setting>=<value>/.
`;

/** The `sweep` command: every combination of the values of two settings, each the run `train` makes, in one heat map and table. */
export function sweepCommand(): Command {
  // Where each list came on the command line (commander parses flags in order).
  let given = 0;
  const command = new Command('sweep').description(
    "train one network (the tutorial's, or as the train flags say) for every combination of the values of two settings, on the same data and seed, each into its own run folder, and write a heat map of their best validation accuracy and a table of the runs",
  );
  // Train's flags with their own parsers, choices, defaults and help; those a sweep can vary become comma lists.
  const trainOptions = addStatsOptions(addSettingsOptions(new Command())).options;
  const swept = new Set(Object.values(VARIABLES).map((v) => v.attr as string));
  command.optionsGroup('Settings to sweep (a comma list of two or more values on exactly two of them; one value fixes a setting):');
  for (const [setting, { attr }] of Object.entries(VARIABLES)) {
    const own = trainOptions.find((o) => o.long === `--${setting}`);
    if (own === undefined || own.attributeName() !== attr) throw new Error(`sweep: train has no flag --${setting} setting ${attr}`);
    const about = setting === 'hidden' ? 'hidden layer sizes (mlp): layers joined by -, e.g. 64-32; none for no hidden layer' : own.description;
    const names = own.argChoices === undefined ? '' : ` (${own.argChoices.join(', ')})`;
    command.addOption(
      new Option(`--${setting} <values>`, `${about}${names}; a comma list sweeps it, e.g. --${setting} ${LIST_EXAMPLES[setting] ?? 'a,b'}`)
        .default(own.defaultValue, setting === 'hidden' ? '64-32' : own.defaultValueDescription)
        .argParser((text: string, previous: unknown) => {
          if (previous instanceof SettingList) throw new InvalidArgumentError(`give --${setting} once, with all its values in one comma list`);
          // As train's --hidden '': no hidden layer.
          return new SettingList(`--${setting}`, sweepValues(`${setting}=${setting === 'hidden' && text.trim() === '' ? 'none' : text}`), given++);
        }),
    );
  }
  command.optionsGroup('Train flags (one value each, as train takes them):');
  for (const option of trainOptions) if (!swept.has(option.attributeName())) command.addOption(option);
  command.optionsGroup('Sweep:');
  return command
    .option('--vary <setting=values>', `a setting and its values, e.g. lr=0.01,0.1,1, instead of --lr 0.01,0.1,1 (twice for the two axes); settings: ${Object.keys(VARIABLES).join(', ')}`, (text: string, previous: SettingList[] = []) => {
      const variation = sweepValues(text);
      return [...previous, new SettingList(`--vary ${variation.setting}`, variation, given++)];
    })
    .option('--workers <n>', 'runs at a time, each on a worker thread of its own that uses one core (the results are the same for any count)', positiveInt, 1)
    .option('--reports', 'also write report.html into every run folder', false)
    .option('--out <dir>', 'folder for sweep.html, sweep.svg, results.json and the run folders (default: a new runs/sweep-… folder)')
    .option('--png', 'also write the heat map as sweep.png', false)
    .option('--json', 'print the results as one JSON line at the end', false)
    .option('--quiet', 'print nothing but errors (and the JSON line with --json)', false)
    .addHelpText('after', examples)
    .action(async (flags: SweepFlags, cmd: Command) => {
      const explicit = new Set(cmd.options.map((o) => o.attributeName()).filter((name) => cmd.getOptionValueSource(name) === 'cli'));
      await runSweep(flags, { log: (line) => console.log(line) }, explicit);
    });
}

/** The lists given, the swept two first (in the order given), and the flags with every one-value list as its value. */
function sweptSettings(flags: SweepFlags): { axes: [SettingList, SettingList]; fixed: Record<string, unknown>; attrs: string[] } {
  const record = flags as unknown as Record<string, unknown>;
  const lists = Object.values(VARIABLES).flatMap(({ attr }) => (record[attr] instanceof SettingList ? [record[attr]] : []));
  for (const list of flags.vary ?? []) {
    const { setting } = list.variation;
    const same = lists.find((l) => l.variation.setting === setting);
    if (same !== undefined) throw new ConfigError(same.flag === list.flag ? `--vary ${setting} given twice: give all its values in one` : `--vary ${setting} and --${setting} both set ${setting}: give one of them`);
    lists.push(list);
  }
  lists.sort((a, b) => a.order - b.order);
  const axes = lists.filter((l) => l.variation.values.length > 1);
  const shown = (l: SettingList) => `${l.flag} ${l.variation.values.map((v) => v.label).join(',')}`;
  if (axes.length === 0) throw new ConfigError('sweep needs comma lists on two settings, e.g. --lr 0.01,0.1,1 --batch-size 32,128; got none');
  if (axes.length === 1) throw new ConfigError(`sweep needs comma lists on two settings, got one (${shown(axes[0])}): add another, e.g. ${axes[0].variation.setting === 'batch-size' ? '--lr 0.01,0.1' : '--batch-size 32,128'}, or compare the values of one with scratchnet compare --vary ${axes[0].variation.setting}=…`);
  if (axes.length > 2) throw new ConfigError(`sweep takes comma lists on exactly two settings, got ${axes.length} (${axes.map(shown).join('; ')}): give the others one value each`);
  const fixed: Record<string, unknown> = {};
  for (const l of lists) fixed[l.variation.attr] = l.variation.values[0].value;
  return { axes: [axes[0], axes[1]], fixed, attrs: lists.map((l) => l.variation.attr) };
}

/** Every combination of the two axes' values, the first axis outermost; each cell's settings as train makes them of the same flags (bad ones fail here, before any data is read). */
function gridCells(flags: SweepFlags, axes: [SettingList, SettingList], fixed: Record<string, unknown>, given: ReadonlySet<string>): SweepCell[] {
  const [a, b] = axes.map((l) => l.variation);
  return a.values.flatMap((u) =>
    b.values.map((v) => ({
      name: `${a.setting}=${u.label},${b.setting}=${v.label}`,
      labels: [u.label, v.label],
      settings: settingsFromFlags({ ...flags, ...fixed, [a.attr]: u.value, [b.attr]: v.value } as SettingsFlags, given),
    })),
  );
}

/** The page's caption: the network, what the runs share, the data, and what a cell shows. */
function caption(axes: readonly string[], first: TrainSettings, results: readonly CellResult[], metric: 'bestValAccuracy' | 'testAccuracy'): string {
  const { data } = results[0];
  const varied = axes.includes('arch') ? 'arch' : axes.includes('hidden') ? 'hidden' : axes[0];
  const network = networkLabel({ arch: first.arch ?? 'mlp', layers: first.layers ?? null }, first, data.features, data.classes, varied);
  const params = new Set(results.map((r) => r.params));
  const size = params.size === 1 ? ` (${results[0].params.toLocaleString('en-US')} params)` : '';
  const epochs = axes.includes('epochs') ? 'epochs as swept' : `${first.epochs} epoch${first.epochs === 1 ? '' : 's'} each`;
  const optimizer = ['optimizer', 'lr', 'momentum', 'weight-decay'].some((s) => axes.includes(s)) ? '' : `${describeOptimizer(first.optimizer)}, `;
  const batch = axes.includes('batch-size') ? '' : `batch ${first.batchSize}, `;
  const shows = metric === 'bestValAccuracy' ? 'the best validation accuracy over its epochs' : 'its test accuracy (there is no validation set)';
  return `${axes[0]} across, ${axes[1]} down: ${network}${size}, ${epochs} on ${data.train} training examples (${optimizer}${batch}seed ${first.seed}); validation on ${data.val}, test on ${data.test}. Each cell: ${shows}.`;
}

/**
 * Runs `scratchnet sweep`: every cell of the two swept settings as `train`
 * would run it with the same flags, each into OUT/<cell>/ (history.json,
 * model.safetensors, and report.html with --reports), then sweep.html,
 * sweep.svg and results.json (and sweep.png) in OUT. `explicit` names the flags given on the command line.
 */
export async function runSweep(flags: SweepFlags, out: Output, explicit: ReadonlySet<string> = new Set()): Promise<SweepRun[]> {
  const quiet: Output = flags.quiet ? { log: () => {} } : out;
  const stats = statsOption(flags);
  const { axes, fixed, attrs } = sweptSettings(flags);
  const cells = gridCells(flags, axes, fixed, new Set([...explicit, ...attrs]));
  const settingsOf = axes.map((l) => l.variation.setting);
  const dir = flags.out ?? newRunDir('sweep-');
  makeFolder(dir);
  const workers = Math.min(flags.workers, cells.length);
  const how = workers > 1 ? `${workers} at a time on worker threads` : 'one after another';
  quiet.log(`Sweep of ${axes.map((l) => `${l.variation.setting} (${l.variation.values.map((v) => v.label).join(', ')})`).join(' × ')}: ${cells.length} runs, ${how}, into ${dir}`);
  if (workers > availableParallelism()) quiet.log(`--workers ${flags.workers}: this machine has ${availableParallelism()} cores, so the runs share them (the results are the same)`);

  const started = performance.now();
  let done = 0;
  const results = await runCells(cells, { dir, reports: flags.reports, stats, workers, out: quiet }, (r) => {
    done++;
    const test = Number.isNaN(r.testAccuracy) ? '' : `, test accuracy ${r.testAccuracy.toFixed(4)}`;
    quiet.log(`[${String(done).padStart(String(cells.length).length)}/${cells.length}] ${r.name}: best val accuracy ${Math.max(...r.valAccuracy).toFixed(4)}${test}, final train loss ${r.trainLoss[r.trainLoss.length - 1].toFixed(4)}, ${r.seconds.toFixed(1)} s`);
  });
  const seconds = (performance.now() - started) / 1000;

  const axisOf = ({ variation }: SettingList): SweepAxis => ({ setting: variation.setting, values: variation.values.map((v) => v.label) });
  const sweepAxes: [SweepAxis, SweepAxis] = [axisOf(axes[0]), axisOf(axes[1])];
  const runs: SweepRun[] = results.map((r, i) => ({ name: r.name, values: [cells[i].labels[0], cells[i].labels[1]], trainLoss: r.trainLoss, valAccuracy: r.valAccuracy, testAccuracy: r.testAccuracy, seconds: r.seconds }));
  const metric = sweepMetric(runs);
  const description = caption(settingsOf, cells[0].settings, results, metric.key);
  const { html, svg } = await buildSweepReport(sweepAxes, runs, description, { reports: flags.reports });
  const rows = runs.map((r, i) => ({ name: r.name, settings: Object.fromEntries(settingsOf.map((s, k) => [s, r.values[k]])), [metric.key]: metric.of(r), trainLoss: r.trainLoss, valAccuracy: r.valAccuracy, testAccuracy: r.testAccuracy, seconds: r.seconds, params: results[i].params, kernels: results[i].kernels, threads: results[i].threads }));
  writeFileAtomic(join(dir, 'sweep.html'), html);
  writeFileAtomic(join(dir, 'sweep.svg'), svg);
  writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify({ format: 'scratchnet-sweep', version: VERSION, description, axes: sweepAxes, metric: metric.key, seconds, results: rows }, null, 2)}\n`);
  const written = ['sweep.html', 'sweep.svg', 'results.json'];
  if (flags.png) {
    writeFileAtomic(join(dir, 'sweep.png'), svgToPng(svg));
    written.push('sweep.png');
  }
  const best = runs.reduce((a, b) => (metric.of(b) > metric.of(a) ? b : a));
  quiet.log(`${cells.length} runs in ${seconds.toFixed(1)} s; the best by ${metric.legend}: ${best.name} (${metric.of(best).toFixed(4)})`);
  quiet.log(`Wrote ${written.map((f) => join(dir, f)).join(', ')}`);
  if (flags.json) console.log(JSON.stringify({ axes: sweepAxes, metric: metric.key, out: dir, seconds, results: rows }));
  return runs;
}
