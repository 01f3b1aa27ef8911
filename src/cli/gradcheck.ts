import { Command, Option } from 'commander';
import { shapeText } from '../kernels/tensor.js';
import type { ActivationName } from '../layers/activations.js';
import type { Sequential } from '../model/sequential.js';
import { Rng } from '../rng.js';
import { GRADCHECK_FAIL, GRADCHECK_PASS, gradCheck, worseVerdict, type GradCheckOptions, type GradCheckVerdict, type TensorCheck } from '../train/gradcheck.js';
import { positiveInt, seedValue } from './options.js';
import type { Output } from './progress.js';
import { modelFromSettings, networkFromFlags, type ArchName } from './settings.js';
import { activationOption, archOption, batchNormOption, dropoutOption, hiddenOption, layersOption } from './train.js';

/** The parsed flags of `scratchnet gradcheck`. */
export interface GradcheckFlags {
  arch: ArchName;
  layers?: string;
  hidden: number[];
  activation: ActivationName;
  dropout: number;
  batchNorm: boolean;
  seed: number;
  rows: number;
  samples: number;
  json: boolean;
}

/** One row of the table: a check of one layer alone (`scope: 'layer'`) or of the whole model's backward. */
export interface GradcheckRow extends TensorCheck {
  scope: 'layer' | 'model';
}

/** What `scratchnet gradcheck` found: every row and the worst verdict. */
export interface GradcheckReport {
  rows: GradcheckRow[];
  maxError: number;
  verdict: GradCheckVerdict;
}

const examples = `
Exit code: 0 when every check passes or only warns, 1 when some check fails
(a backward pass is wrong), 2 for bad flags.

Each layer is checked alone (the gradient of its input and of each param) on
a seeded random batch, then the whole model's backward (each param). A value's
error is |analytic − numeric| / max(|analytic|, |numeric|, floor), the floor
being what float32 rounding alone can make of a gradient there, over ${GRADCHECK_PASS}:
pass ≤ ${GRADCHECK_PASS} < warn ≤ ${GRADCHECK_FAIL} < fail. Values whose step crosses a kink
(a ReLU at 0, a max pool's tie) are skipped for others.

Examples:
  $ scratchnet gradcheck                             # the tutorial's 784-64-32-10 ReLU network
  $ scratchnet gradcheck --arch lenet5               # LeNet-5, layer by layer and whole
  $ scratchnet gradcheck --hidden 32 --activation tanh --batch-norm --dropout 0.2
  $ scratchnet gradcheck --layers "conv(4,3,p1),relu,avgpool(2),flatten,dense(10)" --json
  $ scratchnet gradcheck --seed 7 --samples 50       # another batch and more values per tensor
`;

/** The `gradcheck` command. */
export function gradcheckCommand(): Command {
  return new Command('gradcheck')
    .description("check every layer's backward pass, and the whole network's, against central differences of a random projection of its output")
    .addOption(archOption())
    .addOption(layersOption())
    .addOption(hiddenOption())
    .addOption(activationOption())
    .addOption(dropoutOption())
    .addOption(batchNormOption())
    .option('--seed <n>', 'seed of the weights, the random batch, the projection and the sampled values', seedValue, 42)
    .option('--rows <n>', 'examples in the random batch', positiveInt, 3)
    .option('--samples <n>', 'values compared per tensor', positiveInt, 20)
    .addOption(new Option('--json', 'print the checks as one JSON line at the end').default(false))
    .addHelpText('after', examples)
    .action((flags: GradcheckFlags, command: Command) => {
      const explicit = new Set(command.options.map((o) => o.attributeName()).filter((name) => command.getOptionValueSource(name) === 'cli'));
      const report = runGradcheck(flags, { log: (line) => console.log(line) }, explicit);
      process.exitCode = exitCodeFor(report.verdict);
    });
}

/** The exit code of a verdict: 1 for a failed check, else 0. */
export function exitCodeFor(verdict: GradCheckVerdict): number {
  return verdict === 'fail' ? 1 : 0;
}

