import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReLU } from '../../src/layers/activations.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Flatten } from '../../src/layers/flatten.js';
import { MaxPool2D } from '../../src/layers/pool2d.js';
import { Sequential } from '../../src/model/sequential.js';
import { colourOf, featureMaps, filterTiles, firstConv, scaleFor, tile, type Tile } from '../../src/plot/tiles.js';
import { Rng } from '../../src/rng.js';

const RED = [178, 24, 43];
const BLUE = [33, 102, 172];
const WHITE = [255, 255, 255];

/** The tile's pixels as [r, g, b] triples. */
const pixels = (t: Tile): number[][] => Array.from({ length: t.width * t.height }, (_, p) => Array.from(t.rgb.subarray(3 * p, 3 * p + 3)));

test('colourOf: the diverging scale runs blue → white → red, the grey one black → white, both clipped at max', () => {
  const diverging = { kind: 'diverging', max: 2 } as const;
  assert.deepEqual(colourOf(2, diverging), RED);
  assert.deepEqual(colourOf(-2, diverging), BLUE);
  assert.deepEqual(colourOf(0, diverging), WHITE);
  // Half-way: 255 + ½ (178 − 255) = 216.5 → 217, 255 + ½ (24 − 255) = 139.5 → 140, 255 + ½ (43 − 255) = 149.
  assert.deepEqual(colourOf(1, diverging), [217, 140, 149]);
  assert.deepEqual(colourOf(-1, diverging), [144, 179, 214]);
  assert.deepEqual(colourOf(7, diverging), RED);
  assert.deepEqual(colourOf(-7, diverging), BLUE);
  const grey = { kind: 'grey', max: 4 } as const;
  assert.deepEqual(colourOf(1, grey), [64, 64, 64]); // 255 / 4 = 63.75
  assert.deepEqual(colourOf(4, grey), [255, 255, 255]);
  assert.deepEqual(colourOf(9, grey), [255, 255, 255]);
  assert.deepEqual(colourOf(-1, grey), [0, 0, 0]);
  // An all-zero layer draws as zero, not NaN.
  assert.deepEqual(colourOf(0, { kind: 'grey', max: 0 }), [0, 0, 0]);
  assert.deepEqual(colourOf(0, { kind: 'diverging', max: 0 }), WHITE);
});

test('scaleFor: diverging at the largest |v| when any value is negative, grey at the largest v otherwise', () => {
  assert.deepEqual(scaleFor([0, 1, 3]), { kind: 'grey', max: 3 });
  assert.deepEqual(scaleFor([-4, 1, 2]), { kind: 'diverging', max: 4 });
  assert.deepEqual(scaleFor([-1, 3]), { kind: 'diverging', max: 3 });
  assert.deepEqual(scaleFor(new Float32Array(4)), { kind: 'grey', max: 0 });
});

test('tile: row-major values become row-major RGB pixels', () => {
  const t = tile([0, 1, 2, 3, 4, 4], 3, 2, { kind: 'grey', max: 4 });
  assert.equal(t.width, 3);
  assert.equal(t.height, 2);
  assert.deepEqual(pixels(t).map((p) => p[0]), [0, 64, 128, 191, 255, 255]);
});

