/**
 * The playground page: the drawing pad and its read-outs, the Train panel
 * (talking to worker.ts), and loading/downloading model files; the 2-D tab
 * is plane.ts. Everything the network does comes from the library
 * (src/browser.ts); this file is wiring.
 */
import { ARCHITECTURES, className, classesOf, DataError, decodeModel, defaultLr, imageToMnist, MNIST_SIDE, namedClasses, Rng, sequentialFromSpec, tensor, type CliOptimizerName, type Sequential } from '../src/browser.js';
import { lineChart } from './charts.js';
import { $ } from './dom.js';
import { DrawingPad } from './pad.js';
import { setUpPlane } from './plane.js';
import type { ArchName, FromWorker, ToWorker, TrainSettings } from './protocol.js';
import { setUpTabs } from './tabs.js';
import {
  buildBars,
  labelBars,
  describeModel,
  drawGrey,
  featureMapLayers,
  hiddenLayers,
  showActivations,
  showConfusion,
  showFeatureMaps,
  showProbabilities,
  showWeights,
  showInside,
  idleFraction,
  type FeatureMapLayer,
  type InsideSeries,
} from './views.js';

// ---- the current model (trained here, loaded from a file, or served with `scratchnet serve --model`)
let model: Sequential | undefined;
/** The current model's conv layers whose feature maps the pad shows (none for an MLP). */
let mapLayers: FeatureMapLayer[] = [];
/** The model's class names where it has names of its own (not MNIST's digits). */
let classNames: readonly string[] | undefined;
let modelBytes: Uint8Array | undefined;
let modelName = 'model.safetensors';

const modelStatus = $('model-status');
function setModelStatus(state: 'none' | 'loading' | 'ready' | 'error', text: string): void {
  modelStatus.dataset.state = state;
  modelStatus.textContent = text;
}

/** Makes the model in `bytes` the one the pad uses; throws the library's ModelFileError if they are not a model file. */
function useModel(bytes: Uint8Array, name: string, origin: string): void {
  const file = decodeModel(bytes, name);
  const decoded = file.model;
  decoded.eval();
  if (decoded.inputUnits !== 784 || decoded.outputUnits !== 10) {
    throw new DataError(`${name}: expected a model of 784 inputs and 10 classes, got ${decoded.inputUnits} and ${decoded.outputUnits}`);
  }
  model = decoded;
  // A model file carries its class names (Fashion-MNIST's "Coat", …); MNIST's digits are their own.
  classNames = namedClasses(classesOf(file.training));
  labelBars(bars, classNames);
  mapLayers = featureMapLayers(decoded);
  modelBytes = bytes;
  modelName = name;
  setModelStatus('ready', `Model: ${describeModel(decoded)} (${origin}).`);
  $<HTMLButtonElement>('download').disabled = false;
  showWeights($<HTMLCanvasElement>('weights'), $('weights-note'), decoded);
  update();
}

function loadFailed(err: unknown): void {
  setModelStatus('error', `Could not load the model: ${err instanceof Error ? err.message : String(err)}`);
}

// ---- draw and predict
const bars = $('bars');
buildBars(bars);
const prediction = $('prediction');
const mnistView = $<HTMLCanvasElement>('mnist');
const pad = new DrawingPad($<HTMLCanvasElement>('pad'), () => update());

/** Re-reads the pad: the 28 × 28 image, the probabilities, the conv layers' feature maps and the hidden activations. */
function update(): void {
  let pixels: Uint8Array | undefined;
  if (pad.hasInk) {
    try {
      pixels = imageToMnist(pad.image(), 'drawing');
    } catch (err) {
      if (!(err instanceof DataError)) throw err; // DataError: nothing drawn that stands out
    }
  }
  drawGrey(mnistView, pixels ?? new Uint8Array(784));
  if (pixels === undefined || model === undefined) {
    prediction.textContent = pixels === undefined ? 'Draw a digit.' : 'No model yet: train one or load a file.';
    delete prediction.dataset.digit;
    showProbabilities(bars, undefined);
    showFeatureMaps($('feature-maps'), $('maps'), model, mapLayers, undefined);
    showActivations($('activations'), undefined, []);
    return;
  }
  const x = tensor(Float32Array.from(pixels, (v) => v / 255), [1, 784]);
  const outputs = model.forwardAll(x);
  const maps = mapLayers.map(({ index }) => outputs[index].data.slice());
  const hidden = hiddenLayers(model).map((i) => outputs[i].data.slice());
  const probs = model.predictProba(x).data.slice();
  let top = 0;
  for (let k = 1; k < 10; k++) if (probs[k] > probs[top]) top = k;
  prediction.dataset.digit = String(top);
  prediction.textContent = classNames === undefined ? `It looks like a ${top} (${(100 * probs[top]).toFixed(1)} %)` : `It looks like: ${className(classNames, top)} (${(100 * probs[top]).toFixed(1)} %)`;
  showProbabilities(bars, probs);
  showFeatureMaps($('feature-maps'), $('maps'), model, mapLayers, maps);
  showActivations($('activations'), model, hidden);
}

