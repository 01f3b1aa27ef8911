import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { className, classesOf, DATASET_NAMES, NAMED_DATASETS, namedClasses, tableColumnsOf, type DatasetName } from '../data/classes.js';
import { parseTable, tableDataset } from '../data/table.js';
import type { Dataset } from '../data/dataset.js';
import { idxToDataset, parseIdx } from '../data/idx.js';
import { ConfigError, DataError } from '../errors.js';
import { readFileBytes, readTextFile } from '../io/files.js';
import { bundledMnistPaths, fashionMnistPaths, FASHION_MNIST_DIR, readMnistCsv } from '../io/mnist.js';
import { loadModel } from '../io/model-files.js';
import { classificationReport, confusionMatrix, type ClassificationReport, type ConfusionMatrix } from '../metrics/confusion.js';
import type { Sequential } from '../model/sequential.js';
import { evaluate } from '../train/evaluate.js';
import type { Output } from './progress.js';

/** The parsed flags of `scratchnet evaluate`. */
export interface EvaluateFlags {
  model: string;
  /** The named data set whose test set to use (default: the one the model was trained on, else MNIST). */
  dataset?: DatasetName;
  testCsv?: string;
  idxDir?: string;
  json: boolean;
}

/** What `scratchnet evaluate --json` prints as its last line. */
export interface EvaluateSummary {
  /** Fraction correct, in [0, 1]. */
  accuracy: number;
  /** Mean softmax cross-entropy. */
  loss: number;
  /** Test examples. */
  count: number;
  /** confusion[t][p]: examples of true class t predicted as p. */
  confusion: number[][];
  perClass: { class: number; name: string; precision: number; recall: number; f1: number; support: number }[];
  macro: { precision: number; recall: number; f1: number };
}

const examples = `
Examples:
  $ scratchnet evaluate --model runs/20261124-233512/model.safetensors        # the bundled MNIST test set
  $ scratchnet evaluate --model model.safetensors --test-csv mnist_test.csv
  $ scratchnet evaluate --model model.safetensors --idx-dir mnist/ --json     # t10k-* files; last line is JSON
  $ scratchnet evaluate --model fashion/model.safetensors                      # a Fashion-MNIST model: its test set
`;

/** The `evaluate` command. */
export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('score a saved model on a test set: accuracy, loss, confusion matrix and per-class precision / recall / F1')
    .requiredOption('--model <file>', 'a model file written by scratchnet train (model.safetensors)')
    .addOption(new Option('--dataset <name>', "the named data set whose test set to score: mnist (bundled) or fashion-mnist (default: the one the model was trained on)").choices(DATASET_NAMES))
    .option('--test-csv <file>', "test data in the tutorial's CSV layout (header, label, 784 pixels)")
    .option('--idx-dir <dir>', 'a folder with the test IDX files t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (.gz or not)')
    .option('--json', 'print a JSON summary as the last line of stdout', false)
    .addHelpText('after', `\nWithout --test-csv or --idx-dir: the test set of the data set the model was trained on (the bundled MNIST's 10000 images, or Fashion-MNIST's from ${FASHION_MNIST_DIR}).\n${examples}`)
    .action(async (flags: EvaluateFlags) => {
      await runEvaluate(flags, { log: (line) => console.log(line) });
    });
}

/** Runs `scratchnet evaluate` with parsed flags; human lines go to `out`, the JSON line to stdout. */
export async function runEvaluate(flags: EvaluateFlags, out: Output): Promise<EvaluateSummary> {
  if (flags.testCsv !== undefined && flags.idxDir !== undefined) {
    throw new ConfigError('give either --test-csv or --idx-dir, not both');
  }
  const { model, training } = loadModel(flags.model);
  out.log(`Model: ${flags.model} (${describeModel(model)})`);
  const trainedOn = (training as { settings?: { data?: { kind?: string; name?: DatasetName } } } | undefined)?.settings?.data;
  const dataset = flags.dataset ?? (trainedOn?.kind === 'dataset' ? trainedOn.name : undefined) ?? 'mnist';
  if (trainedOn?.kind === 'images' && flags.testCsv === undefined && flags.idxDir === undefined && flags.dataset === undefined) {
    throw new ConfigError(`${flags.model}: the model was trained on an image folder, whose test images its run's report scores; evaluate takes a test set as --test-csv or --idx-dir`);
  }
  const columns = tableColumnsOf(training);
  const { data, name } = columns === undefined ? await loadTestSet(flags, dataset, model.inputUnits) : tableTestSet(flags, columns, classesOf(training) ?? []);
  out.log(`Test set: ${name} (${data.count} ${columns === undefined ? 'images' : 'rows'})`);
  const names = namedClasses(classesOf(training) ?? (dataset === 'mnist' ? undefined : NAMED_DATASETS[dataset].classes));

  const result = evaluate(model, data);
  // MNIST's labels are 0–9, and a model may have more outputs than classes seen; a table's model has one output per class.
  const classes = columns === undefined ? Math.max(model.outputUnits, 10) : model.outputUnits;
  const matrix = confusionMatrix(result.predictions, data.y, classes);
  const report = classificationReport(matrix);
  const correct = Math.round(result.accuracy * data.count);
  out.log(`Accuracy: ${result.accuracy.toFixed(4)} (${correct} of ${data.count})`);
  out.log(`Loss: ${result.loss.toFixed(4)}`);
  out.log('');
  for (const line of confusionLines(matrix, names)) out.log(line);
  out.log('');
  for (const line of reportLines(report, names)) out.log(line);

  const k = matrix.classes;
  const summary: EvaluateSummary = {
    accuracy: result.accuracy,
    loss: result.loss,
    count: data.count,
    confusion: Array.from({ length: k }, (_, t) => Array.from(matrix.counts.subarray(t * k, (t + 1) * k))),
    perClass: report.perClass.map((m, c) => ({ class: c, name: className(names, c), precision: m.precision, recall: m.recall, f1: m.f1, support: m.support })),
    macro: { ...report.macro },
  };
  if (flags.json) console.log(JSON.stringify(summary));
  return summary;
}

