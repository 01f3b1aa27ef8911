import type { Sequential } from '../model/sequential.js';
import { readFileBytes } from './files.js';
import { decodeModel, encodeModel, type DecodedModel, type TrainingTensor } from './model-file.js';
import { writeFileAtomic } from './write.js';

/**
 * Saving and loading model files on disk (Node only; src/io/model-file.ts
 * does the bytes and stays browser-safe).
 */

/**
 * Writes `model` (and optional JSON-serialisable `training` info, and a
 * checkpoint's `trainingTensors`) to `path` as safetensors. The bytes are encoded first and then written atomically (temp
 * file, fsync, rename), so an existing file is replaced whole or not at all.
 * A folder that is missing or not writable, or a full disk, is a DataError naming `path`.
 */
export function saveModel(model: Sequential, path: string, training?: unknown, trainingTensors: readonly TrainingTensor[] = []): void {
  writeFileAtomic(path, encodeModel(model, training, trainingTensors));
}

/**
 * The model saved at `path` (gzipped files are read too). A missing or
 * unreadable file is a DataError (`path: file not found`); malformed contents
 * a ModelFileError naming `path` and the byte.
 */
export function loadModel(path: string): DecodedModel {
  return decodeModel(readFileBytes(path), path);
}
