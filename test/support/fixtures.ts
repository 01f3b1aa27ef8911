import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Small data files built at test time (nothing big is committed): IDX bytes,
 * the tutorial's CSV text, and a temporary folder to write them into.
 */

/** An IDX file: magic 00 00, `type` (0x08 = unsigned byte), rank, u32 big-endian dims, then `data`. */
export function idxBytes(dims: number[], data: ArrayLike<number>, type = 0x08): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = type;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(Array.from(data), 4 + 4 * dims.length);
  return bytes;
}

/** Options for {@link csvText}. */
export interface CsvOptions {
  /** Line ending (default `\n`). */
  eol?: '\n' | '\r\n';
  /** End the last row with a line ending (default true). */
  trailingNewline?: boolean;
}

/** The tutorial's CSV: a header `label,1x1,…` then `label,p1,…,pN` per row. */
export function csvText(labels: number[], pixels: number[][], options: CsvOptions = {}): string {
  const eol = options.eol ?? '\n';
  const features = pixels[0]?.length ?? 784;
  const header = ['label', ...Array.from({ length: features }, (_, j) => `${Math.floor(j / 28) + 1}x${(j % 28) + 1}`)];
  const lines = [header.join(','), ...labels.map((label, r) => [label, ...pixels[r]].join(','))];
  return lines.join(eol) + (options.trailingNewline === false ? '' : eol);
}

/** A row of `features` pixels, deterministic in `seed`. */
export function pixelRow(features: number, seed: number): number[] {
  return Array.from({ length: features }, (_, j) => (seed * 31 + j * 7) % 256);
}

/** A fresh temporary folder and a function that deletes it. */
export function tempDir(): { dir: string; write: (name: string, data: string | Uint8Array) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-test-'));
  return {
    dir,
    write: (name, data) => {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
