import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { boxResample, type RgbaImage } from '../data/image.js';
import { ConfigError, DataError } from '../errors.js';
import { readPngImage } from './image-files.js';

/** How `--images` makes every picture the same: its size and channels. */
export interface ImageFolderOptions {
  height: number;
  width: number;
  /** 1: grey (luma), 3: R, G, B planes (channel-first, as the convolutions take them). */
  channels: 1 | 3;
  /** Skip (and count) files that are not readable PNGs, instead of stopping at the first. */
  skipBad: boolean;
}

/** A folder of class folders read into one Dataset (bytes, channel-first), with what it skipped. */
export interface ImageFolder {
  data: Dataset;
  /** The shape of one image: [channels, height, width]. */
  shape: [number, number, number];
  /** Each skipped file and why (with skipBad). */
  skipped: { path: string; reason: string }[];
  /** Files that are not PNGs (by name), left out. */
  ignored: number;
}

/**
 * Reads `DIR/<class name>/*.png` (the layout of Keras'
 * image_dataset_from_directory and torchvision's ImageFolder): classes are
 * the sub-folders' names, sorted; every PNG of any size, grey or colour, is
 * composited on black where transparent, made grey (Rec. 601 luma) or kept
 * as R, G, B, and resized to height × width by area averaging (each output
 * pixel the mean of the source area under it). Files in sorted order, so a
 * folder reads the same everywhere.
 */
export function readImageFolder(dir: string, options: ImageFolderOptions): ImageFolder {
  const { height, width, channels } = options;
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    throw new DataError(`${dir}: not a folder that can be read: expected a folder with one sub-folder of PNG images per class`);
  }
  const classes = entries.filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isDirectory());
  if (classes.length < 2) throw new DataError(`${dir}: expected a sub-folder of PNG images for each class (two or more), found ${classes.length === 0 ? 'none' : `only ${classes[0]}`}`);
  if (classes.length > 256) throw new DataError(`${dir}: ${classes.length} class folders: at most 256`);
  const size = channels * height * width;
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const skipped: { path: string; reason: string }[] = [];
  let ignored = 0;
  classes.forEach((name, c) => {
    const folder = join(dir, name);
    const files = readdirSync(folder).sort();
    let found = 0;
    for (const file of files) {
      const path = join(folder, file);
      if (!/\.png$/i.test(file) || !statSync(path).isFile()) {
        ignored++;
        continue;
      }
      let image: RgbaImage;
      try {
        image = readPngImage(path);
      } catch (err) {
        if (!(err instanceof DataError) || !options.skipBad) {
          throw err instanceof DataError ? new DataError(`${err.message} (give --skip-bad to leave such files out)`) : err;
        }
        skipped.push({ path, reason: err.message.startsWith(`${path}: `) ? err.message.slice(path.length + 2) : err.message });
        continue;
      }
      images.push(toPlanes(image, height, width, channels));
      labels.push(c);
      found++;
    }
    if (found === 0) throw new DataError(`${folder}: no readable PNG image in the class folder "${name}": every class needs at least one`);
  });
  const x = new Uint8Array(images.length * size);
  images.forEach((img, i) => x.set(img, i * size));
  const shape: [number, number, number] = [channels, height, width];
  return { data: { x, y: Uint8Array.from(labels), count: images.length, features: size, classes, shape }, shape, skipped, ignored };
}

/** `28` or `32x48` (height × width) as --image-size takes it. */
export function imageSize(text: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text.trim());
  const [h, w] = m === null ? [NaN, NaN] : [Number(m[1]), Number(m[2] ?? m[1])];
  if (!(h >= 1 && w >= 1 && h <= 512 && w <= 512)) throw new ConfigError(`--image-size: expected a size like 28 or 32x48 (height x width, 1–512), got ${JSON.stringify(text)}`);
  return [h, w];
}

/** Byte b as the level b: area averaging of plain bytes through {@link boxResample}. */
const IDENTITY = Float64Array.from({ length: 256 }, (_, b) => b);

/** One image as `channels` planes of height × width bytes: composited on black, grey or RGB, area-resampled (as --images reads each file). */
export function toPlanes(image: RgbaImage, height: number, width: number, channels: 1 | 3): Uint8Array {
  const { width: sw, height: sh, rgba } = image;
  // The source as `channels` byte planes, transparent parts black.
  const planes = Array.from({ length: channels }, () => new Uint8Array(sw * sh));
  for (let p = 0; p < sw * sh; p++) {
    const a = rgba[4 * p + 3] / 255;
    const [r, g, b] = [rgba[4 * p] * a, rgba[4 * p + 1] * a, rgba[4 * p + 2] * a];
    if (channels === 1) planes[0][p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else [planes[0][p], planes[1][p], planes[2][p]] = [Math.round(r), Math.round(g), Math.round(b)];
  }
  const out = new Uint8Array(channels * height * width);
  const whole = { x: 0, y: 0, width: sw, height: sh };
  planes.forEach((plane, c) => {
    const resized = boxResample(plane, sw, whole, IDENTITY, width, height);
    for (let i = 0; i < resized.length; i++) out[c * height * width + i] = Math.min(255, Math.round(resized[i]));
  });
  return out;
}
