/**
 * The page's read-outs: the model's description, the 28 × 28 input, the
 * probability bars, the conv layers' feature maps, the hidden activations,
 * the weights, the confusion matrix, and the live view inside the network
 * while it trains.
 */
import { histogramChart, lineChart } from './charts.js';
import type { LayerSnapshot, WeightSnapshot } from './protocol.js';
import { Activation, ARCHITECTURES, AvgPool2D, BatchNorm, Conv2D, Dense, Dropout, MaxPool2D, Rng, sequentialFromSpec, Softmax, type Layer, type Sequential } from '../src/browser.js';

const SIDE = 28;

/** The names the page gives the library's named architectures (`--arch lenet5`, `--arch cnn`). */
export const ARCH_TITLES: Readonly<Record<keyof typeof ARCHITECTURES, string>> = { lenet5: 'LeNet-5', cnn: 'CNN' };

/** Each named architecture's layer list (kinds and options, as a model file stores it), built once when first needed. */
let namedConfigs: Map<string, string> | undefined;

/** The title of the named architecture `model` is (its layers and options equal, whatever its weights), if it is one. */
function architectureTitle(model: Sequential): string | undefined {
  namedConfigs ??= new Map(
    (Object.keys(ARCHITECTURES) as (keyof typeof ARCHITECTURES)[]).map((arch) => [
      JSON.stringify(sequentialFromSpec(ARCHITECTURES[arch], [1, SIDE, SIDE], new Rng(0)).config()),
      ARCH_TITLES[arch],
    ]),
  );
  return namedConfigs.get(JSON.stringify(model.config()));
}

/** A layer in a few words for {@link describeModel} (activations are listed once, at the end; Flatten says nothing). */
function layerWords(layer: Layer): string | undefined {
  if (layer instanceof Conv2D) return `conv ${layer.outChannels}·${layer.kernelSize}×${layer.kernelSize}${layer.stride === 1 ? '' : `/${layer.stride}`}`;
  if (layer instanceof MaxPool2D) return 'pool';
  if (layer instanceof AvgPool2D) return 'avg pool';
  if (layer instanceof Dense) return String(layer.outputUnits);
  if (layer instanceof BatchNorm) return 'batch norm';
  if (layer instanceof Dropout) return `dropout ${layer.rate}`;
  if (layer instanceof Softmax) return 'softmax';
  return undefined;
}

/**
 * A model in one line: an MLP as its sizes and activation (`784-128-64-10,
 * relu`), a network with convolutions or pooling as its layers
 * (`CNN: conv 16·3×3, pool, conv 32·3×3, pool, 64, 10, relu`), named when it
 * is one of the library's architectures.
 */
export function describeModel(model: Sequential): string {
  const acts = [...new Set(activationLayers(model).map((i) => model.layers[i].config().kind))];
  const suffix = acts.length > 0 ? `, ${acts.join('/')}` : '';
  if (!model.layers.some((l) => l instanceof Conv2D || l instanceof MaxPool2D || l instanceof AvgPool2D)) {
    const sizes = [model.inputUnits, ...model.layers.flatMap((l) => (l instanceof Dense ? [l.outputUnits] : []))];
    return `${sizes.join('-')}${suffix}`;
  }
  const words = model.layers.flatMap((l) => layerWords(l) ?? []);
  return `${architectureTitle(model) ?? 'Conv net'}: ${words.join(', ')}${suffix}`;
}

