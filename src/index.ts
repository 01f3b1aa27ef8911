/**
 * scratchnet: neural networks from scratch in TypeScript.
 *
 * The tutorial's concepts under their tutorial names — `Layer`, `Dense`,
 * `ReLU`, `softmaxCrossEntropyWithLogits`, `forward`, `predict`, `train`,
 * `loadMnistFromCsv` — plus `fit`, optimizers and the kernels underneath.
 * This is the Node entry: everything in ./browser.ts plus the helpers that
 * read and write files.
 */
export * from './browser.js';

export { readFileBytes, streamFileChunks } from './io/files.js';
export { bundledMnistPaths, fashionMnistPaths, FASHION_MNIST_DIR, idxFilesIn, loadBundledMnist, loadFashionMnist, loadMnistFromCsv, loadMnistFromIdx, readMnistCsv, type IdxPaths } from './io/mnist.js';
export { loadModel, saveModel } from './io/model-files.js';
export { decodePng, readPngImage, MAX_IMAGE_PIXELS } from './io/image-files.js';
export { writeFileAtomic } from './io/write.js';

// The report's charts: vega-lite specs of every figure the tutorial draws, rendered to SVG (and PNG).
export { renderSvg } from './plot/render.js';
export { activationsSpec, activationDerivativesSpec } from './plot/activations.js';
export { samplesSpec, predictionsSpec, type DigitImage, type DigitPrediction } from './plot/digits.js';
export { reluTest, reluTestSpec } from './plot/relu-test.js';
export { historySpec, type HistoryCurves } from './plot/history.js';
export { confusionSpec } from './plot/confusion.js';
export { compareSpec, type ComparedRun } from './plot/compare.js';
export { digitPngDataUrl, svgToPng } from './io/png.js';
