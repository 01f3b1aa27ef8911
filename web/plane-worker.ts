/**
 * The 2-D tab's worker: trains a small MLP on a toy data set with the
 * library's `fit` and, a few times a second, posts what the page draws —
 * the decision grid, every hidden unit's response over the plane, the
 * losses and both accuracies. Its own worker (not the MNIST one), so a run
 * here and an MNIST run in the other tab do not wait for each other.
 */
import {
  decisionGrid,
  evaluate,
  fit,
  gridCentres,
  mlp,
  optimizerConfigFromFlags,
  optimizerFromConfig,
  type Callbacks,
  type Dataset,
  type Extent,
  type History,
  type Optimizer,
  type Rng,
  type Sequential,
  type Tensor,
} from '../src/browser.js';
import { BOUNDARY_SIZE, planeData, UNIT_SIZE } from './plane-data.js';
import type { FromPlaneWorker, PlaneSettings, ToPlaneWorker } from './protocol.js';
import { hiddenLayers } from './views.js';

// NOTE: typed as a Worker (the DOM lib's view of the other side) so that this
// file type-checks with the DOM lib alone, as worker.ts does.
const scope = self as unknown as Worker;
const post = (message: FromPlaneWorker, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

/** Milliseconds between frames: about ten pictures a second, smooth enough to watch a boundary move. */
const FRAME_MS = 100;

/** One run: kept after a stop so that Resume continues it exactly. */
interface Run {
  settings: PlaneSettings;
  model: Sequential;
  optimizer: Optimizer;
  rng: Rng;
  train: Dataset;
  test: Dataset;
  extent: Extent;
  /** The centres of the units' grid, as one batch. */
  unitGrid: Tensor;
  /** The indices of the hidden activation layers, whose outputs the unit maps show. */
  hidden: number[];
  history?: History;
  /** Seconds inside fit (steps and the per-epoch test scoring), and of wall time, over all of the run's sessions. */
  trainingSeconds: number;
  seconds: number;
}

let run: Run | undefined;
let controller: AbortController | undefined;

/** A new run: the points, then the network's weights, then the shuffling, all from the seed's one generator. */
function newRun(settings: PlaneSettings): Run {
  const { train, test, extent, rng } = planeData(settings);
  const model = mlp({ inputUnits: 2, hidden: settings.hidden, outputUnits: train.classes?.length ?? 2, activation: settings.activation, rng });
  const optimizer = optimizerFromConfig(optimizerConfigFromFlags(settings.optimizer, { lr: settings.lr }));
  const unitGrid = { data: gridCentres(extent, UNIT_SIZE), shape: [UNIT_SIZE * UNIT_SIZE, 2] };
  return { settings, model, optimizer, rng, train, test, extent, unitGrid, hidden: hiddenLayers(model), trainingSeconds: 0, seconds: 0 };
}

/** Posts the grids and scores for the weights as they are now, with the epochs' losses gathered since the last frame. */
function postFrame(r: Run, epoch: number, losses: { train: number[]; test: number[] }): void {
  const grid = decisionGrid(r.model, r.extent, BOUNDARY_SIZE);
  const outputs = r.model.forwardAll(r.unitGrid);
  const cells = UNIT_SIZE * UNIT_SIZE;
  const total = r.hidden.reduce((sum, i) => sum + r.model.layerShapes[i][0], 0);
  // The layers' outputs are [cells, units]; the page wants each unit's cells together.
  const units = new Float32Array(total * cells);
  let o = 0;
  for (const i of r.hidden) {
    const { data } = outputs[i];
    const width = r.model.layerShapes[i][0];
    for (let u = 0; u < width; u++) for (let p = 0; p < cells; p++) units[o++] = data[p * width + u];
  }
  post(
    {
      type: 'frame',
      epoch,
      trainLoss: losses.train.splice(0),
      testLoss: losses.test.splice(0),
      trainAccuracy: evaluate(r.model, r.train).accuracy,
      testAccuracy: evaluate(r.model, r.test).accuracy,
      classes: grid.classes,
      confidence: grid.confidence,
      units,
    },
    [grid.classes.buffer, grid.confidence.buffer, units.buffer],
  );
}

/** Waits `ms` (at least one turn of the event loop, so a Stop is read), or less if `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const finish = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    };
    const timer = setTimeout(finish, Math.max(0, ms));
    signal.addEventListener('abort', finish);
  });
}

/**
 * Trains `r` from where it is to its last epoch, or until Stop. With a pace,
 * in slices of whole epochs, each followed by a frame and a wait for the
 * rest of its share of wall time; fit continues each slice exactly where
 * the last ended (its `resume`), so the run is the same, weight for weight,
 * whatever the pace. Without a pace, one fit to the end, a frame every
 * FRAME_MS from its epoch callback.
 */
async function train(r: Run): Promise<void> {
  const { settings } = r;
  const signal = (controller = new AbortController()).signal;
  const started = performance.now();
  post({ type: 'begin', hidden: settings.hidden, epochs: settings.epochs, epoch: r.history?.epochs ?? 0, trainCount: r.train.count, testCount: r.test.count, resumed: r.history !== undefined });
  const losses = { train: [] as number[], test: [] as number[] };
  // Where it starts: a new run's first picture is the untrained network's guess.
  postFrame(r, r.history?.epochs ?? 0, losses);
  let lastFrame = performance.now();
  const callbacks: Callbacks = {
    onEpochEnd: (logs) => {
      losses.train.push(logs.trainLoss);
      losses.test.push(logs.valLoss);
      if (settings.pace === 0 && performance.now() - lastFrame >= FRAME_MS) {
        postFrame(r, logs.epoch + 1, losses);
        lastFrame = performance.now();
      }
    },
  };
  const perSlice = settings.pace === 0 ? settings.epochs : Math.max(1, Math.round((settings.pace * FRAME_MS) / 1000));
  const sliceMs = settings.pace === 0 ? 0 : (1000 * perSlice) / settings.pace;
  try {
    for (;;) {
      const previous = r.history;
      const at = previous?.resumeAt.epoch ?? 0;
      if (signal.aborted || at >= settings.epochs) break;
      const sliceStart = performance.now();
      // (The test points are fit's validation set: scored after every epoch, for the test loss curve.)
      const history = await fit(r.model, { train: r.train, val: r.test }, {
        epochs: Math.min(settings.epochs, at + perSlice),
        batchSize: settings.batchSize,
        optimizer: r.optimizer,
        rng: r.rng,
        signal,
        callbacks,
        resume: previous === undefined ? undefined : { history: previous, ...previous.resumeAt },
      });
      r.history = history;
      r.trainingSeconds += history.seconds;
      if (settings.pace > 0 && !signal.aborted && history.epochs < settings.epochs) {
        postFrame(r, history.epochs, losses);
        await pause(sliceStart + sliceMs - performance.now(), signal);
      }
    }
  } finally {
    r.seconds += (performance.now() - started) / 1000;
    controller = undefined;
  }
  const epoch = r.history?.epochs ?? 0;
  postFrame(r, epoch, losses);
  post({ type: 'done', stopped: epoch < settings.epochs, epoch, seconds: r.seconds, trainingSeconds: r.trainingSeconds });
}

/** Runs `job`, turning any failure (a diverging loss, say) into one 'error' message for the page. */
async function guarded(job: () => Promise<void>): Promise<void> {
  try {
    await job();
  } catch (err) {
    run = undefined;
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

scope.onmessage = (event: MessageEvent<ToPlaneWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'start':
      if (controller !== undefined) return;
      void guarded(() => train((run = newRun(message.settings))));
      break;
    case 'resume':
      if (controller !== undefined || run === undefined) return;
      void guarded(() => train(run as Run));
      break;
    case 'stop':
      controller?.abort();
      break;
  }
};
