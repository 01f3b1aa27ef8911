import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { datasetTitle, NAMED_DATASETS, type DatasetName } from '../data/classes.js';
import { splitTrainVal, subset, type Dataset, type MnistData } from '../data/dataset.js';
import { readImageFolder } from '../io/image-folder.js';
import { TOY_NAMES, TOY_SETS, toyDataset, type ToyName } from '../data/toy.js';
import { normalization, parseTable, tableClasses, tableDataset, type Normalization, type RawTable } from '../data/table.js';
import { readTextFile } from '../io/files.js';
import { ConfigError } from '../errors.js';
import { FASHION_MNIST_DIR, loadBundledMnist, loadFashionMnist, loadMnistFromCsv, loadMnistFromIdx, type IdxPaths } from '../io/mnist.js';
import type { Rng } from '../rng.js';
import type { Output } from './progress.js';

/** Where a run's data comes from (recorded in history.json, paths absolute, so `report` can reload it). */
export type DataSource =
  | { kind: 'bundled' }
  | { kind: 'csv'; trainCsv: string; testCsv: string }
  | { kind: 'idx'; idxDir: string }
  /** A named data set other than MNIST (`--dataset`), from its IDX files in idxDir. */
  | { kind: 'dataset'; name: Exclude<DatasetName, 'mnist'>; idxDir: string }
  /** A table (`--csv`): its label column (null: `label`, else the first), a test file or a seeded share of the rows, and the feature scaling. */
  | { kind: 'table'; csv: string; testCsv: string | null; label: string | null; testSplit: number; normalize: Normalization }
  /** A folder of class folders of PNGs (`--images`), made height × width with `channels`, a seeded test share. */
  | { kind: 'images'; dir: string; height: number; width: number; channels: 1 | 3; skipBad: boolean; testSplit: number }
  /** A seeded 2-D toy problem (`--dataset spiral`): so many points, the jitter (null: the set's own), a seeded test share. */
  | { kind: 'toy'; name: ToyName; points: number; noise: number | null; testSplit: number };

/** A table's training statistics, for the Standardize layer the network starts with. */
export interface TableInfo {
  featureNames: string[];
  mean: Float64Array;
  scale: Float64Array;
  normalize: Normalization;
}

/** The flags of `scratchnet train` that name its data. */
export interface DataFlags {
  dataset?: DatasetName | ToyName;
  /** With a toy --dataset: how many points, and their jitter. */
  points?: number;
  noise?: number;
  csv?: string;
  label?: string;
  testSplit?: number;
  normalize?: Normalization;
  images?: string;
  imageSize?: [number, number];
  /** '1' or '3' (as given). */
  channels?: string;
  skipBad?: boolean;
  trainCsv?: string;
  testCsv?: string;
  idxDir?: string;
}

/** The data source named by the --dataset / --csv / --images / --train-csv / --test-csv / --idx-dir flags. */
export function dataSource(flags: DataFlags): DataSource {
  if (isToy(flags.dataset)) {
    if (flags.images !== undefined || flags.csv !== undefined || flags.trainCsv !== undefined || flags.testCsv !== undefined || flags.idxDir !== undefined) {
      throw new ConfigError(`--dataset ${flags.dataset} draws its points from --seed: give it alone (with --points, --noise, --test-split), not with files`);
    }
    return { kind: 'toy', name: flags.dataset, points: flags.points ?? 1000, noise: flags.noise ?? null, testSplit: flags.testSplit ?? 0.2 };
  }
  if (flags.points !== undefined || flags.noise !== undefined) throw new ConfigError(`--points and --noise shape a toy --dataset (${TOY_NAMES.join(', ')})`);
  if (flags.images !== undefined) {
    if (flags.csv !== undefined || flags.trainCsv !== undefined || flags.testCsv !== undefined || flags.idxDir !== undefined || (flags.dataset !== undefined && flags.dataset !== 'mnist')) {
      throw new ConfigError('--images reads a folder of class folders: give it alone (with --image-size, --channels, --skip-bad, --test-split)');
    }
    const [height, width] = flags.imageSize ?? [28, 28];
    return { kind: 'images', dir: resolve(flags.images), height, width, channels: flags.channels === '3' ? 3 : 1, skipBad: flags.skipBad ?? false, testSplit: flags.testSplit ?? 0.2 };
  }
  if (flags.imageSize !== undefined || flags.channels !== undefined || flags.skipBad === true) throw new ConfigError('--image-size, --channels and --skip-bad shape the images of --images DIR');
  if (flags.csv !== undefined) {
    if (flags.trainCsv !== undefined || flags.idxDir !== undefined || (flags.dataset !== undefined && flags.dataset !== 'mnist')) {
      throw new ConfigError('--csv reads a table: give it alone (with --test-csv, --label), not with --train-csv, --idx-dir or --dataset');
    }
    return { kind: 'table', csv: resolve(flags.csv), testCsv: flags.testCsv === undefined ? null : resolve(flags.testCsv), label: flags.label ?? null, testSplit: flags.testSplit ?? 0.2, normalize: flags.normalize ?? 'standard' };
  }
  if (flags.label !== undefined) throw new ConfigError('--label names the label column of a --csv table');
  if (flags.dataset !== undefined && flags.dataset !== 'mnist') {
    if (flags.trainCsv !== undefined || flags.testCsv !== undefined) throw new ConfigError(`--dataset ${flags.dataset} reads its IDX files: give --idx-dir (or nothing), not --train-csv/--test-csv`);
    return { kind: 'dataset', name: flags.dataset, idxDir: resolve(flags.idxDir ?? FASHION_MNIST_DIR) };
  }
  if ((flags.trainCsv === undefined) !== (flags.testCsv === undefined)) {
    throw new ConfigError('--train-csv and --test-csv go together: give both or neither');
  }
  if (flags.trainCsv !== undefined && flags.idxDir !== undefined) {
    throw new ConfigError('give either --train-csv/--test-csv or --idx-dir, not both');
  }
  if (flags.trainCsv !== undefined && flags.testCsv !== undefined) {
    return { kind: 'csv', trainCsv: resolve(flags.trainCsv), testCsv: resolve(flags.testCsv) };
  }
  if (flags.idxDir !== undefined) return { kind: 'idx', idxDir: resolve(flags.idxDir) };
  return { kind: 'bundled' };
}

