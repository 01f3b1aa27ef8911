import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../data/image.js';
import { DataError } from '../errors.js';
import { readFileBytes } from './files.js';

/**
 * Reading PNG images (Node only: pngjs decodes with Node's zlib; the pixels
 * then go to src/data/image.ts, which stays browser-safe).
 *
 * pngjs does the decoding (every colour type and bit depth of the PNG
 * standard: grey, RGB, palette, grey + alpha, RGBA, 1–16 bits, interlaced or
 * not, tRNS transparency) and hands back 8-bit RGBA. Before it runs, we walk
 * the file's chunks ourselves, because a file from anywhere must fail with a
 * clear message and must not make us allocate what its size does not justify:
 *
 *   - the 8-byte signature (89 50 4E 47 0D 0A 1A 0A) is checked first;
 *   - every chunk (u32 big-endian length, 4-letter type, data, CRC) must lie
 *     inside the file, with a matching CRC-32, IHDR first, then at least one
 *     IDAT, then IEND;
 *   - the IHDR's width × height is bounded by {@link MAX_IMAGE_PIXELS} before
 *     any pixel memory exists;
 *   - the image data is inflated once with a cap at the size the IHDR implies
 *     (pngjs caps only non-interlaced images), so a "zip bomb" stops early,
 *     and data that inflates to less is refused (pngjs would fill the rest
 *     with zeros without a word). This costs a second inflate: nothing to
 *     speak of for a digit, about a third of the decoding time for a
 *     12-megapixel photo (measured: 0.22 of 0.68 s).
 *
 * The signature check makes a JPEG or a text file fail with "not a PNG file";
 * a file cut short fails at the chunk it ends in; a flipped bit fails its CRC.
 */

