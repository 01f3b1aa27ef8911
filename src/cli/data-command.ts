import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { Dataset } from '../data/dataset.js';
import { idxToDataset, parseIdx } from '../data/idx.js';
import { ConfigError } from '../errors.js';
import { readFileBytes } from '../io/files.js';
import { bundledMnistPaths } from '../io/mnist.js';
import { makeFolder, writeFileAtomic } from '../io/write.js';

/** The tutorial's file names. */
export const TRAIN_CSV = 'mnist_train.csv';
export const TEST_CSV = 'mnist_test.csv';

const exportExamples = `
Examples:
  $ scratchnet data export-csv mnist
  $ scratchnet data export-csv mnist --force
  $ scratchnet train --train-csv mnist/mnist_train.csv --test-csv mnist/mnist_test.csv

Writes the tutorial's layout: a header row "label,1x1,1x2,…,28x28", then one
row per image, the label (0–9) first and the 784 pixels (0–255) row by row.
The tutorial's own Python reads them as they are:
  X_train, y_train, X_val, y_val, X_test, y_test = load_mnist_from_csv(
      "mnist/mnist_train.csv", "mnist/mnist_test.csv")
`;

/** The `data` command group: the bundled MNIST as files. */
export function dataCommand(): Command {
  const exportCsv = new Command('export-csv')
    .description("write the bundled MNIST as the tutorial's mnist_train.csv (60,000 rows) and mnist_test.csv (10,000 rows)")
    .argument('<dir>', 'folder to write the two files into (created if missing)')
    .option('--force', 'overwrite existing files')
    .addHelpText('after', exportExamples)
    .action((dir: string, flags: { force?: boolean }) => {
      for (const line of exportMnistCsv(dir, flags.force === true)) console.log(line);
    });
  // main() sets these on its direct subcommands only; a nested command needs its own.
  exportCsv.exitOverride().configureOutput({ outputError: (text, write) => write(`scratchnet: ${text}`) });
  return new Command('data')
    .description("the bundled MNIST as files: export-csv writes the tutorial's CSVs")
    .addHelpText('after', '\nExample:\n  $ scratchnet data export-csv mnist\n')
    .addCommand(exportCsv);
}

/**
 * Writes DIR/mnist_train.csv and DIR/mnist_test.csv from the bundled IDX files,
 * each atomically (temporary file, flush, rename). Refuses to replace either
 * file unless `force`, and checks both before writing anything. Returns the
 * lines to print.
 */
export function exportMnistCsv(dir: string, force: boolean): string[] {
  const outDir = resolve(dir);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new ConfigError(`${dir}: expected a folder for the CSV files, got a file`);
  }
  const targets = [TRAIN_CSV, TEST_CSV].map((name) => join(outDir, name));
  if (!force) {
    const existing = targets.filter((path) => existsSync(path));
    if (existing.length > 0) {
      throw new ConfigError(`${existing.join(' and ')}: already ${existing.length > 1 ? 'exist' : 'exists'}; pass --force to overwrite`);
    }
  }
  makeFolder(outDir);
  const paths = bundledMnistPaths();
  const sets: [string, string, string][] = [
    [targets[0], paths.trainImages, paths.trainLabels],
    [targets[1], paths.testImages, paths.testLabels],
  ];
  return sets.map(([target, imagesPath, labelsPath]) => {
    const images = parseIdx(readFileBytes(imagesPath), imagesPath);
    const labels = parseIdx(readFileBytes(labelsPath), labelsPath);
    const bytes = mnistCsvBytes(idxToDataset(images, labels, imagesPath, labelsPath));
    writeFileAtomic(target, bytes);
    return `Wrote ${target} (header + ${images.dims[0]} rows, ${(bytes.length / 1e6).toFixed(1)} MB)`;
  });
}

/** The header `label,1x1,1x2,…,28x28`: pixel (row r, column c), 1-based, as the tutorial's Kaggle CSVs name them. */
export function mnistCsvHeader(features = 784): string {
  const side = Math.round(Math.sqrt(features));
  const names = Array.from({ length: features }, (_, i) => `${Math.floor(i / side) + 1}x${(i % side) + 1}`);
  return `label,${names.join(',')}\n`;
}

/**
 * The CSV of `data` as bytes: header, then `label,p1,…,p784\n` per row. Sized
 * exactly in a first pass, so 60,000 rows (~110 MB) take one allocation and
 * no string per value.
 */
export function mnistCsvBytes(data: Dataset): Uint8Array {
  const { x, y, count, features } = data;
  // The ASCII digits of 0–255, and their lengths.
  const digits = Array.from({ length: 256 }, (_, v) => Buffer.from(String(v), 'latin1'));
  const header = Buffer.from(mnistCsvHeader(features), 'latin1');
  let size = header.length;
  for (let i = 0; i < count; i++) size += digits[y[i]].length + 1; // label and its comma or newline
  for (let i = 0; i < x.length; i++) size += digits[x[i]].length + 1;
  const out = new Uint8Array(size);
  out.set(header, 0);
  let o = header.length;
  for (let r = 0; r < count; r++) {
    const label = digits[y[r]];
    out.set(label, o);
    o += label.length;
    const base = r * features;
    for (let c = 0; c < features; c++) {
      out[o++] = 0x2c; // ','
      const d = digits[x[base + c]];
      for (let k = 0; k < d.length; k++) out[o++] = d[k];
    }
    out[o++] = 0x0a; // '\n'
  }
  return out;
}
