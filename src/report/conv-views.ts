import { className } from '../data/classes.js';
import type { DigitPrediction } from '../plot/digits.js';
import { featureMaps, filterTiles, firstConv, tile, type FilterTiles, type LayerMaps, type Tile, type TileScale } from '../plot/tiles.js';
import { Dense } from '../layers/dense.js';
import { titleOf } from '../layers/registry.js';
import type { Sequential } from '../model/sequential.js';
import { escapeHtml } from './page.js';
import type { ReportInput } from './report.js';

/** A tile with its image URL. */
export interface TileView extends Tile {
  url: string;
}

/**
 * What the report shows inside a convolutional network: its first
 * convolution's filters, and the feature maps of every conv and pool layer
 * for two test digits (of different labels where the test set allows).
 */
export interface ConvViews {
  /** The first Conv2D's index in the model, its title and its filters. */
  filters: { layer: number; title: string; kernelSize: number; inChannels: number; items: (Omit<FilterTiles, 'tiles'> & { tiles: TileView[] })[] };
  /** The two digits: their index in the test set, label, predicted class and input tiles (one per input channel, black 0 to white 1). */
  digits: { index: number; label: number; predicted: number; input: TileView[] }[];
  /** Each conv and pool layer's output; tiles[digit][channel]. */
  layers: (Omit<LayerMaps, 'tiles'> & { title: string; tiles: TileView[][] })[];
  /** The test set's class names, if it has them. */
  classes?: readonly string[];
}

/**
 * The filters of the model's first convolution and the feature maps of two
 * of the predicted test digits, or null when the model has no convolution.
 */
export function convViews(input: ReportInput, picks: Uint32Array, predictions: readonly DigitPrediction[]): ConvViews | null {
  const { model, test } = input;
  const first = firstConv(model);
  if (first === null || model.inputShape.length !== 3 || picks.length === 0) return null;
  const view = (t: Tile): TileView => ({ ...t, url: input.tileUrl(t) });
  const titles = model.summaryRows().map((r) => r.title.replace(' -> ', ' → '));

  // The first predicted digit and the next one of another label, so the two differ.
  const second = predictions.findIndex((p) => p.label !== predictions[0].label);
  const chosen = picks.length === 1 ? [0] : [0, second < 0 ? 1 : second];
  const [channels, height, width] = model.inputShape;
  const x = new Float32Array(chosen.length * test.features);
  chosen.forEach((r, b) => test.x.subarray(picks[r] * test.features, (picks[r] + 1) * test.features).forEach((v, j) => (x[b * test.features + j] = v / 255)));
  const digits = chosen.map((r, b) => {
    const probs = predictions[r].probabilities;
    const size = height * width;
    return {
      index: picks[r],
      label: predictions[r].label,
      predicted: probs.indexOf(Math.max(...probs)),
      input: Array.from({ length: channels }, (_, c) => view(tile(x.subarray((b * channels + c) * size, (b * channels + c + 1) * size), width, height, { kind: 'grey', max: 1 }))),
    };
  });
  const layers = featureMaps(model, { data: x, shape: [chosen.length, ...model.inputShape] }).map((m) => ({
    ...m,
    title: titles[m.index],
    tiles: m.tiles.map((row) => row.map(view)),
  }));
  const { conv, index } = first;
  const filters = {
    layer: index,
    title: titles[index],
    kernelSize: conv.kernelSize,
    inChannels: conv.inChannels,
    items: filterTiles(conv).map((f) => ({ ...f, tiles: f.tiles.map(view) })),
  };
  return { filters, digits, layers, ...(test.classes === undefined ? {} : { classes: test.classes }) };
}


/** How many tiles a row of a grid holds: channel k sits at the same place in every layer of 8 or more channels. */
const GRID_COLUMNS = 8;

/** The largest integer zoom that shows a `size`-pixel tile at no more than `target` pixels (square pixels, never blurred). */
function zoomFor(size: number, target: number): number {
  return Math.max(1, Math.floor(target / size));
}

/** A number for a legend or tooltip: 3 significant digits, no exponent. */
function short(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
}

function img(t: TileView, zoom: number, title: string): string {
  return `<img class="tile" src="${t.url}" width="${t.width * zoom}" height="${t.height * zoom}" alt="" title="${escapeHtml(title).replace(/\n/g, '&#10;')}">`;
}

/** The colour bar of a scale, labelled with its ends (and 0 in the middle of a diverging one), or with `max` for the largest value. */
function legend(scale: TileScale, max = short(scale.max)): string {
  const ends = scale.kind === 'diverging' ? [`−${max}`, '0', `+${max}`] : ['0', max];
  const labels = ends.map((e) => `<span>${escapeHtml(e)}</span>`).join('');
  return `<span class="legend ${scale.kind}"><span class="bar"></span><span class="ends">${labels}</span></span>`;
}