/** Loads and splits the data of `source` with `rng` (which it advances); a table also brings its statistics. */
export async function loadData(source: DataSource, valSplit: number, rng: Rng, out: Output): Promise<MnistData & { table?: TableInfo }> {
  switch (source.kind) {
    case 'table':
      return loadTable(source, valSplit, rng, out);
    case 'images':
      return loadImages(source, valSplit, rng, out);
    case 'toy':
      return loadToy(source, valSplit, rng, out);
    case 'csv':
      out.log(`Loading ${source.trainCsv} and ${source.testCsv}...`);
      return loadMnistFromCsv(source.trainCsv, source.testCsv, valSplit, rng);
    case 'idx':
      out.log(`Loading MNIST IDX files from ${source.idxDir}...`);
      return loadMnistFromIdx(idxPaths(source.idxDir), valSplit, rng);
    case 'bundled':
      out.log('Loading the bundled MNIST (60000 training and 10000 test images)...');
      return loadBundledMnist(valSplit, rng);
    case 'dataset':
      out.log(`Loading ${NAMED_DATASETS[source.name].title} IDX files from ${source.idxDir}...`);
      return loadFashionMnist(source.idxDir, valSplit, rng);
  }
}

/**
 * A table: the test rows from --test-csv or a seeded --test-split share,
 * then the validation share of the rest; classes and statistics from the
 * training rows only.
 */
function loadTable(source: Extract<DataSource, { kind: 'table' }>, valSplit: number, rng: Rng, out: Output): MnistData & { table: TableInfo } {
  out.log(`Loading the table ${source.csv}${source.testCsv === null ? '' : ` and ${source.testCsv}`}...`);
  const raw = parseTable(readTextFile(source.csv), source.csv, source.label === null ? {} : { label: source.label });
  let trainRaw = raw;
  let testRaw: RawTable;
  if (source.testCsv !== null) {
    testRaw = parseTable(readTextFile(source.testCsv), source.testCsv, { label: raw.labelName ?? undefined, featureNames: raw.featureNames });
  } else {
    const nTest = Math.floor(raw.count * source.testSplit);
    if (nTest < 1) throw new ConfigError(`--test-split ${source.testSplit} of ${raw.count} rows leaves no test row: give --test-csv or a larger split`);
    const order = rng.permutation(raw.count);
    const pick = (rows: Uint32Array): RawTable => ({
      ...raw,
      count: rows.length,
      values: Float32Array.from({ length: rows.length * raw.featureNames.length }, (_, i) => raw.values[rows[Math.floor(i / raw.featureNames.length)] * raw.featureNames.length + (i % raw.featureNames.length)]),
      labels: Array.from(rows, (r) => raw.labels[r]),
      lines: Array.from(rows, (r) => raw.lines[r]),
    });
    testRaw = pick(order.subarray(0, nTest).slice().sort());
    trainRaw = pick(order.subarray(nTest).slice().sort());
  }
  const classes = tableClasses(trainRaw);
  const { train, val } = splitTrainVal(tableDataset(trainRaw, classes), valSplit, rng);
  const test = tableDataset(testRaw, classes);
  const { mean, scale, constant } = normalization(train, source.normalize, raw.featureNames);
  for (const name of constant) console.warn(`scratchnet: warning: ${source.csv}: column "${name}" has one value in every training row: it is scaled to 0 and tells the network nothing`);
  out.log(`Table: ${raw.featureNames.length} features, label column "${raw.labelName}", ${classes.length} classes (${classes.join(', ')}); features ${source.normalize === 'none' ? 'as they are' : source.normalize === 'minmax' ? 'scaled to [0, 1]' : 'standardised'} with the training rows' statistics`);
  return { train, val, test, table: { featureNames: raw.featureNames, mean, scale, normalize: source.normalize } };
}

