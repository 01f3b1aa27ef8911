import { DataError, ShapeError } from '../errors.js';

/**
 * Turning any picture of a digit into an MNIST image (browser-safe: pixels in,
 * pixels out; io/image-files.ts decodes PNG files in Node).
 *
 * MNIST's digits were made this way (yann.lecun.com/exdb/mnist): a scanned
 * black-and-white digit was scaled, keeping its aspect ratio, to fit a 20 × 20
 * box — anti-aliasing made it grey — and then placed in a 28 × 28 image so
 * that its centre of mass is at the centre. Pixels are bytes, 0 = black
 * background, 255 = white ink. A network trained on MNIST only works on
 * images made the same way, so {@link imageToMnist} repeats those steps on
 * any picture:
 *
 *   1. luminance: grey = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's
 *      `convert('L')`), with transparent pixels composited over a background
 *      of the colour opposite the ink (see {@link compositeBackground});
 *   2. polarity: the background is the median grey of the image's border; if
 *      it is light (> 127: a dark digit on white paper), invert, so the digit
 *      is white on black;
 *   3. levels: stretch so the background becomes 0 and the brightest ink 255
 *      (greys on the far side of the background become 0); if no pixel stands
 *      out from the background by {@link MIN_CONTRAST}, there is no digit;
 *   4. crop to the bounding box of the ink (pixels ≥ {@link INK_THRESHOLD});
 *   5. scale, keeping the aspect ratio, so the longer side is 20 px, each new
 *      pixel the mean of the area of the old image it covers (a box filter);
 *      then stretch again so the brightest pixel is 255;
 *   6. place it in a black 28 × 28 image, shifted by whole pixels so that its
 *      centre of mass falls on pixel (14, 14): within [13.5, 14.5) on each
 *      axis (see {@link MNIST_CENTRE}).
 */

/** The side of an MNIST image (28 × 28 = 784 pixels). */
export const MNIST_SIDE = 28;

/**
 * Where MNIST puts a digit's centre of mass: pixel (14, 14), with pixel (x, y)
 * at coordinates (x, y) and mass Σ v·(x, y) / Σ v. NOTE: not the geometric
 * centre (13.5, 13.5): measured on MNIST's 10,000 test digits, every centre of
 * mass lies in [13.5, 14.5) on both axes (mean 14.01, 13.99), i.e. MNIST
 * shifted by whole pixels to bring it onto the pixel at index 14.
 */
export const MNIST_CENTRE = 14;

/** The side of the box MNIST scales each digit into before centring it. */
export const DIGIT_BOX = 20;

/**
 * The grey level (0–255, after steps 1–3) from which a pixel counts as ink
 * when cropping (step 4): a tenth of the range, so that noise and paper
 * texture a little above the background do not stretch the box to the whole
 * picture.
 */
export const INK_THRESHOLD = 25.5;

/**
 * The least difference between the background and the brightest ink (grey
 * levels, after step 2) that counts as a drawing; below it the image is blank
 * (JPEG noise or paper texture on an empty page).
 */
export const MIN_CONTRAST = 16;

/** An image as decoded from a file or a canvas: `width × height` pixels of R, G, B, A bytes, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes (a canvas's `ImageData.data` fits). */
  rgba: Uint8Array | Uint8ClampedArray;
}

/**
 * The MNIST image (784 bytes, 28 × 28 row-major, 0 = black background,
 * 255 = white ink) of the digit drawn in `image`, made as MNIST was (see the
 * steps above). `name` (a file name) starts every error message.
 *
 * Throws a DataError if nothing is drawn (one colour, or less contrast than
 * {@link MIN_CONTRAST}), and a ShapeError if `rgba` does not hold
 * width × height × 4 bytes.
 */
