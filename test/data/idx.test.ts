import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { idxToDataset, parseIdx } from '../../src/data/idx.js';
import { DataError } from '../../src/errors.js';
import { idxBytes } from '../support/fixtures.js';

/** assert.throws that also checks the error class and the whole "file: byte N: expected … got …" message. */
function throwsData(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

test('parseIdx reads hand-built 3-D bytes: dims and a view of the data', () => {
  const data = Array.from({ length: 12 }, (_, i) => i * 20);
  const bytes = idxBytes([3, 2, 2], data);
  const idx = parseIdx(bytes, 'imgs');
  assert.deepEqual(idx.dims, [3, 2, 2]);
  assert.deepEqual(Array.from(idx.data), data);
  assert.equal(idx.data.buffer, bytes.buffer, 'a view, not a copy');
  assert.equal(idx.data.byteOffset, 16);
});

test('parseIdx reads big-endian u32 dims (60000 = 00 00 ea 60)', () => {
  const bytes = idxBytes([60000], new Uint8Array(60000));
  assert.deepEqual(Array.from(bytes.subarray(4, 8)), [0x00, 0x00, 0xea, 0x60]);
  assert.deepEqual(parseIdx(bytes, 'labels').dims, [60000]);
});

test('parseIdx: a file shorter than the 4-byte header', () => {
  throwsData(() => parseIdx(new Uint8Array([0, 0, 8]), 'a.idx'), /^a\.idx: byte 3: .*expected at least 4 bytes, got 3$/);
  throwsData(() => parseIdx(new Uint8Array(0), 'a.idx'), /^a\.idx: byte 0: .*got 0$/);
});

test('parseIdx: bad magic names the bytes it got (and spots gzip)', () => {
  throwsData(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), 'a.idx'), /^a\.idx: byte 0: bad magic number: expected 00 00 \(IDX\), got 01 00$/);
  throwsData(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0]), 'b.gz'), /^b\.gz: byte 0: .*got 1f 8b \(gzip data: decompress it first\)$/);
});

test('parseIdx: any type but unsigned byte is unsupported', () => {
  throwsData(
    () => parseIdx(idxBytes([1], [0, 0, 0, 0], 0x0d), 'f.idx'),
    /^f\.idx: byte 2: unsupported IDX data type: expected 0x08 \(unsigned byte\), got 0x0d \(float32\)$/,
  );
  throwsData(() => parseIdx(idxBytes([1], [0], 0x42), 'f.idx'), /byte 2: .*got 0x42 \(unknown\)$/);
});

test('parseIdx: zero dimensions', () => {
  throwsData(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'z.idx'), /^z\.idx: byte 3: expected at least 1 dimension, got 0$/);
});

test('parseIdx: a file that ends inside the dims', () => {
  throwsData(
    () => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]), 'h.idx'),
    /^h\.idx: byte 10: file ends inside the header: expected 16 header bytes \(3 dimensions\), got 10$/,
  );
});

test('parseIdx: data shorter or longer than the product of the dims', () => {
  const full = idxBytes([3, 2, 2], new Uint8Array(12));
  throwsData(() => parseIdx(full.subarray(0, full.length - 1), 'short.idx'), /^short\.idx: byte 16: data is truncated: expected 12 data bytes \(dims 3×2×2\), got 11$/);
  const long = idxBytes([3, 2, 2], new Uint8Array(13));
  throwsData(() => parseIdx(long, 'long.idx'), /^long\.idx: byte 16: data has trailing bytes: expected 12 data bytes \(dims 3×2×2\), got 13$/);
});

test('idxToDataset pairs images and labels as views', () => {
  const images = parseIdx(idxBytes([2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]), 'imgs');
  const labels = parseIdx(idxBytes([2], [7, 0]), 'labels');
  const d = idxToDataset(images, labels, 'imgs', 'labels');
  assert.equal(d.count, 2);
  assert.equal(d.features, 6);
  assert.deepEqual(Array.from(d.y), [7, 0]);
  assert.equal(d.x, images.data);
});

