import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centreByMass, imageToMnist, MNIST_CENTRE, type RgbaImage } from '../../src/data/image.js';
import { DataError, ShapeError } from '../../src/errors.js';
import { loadBundledMnist } from '../../src/io/mnist.js';

type Rgba = [number, number, number, number];
const WHITE: Rgba = [255, 255, 255, 255];
const BLACK: Rgba = [0, 0, 0, 255];

/** A width × height image filled with `background`, then `ink` wherever `inside(x, y)`. */
function draw(width: number, height: number, background: Rgba, ink: Rgba, inside: (x: number, y: number) => boolean): RgbaImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set(inside(x, y) ? ink : background, (y * width + x) * 4);
  }
  return { width, height, rgba };
}

const rect = (x0: number, y0: number, w: number, h: number) => (x: number, y: number) => x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;

/** Bounding box of the nonzero pixels of a 28 × 28 image. */
function bbox(px: Uint8Array): { x: number; y: number; width: number; height: number } {
  let x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (px[y * 28 + x] === 0) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Centre of mass Σ v·(x, y) / Σ v, pixel (x, y) at coordinates (x, y). */
function centroid(px: Uint8Array, width = 28): [number, number] {
  let m = 0, mx = 0, my = 0;
  for (let i = 0; i < px.length; i++) {
    m += px[i];
    mx += px[i] * (i % width);
    my += px[i] * Math.floor(i / width);
  }
  return [mx / m, my / m];
}

/** MNIST's convention: the centre of mass within [13.5, 14.5) on both axes (pixel 14). */
function assertCentred(px: Uint8Array): void {
  const [cx, cy] = centroid(px);
  for (const c of [cx, cy]) assert.ok(c >= MNIST_CENTRE - 0.5 && c < MNIST_CENTRE + 0.5, `centre of mass (${cx}, ${cy})`);
}

test('a white square on black ends centred in 28 × 28, its side scaled to 20 px', () => {
  const out = imageToMnist(draw(100, 80, BLACK, WHITE, rect(7, 41, 30, 30)));
  assert.equal(out.length, 784);
  assert.deepEqual(bbox(out), { x: 4, y: 4, width: 20, height: 20 });
  // A uniform square stays uniform: every pixel of the box is 255, every other 0.
  const inBox = rect(4, 4, 20, 20);
  for (let i = 0; i < 784; i++) assert.equal(out[i], inBox(i % 28, Math.floor(i / 28)) ? 255 : 0, `pixel ${i}`);
  assertCentred(out);
});

test('a small digit is scaled up: a 5 × 5 square fills the 20 × 20 box', () => {
  const out = imageToMnist(draw(9, 9, BLACK, WHITE, rect(2, 2, 5, 5)));
  assert.deepEqual(bbox(out), { x: 4, y: 4, width: 20, height: 20 });
  assert.ok(out.every((v) => v === 0 || v === 255));
});

test('aspect ratio is kept: 60 × 15 becomes 20 × 5, 15 × 60 becomes 5 × 20', () => {
  const wide = bbox(imageToMnist(draw(200, 100, BLACK, WHITE, rect(50, 20, 60, 15))));
  assert.equal(wide.width, 20);
  assert.equal(wide.height, 5);
  const tall = bbox(imageToMnist(draw(100, 200, BLACK, WHITE, rect(20, 50, 15, 60))));
  assert.equal(tall.width, 5);
  assert.equal(tall.height, 20);
  // 50 × 20 → 20 × 8: the shorter side rounds to the nearest pixel.
  assert.equal(bbox(imageToMnist(draw(80, 80, BLACK, WHITE, rect(5, 5, 50, 20)))).height, 8);
});

test('a dark digit on white paper is inverted to white on black', () => {
  const shape = (x: number, y: number) => rect(30, 10, 12, 60)(x, y) || rect(20, 60, 40, 10)(x, y);
  const darkOnLight = imageToMnist(draw(100, 90, WHITE, BLACK, shape));
  const lightOnDark = imageToMnist(draw(100, 90, BLACK, WHITE, shape));
  assert.deepEqual(darkOnLight, lightOnDark);
  assert.equal(darkOnLight[0], 0, 'the background is black');
  assert.equal(Math.max(...darkOnLight), 255, 'the ink is white');
});

test('grey ink on grey paper is stretched: background → 0, ink → 255', () => {
  const out = imageToMnist(draw(60, 60, [200, 200, 200, 255], [90, 90, 90, 255], rect(20, 10, 10, 40)));
  assert.deepEqual(new Set(out), new Set([0, 255]));
});

test('colour is luminance (0.299 R + 0.587 G + 0.114 B): a red digit on blue paper is found', () => {
  // Red 255 → grey 76; blue 255 → grey 29: the ink is lighter than the paper, so no inversion.
  const out = imageToMnist(draw(50, 50, [0, 0, 255, 255], [255, 0, 0, 255], rect(20, 5, 10, 40)));
  assert.equal(bbox(out).height, 20);
  assert.equal(out[0], 0);
});

test('an off-centre, lopsided digit is centred by its centre of mass, not by its box', () => {
  // An "L" in the top-left corner: its mass sits left of and below its box's centre.
  const shape = (x: number, y: number) => rect(5, 5, 8, 40)(x, y) || rect(5, 37, 30, 8)(x, y);
  const out = imageToMnist(draw(300, 200, BLACK, WHITE, shape));
  assertCentred(out);
  const box = bbox(out);
  const boxCentre = [box.x + (box.width - 1) / 2, box.y + (box.height - 1) / 2];
  // By box it would sit at ~13.5; by mass the box moves right and up.
  assert.ok(boxCentre[0] > 15, `box centre x ${boxCentre[0]}`);
  assert.ok(boxCentre[1] < 13, `box centre y ${boxCentre[1]}`);
  // The same shape anywhere in any canvas gives the same image.
  const moved = (x: number, y: number) => shape(x - 150, y - 100);
  assert.deepEqual(imageToMnist(draw(400, 300, BLACK, WHITE, moved)), out);
});

test('area averaging: a 2 px slit in a 40 px square becomes two half-grey columns at 20 px', () => {
  const out = imageToMnist(draw(60, 60, BLACK, WHITE, (x, y) => rect(10, 10, 40, 40)(x, y) && !(x === 29 || x === 30)));
  // Source columns 28–29 and 30–31 (box-relative 18–19, 20–21) each average to 127.5 → 128.
  const box = bbox(out);
  const row = out.subarray((box.y + 5) * 28 + box.x, (box.y + 5) * 28 + box.x + 20);
  assert.deepEqual(Array.from(row), [...Array(9).fill(255), 128, 128, ...Array(9).fill(255)]);
});

test('a thin stroke on a large picture is not lost: the brightest pixel is stretched back to 255', () => {
  // A 2 px diagonal line across 1000 × 1000: the box filter keeps ~2/50 of its brightness.
  const out = imageToMnist(draw(1000, 1000, WHITE, BLACK, (x, y) => Math.abs(x - y) <= 1));
  assert.equal(Math.max(...out), 255);
  assert.deepEqual(bbox(out), { x: 4, y: 4, width: 20, height: 20 });
});

test('transparent backgrounds are composited over the colour opposite the ink', () => {
  const shape = rect(40, 20, 20, 60);
  const reference = imageToMnist(draw(100, 100, BLACK, WHITE, shape));
  // Black ink on a fully transparent canvas (as a browser canvas exports it): composited over white.
  assert.deepEqual(imageToMnist(draw(100, 100, [0, 0, 0, 0], BLACK, shape)), reference);
  // White ink on transparent white: composited over black.
  assert.deepEqual(imageToMnist(draw(100, 100, [255, 255, 255, 0], WHITE, shape)), reference);
  // Ink drawn only with alpha (colour black everywhere), half-transparent: still found, at full brightness.
  const faint = imageToMnist(draw(100, 100, [0, 0, 0, 0], [0, 0, 0, 128], shape));
  assert.deepEqual(faint, reference);
});

test('nothing drawn: one colour, or almost, is a DataError naming the file', () => {
  for (const image of [draw(40, 30, WHITE, WHITE, () => false), draw(5, 5, [0, 0, 0, 0], BLACK, () => false)]) {
    assert.throws(() => imageToMnist(image, 'blank.png'), (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.match(err.message, /^blank\.png: no digit found: the image is all one colour \(grey 255\)$/);
      return true;
    });
  }
  // Paper texture: marks 10 grey levels darker than the paper.
  const noise = draw(40, 30, [128, 128, 128, 255], [118, 118, 118, 255], (x, y) => (x * 7 + y * 3) % 5 === 0);
  assert.throws(
    () => imageToMnist(noise, 'noise.png'),
    /^DataError: noise\.png: no digit found: nothing stands out from the light background \(grey 128\): the darkest pixel differs by 10 of 255, expected at least 16$/,
  );
});

test('a 1 × 1 or one-row image works; a wrong buffer size is a ShapeError', () => {
  const dot = imageToMnist(draw(3, 1, BLACK, WHITE, (x) => x === 1));
  assert.deepEqual(bbox(dot), { x: 4, y: 4, width: 20, height: 20 });
  assert.throws(() => imageToMnist({ width: 2, height: 2, rgba: new Uint8Array(15) }, 'x.png'), (err: unknown) => {
    assert.ok(err instanceof ShapeError);
    assert.match(err.message, /^x\.png: expected 2 × 2 × 4 = 16 RGBA bytes, got 15$/);
    return true;
  });
  assert.throws(() => imageToMnist({ width: 0, height: 2, rgba: new Uint8Array(0) }), ShapeError);
});

test('centreByMass puts the centre of mass in [13.5, 14.5), shifting only as far as the field allows', () => {
  const digit = new Uint8Array(20 * 20);
  digit[0] = 255; // all the mass in one corner: the digit can only go as far as the field's edge
  const out = centreByMass(digit, 20, 20);
  assert.equal(out[8 * 28 + 8], 255);
  const dot = centreByMass(Uint8Array.of(255), 1, 1);
  assert.equal(dot[14 * 28 + 14], 255);
  assert.throws(() => centreByMass(new Uint8Array(29), 29, 1), ShapeError);
});

test("MNIST's own test digits come back (nearly) unchanged: the same convention", () => {
  const { test: mnist } = loadBundledMnist(0);
  const n = 2000;
  let identical = 0;
  let absDiff = 0;
  for (let i = 0; i < n; i++) {
    const px = mnist.x.subarray(i * 784, (i + 1) * 784);
    const rgba = new Uint8Array(784 * 4);
    for (let p = 0; p < 784; p++) rgba.set([px[p], px[p], px[p], 255], p * 4);
    const out = imageToMnist({ width: 28, height: 28, rgba });
    let d = 0;
    for (let p = 0; p < 784; p++) d += Math.abs(out[p] - px[p]);
    if (d === 0) identical++;
    absDiff += d / 784;
    assertCentred(px);
  }
  // Measured: 75 % byte-identical, mean |Δ| 0.08 grey levels (most others differ only by the 255 stretch).
  assert.ok(identical / n > 0.7, `${identical} of ${n} identical`);
  assert.ok(absDiff / n < 0.25, `mean |Δ| ${absDiff / n}`);
});
