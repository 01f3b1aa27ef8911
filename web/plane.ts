/**
 * The 2-D tab: a small network learning a toy data set on the plane, as the
 * TensorFlow Playground shows one. The form picks the data and the network;
 * plane-worker.ts trains it and posts frames; this file draws them (the
 * boundary, each hidden unit's map, the losses and accuracies) and shows
 * the points before any training.
 */
import { activations, gridCentres, TOY_NAMES, TOY_SETS, type ToyName } from '../src/browser.js';
import { lineChart } from './charts.js';
import { $ } from './dom.js';
import { BOUNDARY_SIZE, planeData, UNIT_SIZE, type PlaneData } from './plane-data.js';
import { buildUnitMaps, drawPlane, drawUnitMap, showLegend, type UnitMaps } from './plane-views.js';
import type { FromPlaneWorker, PlaneActivation, PlaneFrame, PlaneOptimizer, PlaneSettings, ToPlaneWorker } from './protocol.js';

/**
 * Each optimizer's learning rate here, until the learner types one: on the
 * spiral (8-8 ReLU, batch 32, seed 42) each reaches ≥ 90 % test accuracy
 * within 30 epochs — Adam at 0.01 within 10 — where the MNIST defaults
 * (Adam 0.001) would crawl on a network this small.
 */
const PLANE_LR: Readonly<Record<PlaneOptimizer, number>> = { sgd: 0.1, momentum: 0.03, rmsprop: 0.003, adam: 0.01 };

type PlaneState = 'idle' | 'training' | 'stopped' | 'done' | 'error';

const percent = (p: number): string => `${(100 * p).toFixed(1)} %`;