/** `(batch, 16, 14, 14)` */
export function batchShape(shape: readonly number[]): string {
  return `(batch, ${shape.join(', ')})`;
}

/** The body of the report's section on the first convolution's filters. */
export function filtersHtml(views: ConvViews): string {
  const { filters } = views;
  const k = filters.kernelSize;
  const zoom = zoomFor(k, 64);
  const cells = filters.items
    .map((f) => {
      const numbers = f.weights.map((channel, c) => `${filters.inChannels > 1 ? `input channel ${c}:\n` : ''}${channel.map((row) => row.map((v) => short(v)).join('  ')).join('\n')}`).join('\n');
      const tip = `filter ${f.channel}, bias ${short(f.bias)}, largest |weight| ${short(f.max)}\n${numbers}`;
      return `<div class="filter" data-filter="${f.channel}"><div class="filter-tiles">${f.tiles.map((t) => img(t, zoom, tip)).join('')}</div><span>${f.channel}</span></div>`;
    })
    .join('');
  const perInput = filters.inChannels > 1 ? ` × ${filters.inChannels} input channels` : '';
  return `<figure class="filters" data-layer="${filters.layer}" data-filters="${filters.items.length}">
    <div class="tile-grid" style="grid-template-columns: repeat(${Math.min(GRID_COLUMNS, filters.items.length)}, auto)">${cells}</div>
    <p class="legend-line">${legend({ kind: 'diverging', max: 1 }, 'max')} max: each filter’s largest |weight|</p>
    <figcaption>The ${filters.items.length} filters of layer ${filters.layer}, ${escapeHtml(filters.title)}: each is a ${k} × ${k} grid of learnt weights${perInput}, drawn ${zoom} times enlarged.
    Red weights are positive, blue negative, white 0; each filter is on its own scale (± its largest |weight|; hover over a tile for its numbers).
    The layer slides each filter over the image and adds up weight × pixel at every position: the result is large where the image looks like the filter’s red part and not its blue part,
    so a red stripe beside a blue one detects an edge or a stroke in that direction. Filter k makes channel k of the first feature maps below (the k-th tile, counted along rows of ${GRID_COLUMNS}).
    Deeper convolutions’ filters each span every channel of the layer before them; they are easier to understand through the feature maps they make.</figcaption>
  </figure>`;
}

/** The body of the report's section on the feature maps of two test digits. */
export function featureMapsHtml(views: ConvViews): string {
  const { digits, layers } = views;
  const column = (d: number, body: string, cols: number): string =>
    `<div class="tile-grid" data-digit="${d}" style="grid-template-columns: repeat(${cols}, auto)">${body}</div>`;
  // Every row's digit columns have one width, so the second digit's tiles line up from layer to layer.
  const rowWidth = (cols: number, size: number, zoom: number): number => cols * (size * zoom + 2) + (cols - 1) * 3;
  const columnWidth = Math.max(
    rowWidth(digits[0].input.length, digits[0].input[0].width, zoomFor(Math.max(digits[0].input[0].width, digits[0].input[0].height), 56)),
    ...layers.map((l) => rowWidth(Math.min(GRID_COLUMNS, l.shape[0]), l.shape[2], zoomFor(Math.max(l.shape[1], l.shape[2]), 56))),
  );
  const inputRow = digits
    .map((d, i) => {
      const name = (c: number): string => escapeHtml(className(views.classes, c));
      const verdict = d.predicted === d.label ? `predicted ${name(d.predicted)}` : `<span class="wrong">predicted ${name(d.predicted)}</span>`;
      const tiles = d.input.map((t, c) => img(t, zoomFor(Math.max(t.width, t.height), 56), `input channel ${c}`)).join('');
      return `<div class="maps-digit" style="width: ${columnWidth}px"><p class="digit-title">Test image #${d.index}: label ${name(d.label)}, ${verdict}</p>${column(i, tiles, d.input.length)}</div>`;
    })
    .join('');
  const first = digits[0].input[0];
  const inputShape = [digits[0].input.length, first.height, first.width];
  const rows = layers.map((layer) => {
    const [channels, height, width] = layer.shape;
    const zoom = zoomFor(Math.max(height, width), 56);
    const cols = Math.min(GRID_COLUMNS, channels);
    const grids = layer.tiles.map((tiles, d) => `<div class="maps-digit" style="width: ${columnWidth}px">${column(d, tiles.map((t, c) => img(t, zoom, `channel ${c}`)).join(''), cols)}</div>`).join('');
    const what = layer.scale.kind === 'diverging' ? 'blue negative, white 0, red positive' : 'black 0, white the largest value';
    return `<figure class="maps-layer" data-layer="${layer.index}" data-shape="${layer.shape.join(',')}" data-scale="${layer.scale.kind}">
      <figcaption><strong>Layer ${layer.index}: ${escapeHtml(layer.title)}</strong> → ${batchShape(layer.shape)}: ${channels} channels of ${height} × ${width}, ${what} ${legend(layer.scale)}</figcaption>
      <div class="maps-digits">${grids}</div></figure>`;
  });
  return `<p>Two test digits go through the network (in inference mode, as for a prediction), and every convolution and pooling layer’s output is drawn:
    one small tile per channel, channel 0 first, ${GRID_COLUMNS} to a row, so channel k sits at the same place in every layer.
    A convolution’s output (before its ReLU) can be negative: blue is negative, white 0, red positive. After a ReLU and pooling every value is ≥ 0: black is 0 and white the layer’s largest value.
    Each layer has one scale for both digits (its legend gives the ends), so a pale or dark tile is a channel that barely responds to that digit.
    Pooling keeps the strongest (or mean) response of each small window and shrinks the maps; deeper layers see larger parts of the digit through each pixel and respond to parts of strokes rather than to single edges.</p>
    <figure class="maps-layer" data-layer="input" data-shape="${inputShape.join(',')}"><figcaption><strong>Input</strong> → ${batchShape(inputShape)}: the pixels scaled to [0, 1], black 0, white 1</figcaption>
      <div class="maps-digits">${inputRow}</div></figure>
    ${rows.join('\n')}`;
}