$('clear').addEventListener('click', () => pad.clear());

// ---- train in the worker
const panel = $('train');
const form = $<HTMLFormElement>('train-form');
const status = $('train-status');
const startButton = $<HTMLButtonElement>('start');
const stopButton = $<HTMLButtonElement>('stop');
const resumeButton = $<HTMLButtonElement>('resume');
const lrInput = $<HTMLInputElement>('lr');
const optimizerSelect = $<HTMLSelectElement>('optimizer');
let lrEdited = false;
lrInput.addEventListener('input', () => (lrEdited = true));
// Each optimizer's usual rate (the CLI's defaults) until the user types one.
optimizerSelect.addEventListener('change', () => {
  if (!lrEdited) lrInput.value = String(defaultLr[optimizerSelect.value as CliOptimizerName]);
});

// The network: the MLP (shaped by Hidden layers and Activation) or one of the library's CNNs (their own layers).
const archSelect = $<HTMLSelectElement>('arch');
const readyText: Record<ArchName, string> = {
  mlp: 'Ready. The defaults (784-128-64-10, ReLU, SGD 0.1, batch 32) reach about 95.7 % validation accuracy after one epoch.',
  lenet5: 'Ready. LeNet-5 with SGD 0.1, batch 32 reaches about 94.6 % validation accuracy after one epoch.',
  cnn: 'Ready. The CNN with SGD 0.1, batch 32 reaches about 97.5 % validation accuracy after one epoch (an epoch takes a CNN a minute or more).',
};
function showArch(): void {
  const arch = archSelect.value as ArchName;
  const mlpOnly = arch === 'mlp';
  for (const id of ['hidden', 'activation']) $<HTMLInputElement>(id).disabled = !mlpOnly;
  $('hidden-help').textContent = mlpOnly ? 'units per layer, comma-separated' : `the MLP's only: ${archSelect.selectedOptions[0].text} has its own layers`;
  if (arch === 'mlp') {
    $('arch-help').textContent = 'dense layers, set below';
  } else {
    const m = sequentialFromSpec(ARCHITECTURES[arch], [1, MNIST_SIDE, MNIST_SIDE], new Rng(0));
    $('arch-help').textContent = `${describeModel(m).replace(/^[^:]*: /, '')} (${number.format(m.paramCount())} params)`;
  }
  if (panel.dataset.state === 'idle') status.textContent = readyText[arch];
}
archSelect.addEventListener('change', showArch);

type TrainState = 'idle' | 'loading' | 'training' | 'stopped' | 'done' | 'error';
function setState(state: TrainState, text: string): void {
  panel.dataset.state = state;
  status.textContent = text;
  const busy = state === 'loading' || state === 'training';
  startButton.disabled = busy;
  stopButton.disabled = !busy;
  resumeButton.disabled = !(state === 'stopped' && resumable);
}