/** Wires the 2-D tab's form, its worker and its pictures (index.html's #plane section). */
export function setUpPlane(): void {
  const section = $('plane');
  const form = $<HTMLFormElement>('plane-form');
  const status = $('plane-status');
  const datasetSelect = $<HTMLSelectElement>('plane-dataset');
  const noiseInput = $<HTMLInputElement>('plane-noise');
  const hiddenInput = $<HTMLInputElement>('plane-hidden');
  const activationSelect = $<HTMLSelectElement>('plane-activation');
  const optimizerSelect = $<HTMLSelectElement>('plane-optimizer');
  const lrInput = $<HTMLInputElement>('plane-lr');
  const startButton = $<HTMLButtonElement>('plane-start');
  const stopButton = $<HTMLButtonElement>('plane-stop');
  const resumeButton = $<HTMLButtonElement>('plane-resume');
  const boundary = $<HTMLCanvasElement>('plane-boundary');
  const network = $('plane-network');

  let worker: Worker | undefined;
  /** The points on the plane: the ones the current (or next) run trains on. */
  let data: PlaneData;
  /** The settings of the run the pictures show. */
  let current: PlaneSettings | undefined;
  let maps: UnitMaps | undefined;
  let latest: PlaneFrame | undefined;
  let trainLoss: number[] = [];
  let testLoss: number[] = [];
  let resumable = false;
  let drawPending = false;

  const send = (message: ToPlaneWorker): void => worker?.postMessage(message);

  const setState = (state: PlaneState, text: string): void => {
    section.dataset.state = state;
    status.textContent = text;
    startButton.disabled = state === 'training';
    stopButton.disabled = state !== 'training';
    resumeButton.disabled = !(state === 'stopped' && resumable);
  };
  const busy = (): boolean => section.dataset.state === 'training';

  /** The hidden layer sizes in the field ("" is none: a linear model), or undefined if it is not 0–6 sizes of 1–32. */
  const hiddenSizes = (): number[] | undefined => {
    const text = hiddenInput.value.trim();
    if (text === '') return [];
    const sizes = text.split(',').map((s) => Number(s.trim()));
    return sizes.length <= 6 && sizes.every((h) => Number.isInteger(h) && h >= 1 && h <= 32) ? sizes : undefined;
  };

  /** The form's settings, or undefined after marking the bad fields. */
  const readSettings = (): PlaneSettings | undefined => {
    const bad: string[] = [];
    const check = (input: HTMLInputElement, ok: boolean, what: string): void => {
      input.setAttribute('aria-invalid', String(!ok));
      if (!ok) bad.push(what);
    };
    const number = (id: string): number => Number($<HTMLInputElement>(id).value);
    const hidden = hiddenSizes();
    check(hiddenInput, hidden !== undefined, 'hidden layers: up to 6 sizes, each 1–32 (empty: none)');
    const lr = number('plane-lr');
    check(lrInput, lr > 0 && lr <= 10, 'learning rate: a positive number up to 10');
    const batchSize = number('plane-batch-size');
    check($('plane-batch-size'), Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 800, 'batch size: an integer 1–800');
    const epochs = number('plane-epochs');
    check($('plane-epochs'), Number.isInteger(epochs) && epochs >= 1 && epochs <= 10_000, 'epochs: an integer 1–10,000');
    const seed = number('plane-seed');
    check($('plane-seed'), Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32, 'seed: an integer ≥ 0');
    if (bad.length > 0 || hidden === undefined) {
      setState('error', `Please fix: ${bad.join('; ')}.`);
      return undefined;
    }
    return {
      dataset: datasetSelect.value as ToyName,
      noise: Number(noiseInput.value),
      hidden,
      activation: activationSelect.value as PlaneActivation,
      optimizer: optimizerSelect.value as PlaneOptimizer,
      lr,
      batchSize,
      epochs,
      pace: Number($<HTMLSelectElement>('plane-pace').value),
      seed,
    };
  };

  /** "2-8-8-3, ReLU": the network's sizes, inputs to classes. */
  const shape = (hidden: readonly number[], activation: PlaneActivation, classes: number): string =>
    `${[2, ...hidden, classes].join('-')}${hidden.length > 0 ? `, ${activations[activation].title}` : ''}`;

  /** Lays out the unit maps for `hidden` (blank until a frame fills them) and paints the two inputs' maps. */
  const layOut = (hidden: readonly number[], activation: PlaneActivation): void => {
    maps = buildUnitMaps(network, hidden, activations[activation].title, UNIT_SIZE);
    const centres = gridCentres(data.extent, UNIT_SIZE);
    maps.inputs.forEach((canvas, j) => drawUnitMap(canvas, centres.filter((_, i) => i % 2 === j)));
    for (const canvas of maps.hidden) drawUnitMap(canvas, new Float32Array(UNIT_SIZE * UNIT_SIZE));
  };

  const stat = (id: string, value: number | undefined, text: string): void => {
    const dd = $(id);
    dd.dataset.value = value === undefined ? '' : String(value);
    dd.textContent = text;
  };

  const drawChart = (): void =>
    lineChart($<SVGSVGElement>('plane-loss-chart'), {
      ys: trainLoss,
      name: 'training',
      others: [{ ys: testLoss, name: 'test' }],
      xOffset: 1,
      xMax: current?.epochs ?? 1,
      xLabel: 'epoch',
      yLabel: 'loss',
      yRange: [0, Math.max(0.1, ...trainLoss.filter(Number.isFinite), ...testLoss.filter(Number.isFinite))],
      // A diverging run's losses run to thousands: short labels whatever the size.
      format: (y) => (y >= 100 ? y.toExponential(1) : y.toFixed(2)),
    });

  /** Draws the latest frame (or the bare points) once per animation frame, however many frames arrived. */
  const draw = (): void => {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => {
      drawPending = false;
      const classes = data.train.classes?.length ?? 2;
      const frame = latest;
      drawPlane(boundary, {
        extent: data.extent,
        classes,
        grid: frame === undefined ? undefined : { size: BOUNDARY_SIZE, classes: frame.classes, confidence: frame.confidence },
        train: data.train,
        test: data.test,
      });
      if (frame !== undefined && maps !== undefined) {
        const cells = UNIT_SIZE * UNIT_SIZE;
        maps.hidden.forEach((canvas, k) => drawUnitMap(canvas, frame.units.subarray(k * cells, (k + 1) * cells)));
      }
      drawChart();
    });
  };

  const clearStats = (): void => {
    stat('plane-epoch', undefined, '–');
    for (const id of ['plane-train-accuracy', 'plane-test-accuracy', 'plane-train-loss', 'plane-test-loss']) stat(id, undefined, '–');
  };

  /** The points of the form's data set, noise and seed, on a blank plane (while no run is under way). */
  const preview = (): void => {
    if (busy()) return;
    const name = datasetSelect.value as ToyName;
    const seed = Number($<HTMLInputElement>('plane-seed').value);
    data = planeData({ dataset: name, noise: Number(noiseInput.value), seed: Number.isInteger(seed) && seed >= 0 ? seed : 0 });
    const set = TOY_SETS[name];
    $('plane-dataset-help').textContent = `${set.title}: ${set.about}. ${data.train.count} training points (filled), ${data.test.count} test points (rings), ${set.classes.length} classes.`;
    $('plane-noise-value').textContent = Number(noiseInput.value).toFixed(2);
    showLegend($('plane-legend'), set.classes);
    latest = undefined;
    current = undefined;
    trainLoss = [];
    testLoss = [];
    resumable = false;
    clearStats();
    const hidden = hiddenSizes();
    const activation = activationSelect.value as PlaneActivation;
    hiddenInput.setAttribute('aria-invalid', String(hidden === undefined));
    if (hidden === undefined) {
      setState('idle', 'Hidden layers: up to 6 sizes, each 1–32, comma-separated (empty: none).');
    } else {
      layOut(hidden, activation);
      setState('idle', `Ready: Start trains a ${shape(hidden, activation, set.classes.length)} network on these ${data.train.count} points; the ${data.test.count} test points only score it.`);
    }
    draw();
  };

  const onMessage = (message: FromPlaneWorker): void => {
    switch (message.type) {
      case 'begin':
        setState('training', message.resumed ? `Resumed at epoch ${message.epoch}…` : `Training on ${message.trainCount} points, scored on ${message.testCount} test points…`);
        break;
      case 'frame': {
        trainLoss.push(...message.trainLoss);
        testLoss.push(...message.testLoss);
        latest = message;
        stat('plane-epoch', message.epoch, `${message.epoch} / ${current?.epochs ?? '?'}`);
        stat('plane-train-accuracy', message.trainAccuracy, percent(message.trainAccuracy));
        stat('plane-test-accuracy', message.testAccuracy, percent(message.testAccuracy));
        const last = (values: number[]): number | undefined => values[values.length - 1];
        const train = last(trainLoss);
        const test = last(testLoss);
        stat('plane-train-loss', train, train === undefined ? '–' : train.toFixed(3));
        stat('plane-test-loss', test, test === undefined ? '–' : test.toFixed(3));
        draw();
        break;
      }
      case 'done': {
        resumable = message.stopped;
        const test = latest === undefined ? '' : ` Test accuracy ${percent(latest.testAccuracy)}.`;
        // What the pace added, and what the training itself took: the honest speed of the library in this tab.
        const time =
          current !== undefined && current.pace > 0
            ? `in ${message.seconds.toFixed(1)} s at ${current.pace} epochs/s; the training itself took ${message.trainingSeconds.toFixed(2)} s`
            : `in ${message.seconds.toFixed(2)} s (${Math.round(message.epoch / Math.max(message.seconds, 1e-3))} epochs/s)`;
        setState(
          message.stopped ? 'stopped' : 'done',
          message.stopped ? `Stopped after epoch ${message.epoch}.${test} Resume continues this run; Start begins a new one.` : `Done: ${message.epoch} epochs ${time}.${test}`,
        );
        break;
      }
      case 'error':
        resumable = false;
        setState('error', `Training failed: ${message.message}`);
        break;
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const settings = readSettings();
    if (settings === undefined) return;
    if (worker === undefined) {
      worker = new Worker('plane-worker.js');
      worker.onmessage = (event: MessageEvent<FromPlaneWorker>) => onMessage(event.data);
      worker.onerror = (event) => setState('error', `Training failed: ${event.message}`);
    }
    // The same points as the worker's: the same function of the same settings.
    data = planeData(settings);
    current = settings;
    latest = undefined;
    trainLoss = [];
    testLoss = [];
    resumable = false;
    clearStats();
    layOut(settings.hidden, settings.activation);
    setState('training', 'Starting…');
    draw();
    send({ type: 'start', settings });
  });
  stopButton.addEventListener('click', () => {
    status.textContent = 'Stopping after this step…';
    send({ type: 'stop' });
  });
  resumeButton.addEventListener('click', () => {
    setState('training', 'Resuming…');
    send({ type: 'resume' });
  });

  // A new data set brings its own noise level, until the learner sets one.
  let noiseEdited = false;
  noiseInput.addEventListener('input', () => {
    noiseEdited = true;
    preview();
  });
  datasetSelect.addEventListener('change', () => {
    if (!noiseEdited) noiseInput.value = String(TOY_SETS[datasetSelect.value as ToyName].noise);
    preview();
  });
  for (const id of ['plane-seed', 'plane-hidden', 'plane-activation']) $(id).addEventListener('input', preview);
  let lrEdited = false;
  lrInput.addEventListener('input', () => (lrEdited = true));
  optimizerSelect.addEventListener('change', () => {
    if (!lrEdited) lrInput.value = String(PLANE_LR[optimizerSelect.value as PlaneOptimizer]);
  });

  datasetSelect.innerHTML = TOY_NAMES.map((name) => `<option value="${name}"${name === 'spiral' ? ' selected' : ''}>${TOY_SETS[name].title}</option>`).join('');
  noiseInput.value = String(TOY_SETS.spiral.noise);
  lrInput.value = String(PLANE_LR[optimizerSelect.value as PlaneOptimizer]);
  preview();
}
