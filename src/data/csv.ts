import { ConfigError, DataError } from '../errors.js';
import type { Dataset } from './dataset.js';

/**
 * The tutorial's MNIST CSV (mnist_train.csv / mnist_test.csv): a header row,
 * then one row per image, `label,p1,…,p784`, label an integer 0–9 and each
 * pixel an integer 0–255.
 *
 * The parser is a byte state machine: it reads ASCII digits straight from the
 * chunks into the output bytes, with no string per row or per value, because
 * the training file is 60,000 rows (~110 MB) and must load in well under a
 * second or two (measured: ~0.4 s on one core).
 *
 * Accepted: `\n` or `\r\n` line endings, a final newline or none, empty lines
 * at the end of the file, leading zeros (`007`). A UTF-8 byte-order mark before
 * the header is fine (the header is not read beyond its first field).
 * Rejected, on purpose (strict beats guessing): spaces around values, signs,
 * decimals (`1.0`), quotes, empty values, empty lines between data rows, and a
 * header-less file (its first row would be silently lost otherwise).
 */

const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const ZERO = 0x30;
const MAX_LABEL = 9;
const MAX_PIXEL = 255;
/** How much of an offending value an error message quotes. */
const QUOTE_LIMIT = 20;

// Where the parser is between chunks; everything but ROWS is rare. (Plain
// numbers rather than an enum so the file is erasable TypeScript.)
/** Inside the header row (line 1). */
const HEADER = 0;
/** Inside data rows: the fast path. */
const ROWS = 1;
/** Saw `\r` as the last byte of a chunk; the next byte must be `\n`. */
const EXPECT_LF = 2;
/** Inside a malformed value, collecting its text for the error message. */
const BAD_VALUE = 3;
/** Inside a row with too many values, counting them for the error message. */
const TOO_MANY = 4;
/** After an empty line: only more empty lines may follow. */
const TRAILING = 5;
type Mode = typeof HEADER | typeof ROWS | typeof EXPECT_LF | typeof BAD_VALUE | typeof TOO_MANY | typeof TRAILING;

/** Streaming parser of the tutorial's MNIST CSV: `push()` chunks of bytes, then `end()`. */
export class MnistCsvParser {
  private readonly fileName: string;
  private readonly features: number;
  private mode: Mode = HEADER;
  private totalBytes = 0;
  /** 1-based number of the line being read. */
  private line = 1;
  /** Rows completed so far. */
  private count = 0;
  private x: Uint8Array;
  private y: Uint8Array;
  /** Rows x and y can hold before they must grow. */
  private capacity: number;
  // Where in the row we are: the 0-based column, and the value read so far (as a number and a digit count).
  private col = 0;
  private value = 0;
  private digits = 0;
  /** First field of the header, to tell a header from a data row. */
  private headerField: number[] = [];
  private headerFieldDone = false;
  private headerEmpty = true;
  /** Bytes of the malformed value (BAD_VALUE), up to QUOTE_LIMIT + 1. */
  private badText: number[] = [];
  /** Values seen so far in an over-long row (TOO_MANY). */
  private valuesInRow = 0;
  /** Line of the empty line that started TRAILING. */
  private emptyLine = 0;
  private ended = false;

  /**
   * @param fileName named in every error message (`fileName:line, column c: …`).
   * @param features pixels per row (784 for 28 × 28 MNIST).
   */
  constructor(fileName: string, features = 784) {
    if (!(Number.isInteger(features) && features > 0)) {
      throw new ConfigError(`MnistCsvParser: features must be a positive integer, got ${features}`);
    }
    this.fileName = fileName;
    this.features = features;
    // Enough for a small file; MNIST's 60,000 rows double it 6 times.
    this.capacity = 1024;
    this.x = new Uint8Array(this.capacity * features);
    this.y = new Uint8Array(this.capacity);
  }