export function imageToMnist(image: RgbaImage, name = 'image'): Uint8Array {
  const { width, height, rgba } = image;
  if (!(Number.isSafeInteger(width) && Number.isSafeInteger(height) && width > 0 && height > 0)) {
    throw new ShapeError(`${name}: expected a positive integer width and height, got ${width} × ${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new ShapeError(`${name}: expected ${width} × ${height} × 4 = ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  }

  // 1. Luminance, alpha composited.
  const grey = luminance(rgba, compositeBackground(rgba));

  // 2. Polarity: MNIST is white on black. The background is what the border
  // mostly shows: a digit can fill most of a tightly cropped picture, but it
  // rarely fills its frame.
  const background = borderMedian(grey, width, height);
  const invert = background > 127;
  const ink = (v: number): number => (invert ? 255 - v : v);

  // 3. Levels: background → 0, brightest ink → 255, as a lookup table over the 256 grey levels.
  const bg = ink(background);
  let lo = 255, hi = 0;
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) throw new DataError(`${name}: no digit found: the image is all one colour (grey ${lo})`);
  const peak = Math.max(ink(lo), ink(hi));
  if (peak - bg < MIN_CONTRAST) {
    throw new DataError(
      `${name}: no digit found: nothing stands out from the ${invert ? 'light' : 'dark'} background (grey ${background}): ` +
        `the ${invert ? 'darkest' : 'lightest'} pixel differs by ${peak - bg} of 255, expected at least ${MIN_CONTRAST}`,
    );
  }
  const levels = new Float64Array(256);
  for (let v = 0; v < 256; v++) levels[v] = (Math.min(Math.max(ink(v) - bg, 0), peak - bg) * 255) / (peak - bg);

  // 4. Crop to the ink's bounding box.
  const box = inkBox(grey, width, height, levels);

  // 5. Scale the box so its longer side is 20 px (the shorter keeps the aspect ratio, at least 1 px).
  const scale = DIGIT_BOX / Math.max(box.width, box.height);
  const outWidth = Math.min(DIGIT_BOX, Math.max(1, Math.round(box.width * scale)));
  const outHeight = Math.min(DIGIT_BOX, Math.max(1, Math.round(box.height * scale)));
  const digit = toBytes(boxResample(grey, width, box, levels, outWidth, outHeight));

  // 6. Centre by centre of mass in a 28 × 28 field.
  return centreByMass(digit, outWidth, outHeight);
}

/**
 * The grey level transparent pixels are composited over: the opposite of the
 * ink. Opaque pixels are what is drawn, so if their alpha-weighted mean grey
 * is light (white ink on a transparent canvas) the background is black (0),
 * otherwise white (255: dark ink on a transparent canvas, the common case).
 * For an opaque image the choice changes nothing.
 */
export function compositeBackground(rgba: ArrayLike<number>): number {
  let alphaSum = 0;
  let greySum = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const a = rgba[i + 3];
    alphaSum += a;
    greySum += a * (0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]);
  }
  // Nothing opaque at all: white, and step 3 will find no digit.
  return alphaSum > 0 && greySum / alphaSum > 127.5 ? 0 : 255;
}

/** Step 1: grey = alpha·(0.299 R + 0.587 G + 0.114 B) + (1 − alpha)·background, rounded to a byte. */
function luminance(rgba: ArrayLike<number>, background: number): Uint8Array {
  const grey = new Uint8Array(rgba.length >> 2);
  for (let p = 0, i = 0; p < grey.length; p++, i += 4) {
    const a = rgba[i + 3] / 255;
    const y = 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2];
    grey[p] = Math.round(a * y + (1 - a) * background);
  }
  return grey;
}

/** The median grey level of the pixels on the image's outer edge (all of them for an image 1 or 2 px thin). */
function borderMedian(grey: Uint8Array, width: number, height: number): number {
  const histogram = new Uint32Array(256);
  let count = 0;
  const add = (x: number, y: number): void => {
    histogram[grey[y * width + x]]++;
    count++;
  };
  for (let x = 0; x < width; x++) {
    add(x, 0);
    if (height > 1) add(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    add(0, y);
    if (width > 1) add(width - 1, y);
  }
  // The lower median: the first level at which half the border pixels are reached.
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v];
    if (2 * seen >= count) return v;
  }
  return 255;
}