test('filterTiles: one tile per output and input channel, each filter on its own ±max|w| scale', () => {
  const conv = new Conv2D(2, 2, 2, { rng: new Rng(1) });
  // W[0] = input 0: [1, −2; 0, 0.5], input 1: [0, 0; 0, 1]; W[1]: every weight 0.1.
  conv.weight.value.set([1, -2, 0, 0.5, 0, 0, 0, 1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
  conv.bias.value.set([0.25, -3]);
  const filters = filterTiles(conv);
  assert.equal(filters.length, 2);
  assert.deepEqual(filters.map((f) => f.tiles.length), [2, 2]);
  const [f0, f1] = filters;
  assert.equal(f0.max, 2);
  // 1/2 → half red; −2/2 → blue; 0 → white; 0.5/2 → a quarter red: 255 + ¼ (178 − 255) = 235.75 → 236, …
  assert.deepEqual(pixels(f0.tiles[0]), [[217, 140, 149], BLUE, WHITE, [236, 197, 202]]);
  assert.deepEqual(pixels(f0.tiles[1]), [WHITE, WHITE, WHITE, [217, 140, 149]]);
  assert.deepEqual(f0.weights, [[[1, -2], [0, 0.5]], [[0, 0], [0, 1]]]);
  assert.equal(f0.bias, 0.25);
  // A filter of small weights is as vivid as a large one: 0.1 is its own maximum.
  assert.ok(Math.abs(f1.max - 0.1) < 1e-7);
  assert.deepEqual(pixels(f1.tiles[0]), [RED, RED, RED, RED]);
  assert.equal(f1.bias, -3);
});

test('firstConv finds the first Conv2D, or null in an MLP', () => {
  const rng = new Rng(2);
  const cnn = new Sequential([new Conv2D(1, 2, 3, { rng }), new ReLU(), new Conv2D(2, 3, 3, { rng }), new Flatten(), new Dense(3, 2, { rng })], [1, 5, 5]);
  assert.equal(firstConv(cnn)?.index, 0);
  assert.equal(firstConv(cnn)?.conv, cnn.layers[0]);
  assert.equal(firstConv(new Sequential([new Dense(4, 2, { rng }), new ReLU()], 4)), null);
});

test('featureMaps: every conv and pool layer in inference mode, one scale per layer, tiles[image][channel]', () => {
  const conv = new Conv2D(1, 2, 2, { rng: new Rng(3) });
  // Channel 0 copies the window's top-left pixel, channel 1 negates it: out = ±x[i, j] for i, j < 2.
  conv.weight.value.set([1, 0, 0, 0, -1, 0, 0, 0]);
  conv.bias.value.set([0, 0]);
  // A Dropout that would zero or double values in training mode: the maps must not show it.
  const model = new Sequential([conv, new Dropout(0.5, { rng: new Rng(4) }), new ReLU(), new MaxPool2D(2)], [1, 3, 3]);
  const x = Float32Array.from([
    ...[1, 2, 0, 3, 4, 0, 0, 0, 0], // image 0: top-left 2 × 2 is [1, 2; 3, 4]
    ...[0, 0.5, 0, 1, 2, 0, 0, 0, 0], // image 1: [0, 0.5; 1, 2]
  ]);
  model.train();
  const maps = featureMaps(model, { data: x, shape: [2, 9] });
  assert.equal(model.training, true, 'the model goes back to training mode');
  assert.deepEqual(maps.map((m) => m.index), [0, 3]);
  assert.deepEqual(maps.map((m) => m.shape), [[2, 2, 2], [2, 1, 1]]);
  const [convMaps, poolMaps] = maps;
  // The convolution's outputs range over ±4 (image 0's largest pixel): diverging, both images on that one scale.
  assert.deepEqual(convMaps.scale, { kind: 'diverging', max: 4 });
  assert.equal(convMaps.tiles.length, 2);
  assert.deepEqual(convMaps.tiles.map((row) => row.length), [2, 2]);
  assert.deepEqual(pixels(convMaps.tiles[0][0]), [colourOf(1, convMaps.scale), colourOf(2, convMaps.scale), colourOf(3, convMaps.scale), RED]);
  assert.deepEqual(pixels(convMaps.tiles[0][1])[3], BLUE);
  // Image 1's largest value 2 is half of the layer's 4: half red, not full red.
  assert.deepEqual(pixels(convMaps.tiles[1][0])[3], [217, 140, 149]);
  // After ReLU and 2 × 2 max pooling: channel 0 keeps each image's maximum (4 and 2), channel 1 is 0.
  assert.deepEqual(poolMaps.scale, { kind: 'grey', max: 4 });
  assert.deepEqual(pixels(poolMaps.tiles[0][0]), [WHITE]);
  assert.deepEqual(pixels(poolMaps.tiles[1][0]), [[128, 128, 128]]);
  assert.deepEqual(pixels(poolMaps.tiles[0][1]), [[0, 0, 0]]);
  assert.deepEqual(pixels(poolMaps.tiles[1][1]), [[0, 0, 0]]);
});