/** An image folder: read (skipping bad files if asked), a seeded test share, then the validation share of the rest. */
function loadImages(source: Extract<DataSource, { kind: 'images' }>, valSplit: number, rng: Rng, out: Output): MnistData {
  const folder = readImageFolder(source.dir, { height: source.height, width: source.width, channels: source.channels, skipBad: source.skipBad });
  const { data } = folder;
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const extras = [
    ...(folder.skipped.length === 0 ? [] : [`skipped ${plural(folder.skipped.length, 'bad file', 'bad files')}`]),
    ...(folder.ignored === 0 ? [] : [`ignored ${plural(folder.ignored, 'that is not a PNG', 'that are not PNGs')}`]),
  ];
  out.log(`Images: ${data.count} from ${source.dir} (${data.classes?.length} classes: ${data.classes?.join(', ')}), ${source.height} × ${source.width}, ${plural(source.channels, 'channel', 'channels')}${extras.length === 0 ? '' : `; ${extras.join(', ')}`}`);
  for (const s of folder.skipped) out.log(`  skipped ${s.path}: ${s.reason}`);
  return splitTestValTrain(data, source.testSplit, valSplit, rng, ['image', 'images']);
}

/** A toy set: its points drawn from the run's generator, then a seeded test share and the validation share of the rest. */
function loadToy(source: Extract<DataSource, { kind: 'toy' }>, valSplit: number, rng: Rng, out: Output): MnistData {
  const set = TOY_SETS[source.name];
  const data = toyDataset(source.name, rng, { count: source.points, ...(source.noise === null ? {} : { noise: source.noise }) });
  out.log(`Toy data: ${set.title}, ${data.count} points on the plane, ${set.classes.length} classes, noise ${source.noise ?? set.noise} (${set.about})`);
  return splitTestValTrain(data, source.testSplit, valSplit, rng, ['point', 'points']);
}

/**
 * A seeded `testSplit` share of `data` for the test (rows kept in file order),
 * then the validation share of the rest (splitTrainVal); `what` names a row
 * for the error when the share holds none.
 */
function splitTestValTrain(data: Dataset, testSplit: number, valSplit: number, rng: Rng, what: [one: string, many: string]): MnistData {
  const nTest = Math.floor(data.count * testSplit);
  if (nTest < 1) throw new ConfigError(`--test-split ${testSplit} of ${data.count} ${what[1]} leaves no test ${what[0]}: give a larger split`);
  const order = rng.permutation(data.count);
  const test = subset(data, order.subarray(0, nTest).slice().sort());
  const rest = subset(data, order.subarray(nTest).slice().sort());
  return { ...splitTrainVal(rest, valSplit, rng), test };
}

/** True for the names of the 2-D toy sets. */
export function isToy(name: string | undefined): name is ToyName {
  return name !== undefined && (TOY_NAMES as readonly string[]).includes(name);
}

/** `--subset n`: a random n of the training rows, drawn from `rng` as train draws it (after the split); all of them for null or n ≥ their count. */
export function trainingSubset(train: Dataset, n: number | null, rng: Rng): Dataset {
  return n !== null && n < train.count ? subset(train, rng.permutation(train.count).subarray(0, n)) : train;
}

/** What the report calls the data: "MNIST", "Fashion-MNIST". */
export function dataTitle(source: DataSource): string {
  return datasetTitle(source);
}

/** The four MNIST file names in `dir`, preferring the uncompressed ones. */
function idxPaths(dir: string): IdxPaths {
  const pick = (name: string): string => {
    const plain = join(dir, name);
    return existsSync(plain) || !existsSync(`${plain}.gz`) ? plain : `${plain}.gz`;
  };
  return {
    trainImages: pick('train-images-idx3-ubyte'),
    trainLabels: pick('train-labels-idx1-ubyte'),
    testImages: pick('t10k-images-idx3-ubyte'),
    testLabels: pick('t10k-labels-idx1-ubyte'),
  };
}
