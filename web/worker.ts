/**
 * The training worker: loads the MNIST files shipped with the app (same
 * origin, gzipped), trains with the library's `fit` and posts progress to the
 * page. Running here, not on the page's thread, is what keeps the page
 * responsive: `fit` only yields every ~100 ms.
 */
// First: it decides, before the library loads, whether the kernel memory is shared (threads).
import { threadsAvailable } from './threads-setup.js';
import {
  ARCHITECTURES,
  MNIST_SIDE,
  Rng,
  type Sequential,
  confusionMatrix,
  encodeModel,
  evaluate,
  fit,
  fetchMnist,
  mlp,
  optimizerFromConfig,
  sequentialFromSpec,
  splitTrainVal,
  type Callbacks,
  type Dataset,
  type FitOptions,
  type History,
  type Optimizer,
  optimizerConfigFromFlags,
  kernels,
  setThreads,
  StatsRecorder,
} from '../src/browser.js';
import type { FromWorker, ToWorker, TrainSettings } from './protocol.js';

// NOTE: typed as a Worker (the DOM lib's view of the other side) so that this
// file type-checks with the DOM lib alone; the two share onmessage/postMessage.
const scope = self as unknown as Worker;
const post = (message: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

/** One training run: kept after a stop so that Resume continues it exactly. */
interface Run {
  settings: TrainSettings;
  model: Sequential;
  optimizer: Optimizer;
  rng: Rng;
  data: { train: Dataset; val: Dataset; test: Dataset };
  history?: History;
  /** With `settings.stats`: what happened inside the network so far (kept across a Resume, so the series go on). */
  recorder?: StatsRecorder;
}

/**
 * Training images between two records, per network: about 0.3 s of training
 * at the defaults in Chromium (the MLP ~60,000 images/s, LeNet-5 ~5,000, the CNN ~1,500), so
 * the view moves a few times a second while a record costs next to nothing
 * (a few ms: under 1 % of the MLP's training time).
 */
const IMAGES_PER_RECORD: Record<TrainSettings['arch'], number> = { mlp: 16_000, lenet5: 1_600, cnn: 400 };

/** The spacing of records, in steps, for these settings. */
function statsEvery(settings: TrainSettings): number {
  return Math.max(1, Math.round(IMAGES_PER_RECORD[settings.arch] / settings.batchSize));
}

/**
 * `inner`, with the library's StatsRecorder looking at each recorded step
 * exactly where `fit({stats})` does: after the backward pass, before and
 * after the update. NOTE: fit's own `stats` option keeps its record in the
 * History, which fit hands out at epoch ends only; the page wants it live,
 * so the worker drives the same recorder from the one call between the two.
 */
function recording(inner: Optimizer, recorder: StatsRecorder, firstStep: number, onRecord: () => void): Optimizer {
  let step = firstStep; // fit steps the optimizer once per batch, so this is fit's step count
  return {
    get lr() {
      return inner.lr;
    },
    set lr(lr: number) {
      inner.lr = lr;
    },
    step(params) {
      const due = recorder.due(step);
      if (due) recorder.capture(step);
      inner.step(params);
      if (due) {
        recorder.afterStep();
        onRecord();
      }
      step++;
    },
    config: () => inner.config(),
    getState: () => inner.getState(),
    setState: (state) => inner.setState(state),
  };
}

/** The recorder's newest record, as the compact 'stats' message. */
function postStats(recorder: StatsRecorder): void {
  const { steps, every, layers, params } = recorder.record;
  const last = steps.length - 1;
  post({
    type: 'stats',
    step: steps[last],
    every,
    layers: layers.map((l) => ({
      layer: l.layer,
      kind: l.kind,
      title: l.title,
      histogram: l.histograms[last],
      mean: l.mean[last],
      std: l.std[last],
      ...(l.dead === undefined ? {} : { dead: l.dead[last] }),
      ...(l.saturated === undefined ? {} : { saturated: l.saturated[last] }),
    })),
    weights: params.map((p) => ({ layer: p.layer, title: p.title, updateRatio: p.updateRatio[last], gradNorm: p.gradNorm[last] })),
  });
}

let full: Promise<{ train: Dataset; test: Dataset }> | undefined;
let run: Run | undefined;
let controller: AbortController | undefined;

/** MNIST's 60,000 training and 10,000 test images, fetched once per worker. */
function loadMnist(): Promise<{ train: Dataset; test: Dataset }> {
  full ??= (async () => {
    post({ type: 'status', text: 'Loading MNIST (4 gzipped IDX files from this site)…' });
    // mnist/ next to this script: the gzipped IDX files scripts/build-web.ts copies there.
    return fetchMnist(new URL('mnist/', location.href).href);
  })();
  // A failed download may succeed next time.
  full.catch(() => (full = undefined));
  return full;
}

/** A new run as `scratchnet train` (`--arch`) sets one up: one generator for the split, the init and the shuffling. */
async function newRun(settings: TrainSettings): Promise<Run> {
  const mnist = await loadMnist();
  const rng = new Rng(settings.seed);
  const { train, val } = splitTrainVal(mnist.train, 0.1, rng);
  const model =
    settings.arch === 'mlp'
      ? mlp({ hidden: settings.hidden, activation: settings.activation, rng })
      : sequentialFromSpec(ARCHITECTURES[settings.arch], [1, MNIST_SIDE, MNIST_SIDE], rng);
  const optimizer = optimizerFromConfig(optimizerConfigFromFlags(settings.optimizer, { lr: settings.lr }));
  return { settings, model, optimizer, rng, data: { train, val, test: mnist.test } };
}

/**
 * The kernel threads for a run, where the page allows them: two for a CNN
 * or an MLP with a layer of 1,024 units or more (where a second core
 * measurably wins, bench/README.md), else one.
 */
function threadsFor(settings: TrainSettings): number {
  return settings.arch !== 'mlp' || Math.max(0, ...settings.hidden) >= 1024 ? threadsAvailable : 1;
}

/** What runs the products, for the page: "WebAssembly SIMD, 2 threads", and why not more. */
function kernelsText(threads: number): string {
  const what = kernels.kernelBackend === 'wasm-simd' ? 'WebAssembly SIMD' : 'JavaScript (no WebAssembly SIMD here)';
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const why = isolated ? '' : ' (a second thread needs a cross-origin-isolated page: serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, as `scratchnet serve` does)';
  return `${what}, ${threads} thread${threads === 1 ? '' : 's'}${why}`;
}

/** Trains `r` (from where it stopped, if it did) and posts progress, then the model and the confusion matrix. */
async function train(r: Run): Promise<void> {
  const { settings, data } = r;
  const previous = r.history;
  // Where the last fit stopped (mid-epoch, or after its last epoch): fit replays from there.
  const resume: FitOptions['resume'] = previous === undefined ? undefined : { history: previous, ...previous.resumeAt };
  // 'train' made the controller before loading the data, so a Stop during the download counts too.
  controller ??= new AbortController();
  let mark = performance.now();
  let images = 0;
  let losses: number[] = [];
  const batchSize = settings.batchSize;
  const threads = await setThreads(threadsFor(settings));
  const progress: Callbacks = {
    onTrainBegin: ({ epochs, batches, trainCount }) =>
      post({ type: 'begin', epochs, batches, trainCount, valCount: data.val.count, testCount: data.test.count, resumed: resume !== undefined, kernels: kernelsText(threads) }),
    onEpochBegin: () => {
      mark = performance.now();
      images = 0;
    },
    onBatchEnd: ({ epoch, batch, batches, loss }) => {
      losses.push(loss);
      images += Math.min(batchSize, data.train.count - batch * batchSize);
      const now = performance.now();
      if (now - mark >= 100 || batch === batches - 1) {
        post({ type: 'progress', epoch, batch, batches, losses, imagesPerSecond: images / ((now - mark) / 1000) });
        losses = [];
        images = 0;
        mark = now;
      }
    },
    onEpochEnd: (logs) => post({ type: 'epoch', ...logs }),
  };
  if (settings.stats) r.recorder ??= new StatsRecorder(r.model, statsEvery(settings));
  const recorder = r.recorder;
  const optimizer = recorder === undefined ? r.optimizer : recording(r.optimizer, recorder, previous?.batchLoss.length ?? 0, () => postStats(recorder));
  const history = await fit(r.model, { train: data.train, val: data.val }, {
    epochs: settings.epochs,
    batchSize,
    optimizer,
    rng: r.rng,
    signal: controller.signal,
    callbacks: progress,
    resume,
  });
  r.history = history;
  controller = undefined;
  // The test set is scored whether training finished or was stopped: the page uses this model either way.
  const test = evaluate(r.model, data.test);
  const confusion = Array.from(confusionMatrix(test.predictions, data.test.y).counts);
  const model = encodeModel(r.model, {
    settings,
    trainLoss: history.trainLoss,
    valAccuracy: history.valAccuracy,
    testAccuracy: test.accuracy,
    trainedIn: 'scratchnet playground (browser)',
  });
  post(
    {
      type: 'done',
      stopped: history.stopped,
      resumable: history.epochs < settings.epochs,
      model,
      confusion,
      testAccuracy: test.accuracy,
      seconds: history.seconds,
      imagesPerSecond: history.imagesPerSecond,
    },
    [model.buffer],
  );
}

/** Runs `job`, turning any failure into one 'error' message for the page. */
async function guarded(job: () => Promise<void>): Promise<void> {
  try {
    await job();
  } catch (err) {
    controller = undefined;
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'train':
      if (controller !== undefined) return;
      void guarded(async () => {
        controller = new AbortController(); // busy from now on, data loading included
        run = await newRun(message.settings);
        await train(run);
      });
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
