// Listing 11: the confusion matrix ("Calculate Metrics" in the tutorial's
// evaluation diagram: accuracy and the confusion matrix on the test set).
//
// Row t, column p counts the test images of digit t the network called p: the
// diagonal is right, everything else a mistake. Then per-class precision,
// recall and F1. The network is trained for one epoch first. Run:
//   npx tsx examples/11-confusion-matrix.ts [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, classificationReport, confusionMatrix, evaluate, fit, loadBundledMnist, mlp, confusionSpec, renderSvg } from 'scratchnet';
// NOTE: the chart spec and the SVG renderer are not in the public API yet.

const outDir = process.argv[2] ?? 'examples/out';
mkdirSync(outDir, { recursive: true });

const rng = new Rng(42);
const data = loadBundledMnist(0.1, rng);
const network = mlp({ rng });
await fit(network, data, { epochs: 1, rng });

// Forward pass on the test data, then the predicted class of each image.
const { accuracy, predictions } = evaluate(network, data.test);
console.log(`Test accuracy: ${accuracy.toFixed(4)}`);

const matrix = confusionMatrix(predictions, data.test.y);
const k = matrix.classes;
console.log('\nConfusion matrix (rows: true label, columns: predicted label):');
console.log(`     ${Array.from({ length: k }, (_, p) => String(p).padStart(5)).join('')}`);
for (let t = 0; t < k; t++) {
  const row = Array.from(matrix.counts.subarray(t * k, (t + 1) * k), (n) => String(n).padStart(5));
  console.log(`${String(t).padStart(5)}${row.join('')}`);
}

// Precision: of the images called t, how many were t. Recall: of the t's, how many were found.
const report = classificationReport(matrix);
console.log('\ndigit  precision  recall  f1      support');
report.perClass.forEach((m, digit) => {
  console.log(`${String(digit).padStart(5)}  ${m.precision.toFixed(4)}     ${m.recall.toFixed(4)}  ${m.f1.toFixed(4)}  ${m.support}`);
});
console.log(`macro  ${report.macro.precision.toFixed(4)}     ${report.macro.recall.toFixed(4)}  ${report.macro.f1.toFixed(4)}  ${report.total}`);

const path = join(outDir, 'confusion-matrix.svg');
writeFileSync(path, await renderSvg(confusionSpec(matrix)));
console.log(`Wrote ${path}`);
