import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { imageToMnist } from '../../src/data/image.js';
import { DataError } from '../../src/errors.js';
import { crc32, decodePng, MAX_IMAGE_PIXELS, readPngImage } from '../../src/io/image-files.js';
import { tempDir } from '../support/fixtures.js';

/**
 * PNG files built by hand (chunks, CRC, zlib) for the colour types, bit
 * depths and interlacing pngjs's writer does not produce, and for broken files.
 */

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

interface PngSpec {
  width: number;
  height: number;
  colorType: number;
  depth: number;
  /** Scanlines without their filter byte (filter 0 is added), or for interlaced images the passes' scanlines. */
  scanlines: Uint8Array[];
  interlace?: boolean;
  extra?: Uint8Array[];
  /** Replace the compressed image data. */
  idat?: Uint8Array;
}

function pngBytes(spec: PngSpec): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, spec.width);
  view.setUint32(4, spec.height);
  ihdr[8] = spec.depth;
  ihdr[9] = spec.colorType;
  ihdr[12] = spec.interlace ? 1 : 0;
  const raw = Buffer.concat(spec.scanlines.map((line) => Buffer.concat([Buffer.of(0), line])));
  const idat = spec.idat ?? deflateSync(raw);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), ...(spec.extra ?? []), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/** An 8-bit grey image's Adam7 pass scanlines. */
function adam7(width: number, height: number, grey: (x: number, y: number) => number): Uint8Array[] {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  const lines: Uint8Array[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < height; y += dy) {
      const line: number[] = [];
      for (let x = x0; x < width; x += dx) line.push(grey(x, y));
      if (line.length > 0) lines.push(Uint8Array.from(line));
    }
  }
  return lines;
}

/** A small valid RGBA PNG written by pngjs, and its pixels. */
function samplePng(width = 7, height = 5): { bytes: Uint8Array; rgba: Uint8Array } {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 37 + 11) & 255;
  return { bytes: new Uint8Array(PNG.sync.write(png)), rgba: new Uint8Array(png.data) };
}

/** Asserts a DataError whose message matches `pattern`. */
function assertDataError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

test('an RGBA PNG written by pngjs decodes to the same pixels', () => {
  const { bytes, rgba } = samplePng();
  const image = decodePng(bytes, 'a.png');
  assert.equal(image.width, 7);
  assert.equal(image.height, 5);
  assert.deepEqual(image.rgba, rgba);
});

