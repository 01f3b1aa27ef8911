/**
 * The runs of a sweep: each cell trained as `train` would train it (the same
 * data, seed and settings) and written to its own run folder, one after
 * another on this thread or on worker threads that each take whole runs.
 * A worker loads the data once and keeps it for every run it is given, as
 * this thread does when the runs are sequential.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.js';
import { ConfigError, DataError, ModelFileError, ScratchnetError, ShapeError } from '../errors.js';
import { makeFolder } from '../io/write.js';
import { kernelBackend } from '../kernels/dispatch.js';
import { setThreads, threadCount } from '../kernels/threads.js';
import type { Sequential } from '../model/sequential.js';
import { optimizerFromConfig } from '../optim/from-config.js';
import { Rng, type RngState } from '../rng.js';
import { earlyStopping } from '../train/early-stopping.js';
import { fit, type FitOptions } from '../train/fit.js';
import { boundaryCallbacks } from './callbacks.js';
import { startFrom } from './compare.js';
import { loadData, trainingSubset } from './data-source.js';
import type { Output } from './progress.js';
import { writeRunFolder } from './run-folder.js';
import type { TrainSettings } from './settings.js';
import { runModel, stepOptions } from './train.js';

/** One cell of the grid: its run folder's name, its value of each swept setting (as written), and the settings `train` makes of them. */
export interface SweepCell {
  name: string;
  labels: string[];
  settings: TrainSettings;
}

/** How a cell's run went, and what it ran on (the page's caption). */
export interface CellResult {
  name: string;
  trainLoss: number[];
  valAccuracy: number[];
  /** NaN without a test set. */
  testAccuracy: number;
  /** Training time of the run (fit's), not counting the data or the folder. */
  seconds: number;
  params: number;
  /** The kernels the run used (as train's --json reports them): a worker's run on one thread. */
  kernels: string;
  threads: number;
  data: { train: number; features: number; classes: number; val: number; test: number };
}

/** What every run writes: where (`dir`/<cell name>/), whether report.html too, and fit's --stats option. */
export interface CellOptions {
  dir: string;
  reports: boolean;
  stats: FitOptions['stats'];
}

const silent: Output = { log: () => {} };

/** The data every cell trains on, and the generator state `train` would have after the split and the subset. */
interface LoadedData {
  data: Awaited<ReturnType<typeof loadData>>;
  train: Dataset;
  start: RngState;
}

/** Runs cells on this thread, one at a time: the data is read for the first and kept, and each network reuses the buffers of an earlier one of the same layers. */
export class CellRunner {
  private loaded: Promise<LoadedData> | undefined;
  private readonly models = new Map<string, Sequential>();

  /** `out` gets the data loader's lines (what was read) once. */
  constructor(
    private readonly options: CellOptions,
    private readonly out: Output,
  ) {}

  /** Trains `cell` as `train` would with its settings and writes its run folder. */
  async run(cell: SweepCell): Promise<CellResult> {
    const { settings } = cell;
    // The swept settings never touch the data (VARIABLES in compare.ts), so the first cell's data serves them all.
    const { data, train, start } = await (this.loaded ??= this.load(settings));
    const rng = new Rng(0);
    rng.setState(start);
    const model = this.reuse(runModel(settings, { ...data, train }, rng));
    const stopper = settings.earlyStop === null ? undefined : earlyStopping(model, { patience: settings.earlyStop });
    // As train: a network of the plane records its decision boundary for the report.
    const boundary = boundaryCallbacks(model, { ...data, train }, settings.epochs);
    const history = await fit(model, { train, val: data.val, test: data.test }, {
      ...stepOptions(settings, train),
      optimizer: optimizerFromConfig(settings.optimizer),
      rng,
      callbacks: [...(stopper === undefined ? [] : [stopper]), ...(boundary === undefined ? [] : [boundary.callbacks])],
      stats: this.options.stats,
    });
    const dir = join(this.options.dir, cell.name);
    makeFolder(dir);
    await writeRunFolder(dir, { settings, model, history, train: data.train, test: data.test, ...(boundary === undefined ? {} : { boundary: boundary.record }) }, { report: this.options.reports, out: silent });
    return {
      name: cell.name,
      trainLoss: history.trainLoss,
      valAccuracy: history.valAccuracy,
      testAccuracy: history.testAccuracy ?? NaN,
      seconds: history.seconds,
      params: model.paramCount(),
      kernels: kernelBackend,
      threads: threadCount(),
      data: { train: train.count, features: train.features, classes: train.classes?.length ?? 10, val: data.val.count, test: data.test.count },
    };
  }

  /** The split and subset drawn from the seed's generator in train's order. */
  private async load(settings: TrainSettings): Promise<LoadedData> {
    // As train: the kernel threads SCRATCHNET_THREADS asks for (the same results for any count); a worker's is 1.
    const threads = Number(process.env.SCRATCHNET_THREADS) || 1;
    if (threads !== threadCount()) await setThreads(threads);
    const rng = new Rng(settings.seed);
    const data = await loadData(settings.data, settings.valSplit, rng, this.out);
    const train = trainingSubset(data.train, settings.subset, rng);
    return { data, train, start: rng.getState() };
  }