/** A rectangle of the source image: columns [x, x + width), rows [y, y + height). */
/** A rectangle of an image, in pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Step 4: the smallest rectangle holding every pixel whose level is ≥ INK_THRESHOLD (there is one: the peak is 255). */
function inkBox(grey: Uint8Array, width: number, height: number, levels: Float64Array): Box {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (levels[grey[row + x]] < INK_THRESHOLD) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * For resampling `n` source pixels to `m` (either way): for output pixel o,
 * the first source pixel its footprint [o·n/m, (o+1)·n/m) touches and the
 * share of each touched pixel (overlap / footprint width, summing to 1).
 */
function boxWeights(n: number, m: number): { first: number; weights: number[] }[] {
  const step = n / m;
  const out: { first: number; weights: number[] }[] = [];
  for (let o = 0; o < m; o++) {
    const a = o * step;
    const b = (o + 1) * step;
    const first = Math.floor(a);
    const weights: number[] = [];
    for (let p = first; p < b && p < n; p++) weights.push((Math.min(b, p + 1) - Math.max(a, p)) / step);
    out.push({ first, weights });
  }
  return out;
}

/**
 * Step 5: the box of the source (grey levels mapped through `levels`) resampled
 * to outWidth × outHeight by area averaging: each output pixel is the mean of
 * the source area under it. Separable: rows first, then columns.
 */
export function boxResample(grey: Uint8Array, width: number, box: Box, levels: Float64Array, outWidth: number, outHeight: number): Float64Array {
  const across = boxWeights(box.width, outWidth);
  const down = boxWeights(box.height, outHeight);
  const rows = new Float64Array(box.height * outWidth);
  for (let y = 0; y < box.height; y++) {
    const src = (box.y + y) * width + box.x;
    for (let o = 0; o < outWidth; o++) {
      const { first, weights } = across[o];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * levels[grey[src + first + k]];
      rows[y * outWidth + o] = sum;
    }
  }
  const out = new Float64Array(outHeight * outWidth);
  for (let o = 0; o < outHeight; o++) {
    const { first, weights } = down[o];
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * rows[(first + k) * outWidth + x];
      out[o * outWidth + x] = sum;
    }
  }
  return out;
}

/**
 * Step 5, end: bytes with the brightest pixel at 255. A thin pen stroke on a
 * large photo comes out of the box filter faint (a 5 px line in a 1000 px
 * digit keeps a tenth of its brightness); MNIST's digits reach 255, so we
 * stretch them back up.
 */
function toBytes(values: Float64Array): Uint8Array {
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  const out = new Uint8Array(values.length);
  // max > 0: the box holds at least one pixel at 255 before averaging.
  for (let i = 0; i < values.length; i++) out[i] = Math.round((values[i] * 255) / max);
  return out;
}

/**
 * Step 6: `digit` (w × h bytes) placed in a black 28 × 28 image at the
 * whole-pixel offset that brings its centre of mass into [13.5, 14.5) on each
 * axis, as in MNIST ({@link MNIST_CENTRE}) — unless the digit's mass is so
 * lopsided that this would push part of it out of the field: then it is
 * shifted only as far as fits.
 */
export function centreByMass(digit: Uint8Array, w: number, h: number): Uint8Array {
  if (!(Number.isInteger(w) && Number.isInteger(h) && w >= 1 && h >= 1 && w <= MNIST_SIDE && h <= MNIST_SIDE && digit.length === w * h)) {
    throw new ShapeError(`centreByMass: expected a w × h digit with 1 ≤ w, h ≤ ${MNIST_SIDE}, got ${w} × ${h} and ${digit.length} bytes`);
  }
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = digit[y * w + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  // An empty digit has no centre of mass: put it in the middle.
  const cx = mass > 0 ? mx / mass : (w - 1) / 2;
  const cy = mass > 0 ? my / mass : (h - 1) / 2;
  // The whole-pixel shift that lands the centre in [13.5, 14.5), clamped to keep the digit inside.
  const left = Math.min(Math.max(Math.ceil(MNIST_CENTRE - 0.5 - cx), 0), MNIST_SIDE - w);
  const top = Math.min(Math.max(Math.ceil(MNIST_CENTRE - 0.5 - cy), 0), MNIST_SIDE - h);
  const out = new Uint8Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < h; y++) out.set(digit.subarray(y * w, (y + 1) * w), (top + y) * MNIST_SIDE + left);
  return out;
}