test('grey, RGB and grey + alpha (8 bit) decode to RGBA', () => {
  const grey = decodePng(pngBytes({ width: 3, height: 1, colorType: 0, depth: 8, scanlines: [Uint8Array.of(0, 128, 255)] }), 'g.png');
  assert.deepEqual(Array.from(grey.rgba), [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
  const rgb = decodePng(pngBytes({ width: 2, height: 1, colorType: 2, depth: 8, scanlines: [Uint8Array.of(1, 2, 3, 4, 5, 6)] }), 'c.png');
  assert.deepEqual(Array.from(rgb.rgba), [1, 2, 3, 255, 4, 5, 6, 255]);
  const ga = decodePng(pngBytes({ width: 2, height: 1, colorType: 4, depth: 8, scanlines: [Uint8Array.of(10, 0, 20, 200)] }), 'ga.png');
  assert.deepEqual(Array.from(ga.rgba), [10, 10, 10, 0, 20, 20, 20, 200]);
});

test('16-bit samples are rounded to 8 bits; 1-bit grey is 0 or 255', () => {
  const deep = decodePng(pngBytes({ width: 3, height: 1, colorType: 0, depth: 16, scanlines: [Uint8Array.of(0, 0, 0xff, 0xff, 0x80, 0x80)] }), 'd.png');
  assert.deepEqual(Array.from(deep.rgba.filter((_, i) => i % 4 === 0)), [0, 255, 128]);
  // 1-bit, 10 px wide: two bytes per row, the last 6 bits padding.
  const bits = decodePng(pngBytes({ width: 10, height: 1, colorType: 0, depth: 1, scanlines: [Uint8Array.of(0b10100000, 0b01000000)] }), 'b.png');
  assert.deepEqual(Array.from(bits.rgba.filter((_, i) => i % 4 === 0)), [255, 0, 255, 0, 0, 0, 0, 0, 0, 255]);
});

test('a 2-bit palette image with tRNS transparency decodes to the palette colours and alphas', () => {
  const plte = chunk('PLTE', Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9));
  const trns = chunk('tRNS', Uint8Array.of(0, 128));
  // Indices 0 1 2 3 packed 2 bits each.
  const image = decodePng(pngBytes({ width: 4, height: 1, colorType: 3, depth: 2, scanlines: [Uint8Array.of(0b00011011)], extra: [plte, trns] }), 'p.png');
  assert.deepEqual(Array.from(image.rgba), [255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255, 9, 9, 9, 255]);
});

test('an interlaced (Adam7) image decodes to the same pixels as a plain one', () => {
  const grey = (x: number, y: number) => (x * 23 + y * 41) & 255;
  const [w, h] = [11, 9];
  const rows = Array.from({ length: h }, (_, y) => Uint8Array.from({ length: w }, (_, x) => grey(x, y)));
  const plain = decodePng(pngBytes({ width: w, height: h, colorType: 0, depth: 8, scanlines: rows }), 'p.png');
  const interlaced = decodePng(pngBytes({ width: w, height: h, colorType: 0, depth: 8, scanlines: adam7(w, h, grey), interlace: true }), 'i.png');
  assert.deepEqual(interlaced.rgba, plain.rgba);
});

test('readPngImage reads a file; a missing file is one DataError naming it', () => {
  const tmp = tempDir();
  try {
    const { bytes, rgba } = samplePng();
    assert.deepEqual(readPngImage(tmp.write('x.png', bytes)).rgba, rgba);
    assertDataError(() => readPngImage(`${tmp.dir}/nope.png`), /nope\.png: file not found$/);
  } finally {
    tmp.remove();
  }
});

test('empty files, other formats and cut signatures are refused with what was expected', () => {
  assertDataError(() => decodePng(new Uint8Array(0), 'e.png'), /^e\.png: the file is empty, expected a PNG image$/);
  assertDataError(
    () => decodePng(new TextEncoder().encode('hello, world'), 't.png'),
    /^t\.png: not a PNG file: expected the signature 89 50 4e 47 0d 0a 1a 0a, got 68 65 6c 6c 6f 2c 20 77$/,
  );
  assertDataError(() => decodePng(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10), 'photo.png'), /got ff d8 ff e0 00 10 \(a JPEG image: convert it to PNG first\)$/);
  assertDataError(() => decodePng(SIGNATURE.subarray(0, 5), 's.png'), /^s\.png: byte 5: file ends inside the 8-byte PNG signature \(truncated\)$/);
});

test('every truncation of a valid PNG is a DataError naming the file (most at the byte where it ends)', () => {
  const { bytes } = samplePng(20, 20);
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(() => decodePng(bytes.subarray(0, n), 'cut.png'), (err: unknown) => {
      assert.ok(err instanceof DataError, `cut at ${n}: ${String(err)}`);
      assert.match(err.message, /^cut\.png: /);
      return true;
    });
  }
  assertDataError(() => decodePng(bytes.subarray(0, 50), 'cut.png'), /^cut\.png: byte 33: the IDAT chunk needs \d+ data bytes and a 4-byte CRC, the file ends 9 bytes after its header \(truncated\)$/);
  assertDataError(() => decodePng(bytes.subarray(0, bytes.length - 12), 'cut.png'), /byte \d+: file ends before the IEND chunk \(truncated\)$/);
});

