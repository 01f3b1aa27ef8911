import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NAMED_DATASETS, type DatasetName } from '../data/classes.js';
import type { MnistData } from '../data/dataset.js';
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
  | { kind: 'dataset'; name: Exclude<DatasetName, 'mnist'>; idxDir: string };

/** The data source named by the --dataset / --train-csv / --test-csv / --idx-dir flags. */
export function dataSource(flags: { dataset?: DatasetName; trainCsv?: string; testCsv?: string; idxDir?: string }): DataSource {
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

/** Loads and splits the data of `source` with `rng` (which it advances). */
export async function loadData(source: DataSource, valSplit: number, rng: Rng, out: Output): Promise<MnistData> {
  switch (source.kind) {
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

/** What the report calls the data: "MNIST", "Fashion-MNIST". */
export function dataTitle(source: DataSource): string {
  return source.kind === 'dataset' ? NAMED_DATASETS[source.name].title : 'MNIST';
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
