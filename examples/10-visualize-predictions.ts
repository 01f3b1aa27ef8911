// Listing 10: visualize_predictions(network, X, y, num_samples=10).
//
// Ten random test digits with the network's prediction ("Pred: k", right or
// wrong) and its confidence, the largest of the ten softmax probabilities;
// then the tutorial's figure (digits over their probability bars). The
// network is trained for one epoch first (about a second). Run:
//   npx tsx examples/10-visualize-predictions.ts [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, fit, gatherBatch, loadBundledMnist, mlp, subset, tensor, toArray2, digitPngDataUrl, predictionsSpec, renderSvg } from 'scratchnet';
// NOTE: the image and chart helpers are not in the public API yet.

const outDir = process.argv[2] ?? 'examples/out';
mkdirSync(outDir, { recursive: true });

// Train the tutorial's network (mlp() is 784-64-32-10 ReLU) for one epoch on all 54,000 images.
const rng = new Rng(42);
const data = loadBundledMnist(0.1, rng);
const network = mlp({ rng });
await fit(network, data, { epochs: 1, rng });

// Get random indices (without replacement) and their images.
const numSamples = 10;
const samples = subset(data.test, rng.permutation(data.test.count).subarray(0, numSamples));
const pixels = new Float32Array(numSamples * 784);
const labels = new Uint8Array(numSamples);
gatherBatch(pixels, samples, Uint32Array.from({ length: numSamples }, (_, i) => i), 0, numSamples, labels);
const X = tensor(pixels, [numSamples, 784]);

// Get predictions and confidence scores (softmax of the logits).
const predictions = network.predict(X);
const probs = toArray2(network.predictProba(X));
const items = [];
for (let i = 0; i < numSamples; i++) {
  const confidence = Math.max(...probs[i]);
  const mark = predictions[i] === labels[i] ? 'right' : 'WRONG';
  console.log(`Pred: ${predictions[i]}  true: ${labels[i]}  Confidence: ${confidence.toFixed(2)}  ${mark}`);
  items.push({ url: digitPngDataUrl(samples.x.subarray(i * 784, (i + 1) * 784)), label: labels[i], probabilities: probs[i] });
}

// The figure: green "Pred" when right, red when wrong, and the ten probability bars.
const path = join(outDir, 'predictions.svg');
writeFileSync(path, await renderSvg(predictionsSpec(items)));
console.log(`Wrote ${path}`);
