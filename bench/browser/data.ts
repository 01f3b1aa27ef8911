/**
 * MNIST for the benchmark workers: the four IDX files shipped next to the
 * page (gzipped, same origin), gunzipped with DecompressionStream, and split
 * 54,000/6,000 exactly as `scratchnet train` does (splitTrainVal with 10 %
 * held out, Rng(42) — the generator then goes on to initialise and shuffle).
 */
import { fetchMnist, Rng, splitTrainVal, subset, type Dataset } from '../../src/browser.js';

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
  const { train: full, test } = await fetchMnist(new URL('mnist/', location.href).href);
  const rng = new Rng(42);
  const split = splitTrainVal(full, 0.1, rng);
  let train = split.train;
  if (subsetCount !== undefined && subsetCount < train.count) {
    train = subset(train, Uint32Array.from({ length: subsetCount }, (_, i) => i));
  }
  return { train, val: split.val, test, rng, loadSeconds: (performance.now() - start) / 1000 };
}