  /**
   * `fresh`'s weights in the kept model of the same layers, if there is one:
   * a new model per run takes new kernel memory, which returns only when the
   * garbage collector runs, and a CNN's later runs would find it full and fall
   * back to the JS kernels, whose last bits differ from train's.
   */
  private reuse(fresh: Sequential): Sequential {
    const key = JSON.stringify(fresh.config());
    const kept = this.models.get(key);
    if (kept === undefined) {
      this.models.set(key, fresh);
      return fresh;
    }
    startFrom(kept, fresh);
    return kept;
  }
}

/** A message from a sweep worker (sweep-worker.ts) to this thread. */
export type WorkerReply =
  | { type: 'log'; line: string }
  | { type: 'result'; result: CellResult }
  | { type: 'error'; name: string; message: string; stack?: string };

/** A message from this thread to a sweep worker: a cell to run. */
export interface WorkerRequest {
  cell: SweepCell;
}

/** The data a sweep worker starts with. */
export interface SweepWorkerData {
  options: CellOptions;
  /** Whether the worker forwards the data loader's lines (the first worker does). */
  log: boolean;
}

/**
 * Runs every cell, on this thread (`workers` 1) or on `workers` worker
 * threads that each take the next cell when free; `onResult` hears of each
 * run as it ends (in the order they end). Resolves to the results in the
 * cells' order, the same figures whatever the worker count.
 */
export async function runCells(cells: readonly SweepCell[], options: CellOptions & { workers: number; out: Output }, onResult: (result: CellResult, index: number) => void): Promise<CellResult[]> {
  if (options.workers <= 1) {
    const runner = new CellRunner(options, options.out);
    const results: CellResult[] = [];
    for (const [i, cell] of cells.entries()) {
      results.push(await runner.run(cell));
      onResult(results[i], i);
    }
    return results;
  }
  const pool = Array.from({ length: Math.min(options.workers, cells.length) }, (_, i) => new SweepWorker({ options: { dir: options.dir, reports: options.reports, stats: options.stats }, log: i === 0 }, options.out));
  const results: CellResult[] = new Array(cells.length);
  let next = 0;
  try {
    await Promise.all(
      pool.map(async (worker) => {
        while (next < cells.length) {
          const i = next++;
          results[i] = await worker.run(cells[i]);
          onResult(results[i], i);
        }
      }),
    );
  } finally {
    // After a failure the others stop at once; their finished runs' folders are already written.
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

/** Errors a worker reports by name, rebuilt here as the same kind so that the CLI ends with one line and exit code 2. */
const USER_ERRORS: Record<string, new (message: string) => ScratchnetError> = { ConfigError, DataError, ModelFileError, ShapeError, ScratchnetError };

/**
 * A worker's program, run with `eval` as CommonJS, as the kernel threads'
 * is (kernels/threads.ts): it imports sweep-worker.js beside this file, or,
 * from the sources under tsx (the tests), sweep-worker.ts after registering
 * tsx's hooks, which Node 20 does not carry into worker threads.
 */
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.hooks !== null) (await import(workerData.hooks)).register();
  await import(workerData.entry);
})();
`;

/** One worker thread that runs cells sent to it one at a time. */
class SweepWorker {
  private readonly worker: Worker;
  private pending: { resolve(result: CellResult): void; reject(err: unknown): void; cell: SweepCell } | undefined;
  private ended: Error | undefined;

  constructor(data: SweepWorkerData, out: Output) {
    const sources = import.meta.url.endsWith('.ts');
    const entry = new URL(`./sweep-worker${sources ? '.ts' : '.js'}`, import.meta.url).href;
    this.worker = new Worker(BOOT, {
      eval: true,
      workerData: { ...data, entry, hooks: sources ? import.meta.resolve('tsx/esm/api') : null },
      // One kernel thread each, on a private kernel memory (shared memory slows the small kernels), so that N workers use N cores.
      env: { ...process.env, SCRATCHNET_THREADS: '1' },
      // The sources register tsx themselves (BOOT); the parent's tsx flags would load it a second time where Node does carry them.
      ...(sources ? { execArgv: [] } : {}),
    });
    this.worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'log') return out.log(reply.line);
      const pending = this.pending;
      this.pending = undefined;
      if (pending === undefined) return;
      if (reply.type === 'result') return pending.resolve(reply.result);
      const Kind = USER_ERRORS[reply.name];
      if (Kind !== undefined) return pending.reject(new Kind(reply.message));
      const err = new Error(`${reply.name} in a sweep worker, running ${pending.cell.name}: ${reply.message}`);
      if (reply.stack !== undefined) err.stack = `${err.message}\n${reply.stack}`;
      pending.reject(err);
    });
    const end = (err: Error): void => {
      this.ended ??= err;
      this.pending?.reject(this.ended);
      this.pending = undefined;
    };
    this.worker.on('error', (err) => end(err));
    this.worker.on('exit', (code) => end(new Error(`a sweep worker stopped (exit code ${code})${this.pending === undefined ? '' : ` while running ${this.pending.cell.name}`}`)));
  }

  /** Runs `cell` on this worker. */
  run(cell: SweepCell): Promise<CellResult> {
    if (this.ended !== undefined) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, cell };
      this.worker.postMessage({ cell } satisfies WorkerRequest);
    });
  }

  /** Stops the worker (at once, if it is still running a cell). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