/** Paints `pixels` (bytes 0–255, row-major) into a `width`-wide grey image on `canvas` (CSS scales it up, pixelated). */
export function drawGrey(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, width = SIDE): void {
  const height = Math.ceil(pixels.length / width);
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < pixels.length; i++) {
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = pixels[i];
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** Builds the ten rows of probability bars inside `list` once; {@link showProbabilities} updates them. */
export function buildBars(list: HTMLElement): void {
  list.innerHTML = Array.from(
    { length: 10 },
    (_, k) =>
      `<li data-digit="${k}"><span class="digit">${k}</span><span class="track"><span class="fill"></span></span><span class="pct">–</span><span class="mark"></span></li>`,
  ).join('');
}

/** Labels the ten bars with the model's class names ("T-shirt/top", …), or with the digits where it has none. */
export function labelBars(list: HTMLElement, names: readonly string[] | undefined): void {
  list.classList.toggle('named', names !== undefined);
  list.querySelectorAll<HTMLElement>('li .digit').forEach((span, k) => (span.textContent = names?.[k] ?? String(k)));
}

/** Shows the probabilities of the ten digits; the top class is bold and marked "◀ top", not told by colour alone. */
export function showProbabilities(list: HTMLElement, probs: ArrayLike<number> | undefined): void {
  let top = -1;
  if (probs !== undefined) for (let k = 0; k < 10; k++) if (top < 0 || probs[k] > probs[top]) top = k;
  list.querySelectorAll<HTMLElement>('li').forEach((li, k) => {
    const p = probs?.[k];
    (li.querySelector('.fill') as HTMLElement).style.width = p === undefined ? '0' : `${(100 * p).toFixed(1)}%`;
    (li.querySelector('.pct') as HTMLElement).textContent = p === undefined ? '–' : `${(100 * p).toFixed(1)} %`;
    (li.querySelector('.mark') as HTMLElement).textContent = k === top ? '◀ top' : '';
    li.classList.toggle('top', k === top);
  });
}

/** The output of each hidden activation layer for one input row, as a strip of cells (brighter = larger). */
export function showActivations(container: HTMLElement, model: Sequential | undefined, outputs: readonly Float32Array[]): void {
  if (model === undefined || outputs.length === 0) {
    container.textContent = 'Draw a digit to see the hidden layers light up.';
    return;
  }
  container.textContent = '';
  outputs.forEach((values, i) => {
    const row = document.createElement('div');
    row.className = 'activation-row';
    const label = document.createElement('span');
    label.textContent = `hidden ${i + 1} (${values.length})`;
    const canvas = document.createElement('canvas');
    canvas.className = 'pixels';
    const max = Math.max(1e-6, ...Array.from(values, Math.abs));
    const cols = Math.min(values.length, 64);
    drawGrey(canvas, Array.from(values, (v) => Math.round((255 * Math.abs(v)) / max)), cols);
    canvas.style.width = `${cols * 6}px`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `activations of hidden layer ${i + 1}`);
    row.append(label, canvas);
    container.append(row);
  });
}

/** Indices of the activation layers (their outputs are the hidden activations). */
export function activationLayers(model: Sequential): number[] {
  return model.layers.flatMap((layer, i) => (layer instanceof Activation ? [i] : []));
}

/** Indices of the activation layers whose outputs are rows of units (an MLP's all; a CNN's after its Dense layers). */
export function hiddenLayers(model: Sequential): number[] {
  return activationLayers(model).filter((i) => model.layerShapes[i].length === 1);
}

/** One conv layer's feature maps, for {@link showFeatureMaps}: which layer's output to show, and its title. */
export interface FeatureMapLayer {
  /** The index of the layer whose output is shown: the Conv2D's activation right after it, or the Conv2D itself. */
  index: number;
  title: string;
}

/** Each Conv2D layer of `model`, seen after the activation that follows it (if one does), as CNN Explainer shows them. */
export function featureMapLayers(model: Sequential): FeatureMapLayer[] {
  let n = 0;
  return model.layers.flatMap((layer, i) => {
    if (!(layer instanceof Conv2D)) return [];
    const next = model.layers[i + 1];
    const index = next instanceof Activation ? i + 1 : i;
    const [channels, height, width] = model.layerShapes[index];
    const after = next instanceof Activation ? ` after ${next.fn.title}` : '';
    return [{ index, title: `conv ${++n}: ${channels} maps of ${height} × ${width}${after}` }];
  });
}

/**
 * Draws `count` tiles of `width` × `height` values each (tile t's values at
 * values[t·width·height …], row-major) on `canvas` in rows of `cols`, each
 * value a `cell` × `cell` square of grey `shade(v, t)`, tiles `gap` px apart
 * on `background` (RGB); CSS scales the canvas up by `zoom`, pixelated.
 */
