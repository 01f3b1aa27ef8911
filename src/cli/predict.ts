import { Command } from 'commander';
import { className, classesOf, namedClasses, tableColumnsOf } from '../data/classes.js';
import { parseTable, tableDataset } from '../data/table.js';
import { imageToMnist, MNIST_SIDE } from '../data/image.js';
import { readTextFile } from '../io/files.js';
import { ConfigError } from '../errors.js';
import { toPlanes } from '../io/image-folder.js';
import { readPngImage } from '../io/image-files.js';
import { loadModel } from '../io/model-files.js';
import { bytesToUnitJs } from '../kernels/bytes.js';
import { tensor } from '../kernels/tensor.js';
import type { Sequential } from '../model/sequential.js';
import { readMnistCsv } from '../io/mnist.js';
import { describeModel } from './evaluate.js';
import { positiveInt } from './options.js';
import type { Output } from './progress.js';

/** The parsed flags of `scratchnet predict`. */
export interface PredictFlags {
  model: string;
  image?: string[];
  csv?: string;
  top: number;
  json: boolean;
  show: boolean;
}

/** One input's prediction, as `--json` prints it. */
export interface Prediction {
  /** The image file, or `file.csv:line` for a CSV row. */
  input: string;
  /** The row's label (CSV only). */
  label?: number;
  /** The `--top` most likely classes, most likely first (with their names where the model file has them). */
  top: { class: number; name?: string; probability: number }[];
  /** The probability of every class (softmax of the logits; sums to 1). */
  probabilities: number[];
}

/** One image or CSV row to classify: its pixels (bytes 0–255) and where it came from. */
interface Input {
  name: string;
  label?: number;
  pixels: Uint8Array;
}

const examples = `
Examples:
  $ scratchnet predict --model runs/20261124-233512/model.safetensors --image digit.png
  $ scratchnet predict --model model.safetensors --image a.png b.png --top 5 --show
  $ scratchnet predict --model model.safetensors --csv mnist_test.csv --json   # the last line is JSON

--image takes PNG files of any size and colour (grey, RGB, palette, with or
without transparency, 1-16 bits) and makes each an MNIST image: grey, white
digit on black (dark-on-light pictures are inverted), cropped to the digit,
scaled to fit 20 x 20 and centred by its centre of mass in 28 x 28.
--csv takes the tutorial's layout: a header row, then label,p1,...,p784 per
row (the label is required: it is printed next to each prediction and the
accuracy is reported; put any digit there if you do not know it).
`;

/** The `predict` command. */
export function predictCommand(): Command {
  return new Command('predict')
    .description('classify digits with a saved model: PNG images (any size, made MNIST-like) or CSV rows; top-k classes with probabilities')
    .requiredOption('--model <file>', 'a model file written by scratchnet train (model.safetensors)')
    .option('--image <files...>', 'PNG images of a digit (one or more)')
    .option('--csv <file>', "rows in the tutorial's CSV layout (header, then label and 784 pixels 0-255)")
    .option('--top <k>', 'how many of the most likely classes to print', positiveInt, 3)
    .option('--show', 'print each image as the network sees it (28 x 28, as text)', false)
    .option('--json', 'print the predictions as one JSON object on the last line of stdout', false)
    .addHelpText('after', examples)
    .action(async (flags: PredictFlags) => {
      await runPredict(flags, { log: (line) => console.log(line) });
    });
}

/** Runs `scratchnet predict` with parsed flags; human lines go to `out`, the JSON line to stdout. */
export async function runPredict(flags: PredictFlags, out: Output): Promise<Prediction[]> {
  const images = flags.image ?? [];
  if ((images.length > 0) === (flags.csv !== undefined)) {
    throw new ConfigError('give the inputs with either --image FILE... or --csv FILE (one of them)');
  }
  const { model, training } = loadModel(flags.model);
  out.log(`Model: ${flags.model} (${describeModel(model)})`);
  // The class names the model file carries ("Coat" rather than 4); MNIST's digits are their own names.
  const names = namedClasses(classesOf(training));

  const columns = tableColumnsOf(training);
  if (columns !== undefined) {
    if (flags.csv === undefined) throw new ConfigError(`${flags.model}: a model of a table (columns ${columns.featureNames.join(', ')}) predicts rows: give --csv FILE`);
    return predictTable(flags, model, columns, names, out);
  }
  let inputs: Input[];
  if (flags.csv !== undefined) {
    const path = flags.csv;
    const data = await readMnistCsv(path, model.inputUnits);
    const n = data.features;
    // Row r is line r + 2: line 1 is the header, and the parser allows no empty line before a data row.
    inputs = Array.from({ length: data.count }, (_, r) => ({ name: `${path}:${r + 2}`, label: data.y[r], pixels: data.x.subarray(r * n, (r + 1) * n) }));
  } else {
    // A model of an image folder takes each picture as the folder's were read (resized, grey or RGB); others, as an MNIST digit.
    const data = (training as { settings?: { data?: { kind?: string; height?: number; width?: number; channels?: 1 | 3 } } } | undefined)?.settings?.data;
    const folder = data?.kind === 'images' ? { height: data.height ?? 28, width: data.width ?? 28, channels: data.channels ?? 1 } : null;
    const made = folder === null ? MNIST_SIDE * MNIST_SIDE : folder.channels * folder.height * folder.width;
    if (model.inputUnits !== made) {
      throw new ConfigError(
        `${flags.model}: the model takes ${model.inputUnits} inputs, but --image makes ${folder === null ? `${MNIST_SIDE} × ${MNIST_SIDE} = ${made}-pixel MNIST images` : `images of ${folder.channels} × ${folder.height} × ${folder.width} = ${made} values`}`,
      );
    }
    inputs = images.map((path) => ({
      name: path,
      pixels: folder === null ? imageToMnist(readPngImage(path), path) : toPlanes(readPngImage(path), folder.height, folder.width, folder.channels),
    }));
  }

  const probabilities = predictProbabilities(model, inputs.map((i) => i.pixels));
  const k = Math.min(flags.top, model.outputUnits);
  const predictions: Prediction[] = inputs.map((input, i) => {
    const probs = Array.from(probabilities[i]);
    const top = topK(probs, k).map((t) => (names === undefined ? t : { ...t, name: className(names, t.class) }));
    const prediction: Prediction = { input: input.name, top, probabilities: probs };
    if (input.label !== undefined) prediction.label = input.label;
    return prediction;
  });

  for (let i = 0; i < inputs.length; i++) {
    if (flags.show) for (const line of asciiDigit(inputs[i].pixels)) out.log(line);
    out.log(predictionLine(predictions[i], names));
  }
  if (flags.csv !== undefined) {
    const right = predictions.filter((p) => p.top[0].class === p.label).length;
    out.log(`${right} of ${predictions.length} rows predicted as labelled (accuracy ${(right / predictions.length).toFixed(4)})`);
  }
  if (flags.json) console.log(JSON.stringify({ predictions }));
  return predictions;
}

