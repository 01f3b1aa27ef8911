import { DataError } from '../errors.js';
import type { Dataset } from './dataset.js';

/**
 * The IDX format of the original MNIST files (yann.lecun.com/exdb/mnist):
 *
 *   byte 0–1  0x00 0x00        magic
 *   byte 2    data type        0x08 = unsigned byte (the only one MNIST uses)
 *   byte 3    number of dims   d
 *   byte 4…   d × u32 big-endian, the size of each dimension
 *   then      the values, row-major, product(dims) of them
 *
 * Works on bytes only (no Node APIs) so the browser can use it too; gunzip
 * before calling (io/files.ts does it for files on disk).
 */

/** An IDX tensor: its dimensions and its values (a view into the file bytes). */
export interface IdxTensor {
  dims: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/**
 * Parses an IDX file of unsigned bytes. Returns a view of `bytes` (no copy).
 * Throws a DataError naming `fileName` and the byte offset of the problem.
 */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxTensor {
  const fail = (offset: number, what: string): never => {
    throw new DataError(`${fileName}: byte ${offset}: ${what}`);
  };
  if (bytes.length < 4) {
    fail(bytes.length, `file ends inside the 4-byte IDX header: expected at least 4 bytes, got ${bytes.length}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const got = hex(bytes[0]) + ' ' + hex(bytes[1]);
    // gzip starts with 1f 8b: the commonest way to get here is a .gz not yet decompressed.
    const hint = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (gzip data: decompress it first)' : '';
    fail(0, `bad magic number: expected 00 00 (IDX), got ${got}${hint}`);
  }
  const type = bytes[2];
  if (type !== UNSIGNED_BYTE) {
    const name = TYPE_NAMES[type] ?? 'unknown';
    fail(2, `unsupported IDX data type: expected 0x08 (unsigned byte), got ${hex(type, '0x')} (${name})`);
  }
  const rank = bytes[3];
  if (rank === 0) fail(3, 'expected at least 1 dimension, got 0');
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    fail(
      bytes.length,
      `file ends inside the header: expected ${headerLength} header bytes (${rank} dimensions), got ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < rank; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    size *= n; // may exceed 2^53 for garbage dims; it is then only compared and printed
  }
  const got = bytes.length - headerLength;
  if (got !== size) {
    const shape = dims.join('×');
    const which = got < size ? 'data is truncated' : 'data has trailing bytes';
    fail(headerLength, `${which}: expected ${size} data bytes (dims ${shape}), got ${got}`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/**
 * Pairs an IDX image file (n × rows × cols) with its label file (n labels 0–9)
 * as a Dataset whose x and y are views of the parsed data (no copy).
 */
export function idxToDataset(images: IdxTensor, labels: IdxTensor, imagesName: string, labelsName: string): Dataset {
  if (images.dims.length !== 3) {
    throw new DataError(
      `${imagesName}: byte 3: expected 3 dimensions (images × rows × cols), got ${images.dims.length} (${images.dims.join('×')})`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new DataError(
      `${labelsName}: byte 3: expected 1 dimension (one label per image), got ${labels.dims.length} (${labels.dims.join('×')})`,
    );
  }
  const [count, rows, cols] = images.dims;
  if (count === 0) throw new DataError(`${imagesName}: byte 4: expected at least 1 image, got 0`);
  if (rows === 0 || cols === 0) {
    throw new DataError(`${imagesName}: byte 8: expected images of at least 1×1 pixels, got ${rows}×${cols}`);
  }
  if (labels.dims[0] !== count) {
    throw new DataError(
      `${labelsName}: byte 4: expected ${count} labels (one per image of ${imagesName}), got ${labels.dims[0]}`,
    );
  }
  const y = labels.data;
  for (let i = 0; i < count; i++) {
    if (y[i] > 9) {
      // A 1-D IDX header is 8 bytes: 4 of magic/type/rank and one u32 size.
      throw new DataError(`${labelsName}: byte ${8 + i}: expected a label 0–9, got ${y[i]} (label of image ${i})`);
    }
  }
  return { x: images.data, y, count, features: rows * cols };
}

function hex(byte: number, prefix = ''): string {
  return prefix + byte.toString(16).padStart(2, '0');
}