/** Most first-layer units the report draws. */
const MAX_UNITS = 64;

/**
 * What a multilayer network's first Dense layer learnt on images: each
 * unit's weights from the pixels, drawn as an image of the input's size.
 * For a network with no hidden layer (softmax regression) these are the
 * class templates (CS231n's picture): the score of class k is the pixels'
 * match with template k. Null for a network whose first layer is not a
 * Dense on one-channel images.
 */
export function firstLayerHtml(model: Sequential, imageShape: readonly number[], tileUrl: (t: Tile) => string, classes?: readonly string[]): string | null {
  const denses = model.layers.flatMap((layer, index) => (layer instanceof Dense ? [{ layer, index }] : []));
  const first = denses[0];
  const [channels, height, width] = imageShape;
  if (first === undefined || channels !== 1 || model.inputShape.length !== 1 || first.layer.inputUnits !== height * width || model.layers.some((l) => l.config().kind === 'conv2d')) return null;
  const { layer } = first;
  const templates = denses.length === 1;
  const units = Math.min(MAX_UNITS, layer.outputUnits);
  const w = layer.weight.value;
  const zoom = zoomFor(Math.max(height, width), templates ? 84 : 56);
  const cells = Array.from({ length: units }, (_, j) => {
    // Column j of W ([inputs, outputs], row-major): unit j's weight from each pixel.
    const column = Float32Array.from({ length: layer.inputUnits }, (_, i) => w[i * layer.outputUnits + j]);
    const max = column.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const t = tile(column, width, height, { kind: 'diverging', max: max > 0 ? max : 1 });
    const name = templates ? className(classes, j) : String(j);
    const view = { ...t, url: tileUrl(t) };
    return `<div class="filter" data-unit="${j}">${img(view, zoom, `${templates ? 'class' : 'unit'} ${name}: largest |weight| ${short(max)}, bias ${short(layer.bias.value[j])}`)}<span>${escapeHtml(name)}</span></div>`;
  }).join('');
  const columns = templates ? Math.min(10, units) : Math.min(GRID_COLUMNS, units);
  const about = templates
    ? `With no hidden layer the network is softmax regression: class k’s score is Σ pixel × weight + bias, so each class’s ${height} × ${width} weights are a template the image is matched against.
       Red pixels count for the class, blue against it: the templates look like blurred averages of their class, with blue where other classes put ink.`
    : `Each of the first ${units === layer.outputUnits ? units : `${units} of ${layer.outputUnits}`} units of layer ${first.index} (${escapeHtml(titleOf(layer).replace(' -> ', ' → '))}) as the ${height} × ${width} picture of its weights from the pixels: the unit responds to ink on its red pixels and against ink on its blue ones.
       A unit drawn as noise has barely moved from its random start.`;
  return `<figure class="filters" data-layer="${first.index}" data-units="${units}" data-templates="${templates}">
    <div class="tile-grid" style="grid-template-columns: repeat(${columns}, auto)">${cells}</div>
    <p class="legend-line">${legend({ kind: 'diverging', max: 1 }, 'max')} max: each ${templates ? 'template' : 'unit'}’s largest |weight|</p>
    <figcaption>${about} Each picture is on its own scale; hover over one for its numbers.</figcaption>
  </figure>`;
}