test('a flipped bit fails the chunk CRC, at the byte of the CRC', () => {
  const { bytes } = samplePng();
  const bad = bytes.slice();
  bad[45] ^= 0x10; // inside the IDAT data
  assertDataError(() => decodePng(bad, 'flip.png'), /^flip\.png: byte \d+: the IDAT chunk's CRC is 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8} \(the file is corrupt\)$/);
});

test('mutated and truncated PNGs (fuzzed): a DataError or a valid image (and MNIST digit), never a crash', () => {
  const { bytes } = samplePng(9, 6);
  const mutation = fc.record({
    edits: fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    cut: fc.option(fc.nat(bytes.length)),
  });
  fc.assert(
    fc.property(mutation, ({ edits, cut }) => {
      const mutated = bytes.slice(0, cut ?? bytes.length);
      for (const [at, value] of edits) if (at < mutated.length) mutated[at] = value;
      try {
        const image = decodePng(mutated, 'fuzz.png');
        assert.equal(image.rgba.length, image.width * image.height * 4);
        assert.equal(imageToMnist(image, 'fuzz.png').length, 784);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        assert.match(err.message, /^fuzz\.png: /);
      }
    }),
    { numRuns: 2000 },
  );
});

test('images of more than 4096 × 4096 pixels are refused from the header, before any pixel memory', () => {
  assert.equal(MAX_IMAGE_PIXELS, 4096 * 4096);
  // A 100000 × 100000 header with 1 byte of image data: refused at the IHDR's width.
  const huge = pngBytes({ width: 100_000, height: 100_000, colorType: 6, depth: 8, scanlines: [], idat: deflateSync(Buffer.alloc(1)) });
  assertDataError(
    () => decodePng(huge, 'huge.png'),
    /^huge\.png: byte 16: the image is 100000 × 100000 = 10000000000 pixels, more than the 16777216 \(4096 × 4096\) accepted; scale it down first$/,
  );
  const wide = pngBytes({ width: 4097, height: 4096, colorType: 0, depth: 1, scanlines: [], idat: deflateSync(Buffer.alloc(1)) });
  assertDataError(() => decodePng(wide, 'wide.png'), /4097 × 4096 = 16781312 pixels, more than/);
});

test('image data that inflates beyond what the header implies (a zip bomb) is refused, interlaced or not', () => {
  // 4096 × 4096 at 1 bit holds ~2 MB; the data inflates to 64 MB (from ~64 KB).
  const bomb = deflateSync(Buffer.alloc(64 << 20), { level: 9 });
  for (const interlace of [false, true]) {
    const bytes = pngBytes({ width: 4096, height: 4096, colorType: 0, depth: 1, scanlines: [], idat: bomb, interlace });
    assertDataError(() => decodePng(bytes, 'bomb.png'), /^bomb\.png: corrupt PNG data: the image data inflates to more than the \d+ bytes a 4096 × 4096 (interlaced )?image holds$/);
  }
  // And too little data is named too.
  const short = pngBytes({ width: 4, height: 4, colorType: 0, depth: 8, scanlines: [], idat: deflateSync(Buffer.alloc(7)) });
  assertDataError(() => decodePng(short, 'short.png'), /^short\.png: corrupt PNG data: the image data inflates to 7 bytes, expected 20 for a 4 × 4 image$/);
  const garbage = pngBytes({ width: 4, height: 4, colorType: 0, depth: 8, scanlines: [], idat: Uint8Array.of(1, 2, 3, 4) });
  assertDataError(() => decodePng(garbage, 'z.png'), /^z\.png: corrupt PNG data: the image data is not valid zlib data/);
});

test('header fields the PNG standard does not allow are named with their byte', () => {
  const row = [Uint8Array.of(0)];
  assertDataError(() => decodePng(pngBytes({ width: 1, height: 1, colorType: 5, depth: 8, scanlines: row }), 'c.png'), /^c\.png: byte 25: expected a colour type 0, 2, 3, 4 or 6, got 5$/);
  assertDataError(() => decodePng(pngBytes({ width: 1, height: 1, colorType: 2, depth: 4, scanlines: row }), 'd.png'), /^d\.png: byte 24: expected a bit depth of 8, 16 for RGB images, got 4$/);
  assertDataError(() => decodePng(pngBytes({ width: 0, height: 1, colorType: 0, depth: 8, scanlines: row }), 'w.png'), /^w\.png: byte 16: expected a width and height of at least 1, got 0 × 1$/);
  const noIdat = Buffer.concat([SIGNATURE, pngBytes({ width: 1, height: 1, colorType: 0, depth: 8, scanlines: row }).subarray(8, 33), chunk('IEND', new Uint8Array(0))]);
  assertDataError(() => decodePng(noIdat, 'n.png'), /^n\.png: byte 33: reached IEND without any image data \(IDAT chunk\)$/);
  const notIhdr = Buffer.concat([SIGNATURE, chunk('IDAT', Uint8Array.of(1))]);
  assertDataError(() => decodePng(notIhdr, 'h.png'), /^h\.png: byte 8: expected the 13-byte IHDR chunk first, got "IDAT" of 1 bytes$/);
});
