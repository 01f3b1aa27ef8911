/** Node-only file access: reading (and gunzipping) data files and loading MNIST from CSV, IDX or the bundled package. */
export { readFileBytes, streamFileChunks } from './files.js';
export {
  bundledMnistPaths,
  loadBundledMnist,
  loadMnistFromCsv,
  loadMnistFromIdx,
  type IdxPaths,
} from './mnist.js';
export { decodeModel, encodeModel, MAX_HEADER_BYTES, MODEL_FORMAT, type DecodedModel } from './model-file.js';
export { loadModel, saveModel } from './model-files.js';
