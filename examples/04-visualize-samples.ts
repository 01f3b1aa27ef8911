// Listing 4: visualize_mnist_samples(X, y, num_samples=5).
//
// The first five training images with their labels: drawn in the terminal
// (the first one) and written as an SVG figure. Run:
//   npx tsx examples/04-visualize-samples.ts [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundledMnist, digitPngDataUrl, samplesSpec, renderSvg } from 'scratchnet';
// NOTE: the image and chart helpers are not in the public API yet.

const outDir = process.argv[2] ?? 'examples/out';
mkdirSync(outDir, { recursive: true });

// The same split as example 03's CSVs (same rows, same seed 42), read from
// the bundled IDX files so this runs without the CSVs.
const { train } = loadBundledMnist(0.1, 42);
const numSamples = 5;

const samples = [];
for (let i = 0; i < numSamples; i++) {
  // Reshape the 784 pixel values to a 28×28 image: row r is pixels 28r … 28r+27.
  const img = train.x.subarray(i * 784, (i + 1) * 784);
  const label = train.y[i];
  console.log(`Label: ${label}`);
  samples.push({ url: digitPngDataUrl(img), label });
}

// The first sample as text, one character per pixel (darker = more ink).
const shades = ' .:-=+*#%@';
console.log(`\nSample 0 (label ${train.y[0]}):`);
for (let r = 0; r < 28; r++) {
  let line = '';
  for (let c = 0; c < 28; c++) line += shades[Math.floor((train.x[r * 28 + c] / 256) * shades.length)];
  console.log(line);
}

const path = join(outDir, 'mnist-samples.svg');
writeFileSync(path, await renderSvg(samplesSpec(samples)));
console.log(`Wrote ${path}`);
