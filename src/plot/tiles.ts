import type { Tensor } from '../kernels/tensor.js';
import { Conv2D } from '../layers/conv2d.js';
import type { Sequential } from '../model/sequential.js';

/**
 * Pictures of what a convolutional network holds inside: its first
 * convolution's filters and the feature maps of its conv and pool layers,
 * as small RGB tiles (the report turns each into a PNG and enlarges it with
 * square pixels).
 */

/** One picture: `width × height` pixels, row-major, three bytes (r, g, b) each. */
export interface Tile {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/**
 * How values become colours. `diverging` for signed values: blue at −max,
 * white at 0, red at +max (matplotlib's RdBu reversed). `grey` for values
 * ≥ 0 (after a ReLU): black at 0, white at max, as MNIST's own digits.
 * Values beyond ±max are drawn as ±max.
 */
export interface TileScale {
  kind: 'diverging' | 'grey';
  max: number;
}

/** The diverging scale's end and centre colours (RdBu's). */
export const DIVERGING_COLOURS = {
  negative: [33, 102, 172],
  zero: [255, 255, 255],
  positive: [178, 24, 43],
} as const;

/** The colour of `v` on `scale`, as [r, g, b] bytes (a max of 0 draws everything as 0). */
export function colourOf(v: number, scale: TileScale): [number, number, number] {
  const t = scale.max > 0 ? Math.max(-1, Math.min(1, v / scale.max)) : 0;
  if (scale.kind === 'grey') {
    const g = Math.round(255 * Math.max(0, t));
    return [g, g, g];
  }
  const { zero } = DIVERGING_COLOURS;
  const end = t < 0 ? DIVERGING_COLOURS.negative : DIVERGING_COLOURS.positive;
  const a = Math.abs(t);
  return [0, 1, 2].map((k) => Math.round(zero[k] + a * (end[k] - zero[k]))) as [number, number, number];
}

/** `values` (row-major, `width × height` of them) as a tile on `scale`. */
export function tile(values: ArrayLike<number>, width: number, height: number, scale: TileScale): Tile {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb.set(colourOf(values[p], scale), 3 * p);
  return { width, height, rgb };
}

/**
 * The scale that shows `values` without clipping: diverging with max = the
 * largest |v| when any value is negative, grey with max = the largest v
 * otherwise.
 */
export function scaleFor(values: ArrayLike<number>): TileScale {
  let min = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min < 0 ? { kind: 'diverging', max: Math.max(-min, max) } : { kind: 'grey', max };
}

/** One filter of a convolution: its tiles (one per input channel), its weights and bias. */
export interface FilterTiles {
  /** The filter's output channel. */
  channel: number;
  /** [inChannels] tiles of k × k, all on this filter's own diverging scale. */
  tiles: Tile[];
  /** The filter's largest |weight|: red and blue at ±max. */
  max: number;
  /** weights[c][i][j] = W[channel, c, i, j]. */
  weights: number[][][];
  bias: number;
}

/**
 * Every filter of `conv` as tiles, one per (output channel, input channel).
 * Each filter is scaled to its own largest |weight| (diverging: red
 * positive, blue negative, white 0), so a filter with small weights shows
 * its pattern as clearly as a large one.
 */
export function filterTiles(conv: Conv2D): FilterTiles[] {
  const k = conv.kernelSize;
  const w = conv.weight.value;
  const perFilter = conv.inChannels * k * k;
  return Array.from({ length: conv.outChannels }, (_, o) => {
    const values = w.subarray(o * perFilter, (o + 1) * perFilter);
    let max = 0;
    for (const v of values) max = Math.max(max, Math.abs(v));
    const scale: TileScale = { kind: 'diverging', max };
    const channels = Array.from({ length: conv.inChannels }, (_, c) => values.subarray(c * k * k, (c + 1) * k * k));
    return {
      channel: o,
      tiles: channels.map((v) => tile(v, k, k, scale)),
      max,
      weights: channels.map((v) => Array.from({ length: k }, (_, i) => Array.from(v.subarray(i * k, (i + 1) * k)))),
      bias: conv.bias.value[o],
    };
  });
}

/** The first Conv2D of a model and its index, or null. */
export function firstConv(model: Sequential): { index: number; conv: Conv2D } | null {
  const index = model.layers.findIndex((l) => l instanceof Conv2D);
  return index < 0 ? null : { index, conv: model.layers[index] as Conv2D };
}

/** The layer kinds whose outputs {@link featureMaps} draws. */
const MAP_KINDS: ReadonlySet<string> = new Set(['conv2d', 'maxpool2d', 'avgpool2d']);

/** One layer's feature maps for a few images. */
export interface LayerMaps {
  /** The layer's index in the model. */
  index: number;
  /** Its output for one image: [channels, height, width]. */
  shape: readonly [number, number, number];
  /** One scale for the whole layer (every image, every channel), so tiles compare. */
  scale: TileScale;
  /** tiles[image][channel]. */
  tiles: Tile[][];
}

/**
 * The output of every conv and pool layer of `model` for the images `x`
 * ([n, …inputShape] or flat rows [n, inputUnits]), in inference mode
 * (`model.forwardAll`), one tile per image and channel. Each layer has one
 * scale ({@link scaleFor} over all its tiles): a dark or white tile is a
 * channel that barely responds to that image.
 */
export function featureMaps(model: Sequential, x: Tensor): LayerMaps[] {
  const n = x.shape[0];
  const wasTraining = model.training;
  model.eval();
  try {
    const outputs = model.forwardAll(x);
    return model.layers.flatMap((layer, index) => {
      const shape = model.layerShapes[index];
      if (!MAP_KINDS.has(layer.config().kind) || shape.length !== 3) return [];
      const [channels, height, width] = shape;
      const size = height * width;
      const data = outputs[index].data.subarray(0, n * channels * size);
      const scale = scaleFor(data);
      const tiles = Array.from({ length: n }, (_, b) =>
        Array.from({ length: channels }, (_, c) => tile(data.subarray((b * channels + c) * size, (b * channels + c + 1) * size), width, height, scale)),
      );
      return [{ index, shape: [channels, height, width] as const, scale, tiles }];
    });
  } finally {
    if (wasTraining) model.train();
  }
}