test('idxToDataset: wrong ranks, counts and labels name the file and byte', () => {
  const images = parseIdx(idxBytes([3, 1, 1], [0, 0, 0]), 'imgs');
  const labels = parseIdx(idxBytes([3], [1, 2, 3]), 'labels');
  throwsData(() => idxToDataset(parseIdx(idxBytes([3, 1], [0, 0, 0]), 'imgs'), labels, 'imgs', 'labels'), /^imgs: byte 3: expected 3 dimensions \(images × rows × cols\), got 2 \(3×1\)$/);
  throwsData(() => idxToDataset(images, parseIdx(idxBytes([3, 1], [1, 2, 3]), 'labels'), 'imgs', 'labels'), /^labels: byte 3: expected 1 dimension .*got 2 \(3×1\)$/);
  throwsData(() => idxToDataset(images, parseIdx(idxBytes([2], [1, 2]), 'labels'), 'imgs', 'labels'), /^labels: byte 4: expected 3 labels \(one per image of imgs\), got 2$/);
  throwsData(() => idxToDataset(images, parseIdx(idxBytes([3], [1, 10, 200]), 'labels'), 'imgs', 'labels'), /^labels: byte 9: expected a label 0–9, got 10 \(label of image 1\)$/);
  throwsData(() => idxToDataset(parseIdx(idxBytes([0, 1, 1], []), 'imgs'), parseIdx(idxBytes([0], []), 'labels'), 'imgs', 'labels'), /^imgs: byte 4: expected at least 1 image, got 0$/);
  throwsData(() => idxToDataset(parseIdx(idxBytes([1, 0, 5], []), 'imgs'), parseIdx(idxBytes([1], [0]), 'labels'), 'imgs', 'labels'), /^imgs: byte 8: expected images of at least 1×1 pixels, got 0×5$/);
});

/** Parses and reports what happened: a result or a DataError; anything else propagates and fails the property. */
function outcome(bytes: Uint8Array): 'ok' | 'DataError' {
  try {
    parseIdx(bytes, 'fuzz.idx');
    return 'ok';
  } catch (err) {
    if (err instanceof DataError && err.message.startsWith('fuzz.idx: byte ')) return 'DataError';
    throw err;
  }
}

const smallIdx = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((dims) =>
    fc.uint8Array({ minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) }).map((data) => idxBytes(dims, data)),
  );

test('property: every truncation of a valid IDX file is a DataError; the whole file parses', () => {
  fc.assert(
    fc.property(smallIdx, (bytes) => {
      assert.equal(outcome(bytes), 'ok');
      for (let end = 0; end < bytes.length; end++) {
        // Even a file with no data (a 0 dim) is invalid when cut: its header is then incomplete.
        assert.equal(outcome(bytes.subarray(0, end)), 'DataError', `truncated at ${end} of ${bytes.length}`);
      }
    }),
  );
});

test('property: random bytes, or a valid file with one byte changed, parse or give a DataError, never another exception', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => void outcome(bytes)), { numRuns: 500 });
  fc.assert(
    fc.property(smallIdx, fc.nat(), fc.integer({ min: 0, max: 255 }), (bytes, at, value) => {
      const mutated = bytes.slice();
      mutated[at % mutated.length] = value;
      void outcome(mutated);
    }),
    { numRuns: 500 },
  );
});

test('fuzz: 10,000 mutated or truncated valid IDX files parse into a view no larger than the file, or give a DataError', () => {
  const file = fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }))
    .chain(([n, r, c]) => fc.uint8Array({ minLength: n * r * c, maxLength: n * r * c }).map((data) => idxBytes([n, r, c], data)));
  fc.assert(
    fc.property(file, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (bytes, cut, at, value, truncate) => {
      let mutated = bytes.slice();
      mutated[at % mutated.length] = value;
      if (truncate) mutated = mutated.subarray(0, cut % (mutated.length + 1));
      if (outcome(mutated) === 'ok') {
        const { data, dims } = parseIdx(mutated, 'fuzz.idx');
        assert.ok(data.length <= mutated.length && data.length === dims.reduce((a, b) => a * b, 1));
      }
    }),
    { numRuns: 10_000 },
  );
});