/** The form's settings, or undefined after marking the bad fields. */
function readSettings(): TrainSettings | undefined {
  const field = (id: string): HTMLInputElement => $<HTMLInputElement>(id);
  const bad: string[] = [];
  const check = (id: string, ok: boolean, what: string): void => {
    field(id).setAttribute('aria-invalid', String(!ok));
    if (!ok) bad.push(what);
  };
  const arch = archSelect.value as ArchName;
  const hidden = field('hidden').value.split(',').map((s) => Number(s.trim()));
  // (Hidden layers shape the MLP only: a CNN ignores the field, whatever it holds.)
  check('hidden', arch !== 'mlp' || (hidden.length > 0 && hidden.length <= 6 && hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 2048)), 'hidden layers: 1–6 sizes, each 1–2048');
  const lr = Number(field('lr').value);
  check('lr', lr > 0 && Number.isFinite(lr), 'learning rate: a positive number');
  const batchSize = Number(field('batch-size').value);
  check('batch-size', Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 4096, 'batch size: an integer 1–4096');
  const epochs = Number(field('epochs').value);
  check('epochs', Number.isInteger(epochs) && epochs >= 1 && epochs <= 100, 'epochs: an integer 1–100');
  const seed = Number(field('seed').value);
  check('seed', Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32, 'seed: an integer ≥ 0');
  if (bad.length > 0) {
    setState('error', `Please fix: ${bad.join('; ')}.`);
    return undefined;
  }
  const activation = $<HTMLSelectElement>('activation').value as TrainSettings['activation'];
  const stats = $<HTMLInputElement>('record-stats').checked;
  if (arch !== 'mlp') return { arch, hidden: [], activation: 'relu', optimizer: optimizerSelect.value as CliOptimizerName, lr, batchSize, epochs, seed, stats };
  return { arch, hidden, activation, optimizer: optimizerSelect.value as CliOptimizerName, lr, batchSize, epochs, seed, stats };
}

let worker: Worker | undefined;
let resumable = false;
let epochs = 1;
let batchesPerEpoch = 1;
let batchLoss: number[] = [];
let valAccuracy: number[] = [];
let chartsPending = false;

const send = (message: ToWorker): void => worker?.postMessage(message);

// ---- inside the network: the worker's records, kept here as series over the steps
let inside: InsideSeries | undefined;
let insidePending = false;

/** Adds a 'stats' record to the series and redraws the view at the next frame. */
function addRecord(message: Extract<FromWorker, { type: 'stats' }>): void {
  inside ??= { firstStep: message.step, every: message.every, layers: [], weights: [], ratios: message.weights.map(() => []), idle: message.layers.map(() => []) };
  const s = inside;
  s.layers = message.layers;
  s.weights = message.weights;
  message.weights.forEach((w, i) => s.ratios[i].push(w.updateRatio));
  message.layers.forEach((l, k) => {
    const idle = idleFraction(l);
    if (idle !== undefined) s.idle[k].push(idle.value);
  });
  if (insidePending) return;
  insidePending = true;
  requestAnimationFrame(() => {
    insidePending = false;
    if (inside === undefined) return;
    const view = $('inside-network');
    view.hidden = false;
    view.dataset.records = String(inside.ratios[0]?.length ?? 0);
    showInside(
      { layers: $('inside-layers'), ratioChart: $<SVGSVGElement>('ratio-chart'), idleChart: $<SVGSVGElement>('dead-chart'), weightList: $('inside-weights') },
      inside,
      epochs * batchesPerEpoch,
    );
  });
}

function drawCharts(): void {
  if (chartsPending) return;
  chartsPending = true;
  requestAnimationFrame(() => {
    chartsPending = false;
    lineChart($<SVGSVGElement>('loss-chart'), {
      ys: batchLoss,
      xMax: epochs * batchesPerEpoch,
      xLabel: 'batch',
      yLabel: 'loss',
      format: (y) => y.toFixed(2),
    });
    lineChart($<SVGSVGElement>('val-chart'), {
      ys: valAccuracy,
      xOffset: 1,
      xMax: epochs,
      xLabel: 'epoch',
      yLabel: 'accuracy',
      yRange: [Math.min(0.9, ...valAccuracy), 1],
      points: true,
      format: (y) => `${(100 * y).toFixed(1)} %`,
    });
  });
}

const number = new Intl.NumberFormat('en');

