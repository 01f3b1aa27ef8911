import { createReadStream, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';

/**
 * Reading data files from disk (Node only; src/data/ parses the bytes and
 * stays browser-safe). Files that start with the gzip magic (1f 8b) are
 * decompressed on the way, whatever their name, so `train-images-idx3-ubyte.gz`
 * and `mnist_train.csv.gz` work as they are. Every failure is a DataError that
 * starts with the path.
 */

/** The whole file as UTF-8 text (gunzipped if it is gzip), or a DataError naming it (missing, a folder, unreadable). */
export function readTextFile(path: string): string {
  // ignoreBOM keeps a byte-order mark in the text, as readFileSync(path, 'utf8') does: the table parser drops it.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(readFileBytes(path));
}

/** The whole file as bytes, gunzipped if it is gzip data. */
export function readFileBytes(path: string): Uint8Array {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (err) {
    throw fileError(path, err);
  }
  const bytes = asBytes(buffer);
  if (!isGzip(bytes)) return bytes;
  try {
    return asBytes(gunzipSync(bytes));
  } catch (err) {
    throw fileError(path, err);
  }
}

/**
 * The file's bytes in chunks of about `chunkSize` (gunzipped on the fly if it
 * is gzip data), for parsers that should not hold the whole text in memory.
 */
export async function* streamFileChunks(path: string, chunkSize = 1 << 20): AsyncGenerator<Uint8Array, void, undefined> {
  let gzipped: boolean;
  try {
    // Peek at the magic; opening first also reports a missing file before any stream exists.
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      gzipped = bytesRead === 2 && isGzip(head);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw fileError(path, err);
  }
  const raw = createReadStream(path, { highWaterMark: chunkSize });
  // pipeline() forwards a read error to the gunzip stream and destroys both when the reader stops early.
  const source: AsyncIterable<Buffer> = gzipped ? pipeline(raw, createGunzip(), () => {}) : raw;
  try {
    for await (const chunk of source) yield asBytes(chunk);
  } catch (err) {
    throw fileError(path, err);
  }
}

/** True if `bytes` start with the gzip magic number 1f 8b. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A plain Uint8Array view of a Buffer (no copy), so callers and tests see one type. */
function asBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Maps a Node fs or zlib error to a one-line DataError naming `path`; anything else is a bug and passes through. */
function fileError(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return err;
  if (code === 'ENOENT') return new DataError(`${path}: file not found`);
  if (code === 'EISDIR') return new DataError(`${path}: is a directory, expected a file`);
  if (code === 'EACCES' || code === 'EPERM') return new DataError(`${path}: cannot read (${code}: permission denied)`);
  if (code.startsWith('Z_')) {
    return new DataError(`${path}: corrupt or truncated gzip data (${(err as Error).message})`);
  }
  // Node's text is "ENOTDIR: not a directory, open '/x/y'": keep the part before the path.
  const reason = (err as Error).message.split(', ')[0];
  return new DataError(`${path}: cannot read (${reason.startsWith(code) ? reason : `${code}: ${reason}`})`);
}