/** `784 inputs → 10 classes, 52650 parameters`. */
export function describeModel(model: Sequential): string {
  return `${model.inputUnits} inputs → ${model.outputUnits} classes, ${model.paramCount()} parameters`;
}

/** A table model's test rows (--test-csv: the training table's columns and its label column, raw values). */
function tableTestSet(flags: EvaluateFlags, columns: { featureNames: string[]; label: string | null }, classes: readonly string[]): { data: Dataset; name: string } {
  if (flags.testCsv === undefined) throw new ConfigError(`${flags.model}: a model of a table (columns ${columns.featureNames.join(', ')}) is scored on a table: give --test-csv FILE`);
  const table = parseTable(readTextFile(flags.testCsv), flags.testCsv, { label: columns.label ?? undefined, featureNames: columns.featureNames });
  return { data: tableDataset(table, classes), name: flags.testCsv };
}

/** The test set the flags name (CSV, IDX folder, or the named data set's: the bundled MNIST, Fashion-MNIST), checked against the model's input size. */
async function loadTestSet(flags: EvaluateFlags, dataset: DatasetName, inputUnits: number): Promise<{ data: Dataset; name: string }> {
  if (flags.testCsv !== undefined) {
    // The parser checks every row's length against the model's input size.
    return { data: await readMnistCsv(flags.testCsv, inputUnits), name: flags.testCsv };
  }
  const named = (): { images: string; labels: string } => {
    if (dataset === 'mnist') return bundledTestPaths();
    const paths = fashionMnistPaths();
    return { images: paths.testImages, labels: paths.testLabels };
  };
  const { images, labels } = flags.idxDir !== undefined ? idxTestPaths(flags.idxDir) : named();
  const data = idxToDataset(parseIdx(readFileBytes(images), images), parseIdx(readFileBytes(labels), labels), images, labels);
  if (data.features !== inputUnits) {
    throw new DataError(`${images}: byte 8: expected images of ${inputUnits} pixels (the model's input size), got ${data.features}`);
  }
  return { data, name: flags.idxDir !== undefined ? images : dataset === 'mnist' ? 'the bundled MNIST test set' : `the ${NAMED_DATASETS[dataset].title} test set (${images})` };
}

/** The test files of the bundled MNIST. */
function bundledTestPaths(): { images: string; labels: string } {
  const paths = bundledMnistPaths();
  return { images: paths.testImages, labels: paths.testLabels };
}

/** The MNIST test files in `dir`, preferring the uncompressed ones. */
function idxTestPaths(dir: string): { images: string; labels: string } {
  const pick = (name: string): string => {
    const plain = join(dir, name);
    return existsSync(plain) || !existsSync(`${plain}.gz`) ? plain : `${plain}.gz`;
  };
  return { images: pick('t10k-images-idx3-ubyte'), labels: pick('t10k-labels-idx1-ubyte') };
}

/** The confusion matrix as aligned text: rows are true classes, columns predictions. */
export function confusionLines(matrix: ConfusionMatrix, classes?: readonly string[]): string[] {
  const k = matrix.classes;
  const corner = 'true\\pred';
  const width = Math.max(4, ...Array.from(matrix.counts, (n) => String(n).length)) + 1;
  const lines = ['Confusion matrix (rows: true class, columns: predicted class)'];
  // Names too long for a column head: the numbers, and what each stands for.
  if (classes !== undefined) lines.push(`classes: ${Array.from({ length: k }, (_, c) => `${c} ${className(classes, c)}`).join(', ')}`);
  lines.push(corner + Array.from({ length: k }, (_, p) => String(p).padStart(width)).join(''));
  for (let t = 0; t < k; t++) {
    const cells = Array.from(matrix.counts.subarray(t * k, (t + 1) * k), (n) => String(n).padStart(width));
    lines.push(String(t).padStart(corner.length) + cells.join(''));
  }
  return lines;
}

/** Per-class precision, recall, F1 and support as an aligned table, with the macro averages last. */
export function reportLines(report: ClassificationReport, classes?: readonly string[]): string[] {
  const label = (c: number): string => (classes === undefined ? String(c) : `${c} ${className(classes, c)}`);
  const first = Math.max(9, ...report.perClass.map((_, c) => label(c).length));
  const row = (name: string, cells: (string | number)[]): string =>
    name.padStart(first) + cells.map((c) => (typeof c === 'number' ? c.toFixed(4) : c).padStart(11)).join('');
  const lines = ['Per-class metrics', row('class', ['precision', 'recall', 'f1', 'support'])];
  report.perClass.forEach((m, c) => lines.push(row(label(c), [m.precision, m.recall, m.f1, String(m.support)])));
  const { precision, recall, f1 } = report.macro;
  lines.push(row('macro avg', [precision, recall, f1, String(report.total)]));
  return lines;
}