function onWorkerMessage(message: FromWorker): void {
  switch (message.type) {
    case 'status':
      setState('loading', message.text);
      break;
    case 'begin':
      epochs = message.epochs;
      batchesPerEpoch = message.batches;
      $('kernels').textContent = message.kernels;
      setState('training', `Training on ${number.format(message.trainCount)} images (validation ${number.format(message.valCount)}): ${epochs} epoch${epochs === 1 ? '' : 's'} of ${number.format(message.batches)} batches…`);
      drawCharts();
      break;
    case 'progress': {
      batchLoss.push(...message.losses);
      const ips = Math.round(message.imagesPerSecond);
      const speed = $('speed');
      speed.dataset.imagesPerSecond = String(ips);
      speed.textContent = `${number.format(ips)} images/s`;
      status.textContent = `Epoch ${message.epoch + 1}/${epochs}, batch ${number.format(message.batch + 1)}/${number.format(message.batches)}, loss ${message.losses[message.losses.length - 1].toFixed(4)}`;
      drawCharts();
      break;
    }
    case 'stats':
      addRecord(message);
      break;
    case 'epoch': {
      valAccuracy.push(message.valAccuracy);
      const val = $('val-accuracy');
      val.dataset.value = String(message.valAccuracy);
      val.textContent = `${(100 * message.valAccuracy).toFixed(2)} % after epoch ${message.epoch + 1}`;
      const time = $('epoch-time');
      time.dataset.seconds = String(message.seconds);
      time.textContent = `${message.seconds.toFixed(2)} s of training steps (${number.format(Math.round(message.imagesPerSecond))} images/s)`;
      drawCharts();
      break;
    }
    case 'done': {
      resumable = message.stopped && message.resumable;
      const test = $('test-accuracy');
      test.dataset.value = String(message.testAccuracy);
      test.textContent = `${(100 * message.testAccuracy).toFixed(2)} %`;
      showConfusion(
        $<HTMLTableElement>('confusion'),
        message.confusion,
        `Confusion matrix on the 10,000 test images (accuracy ${(100 * message.testAccuracy).toFixed(2)} %): rows are the true digit, columns the prediction, the diagonal is correct.`,
      );
      useModel(message.model, 'scratchnet-playground.safetensors', message.stopped ? 'trained in this page, stopped early' : 'trained in this page');
      setState(
        message.stopped ? 'stopped' : 'done',
        message.stopped
          ? `Stopped after ${message.seconds.toFixed(1)} s. The pad now uses this model${resumable ? '; Resume continues where it stopped' : ''}.`
          : `Done in ${message.seconds.toFixed(1)} s (${number.format(Math.round(message.imagesPerSecond))} images/s). The pad now uses this model.`,
      );
      break;
    }
    case 'error':
      resumable = false;
      setState('error', `Training failed: ${message.message}`);
      break;
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const settings = readSettings();
  if (settings === undefined) return;
  if (worker === undefined) {
    worker = new Worker('worker.js');
    worker.onmessage = (event: MessageEvent<FromWorker>) => onWorkerMessage(event.data);
    worker.onerror = (event) => setState('error', `Training failed: ${event.message}`);
  }
  epochs = settings.epochs;
  batchLoss = [];
  valAccuracy = [];
  inside = undefined;
  const view = $('inside-network');
  view.hidden = true;
  delete view.dataset.records;
  resumable = false;
  for (const id of ['val-accuracy', 'test-accuracy', 'epoch-time']) {
    $(id).textContent = '–';
    $(id).dataset.value = '';
  }
  setState('loading', 'Starting the worker…');
  send({ type: 'train', settings });
});
stopButton.addEventListener('click', () => {
  status.textContent = 'Stopping after this step…';
  send({ type: 'stop' });
});
resumeButton.addEventListener('click', () => {
  setState('training', 'Resuming…');
  send({ type: 'resume' });
});

// ---- model files: the served one at start, a file picker, drag-and-drop, download
async function loadFile(file: File): Promise<void> {
  setModelStatus('loading', `Loading ${file.name}…`);
  try {
    useModel(new Uint8Array(await file.arrayBuffer()), file.name, `loaded from ${file.name}`);
  } catch (err) {
    loadFailed(err);
  }
}

$<HTMLInputElement>('model-file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file !== undefined) void loadFile(file);
});
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const file = e.dataTransfer?.files[0];
  if (file !== undefined) void loadFile(file);
});

$('download').addEventListener('click', () => {
  if (modelBytes === undefined) return;
  const url = URL.createObjectURL(new Blob([modelBytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = modelName.endsWith('.safetensors') ? modelName : 'model.safetensors';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

/**
 * `scratchnet serve --model FILE` serves the file at model.safetensors (and
 * answers 204 without one); a plain static host answers 404: no model.
 */
async function loadServedModel(): Promise<void> {
  setModelStatus('loading', 'Looking for a served model…');
  try {
    const response = await fetch('model.safetensors', { cache: 'no-store' });
    if (response.status !== 200) {
      setModelStatus('none', 'No model yet: train one below or load a model.safetensors.');
      return;
    }
    useModel(new Uint8Array(await response.arrayBuffer()), 'model.safetensors', 'served by scratchnet serve');
  } catch (err) {
    loadFailed(err);
  }
}

showArch();
drawCharts();
void loadServedModel();

// ---- the tabs: the digits above, the 2-D plane (plane.ts)
setUpTabs($('tabs'));
setUpPlane();
