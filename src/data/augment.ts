/**
 * Augmentation of training images: each image of a batch moved, turned and
 * resized a little at random (a new draw every time it is seen), so that a
 * network learns digits and things that are not always upright and centred.
 * Seeded: the same seed, epoch and batch give the same transforms, so a run
 * (and a resumed one) is reproducible. Byte images only; never validation
 * or test.
 */
import { ConfigError } from '../errors.js';
import { Rng } from '../rng.js';

/** The largest random change of each kind (0: none). */
export interface Augmentation {
  /** Pixels, in each direction (a shift of up to ±shift). */
  shift: number;
  /** Degrees, either way. */
  rotate: number;
  /** A fraction: sizes from 1 − scale to 1 + scale. */
  scale: number;
}

/** `shift=2,rotate=10,scale=0.1` (any of the three, in any order) as an Augmentation; a ConfigError says what is wrong. */
export function parseAugment(spec: string): Augmentation {
  const aug: Augmentation = { shift: 0, rotate: 0, scale: 0 };
  const limits: Record<keyof Augmentation, number> = { shift: 64, rotate: 180, scale: 0.9 };
  for (const part of spec.split(',')) {
    const m = /^\s*(shift|rotate|scale)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(part);
    if (m === null) throw new ConfigError(`--augment: expected items like shift=2,rotate=10,scale=0.1, got ${JSON.stringify(part.trim())}`);
    const key = m[1] as keyof Augmentation;
    const value = Number(m[2]);
    if (value > limits[key]) throw new ConfigError(`--augment: ${key} must be at most ${limits[key]}, got ${value}`);
    aug[key] = value;
  }
  return aug;
}

/** The generator of one batch's transforms: from the run's augmentation seed, the epoch and the batch only. */
export function batchRng(seed: number, epoch: number, batch: number): Rng {
  return new Rng((Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(epoch + 1, 0x165667b1) ^ Math.imul(batch + 1, 0x9e3779b1)) >>> 0);
}

/**
 * Writes each of `count` images of `src` (channel-first bytes of
 * `shape` [channels, height, width]), transformed, into `out`: a random
 * rotation, scale and shift about the image's centre (one draw per image,
 * the same for its channels), sampled bilinearly, black outside the image.
 */
export function augmentImages(out: Uint8Array, src: Uint8Array, count: number, shape: readonly number[], aug: Augmentation, rng: Rng): void {
  const [channels, height, width] = shape;
  const size = channels * height * width;
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  for (let n = 0; n < count; n++) {
    const angle = ((2 * rng.uniform() - 1) * aug.rotate * Math.PI) / 180;
    const s = 1 + (2 * rng.uniform() - 1) * aug.scale;
    const dx = (2 * rng.uniform() - 1) * aug.shift, dy = (2 * rng.uniform() - 1) * aug.shift;
    // Output (x, y) reads the source at the inverse transform: rotate by −angle, divide by s, undo the shift.
    const cos = Math.cos(angle) / s, sin = Math.sin(angle) / s;
    for (let c = 0; c < channels; c++) {
      const plane = n * size + c * height * width;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const u = x - cx - dx, v = y - cy - dy;
          const sx = cos * u + sin * v + cx, sy = -sin * u + cos * v + cy;
          const x0 = Math.floor(sx), y0 = Math.floor(sy);
          const fx = sx - x0, fy = sy - y0;
          const at = (xx: number, yy: number): number => (xx >= 0 && xx < width && yy >= 0 && yy < height ? src[plane + yy * width + xx] : 0);
          const value = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
          out[plane + y * width + x] = Math.round(value);
        }
      }
    }
  }
}