/**
 * predict --csv for a table's model: rows with the training table's feature
 * columns, raw (the model's Standardize layer scales them), with or without
 * the label column; with it, the accuracy too.
 */
function predictTable(flags: PredictFlags, model: Sequential, columns: { featureNames: string[]; label: string | null }, names: readonly string[] | undefined, out: Output): Prediction[] {
  const path = flags.csv as string;
  const table = parseTable(readTextFile(path), path, { label: columns.label ?? undefined, featureNames: columns.featureNames, labelOptional: true });
  // With a label column, its labels as the model's classes (one not among them is a DataError naming its line).
  const labels = table.labelName === null ? null : tableDataset(table, Array.from({ length: model.outputUnits }, (_, c) => className(names, c))).y;
  const probs = model.predictProba(tensor(table.values, [table.count, columns.featureNames.length]));
  const k = Math.min(flags.top, model.outputUnits);
  const predictions: Prediction[] = Array.from({ length: table.count }, (_, r) => {
    const p = Array.from(probs.data.subarray(r * model.outputUnits, (r + 1) * model.outputUnits));
    const top = topK(p, k).map((t) => (names === undefined ? t : { ...t, name: className(names, t.class) }));
    const prediction: Prediction = { input: `${path}:${table.lines[r]}`, top, probabilities: p };
    if (labels !== null) prediction.label = labels[r];
    return prediction;
  });
  for (const p of predictions) out.log(predictionLine(p, names));
  if (labels !== null) {
    const right = predictions.filter((p) => p.top[0].class === p.label).length;
    out.log(`${right} of ${predictions.length} rows predicted as labelled (accuracy ${(right / predictions.length).toFixed(4)})`);
  }
  if (flags.json) console.log(JSON.stringify({ predictions }));
  return predictions;
}

/** The class probabilities of each input (bytes scaled to [0, 1] as in training), in chunks of 256 rows. */
function predictProbabilities(model: Sequential, inputs: Uint8Array[]): Float32Array[] {
  const features = model.inputUnits;
  const chunk = 256;
  const result: Float32Array[] = [];
  for (let start = 0; start < inputs.length; start += chunk) {
    const rows = Math.min(chunk, inputs.length - start);
    const x = new Float32Array(rows * features);
    for (let r = 0; r < rows; r++) bytesToUnitJs(x, r * features, inputs[start + r], 0, features);
    // predictProba reuses its output buffer: copy each row out.
    const probs = model.predictProba(tensor(x, [rows, features]));
    const cols = probs.shape[1];
    for (let r = 0; r < rows; r++) result.push(probs.data.slice(r * cols, (r + 1) * cols));
  }
  return result;
}

/** The `k` most likely classes, most likely first (ties: the lower class first). */
export function topK(probabilities: readonly number[], k: number): { class: number; probability: number }[] {
  return probabilities
    .map((probability, c) => ({ class: c, probability }))
    .sort((a, b) => b.probability - a.probability || a.class - b.class)
    .slice(0, k);
}

/** `digit.png: 7 (0.9812), 1 (0.0123), 9 (0.0031)` (`Coat (0.9812), …` with class names), and for a CSV row its label: `… - label 7`. */
function predictionLine(p: Prediction, names?: readonly string[]): string {
  const classes = p.top.map((t) => `${t.name ?? t.class} (${t.probability.toFixed(4)})`).join(', ');
  return `${p.input}: ${classes}${p.label === undefined ? '' : ` - label ${className(names, p.label)}${p.top[0].class === p.label ? '' : ' (wrong)'}`}`;
}

/** A 28 × 28 image as 28 lines of text, two characters per pixel, darker to brighter. */
function asciiDigit(pixels: Uint8Array): string[] {
  const side = Math.round(Math.sqrt(pixels.length));
  if (side * side !== pixels.length) return [];
  const ramp = ' .:-=+*#%@';
  const lines: string[] = [];
  for (let y = 0; y < side; y++) {
    let line = '';
    for (let x = 0; x < side; x++) line += ramp[Math.min(ramp.length - 1, Math.floor((pixels[y * side + x] * ramp.length) / 256))].repeat(2);
    lines.push(`|${line}|`);
  }
  return lines;
}
