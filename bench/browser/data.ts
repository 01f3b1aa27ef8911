/**
 * MNIST for the benchmark workers: the four IDX files shipped next to the
 * page (gzipped, same origin), gunzipped with DecompressionStream, and split
 * 54,000/6,000 exactly as `scratchnet train` does (splitTrainVal with 10 %
 * held out, Rng(42) — the generator then goes on to initialise and shuffle).
 */
import { Rng, idxToDataset, parseIdx, splitTrainVal, subset, type Dataset } from '../../src/browser.js';

async function fetchIdx(name: string): Promise<Uint8Array> {
  const url = `mnist/${name}.gz`;
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface BenchData {
  train: Dataset;
  val: Dataset;
  test: Dataset;
  /** The generator after the split (scratchnet uses it for the init and the shuffles). */
  rng: Rng;
  loadSeconds: number;
}

/** The default job's data; with `subsetCount`, only the first N images of the training split. */
export async function loadBenchData(subsetCount: number | undefined): Promise<BenchData> {
  const start = performance.now();
  const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(names.map(fetchIdx));
  const full = idxToDataset(parseIdx(trainImages, names[0]), parseIdx(trainLabels, names[1]), names[0], names[1]);
  const test = idxToDataset(parseIdx(testImages, names[2]), parseIdx(testLabels, names[3]), names[2], names[3]);
  const rng = new Rng(42);
  const split = splitTrainVal(full, 0.1, rng);
  let train = split.train;
  if (subsetCount !== undefined && subsetCount < train.count) {
    train = subset(train, Uint32Array.from({ length: subsetCount }, (_, i) => i));
  }
  return { train, val: split.val, test, rng, loadSeconds: (performance.now() - start) / 1000 };
}