  /** Parses the next chunk of the file (any split, even inside a value or a `\r\n`). */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('MnistCsvParser.push: called after end()');
    this.totalBytes += chunk.length;
    let i = 0;
    // The rare modes first; each either consumes the whole chunk or hands over to ROWS.
    if (this.mode === HEADER) {
      i = this.scanHeader(chunk);
      if (i < 0) return;
    }
    if (this.mode === EXPECT_LF) {
      if (chunk.length === 0) return;
      this.checkLf(chunk[0]);
      i = 1;
      this.mode = ROWS;
    }
    if (this.mode === BAD_VALUE) return this.scanBadValue(chunk, i);
    if (this.mode === TOO_MANY) return this.scanTooMany(chunk, i);
    if (this.mode === TRAILING) return this.scanTrailing(chunk, i);
    this.scanRows(chunk, i);
  }

  /** Finishes the file and returns its rows; throws a DataError if the file is empty, header-only or cut mid-value. */
  end(): Dataset {
    if (this.ended) throw new Error('MnistCsvParser.end: called twice');
    this.ended = true;
    if (this.totalBytes === 0) {
      throw new DataError(`${this.fileName}: the file is empty, expected a header row and data rows`);
    }
    switch (this.mode) {
      case HEADER:
        this.checkHeader();
        break;
      case BAD_VALUE:
        this.throwBadValue();
        break;
      case TOO_MANY:
        this.throwValueCount(this.valuesInRow);
        break;
      case ROWS:
        // The last row has no final newline.
        if (this.col > 0 || this.digits > 0) this.endRow(this.col, this.value, this.digits);
        break;
      // EXPECT_LF (file ends in `\r`) and TRAILING (empty last lines) end cleanly.
    }
    if (this.count === 0) throw new DataError(`${this.fileName}: no data rows after the header`);
    const n = this.count;
    // Copy out of the geometric buffer so the result does not keep up to 2× the memory alive.
    return {
      x: this.x.slice(0, n * this.features),
      y: this.y.slice(0, n),
      count: n,
      features: this.features,
    };
  }

  /** The hot loop over data rows, from `start` to the end of the chunk. */
  private scanRows(chunk: Uint8Array, start: number): void {
    const features = this.features;
    const n = chunk.length;
    let x = this.x;
    let y = this.y;
    let rowBase = this.count * features - 1; // x index of pixel column 1 is rowBase + 1
    let col = this.col;
    let value = this.value;
    let digits = this.digits;
    let max = col === 0 ? MAX_LABEL : MAX_PIXEL;
    for (let i = start; i < n; i++) {
      const c = chunk[i];
      const d = c - ZERO;
      if (d >= 0 && d <= 9) {
        value = value * 10 + d;
        digits++;
        // Leaving here keeps `value` small (≤ 2559), so it stays exact.
        if (value > max) return this.startBadValue(chunk, i + 1, col, value, digits);
        continue;
      }
      if (c === COMMA) {
        if (digits === 0) return this.startBadValue(chunk, i, col, 0, 0);
        if (col === 0) y[this.count] = value;
        else x[rowBase + col] = value;
        col++;
        value = 0;
        digits = 0;
        max = MAX_PIXEL;
        if (col > features) {
          this.mode = TOO_MANY;
          this.valuesInRow = col + 1;
          return this.scanTooMany(chunk, i + 1);
        }
        continue;
      }
      if (c === LF || c === CR) {
        if (col === 0 && digits === 0) {
          this.mode = TRAILING;
          this.emptyLine = this.line;
          return this.scanTrailing(chunk, i + 1);
        }
        if (digits === 0) return this.startBadValue(chunk, i, col, 0, 0);
        this.endRow(col, value, digits);
        x = this.x;
        y = this.y;
        rowBase = this.count * features - 1;
        col = 0;
        value = 0;
        digits = 0;
        max = MAX_LABEL;
        if (c === CR) {
          if (i + 1 === n) {
            this.mode = EXPECT_LF;
            break;
          }
          this.checkLf(chunk[++i]);
        }
        continue;
      }
      return this.startBadValue(chunk, i, col, value, digits);
    }
    this.col = col;
    this.value = value;
    this.digits = digits;
  }

  /** Stores the last value of a row, checks the row's length and moves to the next row. */
  private endRow(col: number, value: number, digits: number): void {
    if (digits === 0) {
      this.col = col;
      this.badText = [];
      this.throwBadValue();
    }
    if (col !== this.features) this.throwValueCount(col + 1);
    if (col === 0) this.y[this.count] = value;
    else this.x[this.count * this.features + col - 1] = value;
    this.count++;
    this.line++;
    this.col = 0;
    this.value = 0;
    this.digits = 0;
    if (this.count === this.capacity) this.grow();
  }

  /** Doubles the row capacity: amortised O(1) per row. */
  private grow(): void {
    this.capacity *= 2;
    const x = new Uint8Array(this.capacity * this.features);
    x.set(this.x);
    const y = new Uint8Array(this.capacity);
    y.set(this.y);
    this.x = x;
    this.y = y;
  }

  /** Reads the header line; returns where the data starts, or −1 if the chunk ended first. */
  private scanHeader(chunk: Uint8Array): number {
    const field = this.headerField;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === LF) {
        this.checkHeader();
        this.line = 2;
        this.mode = ROWS;
        return i + 1;
      }
      if (c !== CR) this.headerEmpty = false;
      if (this.headerFieldDone) continue;
      if (c === COMMA || c === CR) this.headerFieldDone = true;
      else if (field.length < 64) field.push(c);
    }
    return -1;
  }

  /** A data row where the header should be: its first row would be lost, so refuse. */
  private checkHeader(): void {
    if (this.headerEmpty) {
      throw new DataError(`${this.fileName}:1: expected a header row (label,1x1,…), got an empty line`);
    }
    const first = decode(this.headerField).replace(/^\uFEFF/, '').trim();
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(first)) {
      throw new DataError(`${this.fileName}:1: expected a header row (label,1x1,…), got a data row`);
    }
  }

  /** Enters BAD_VALUE with the digits read so far; `i` is the first byte not yet read. */
  private startBadValue(chunk: Uint8Array, i: number, col: number, value: number, digits: number): void {
    this.mode = BAD_VALUE;
    this.col = col;
    // The value's text so far was all digits: rebuild it, leading zeros included.
    const soFar = digits > 0 ? String(value).padStart(digits, '0') : '';
    this.badText = Array.from(soFar.slice(0, QUOTE_LIMIT + 1), (ch) => ch.charCodeAt(0));
    this.scanBadValue(chunk, i);
  }

  /** Collects the malformed value up to its end, then throws. */
  private scanBadValue(chunk: Uint8Array, start: number): void {
    const text = this.badText;
    for (let i = start; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === COMMA || c === LF || c === CR) this.throwBadValue();
      if (text.length <= QUOTE_LIMIT) text.push(c);
    }
  }

  private throwBadValue(): never {
    const column = this.col + 1;
    const expected = this.col === 0 ? `a label 0–${MAX_LABEL}` : `a pixel value 0–${MAX_PIXEL}`;
    let text = decode(this.badText.slice(0, QUOTE_LIMIT));
    if (this.badText.length > QUOTE_LIMIT) text += '…';
    throw new DataError(`${this.fileName}:${this.line}, column ${column}: expected ${expected}, got ${JSON.stringify(text)}`);
  }

  /** Counts the values of an over-long row up to its end, then throws. */
  private scanTooMany(chunk: Uint8Array, start: number): void {
    for (let i = start; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === COMMA) this.valuesInRow++;
      else if (c === LF || c === CR) this.throwValueCount(this.valuesInRow);
    }
  }

  private throwValueCount(got: number): never {
    throw new DataError(
      `${this.fileName}:${this.line}: expected ${this.features + 1} values (label + ${this.features} pixels), got ${got}`,
    );
  }

  /** After an empty line only line breaks may follow; anything else makes it an empty line mid-file. */
  private scanTrailing(chunk: Uint8Array, start: number): void {
    for (let i = start; i < chunk.length; i++) {
      const c = chunk[i];
      if (c !== LF && c !== CR) {
        throw new DataError(
          `${this.fileName}:${this.emptyLine}: expected ${this.features + 1} values (label + ${this.features} pixels), ` +
            'got an empty line (only the last lines of the file may be empty)',
        );
      }
    }
  }

  /** `\r` must start a `\r\n`: a lone `\r` (old Mac line ending) is not supported. */
  private checkLf(c: number): void {
    if (c !== LF) {
      // The row before the `\r` is complete, so `line` already points past it.
      throw new DataError(
        `${this.fileName}:${this.line - 1}: expected "\\n" after "\\r" (lines must end in \\n or \\r\\n), ` +
          `got ${JSON.stringify(String.fromCharCode(c))}`,
      );
    }
  }
}

const utf8 = new TextDecoder();

function decode(bytes: number[]): string {
  return utf8.decode(Uint8Array.from(bytes));
}
