import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MnistCsvParser } from '../../src/data/csv.js';
import type { Dataset } from '../../src/data/dataset.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { csvText, pixelRow } from '../support/fixtures.js';

const utf8 = new TextEncoder();

/** Parses `text` pushed as the chunks cut at `cuts` (byte offsets). */
function parse(text: string | Uint8Array, features: number, fileName = 'f.csv', cuts: number[] = []): Dataset {
  const bytes = typeof text === 'string' ? utf8.encode(text) : text;
  const parser = new MnistCsvParser(fileName, features);
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parser.push(bytes.subarray(start, Math.max(start, cut)));
    start = Math.max(start, cut);
  }
  parser.push(bytes.subarray(start));
  return parser.end();
}

/** The result of {@link parse} as data, or the DataError's message; any other exception propagates. */
function outcome(text: string | Uint8Array, features: number, cuts: number[] = []): Dataset | string {
  try {
    return parse(text, features, 'f.csv', cuts);
  } catch (err) {
    if (err instanceof DataError) return err.message;
    throw err;
  }
}

function throwsData(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

const three = { labels: [7, 0, 9], pixels: [[0, 255, 12], [1, 2, 3], [100, 0, 7]] };
const expected: Dataset = {
  x: Uint8Array.from([0, 255, 12, 1, 2, 3, 100, 0, 7]),
  y: Uint8Array.from([7, 0, 9]),
  count: 3,
  features: 3,
};

test('parses the header and data rows into bytes', () => {
  assert.deepEqual(parse(csvText(three.labels, three.pixels), 3), expected);
});

test('accepts CRLF, no final newline, and empty lines at the end', () => {
  for (const eol of ['\n', '\r\n'] as const) {
    for (const trailingNewline of [true, false]) {
      assert.deepEqual(parse(csvText(three.labels, three.pixels, { eol, trailingNewline }), 3), expected, JSON.stringify({ eol, trailingNewline }));
    }
    assert.deepEqual(parse(csvText(three.labels, three.pixels, { eol }) + eol + eol, 3), expected);
  }
});

test('accepts leading zeros and a byte-order mark before the header', () => {
  assert.deepEqual(parse('\uFEFFlabel,a,b,c\n07,000,255,012\n', 3).x, Uint8Array.from([0, 255, 12]));
});

test('parses a full 784-pixel MNIST row by default', () => {
  const pixels = [pixelRow(784, 1), pixelRow(784, 2)];
  const d = parse(csvText([5, 0], pixels), 784);
  assert.equal(d.features, 784);
  assert.deepEqual(Array.from(d.x), [...pixels[0], ...pixels[1]]);
  const parser = new MnistCsvParser('g.csv');
  parser.push(utf8.encode(csvText([5], [pixels[0]])));
  assert.equal(parser.end().features, 784);
});

test('grows its buffer past the initial capacity (3000 rows)', () => {
  const labels = Array.from({ length: 3000 }, (_, i) => i % 10);
  const pixels = labels.map((_, i) => pixelRow(2, i));
  const d = parse(csvText(labels, pixels), 2);
  assert.equal(d.count, 3000);
  assert.equal(d.x.length, 6000);
  assert.deepEqual(Array.from(d.x.subarray(5998)), pixels[2999]);
  assert.equal(d.y[2999], 9);
});

// The error cases, each checked for file, line (and column) and expected-vs-got.
const row784 = (values: string[]): string => values.join(',');
const goodRow = (label = '5'): string[] => [label, ...pixelRow(784, 3).map(String)];

test('a row with too few or too many values', () => {
  const rows = [goodRow(), goodRow(), goodRow().slice(0, 784)];
  throwsData(
    () => parse(['label,' + 'p,'.repeat(783) + 'p', ...rows.map(row784)].join('\n'), 784, 'mnist_train.csv'),
    /^mnist_train\.csv:4: expected 785 values \(label \+ 784 pixels\), got 784$/,
  );
  const short = goodRow().slice(0, 783);
  throwsData(() => parse(`h\n${row784(goodRow())}\n${row784(short)}\n`, 784, 'mnist_train.csv'), /^mnist_train\.csv:3: expected 785 values \(label \+ 784 pixels\), got 783$/);
  const long = [...goodRow(), '1', '2'];
  throwsData(() => parse(`h\n${row784(long)}\n${row784(goodRow())}\n`, 784, 'mnist_train.csv'), /^mnist_train\.csv:2: expected 785 values \(label \+ 784 pixels\), got 787$/);
  // …also when the over-long row is the last one, without a newline.
  throwsData(() => parse(`h\n${row784(long)}`, 784), /^f\.csv:2: expected 785 values \(label \+ 784 pixels\), got 787$/);
  throwsData(() => parse('h\n5', 784), /^f\.csv:2: expected 785 values \(label \+ 784 pixels\), got 1$/);
});

test('a bad pixel value names line, column and the text: "256", "abc", "1.5", "", "-1", "NaN", " 7"', () => {
  for (const bad of ['256', 'abc', '1.5', '', '-1', 'NaN', ' 7', '7 ', '1e2', '"3"', '0x1']) {
    const row = goodRow();
    row[11] = bad; // column 12
    const text = `label,…\n${row784(goodRow())}\n${row784(goodRow())}\n${row784(goodRow())}\n${row784(goodRow())}\n${row784(goodRow())}\n${row784(row)}\n`;
    throwsData(
      () => parse(text, 784, 'mnist_train.csv'),
      new RegExp(`^mnist_train\\.csv:7, column 12: expected a pixel value 0–255, got ${escape(JSON.stringify(bad))}$`),
    );
  }
});

test('an empty last pixel, at the end of a line or of the file', () => {
  throwsData(() => parse('h\n1,2,\n', 2), /^f\.csv:2, column 3: expected a pixel value 0–255, got ""$/);
  throwsData(() => parse('h\n1,2,', 2), /^f\.csv:2, column 3: expected a pixel value 0–255, got ""$/);
  throwsData(() => parse('h\n1,2,3,\n', 2), /^f\.csv:2: expected 3 values .*got 4$/);
});

test('a bad label names line and column 1', () => {
  for (const bad of ['12', '10', 'a', '', '-1', '1.0', '5 ']) {
    throwsData(
      () => parse(`label,…\n1,0,0\n${bad},0,0\n`, 2, 'mnist_test.csv'),
      new RegExp(`^mnist_test\\.csv:3, column 1: expected a label 0–9, got ${escape(JSON.stringify(bad))}$`),
    );
  }
});

test('the offending text is cut to 20 characters', () => {
  const long = 'x'.repeat(500);
  throwsData(() => parse(`h\n1,${long}\n`, 1), /^f\.csv:2, column 2: expected a pixel value 0–255, got "x{20}…"$/);
  throwsData(() => parse(`h\n1,${'9'.repeat(30)}`, 1), /^f\.csv:2, column 2: expected a pixel value 0–255, got "9{20}…"$/);
  throwsData(() => parse(`h\n1,${'0'.repeat(25)}256\n`, 1), /got "0{20}…"$/);
});

test('a file without a header row', () => {
  throwsData(() => parse('5,0,0\n3,1,1\n', 2, 'mnist_train.csv'), /^mnist_train\.csv:1: expected a header row \(label,1x1,…\), got a data row$/);
  throwsData(() => parse('5,0,0', 2), /^f\.csv:1: expected a header row \(label,1x1,…\), got a data row$/);
  throwsData(() => parse('\n5,0,0\n', 2), /^f\.csv:1: expected a header row \(label,1x1,…\), got an empty line$/);
});

test('an empty file, and a header with no rows', () => {
  throwsData(() => parse('', 784, 'mnist_train.csv'), /^mnist_train\.csv: the file is empty, expected a header row and data rows$/);
  for (const text of ['label,1x1,1x2', 'label,1x1,1x2\n', 'label,1x1,1x2\r\n', 'label,1x1,1x2\n\n']) {
    throwsData(() => parse(text, 2, 'mnist_train.csv'), /^mnist_train\.csv: no data rows after the header$/);
  }
});

test('an empty line between data rows is an error on its line', () => {
  throwsData(() => parse('h\n1,2,3\n\n4,5,6\n', 2), /^f\.csv:3: expected 3 values \(label \+ 2 pixels\), got an empty line/);
  throwsData(() => parse('h\r\n1,2,3\r\n\r\n4,5,6\r\n', 2), /^f\.csv:3: expected 3 values .*got an empty line/);
});

test('a lone \\r (not \\r\\n) ends nothing: an error naming its line', () => {
  throwsData(() => parse('h\n1,2,3\r4,5,6\n', 2), /^f\.csv:2: expected "\\n" after "\\r" .*got "4"$/);
  throwsData(() => parse('h\n1,2,3\r4,5,6\n', 2, 'f.csv', [8]), /^f\.csv:2: expected "\\n" after "\\r" .*got "4"$/);
});

test('features must be a positive integer', () => {
  assert.throws(() => new MnistCsvParser('f.csv', 0), (err: unknown) => err instanceof ConfigError && /features must be a positive integer, got 0/.test(err.message));
  assert.throws(() => new MnistCsvParser('f.csv', 2.5), ConfigError);
});

// Properties: the chunking never changes the outcome, and no input gets past without a Dataset or a DataError.

const validCsv = fc
  .record({
    features: fc.integer({ min: 1, max: 5 }),
    rows: fc.integer({ min: 1, max: 6 }),
    eol: fc.constantFrom('\n' as const, '\r\n' as const),
    trailingNewline: fc.boolean(),
    seed: fc.nat(1000),
  })
  .map(({ features, rows, eol, trailingNewline, seed }) => {
    const labels = Array.from({ length: rows }, (_, r) => (seed + r) % 10);
    const pixels = labels.map((_, r) => pixelRow(features, seed + r));
    return { features, labels, pixels, text: csvText(labels, pixels, { eol, trailingNewline }) };
  });

const cutPoints = fc.array(fc.nat(), { maxLength: 8 });

test('property: a valid CSV split into chunks anywhere gives the identical Dataset', () => {
  fc.assert(
    fc.property(validCsv, cutPoints, ({ features, labels, pixels, text }, cuts) => {
      const whole = parse(text, features);
      assert.deepEqual(whole, { x: Uint8Array.from(pixels.flat()), y: Uint8Array.from(labels), count: labels.length, features });
      assert.deepEqual(parse(text, features, 'f.csv', cuts.map((c) => c % (text.length + 1))), whole);
    }),
    { numRuns: 300 },
  );
});

test('property: one byte-by-byte push gives the same result as one chunk', () => {
  fc.assert(
    fc.property(validCsv, ({ features, text }) => {
      assert.deepEqual(parse(text, features, 'f.csv', Array.from({ length: text.length }, (_, i) => i)), parse(text, features));
    }),
    { numRuns: 50 },
  );
});

test('property: a corrupted CSV gives a Dataset or a DataError, the same one whatever the chunking', () => {
  const noise = fc.constantFrom(...'0123456789,,\n\n\r a.-"'.split(''));
  fc.assert(
    fc.property(validCsv, fc.array(fc.tuple(fc.nat(), noise, fc.boolean()), { minLength: 1, maxLength: 3 }), cutPoints, ({ features, text }, edits, cuts) => {
      let t = text;
      for (const [at, ch, replace] of edits) {
        const i = at % (t.length + 1);
        t = t.slice(0, i) + ch + t.slice(replace ? i + 1 : i);
      }
      const whole = outcome(t, features);
      assert.deepEqual(outcome(t, features, cuts.map((c) => c % (t.length + 1))), whole);
    }),
    { numRuns: 1000 },
  );
});

test('property: random bytes give a Dataset or a DataError, never another exception', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 4 }), (bytes, features) => void outcome(bytes, features)),
    { numRuns: 1000 },
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('fuzz: 10,000 mutated or truncated valid CSV files end in a Dataset no larger than the file justifies, or a DataError', () => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  );
  fc.assert(
    fc.property(validCsv, fc.array(mutation, { minLength: 1, maxLength: 3 }), ({ features, text }, mutations) => {
      let bytes = utf8.encode(text);
      for (const m of mutations) {
        const at = m.at % (bytes.length + 1);
        if (m.kind === 'truncate') bytes = bytes.slice(0, at);
        else if (m.kind === 'byte' && bytes.length > 0) (bytes = bytes.slice())[at % bytes.length] = m.value;
        else if (m.kind === 'delete') bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.length)]);
      }
      const result = outcome(bytes, features);
      if (typeof result !== 'string') {
        // Every pixel costs at least two bytes of text ("0,"), so the data can never outgrow the file.
        assert.ok(result.x.length <= bytes.length && result.count * (features + 1) * 2 <= bytes.length + 2);
      } else {
        assert.match(result, /^f\.csv(:\d+|: )/, 'a DataError naming the file');
      }
    }),
    { numRuns: 10_000 },
  );
});
