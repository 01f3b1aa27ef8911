import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_CLASSES } from '../data/classes.js';
import type { Dataset } from '../data/dataset.js';
import type { BoundaryRecord } from '../metrics/decision-grid.js';
import { saveModel } from '../io/model-files.js';
import { writeFileAtomic } from '../io/write.js';
import type { Sequential } from '../model/sequential.js';
import type { History } from '../train/fit.js';
import { VERSION } from '../version.js';
import type { Output } from './progress.js';
import { writeReport } from './report.js';
import type { TrainSettings } from './settings.js';

/** A new folder under runs/ named after the current time (with a suffix if taken). */
export function newRunDir(prefix = ''): string {
  const stamp = prefix + new Date().toISOString().replace(/\..*$/, '').replace(/[-:]/g, '').replace('T', '-');
  let dir = join('runs', stamp);
  for (let i = 2; existsSync(dir); i++) dir = join('runs', `${stamp}-${i}`);
  return dir;
}

/**
 * A run's record as history.json: indented, one figure a line, except the
 * training statistics (thousands of histogram counts), which take one line.
 */
export function historyJson(record: { stats?: unknown; [key: string]: unknown }): string {
  const { stats, ...rest } = record;
  const text = JSON.stringify(rest, null, 2);
  return stats === undefined ? `${text}\n` : `${text.slice(0, -2)},\n  "stats": ${JSON.stringify(stats)}\n}\n`;
}

/** What a finished run leaves in its folder. */
export interface FinishedRun {
  settings: TrainSettings;
  model: Sequential;
  history: History;
  /** The training set before any --subset, and the test set: the report draws its samples from them. */
  train: Dataset;
  test: Dataset;
  /** A network of the plane: its decision boundary after a few epochs (kept in history.json for the report). */
  boundary?: BoundaryRecord;
}

/**
 * Writes a finished run's folder: history.json (settings, architecture and
 * every History figure), model.safetensors (weights, with the settings and
 * a History summary and the class names in its metadata) and, with `report`, report.html.
 * Each file is written whole or not at all; each written path is logged.
 */
export async function writeRunFolder(dir: string, run: FinishedRun, options: { report: boolean; out: Output }): Promise<void> {
  const { settings, model, history } = run;
  const record = { format: 'scratchnet-history', version: VERSION, settings, architecture: model.config(), ...history, ...(run.boundary === undefined ? {} : { boundary: run.boundary }) };
  writeFileAtomic(join(dir, 'history.json'), historyJson(record));
  options.out.log(`Wrote ${join(dir, 'history.json')}`);
  const { batchLoss: _perBatch, stats: _inside, ...summary } = history;
  // The class names travel with the weights (predict, evaluate, the playground): the data's own, else MNIST's digits.
  // A table's model also keeps its columns, so predict and evaluate can read raw rows of the same table.
  const table = run.train.featureNames === undefined ? {} : { table: { featureNames: run.train.featureNames, label: run.train.labelName ?? null } };
  saveModel(model, join(dir, 'model.safetensors'), { settings, history: summary, classes: run.train.classes ?? MNIST_CLASSES, ...table });
  options.out.log(`Wrote ${join(dir, 'model.safetensors')}`);
  if (options.report) {
    const html = join(dir, 'report.html');
    // The samples come from the split before --subset, as `scratchnet report` reloads them.
    await writeReport({ history: { ...record, settings: { ...settings } }, model, train: run.train, test: run.test, seed: settings.seed }, html, undefined);
    options.out.log(`Wrote ${html}`);
  }
}
