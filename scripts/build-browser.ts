/**
 * Bundles src/browser.ts for browsers with esbuild (the bundler tsx already
 * runs on; fast, maintained, no config): dist/browser/scratchnet.js (ESM) and
 * dist/browser/scratchnet.iife.js (a <script> that defines `scratchnet`).
 * Runs as the last step of `npm run build`.
 */
import { build } from 'esbuild';

const common = {
  entryPoints: [new URL('../src/browser.ts', import.meta.url).pathname],
  bundle: true,
  platform: 'browser' as const,
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning' as const,
};
await build({ ...common, format: 'esm', outfile: new URL('../dist/browser/scratchnet.js', import.meta.url).pathname });
await build({ ...common, format: 'iife', globalName: 'scratchnet', outfile: new URL('../dist/browser/scratchnet.iife.js', import.meta.url).pathname });
console.log('scripts/build-browser.ts: dist/browser/scratchnet.js, dist/browser/scratchnet.iife.js');