function drawTiles(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  tiles: { count: number; width: number; height: number; cols: number; gap: number; zoom: number; cell?: number; background?: readonly [number, number, number] },
  shade: (v: number, tile: number) => number,
): void {
  const { count, width, height, cols, gap, zoom } = tiles;
  const cell = tiles.cell ?? 1;
  const [r, g, b] = tiles.background ?? [255, 255, 255];
  const tileWidth = width * cell;
  const tileHeight = height * cell;
  canvas.width = Math.min(count, cols) * (tileWidth + gap) - gap;
  canvas.height = Math.ceil(count / cols) * (tileHeight + gap) - gap;
  canvas.style.width = `${canvas.width * zoom}px`; // (the height follows)
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const image = ctx.createImageData(canvas.width, canvas.height);
  const data = image.data;
  for (let o = 0; o < data.length; o += 4) [data[o], data[o + 1], data[o + 2], data[o + 3]] = [r, g, b, 255];
  const size = width * height;
  for (let t = 0; t < count; t++) {
    const x0 = (t % cols) * (tileWidth + gap);
    const y0 = Math.floor(t / cols) * (tileHeight + gap);
    for (let y = 0; y < tileHeight; y++) {
      for (let x = 0; x < tileWidth; x++) {
        const o = 4 * ((y0 + y) * canvas.width + x0 + x);
        data[o] = data[o + 1] = data[o + 2] = shade(values[t * size + Math.floor(y / cell) * width + Math.floor(x / cell)], t);
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * Every channel of each conv layer's output (`outputs[k]` is
 * `layers[k].outputs` for one image, [channels, height, width]) as a small
 * grey tile: black is 0, white the largest value of that layer (one scale
 * per layer, so a channel that barely answers looks dark). With no image,
 * a hint; `layers` empty hides `section` (a model without conv layers).
 */
export function showFeatureMaps(section: HTMLElement, container: HTMLElement, model: Sequential | undefined, layers: readonly FeatureMapLayer[], outputs: readonly Float32Array[] | undefined): void {
  section.hidden = model === undefined || layers.length === 0;
  if (section.hidden) return;
  if (outputs === undefined) {
    container.textContent = "Draw a digit to see what each conv layer's filters pick out of it.";
    return;
  }
  container.textContent = '';
  layers.forEach(({ index, title }, k) => {
    const [channels, height, width] = (model as Sequential).layerShapes[index];
    const values = outputs[k];
    let max = 1e-6;
    for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
    const row = document.createElement('figure');
    row.className = 'feature-maps';
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    const canvas = document.createElement('canvas');
    canvas.className = 'pixels';
    canvas.dataset.layer = String(index);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${title}: one tile per channel, brighter is larger`);
    // About 56 px per tile whatever the map's size: 28 × 28 at 2×, 14 × 14 at 4×, 7 × 7 at 8×.
    const zoom = Math.max(1, Math.round(56 / Math.max(height, width)));
    drawTiles(canvas, values, { count: channels, width, height, cols: 16, gap: 1, zoom }, (v) => Math.round((255 * Math.abs(v)) / max));
    row.append(caption, canvas);
    container.append(row);
  });
}

/**
 * What the first layer looks for: for a Dense layer over the 28 × 28 pixels,
 * its weights as 28 × 28 tiles, one per unit (up to 64); for a Conv2D layer,
 * its filters (those over the first input channel), one tile each. Mid-grey
 * is 0, white positive, black negative, each tile scaled to its own largest |w|.
 */
export function showWeights(canvas: HTMLCanvasElement, note: HTMLElement, model: Sequential): void {
  const index = model.layers.findIndex((l) => l instanceof Dense || l instanceof Conv2D);
  const first = model.layers[index];
  if (first instanceof Conv2D) {
    const k = first.kernelSize;
    const tiles = first.outChannels;
    const w = first.weight.value;
    const filter = first.inChannels * k * k;
    const max = Array.from({ length: tiles }, (_, t) => {
      let m = 1e-12;
      for (let i = 0; i < k * k; i++) m = Math.max(m, Math.abs(w[t * filter + i]));
      return m;
    });
    // Tile t is filter t's first input channel: w[t·filter …], k × k.
    const values = new Float32Array(tiles * k * k);
    for (let t = 0; t < tiles; t++) values.set(w.subarray(t * filter, t * filter + k * k), t * k * k);
    canvas.hidden = false;
    // Each weight a square of about 1/48 of the tile; light blue between the tiles (white and black are weights here).
    const cell = Math.max(4, Math.round(48 / k));
    const layout = { count: tiles, width: k, height: k, cols: Math.min(tiles, 16), gap: 8, zoom: 1, cell, background: [190, 208, 240] as const };
    drawTiles(canvas, values, layout, (v, t) => Math.round(127.5 + (127.5 * v) / max[t]));
    const channel = first.inChannels > 1 ? ' (over input channel 1)' : '';
    note.textContent = `The ${tiles} filters of layer ${index} (Conv2D ${first.inChannels} → ${tiles}, ${k}×${k})${channel}: each slides over the image and lights up where the picture matches it; mid-grey is 0, white positive, black negative.`;
    return;
  }
  if (!(first instanceof Dense) || first.inputUnits !== SIDE * SIDE) {
    canvas.hidden = true;
    note.textContent = 'This model has no first Dense or Conv2D layer over the 28 × 28 pixels.';
    return;
  }
  const units = first.outputUnits;
  const tiles = Math.min(units, 64);
  const w = first.weight.value;
  // Tile j is column j of W [784, units]: w[p·units + j] for pixel p.
  const values = new Float32Array(tiles * SIDE * SIDE);
  const max = new Float64Array(tiles).fill(1e-12);
  for (let j = 0; j < tiles; j++) {
    for (let p = 0; p < SIDE * SIDE; p++) {
      const v = w[p * units + j];
      values[j * SIDE * SIDE + p] = v;
      max[j] = Math.max(max[j], Math.abs(v));
    }
  }
  canvas.hidden = false;
  drawTiles(canvas, values, { count: tiles, width: SIDE, height: SIDE, cols: 8, gap: 2, zoom: 2 }, (v, t) => Math.round(127.5 + (127.5 * v) / max[t]));
  note.textContent = `The first ${tiles} of ${units} units of layer ${index} (Dense ${first.inputUnits} → ${units}): mid-grey is 0, white positive, black negative.`;
}

/** The confusion matrix as a table: rows the true digit, columns the prediction; the diagonal (correct) is bold. */
export function showConfusion(table: HTMLTableElement, counts: readonly number[], caption: string): void {
  const max = Math.max(1, ...counts.filter((_, i) => i % 11 !== 0));
  const head = `<tr><th scope="col">true ↓ / predicted →</th>${Array.from({ length: 10 }, (_, p) => `<th scope="col">${p}</th>`).join('')}</tr>`;
  const body = Array.from({ length: 10 }, (_, t) => {
    const cells = Array.from({ length: 10 }, (_, p) => {
      const c = counts[t * 10 + p];
      if (t === p) return `<td class="hit"><b>${c}</b></td>`;
      // Off-diagonal errors shaded by count (the number is always printed, so colour is not the only signal).
      const alpha = c === 0 ? 0 : 0.15 + (0.85 * c) / max;
      return `<td style="background: rgba(214, 69, 65, ${alpha.toFixed(2)})">${c}</td>`;
    }).join('');
    return `<tr><th scope="row">${t}</th>${cells}</tr>`;
  }).join('');
  table.innerHTML = `<caption>${caption}</caption>${head}${body}`;
}

/** The "Inside the network" view's data: the newest record and, per weight and per layer, its series over the records so far. */
export interface InsideSeries {
  /** The training step of the first record, and the steps between two. */
  firstStep: number;
  every: number;
  layers: LayerSnapshot[];
  weights: WeightSnapshot[];
  /** ratios[w][k]: weight w's update ratio at record k. */
  ratios: number[][];
  /** idle[l][k]: layer l's dead (ReLU) or saturated (sigmoid, tanh) fraction at record k; empty for a kind that is neither. */
  idle: number[][];
}

/** A layer's dead or saturated fraction, with the word for it; undefined for a kind that can be neither (leaky ReLU, linear). */
export function idleFraction(layer: LayerSnapshot): { word: 'dead' | 'saturated'; value: number } | undefined {
  if (layer.dead !== undefined) return { word: 'dead', value: layer.dead };
  if (layer.saturated !== undefined) return { word: 'saturated', value: layer.saturated };
  return undefined;
}

const arrow = (title: string): string => title.replace(' -> ', ' → ');
/** A weight's name for a chart legend: `conv 1 → 16`, `dense 784 → 128` (its layer's title is too long for one). */
const legendName = (title: string): string => {
  const m = /^(\w+) \((\d+) -> (\d+)/.exec(title);
  return m === null ? title : `${m[1] === 'Conv2D' ? 'conv' : m[1].toLowerCase()} ${m[2]} → ${m[3]}`;
};
const short = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? x.toPrecision(2) : x.toExponential(0));
const percent = (x: number): string => `${(100 * x).toFixed(1)} %`;

/**
 * Redraws the view inside the network: one histogram per hidden activation
 * layer (in `layers`), the update ratios over the steps (`ratioChart`, log
 * scale, 1e-3 dashed), the dead or saturated fractions (`idleChart`) and
 * each weight's newest numbers (`weightList`); x runs to `totalSteps`.
 */
export function showInside(
  els: { layers: HTMLElement; ratioChart: SVGSVGElement; idleChart: SVGSVGElement; weightList: HTMLElement },
  s: InsideSeries,
  totalSteps: number,
): void {
  els.layers.textContent = '';
  s.layers.forEach((layer, k) => {
    const figure = document.createElement('figure');
    figure.className = 'inside-layer';
    const idle = idleFraction(layer);
    if (idle !== undefined) figure.dataset[idle.word] = String(idle.value);
    const caption = document.createElement('figcaption');
    caption.textContent = `Hidden ${k + 1}: layer ${layer.layer}, ${layer.title}`;
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.classList.add('histogram');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `histogram of hidden layer ${k + 1}'s outputs, from ${short(layer.histogram.min)} to ${short(layer.histogram.max)}`);
    histogramChart(svg, layer.histogram, short);
    const numbers = document.createElement('p');
    numbers.textContent = `mean ${short(layer.mean)}, std ${short(layer.std)}${idle === undefined ? '' : `, ${idle.word} ${percent(idle.value)}`}`;
    figure.append(caption, svg, numbers);
    els.layers.append(figure);
  });
  const [first, ...rest] = s.weights.map((w, i) => ({ ys: s.ratios[i], name: legendName(w.title) }));
  lineChart(els.ratioChart, {
    ys: first?.ys ?? [],
    name: first?.name,
    others: rest,
    xOffset: s.firstStep,
    xStep: s.every,
    xMax: totalSteps,
    xLabel: 'training step',
    yLabel: '‖ΔW‖ / ‖W‖',
    yScale: 'log',
    rule: { y: 1e-3, label: '1e-3' },
    format: (y) => y.toExponential(0),
  });
  const idleLayers = s.layers.flatMap((layer, k) => (s.idle[k].length > 0 ? [{ ys: s.idle[k], name: `hidden ${k + 1}` }] : []));
  (els.idleChart.closest('figure') as HTMLElement).hidden = idleLayers.length === 0;
  if (idleLayers.length > 0) {
    const [head, ...tail] = idleLayers;
    lineChart(els.idleChart, {
      ys: head.ys,
      name: head.name,
      others: tail,
      xOffset: s.firstStep,
      xStep: s.every,
      xMax: totalSteps,
      xLabel: 'training step',
      yLabel: s.layers.some((l) => l.dead !== undefined) ? 'dead fraction' : 'saturated fraction',
      yRange: [0, 1],
      format: (y) => `${Math.round(100 * y)} %`,
    });
  }
  els.weightList.textContent = '';
  for (const w of s.weights) {
    const li = document.createElement('li');
    li.dataset.updateRatio = String(w.updateRatio);
    li.dataset.gradNorm = String(w.gradNorm);
    li.textContent = `${arrow(w.title)}: ratio ${w.updateRatio === 0 ? '0 (no update)' : w.updateRatio.toExponential(1)}, ‖grad‖ ${w.gradNorm.toPrecision(2)}`;
    els.weightList.append(li);
  }
}