/** The most pixels an image may have (4096 × 4096; 64 MiB as RGBA): a phone photo fits, a poster-size scan does not. */
export const MAX_IMAGE_PIXELS = 4096 * 4096;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Bit depths the PNG standard allows for each colour type, and that type's channels per pixel. */
const COLOR_TYPES: Record<number, { name: string; channels: number; depths: number[] }> = {
  0: { name: 'grey', channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { name: 'RGB', channels: 3, depths: [8, 16] },
  3: { name: 'palette', channels: 1, depths: [1, 2, 4, 8] },
  4: { name: 'grey + alpha', channels: 2, depths: [8, 16] },
  6: { name: 'RGBA', channels: 4, depths: [8, 16] },
};

/** Adam7 interlacing: each pass's first column and row and its steps. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** What the header walk learns about a PNG file. */
interface PngLayout {
  width: number;
  height: number;
  bitsPerPixel: number;
  interlaced: boolean;
  /** The IDAT chunks' data, in order (views into the file). */
  idat: Uint8Array[];
}

/** The PNG file at `path` as 8-bit RGBA; every failure is a DataError naming `path` (and the byte where one applies). */
export function readPngImage(path: string): RgbaImage {
  return decodePng(readFileBytes(path), path);
}

/**
 * Decodes PNG `bytes` to 8-bit RGBA (16-bit samples are rounded to 8 bits,
 * palettes and transparency resolved). Throws a DataError starting with
 * `fileName`: empty file, not a PNG, truncated or corrupt data, or an image of
 * more than {@link MAX_IMAGE_PIXELS} pixels.
 */
export function decodePng(bytes: Uint8Array, fileName: string): RgbaImage {
  const layout = checkPngLayout(bytes, fileName);
  // Before pngjs: it inflates interlaced data without a cap, and takes too little data without a word.
  const problem = imageDataProblem(layout);
  if (problem !== undefined) throw new DataError(`${fileName}: corrupt PNG data: ${problem}`);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    throw new DataError(`${fileName}: corrupt PNG data (pngjs: ${err.message})`);
  }
  const { width, height, data } = png;
  return { width, height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Walks the signature and the chunk list (see the top of this file); throws at the first problem. */
function checkPngLayout(bytes: Uint8Array, fileName: string): PngLayout {
  const fail = (offset: number, what: string): never => {
    throw new DataError(`${fileName}: byte ${offset}: ${what}`);
  };
  if (bytes.length === 0) throw new DataError(`${fileName}: the file is empty, expected a PNG image`);
  for (let i = 0; i < SIGNATURE.length; i++) {
    if (i === bytes.length) fail(i, `file ends inside the 8-byte PNG signature (truncated)`);
    if (bytes[i] !== SIGNATURE[i]) {
      const got = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new DataError(`${fileName}: not a PNG file: expected the signature 89 50 4e 47 0d 0a 1a 0a, got ${got}${formatHint(bytes)}`);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const layout: PngLayout = { width: 0, height: 0, bitsPerPixel: 0, interlaced: false, idat: [] };
  for (let offset = 8, index = 0; ; index++) {
    if (offset + 8 > bytes.length) {
      fail(offset, `file ends before the ${index === 0 ? 'IHDR' : 'IEND'} chunk (truncated)`);
    }
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (length > 0x7fffffff) fail(offset, `the ${JSON.stringify(type)} chunk claims ${length} bytes, more than PNG allows (2^31 − 1)`);
    if (offset + 12 + length > bytes.length) {
      fail(offset, `the ${type} chunk needs ${length} data bytes and a 4-byte CRC, the file ends ${bytes.length - offset - 8} bytes after its header (truncated)`);
    }
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    const stored = view.getUint32(offset + 8 + length);
    const computed = crc32(bytes.subarray(offset + 4, offset + 8 + length));
    if (stored !== computed) {
      fail(offset + 8 + length, `the ${type} chunk's CRC is ${hex32(stored)}, expected ${hex32(computed)} (the file is corrupt)`);
    }
    if (index === 0) {
      if (type !== 'IHDR' || length !== 13) fail(offset, `expected the 13-byte IHDR chunk first, got ${JSON.stringify(type)} of ${length} bytes`);
      readHeader(view, offset + 8, layout, fail);
    } else if (type === 'IDAT') {
      layout.idat.push(data);
    } else if (type === 'IEND') {
      if (layout.idat.length === 0) fail(offset, 'reached IEND without any image data (IDAT chunk)');
      return layout;
    }
    offset += 12 + length;
  }
}

/** Reads and checks the IHDR fields at `at`: size (bounded), bit depth, colour type, interlacing. */
function readHeader(view: DataView, at: number, layout: PngLayout, fail: (offset: number, what: string) => never): void {
  const width = view.getUint32(at);
  const height = view.getUint32(at + 4);
  const depth = view.getUint8(at + 8);
  const colorType = view.getUint8(at + 9);
  const interlace = view.getUint8(at + 12);
  if (width === 0 || height === 0) fail(at, `expected a width and height of at least 1, got ${width} × ${height}`);
  if (width * height > MAX_IMAGE_PIXELS) {
    fail(at, `the image is ${width} × ${height} = ${width * height} pixels, more than the ${MAX_IMAGE_PIXELS} (4096 × 4096) accepted; scale it down first`);
  }
  const color = COLOR_TYPES[colorType];
  if (color === undefined) fail(at + 9, `expected a colour type 0, 2, 3, 4 or 6, got ${colorType}`);
  if (!color.depths.includes(depth)) fail(at + 8, `expected a bit depth of ${color.depths.join(', ')} for ${color.name} images, got ${depth}`);
  if (interlace > 1) fail(at + 12, `expected interlace method 0 or 1, got ${interlace}`);
  Object.assign(layout, { width, height, bitsPerPixel: color.channels * depth, interlaced: interlace === 1 });
}

/**
 * What is wrong with the image data, if anything: the IDAT chunks are
 * inflated with a cap at the size the header implies (per row one filter byte
 * and the packed samples; per Adam7 pass if interlaced), so data claiming more
 * stops there, and data holding less is named.
 */
function imageDataProblem(layout: PngLayout): string | undefined {
  const { width, height, bitsPerPixel, interlaced } = layout;
  const rowBytes = (w: number): number => 1 + Math.ceil((w * bitsPerPixel) / 8);
  let expected = 0;
  if (!interlaced) expected = height * rowBytes(width);
  else {
    for (const [x0, y0, dx, dy] of ADAM7) {
      const w = width > x0 ? Math.ceil((width - x0) / dx) : 0;
      const h = height > y0 ? Math.ceil((height - y0) / dy) : 0;
      if (w > 0 && h > 0) expected += h * rowBytes(w);
    }
  }
  const what = `${width} × ${height}${interlaced ? ' interlaced' : ''} image`;
  let inflated: Buffer;
  try {
    inflated = inflateSync(Buffer.concat(layout.idat), { maxOutputLength: expected });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (typeof code !== 'string') throw err;
    if (code === 'ERR_BUFFER_TOO_LARGE') return `the image data inflates to more than the ${expected} bytes a ${what} holds`;
    return `the image data is not valid zlib data (${(err as Error).message})`;
  }
  if (inflated.length < expected) return `the image data inflates to ${inflated.length} bytes, expected ${expected} for a ${what}`;
  return undefined;
}

/** CRC-32 lookup table (polynomial 0xEDB88320, as PNG and zlib use). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of `bytes` (a chunk's type and data). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** " (a JPEG image)" and the like, for files that are images but not PNG. */
function formatHint(bytes: Uint8Array): string {
  const starts = (...magic: number[]): boolean => magic.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return ' (a JPEG image: convert it to PNG first)';
  if (starts(0x47, 0x49, 0x46, 0x38)) return ' (a GIF image: convert it to PNG first)';
  if (starts(0x42, 0x4d)) return ' (a BMP image: convert it to PNG first)';
  if (starts(0x52, 0x49, 0x46, 0x46)) return ' (a RIFF file, e.g. WebP: convert it to PNG first)';
  return '';
}