/**
 * Builds the network of the flags (as train does, for MNIST's inputs and 10
 * classes) and checks it; prints the table and the verdict to `out`, and
 * with --json the report as the last stdout line.
 */
export function runGradcheck(flags: GradcheckFlags, out: Output, explicit: ReadonlySet<string> = new Set()): GradcheckReport {
  // A bad combination or spec fails here, as train's would.
  const network = networkFromFlags(flags, explicit);
  const settings = { ...network, hidden: flags.hidden, activation: flags.activation, init: 'he' as const, tutorialCompat: false, dropout: flags.dropout, batchNorm: flags.batchNorm };
  const model = modelFromSettings(settings, 784, new Rng(flags.seed));
  const report = checkNetwork(model, { seed: flags.seed, rows: flags.rows, samples: flags.samples });
  out.log('Network architecture:');
  for (const line of model.summary({ shapes: true })) out.log(line);
  out.log('');
  for (const line of gradcheckTable(report)) out.log(line);
  if (flags.json) {
    const rows = report.rows.map(({ scope, layer, title, param, shape, checked, skipped, maxError, verdict }) => ({ scope, layer, title, param, shape, checked, skipped, maxError: finite(maxError), verdict }));
    console.log(JSON.stringify({ verdict: report.verdict, maxError: finite(report.maxError), rows }));
  }
  return report;
}

/** Infinity (a NaN gradient) has no JSON: null. */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Checks each layer of `model` alone, on the inputs it gets in the model, then the model's own backward. */
export function checkNetwork(model: Sequential, options: GradCheckOptions = {}): GradcheckReport {
  const rows: GradcheckRow[] = [];
  model.layers.forEach((layer, i) => {
    const inputShape = i === 0 ? model.inputShape : model.layerShapes[i - 1];
    for (const check of gradCheck(layer, inputShape, options).checks) rows.push({ ...check, layer: i, scope: 'layer' });
  });
  for (const check of gradCheck(model, model.inputShape, options).checks) rows.push({ ...check, scope: 'model' });
  return {
    rows,
    maxError: rows.reduce((m, row) => Math.max(m, row.maxError), 0),
    verdict: rows.reduce<GradCheckVerdict>((v, row) => worseVerdict(v, row.verdict), 'pass'),
  };
}

/**
 * The report as an aligned table (layer, tensor, shape, values compared,
 * max relative error, verdict) and a last line with the verdict.
 */
export function gradcheckTable(report: GradcheckReport): string[] {
  const header = ['Layer', 'Tensor', 'Shape', 'Values', 'Max rel. error', 'Verdict'];
  const cells = report.rows.map((row) => [
    row.scope === 'model' ? 'model' : `${row.layer} ${row.title}`,
    row.param === null ? 'input' : row.scope === 'model' ? `layers.${row.layer}.${row.param}` : row.param,
    shapeText(row.shape),
    row.skipped === 0 ? String(row.checked) : `${row.checked} (${row.skipped} at kinks)`,
    row.checked === 0 ? '-' : row.maxError.toExponential(1),
    row.verdict,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ');
  const counts = (['pass', 'warn', 'fail'] as const).map((v) => `${report.rows.filter((row) => row.verdict === v).length} ${v}`).join(', ');
  const unchecked = report.rows.filter((row) => row.checked === 0).length;
  return [
    line(header),
    ...cells.map(line),
    '',
    ...(unchecked === 0
      ? []
      : [
          `${unchecked} tensor${unchecked === 1 ? '' : 's'} (warn): every value tried lies within a step of a kink, so none could be compared. In a whole ReLU network the first layer's`,
          'params move thousands of ReLUs and max pools at once; the layer checked alone (above) covers its backward pass.',
        ]),
    `Verdict: ${report.verdict} (${counts}; largest error ${report.maxError.toExponential(1)}; pass ≤ ${GRADCHECK_PASS}, fail > ${GRADCHECK_FAIL})`,
  ];
}
