/**
 * Tables from CSV text: a header row of column names, one label column,
 * the rest numeric features (integers, decimals, exponents, negatives).
 * The CSV syntax itself (quotes, CRLF, a byte-order mark) is csv-parse's;
 * this file turns its records into a Dataset and says, for each bad row,
 * the file, the line, the column and the value.
 */
// The browser build of csv-parse: it carries its own Buffer, so the same parser runs in Node and in the page.
import { parse } from 'csv-parse/browser/esm/sync';
import { DataError } from '../errors.js';
import type { Dataset } from './dataset.js';

/** A CSV table as read: its feature columns, the label column's name, the features (row-major) and each row's label text and line. */
export interface RawTable {
  path: string;
  featureNames: string[];
  labelName: string | null;
  values: Float32Array;
  labels: string[];
  lines: number[];
  count: number;
}

/** A number as a CSV cell may write it: `3`, `-0.5`, `1e-3`, `+2.`, `.5` (no hex, no `Infinity`, no blanks). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a table. `label`: the label column's name (default: a column named
 * `label`, else the first); `featureNames`: the feature columns it must have
 * (a saved model's); `labelOptional`: it may lack the label column (rows to
 * predict). Each bad cell is a DataError `file:line: …`.
 */
export function parseTable(text: string, path: string, options: { label?: string; featureNames?: readonly string[]; labelOptional?: boolean } = {}): RawTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, record_delimiter: ['\r\n', '\n'], relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    throw new DataError(`${path}:${e.lines ?? 1}: not a CSV line (${(e.message ?? String(err)).replace(/\s+at line \d+.*$/, '')})`);
  }
  if (records.length === 0) throw new DataError(`${path}: the file is empty: expected a header row of column names, then rows`);
  const header = records[0].record;
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '') throw new DataError(`${path}:1: a column has no name: expected a header row of column names`);
    if (seen.has(name)) throw new DataError(`${path}:1: the column name "${name}" is there twice`);
    seen.add(name);
  }
  // The label column: as named, else "label", else the first; a file to predict may have none.
  let labelAt: number;
  if (options.labelOptional === true && options.featureNames !== undefined && header.length === options.featureNames.length && (options.label === undefined || !header.includes(options.label))) labelAt = -1;
  else if (options.label !== undefined) {
    labelAt = header.indexOf(options.label);
    if (labelAt < 0) throw new DataError(`${path}:1: no column "${options.label}" for the labels (the columns: ${header.join(', ')})`);
  } else labelAt = header.includes('label') ? header.indexOf('label') : 0;
  const featureNames = header.filter((_, i) => i !== labelAt);
  if (featureNames.length === 0) throw new DataError(`${path}:1: no feature columns: expected the label column and at least one more`);
  if (options.featureNames !== undefined && featureNames.join('\u0000') !== options.featureNames.join('\u0000')) {
    throw new DataError(`${path}:1: expected the feature columns ${options.featureNames.join(', ')} (as in training), got ${featureNames.join(', ')}`);
  }

  const count = records.length - 1;
  if (count === 0) throw new DataError(`${path}: no rows after the header`);
  const features = featureNames.length;
  const values = new Float32Array(count * features);
  const labels: string[] = [];
  const lines: number[] = [];
  for (let r = 0; r < count; r++) {
    const { record, info } = records[r + 1];
    const line = info.lines;
    if (record.length !== header.length) throw new DataError(`${path}:${line}: expected ${header.length} fields (as the header has), got ${record.length}`);
    for (let i = 0, f = 0; i < record.length; i++) {
      if (i === labelAt) continue;
      const cell = record[i];
      if (!NUMBER.test(cell)) throw new DataError(`${path}:${line}: column "${header[i]}": expected a number, got ${JSON.stringify(cell)}`);
      values[r * features + f++] = Number(cell);
    }
    if (labelAt >= 0) {
      if (record[labelAt] === '') throw new DataError(`${path}:${line}: column "${header[labelAt]}": the label is empty`);
      labels.push(record[labelAt]);
    }
    lines.push(line);
  }
  return { path, featureNames, labelName: labelAt < 0 ? null : header[labelAt], values, labels, lines, count };
}

/**
 * The classes of a training table's labels: integers 0 … k−1 when every
 * label is a non-negative integer (class c is the label c), else the
 * distinct texts sorted (so the row order does not renumber them). A class
 * with no row is an error: it could never be learnt.
 */
export function tableClasses(table: RawTable): string[] {
  const integers = table.labels.every((l) => /^\d+$/.test(l));
  if (!integers) return [...new Set(table.labels)].sort();
  const max = Math.max(...table.labels.map(Number));
  if (max > 255) throw new DataError(`${table.path}: labels up to ${max}: at most 256 classes (labels 0–255)`);
  const present = new Set(table.labels.map(Number));
  for (let c = 0; c <= max; c++) {
    if (!present.has(c)) throw new DataError(`${table.path}: no row has the label ${c} (the labels run 0–${max}): an empty class cannot be learnt; renumber the classes 0–${present.size - 1}`);
  }
  return Array.from({ length: max + 1 }, (_, c) => String(c));
}

/** The table as a Dataset of `classes` (a label not among them is an error naming its line). */
export function tableDataset(table: RawTable, classes: readonly string[]): Dataset {
  if (classes.length > 256) throw new DataError(`${table.path}: ${classes.length} classes: at most 256`);
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = new Uint8Array(table.count);
  table.labels.forEach((label, r) => {
    const c = index.get(label) ?? index.get(/^\d+$/.test(label) ? String(Number(label)) : label);
    if (c === undefined) throw new DataError(`${table.path}:${table.lines[r]}: the label ${JSON.stringify(label)} is not one of the classes seen in training (${classes.join(', ')})`);
    y[r] = c;
  });
  return { x: new Uint8Array(0), values: table.values, featureNames: table.featureNames, ...(table.labelName === null ? {} : { labelName: table.labelName }), y, count: table.count, features: table.featureNames.length, classes };
}

/** How features are scaled before the network: standardised (mean 0, deviation 1), to [0, 1] (min–max), or not at all. */
export type Normalization = 'standard' | 'minmax' | 'none';
export const NORMALIZATIONS: readonly Normalization[] = ['standard', 'minmax', 'none'];

/**
 * The per-feature offset and scale of `normalize` over `data` (the training
 * rows): y = (x − offset) · scale. A constant column gets scale 1, so it
 * becomes 0 rather than NaN; its name is returned to warn about.
 */
export function normalization(data: Dataset, normalize: Normalization, names: readonly string[]): { mean: Float64Array; scale: Float64Array; constant: string[] } {
  const { features, count } = data;
  const values = data.values as Float32Array;
  const mean = new Float64Array(features);
  const scale = new Float64Array(features).fill(1);
  const constant: string[] = [];
  for (let j = 0; j < features; j++) {
    let sum = 0, min = Infinity, max = -Infinity;
    for (let r = 0; r < count; r++) {
      const v = values[r * features + j];
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max === min) constant.push(names[j]);
    if (normalize === 'none') continue;
    if (normalize === 'minmax') {
      mean[j] = min;
      if (max > min) scale[j] = 1 / (max - min);
      continue;
    }
    const mu = sum / count;
    let ss = 0;
    for (let r = 0; r < count; r++) ss += (values[r * features + j] - mu) ** 2;
    const sd = Math.sqrt(ss / count);
    mean[j] = mu;
    if (sd > 0) scale[j] = 1 / sd;
  }
  return { mean, scale, constant };
}
