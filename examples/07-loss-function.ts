// Listing 7: softmax_crossentropy_with_logits(logits, labels).
//
// The mean cross-entropy of the softmax of the logits against the true
// labels, and its gradient (softmax − one_hot) / batch_size, on a batch of 3
// examples with 4 classes, checked against the tutorial's formula. Run:
//   npx tsx examples/07-loss-function.ts
import { softmaxCrossEntropyWithLogits, tensor, toArray2 } from 'scratchnet';

const fmt = (rows: number[][]): string => `[${rows.map((r) => `[${r.map((v) => v.toFixed(4).padStart(7)).join(' ')}]`).join('\n ')}]`;

// Raw model outputs (batch_size=3, num_classes=4) and the true labels.
const logits = tensor([
  [2.0, 1.0, 0.1, -1.0], // confident and right (label 0)
  [0.5, 2.5, 0.3, 0.0], // confident and right (label 1)
  [1.5, 0.2, 0.1, 0.3], // confident and wrong (label 3)
]);
const labels = [0, 1, 3];

const { loss, gradLogits } = softmaxCrossEntropyWithLogits(logits, labels);
console.log(`Logits:\n${fmt(toArray2(logits))}`);
console.log(`Labels: [${labels.join(' ')}]`);
console.log(`\nLoss: ${loss.toFixed(6)}`);
console.log(`Gradient dL/dlogits:\n${fmt(toArray2(gradLogits))}`);

// The tutorial's computation, step by step in float64, to compare with.
const batchSize = labels.length;
let expectedLoss = 0;
const expectedGrad = toArray2(logits).map((row, r) => {
  const max = Math.max(...row); // numeric stability
  const exps = row.map((z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const probs = exps.map((e) => e / sum);
  expectedLoss -= Math.log(probs[labels[r]] + 1e-9) / batchSize;
  return probs.map((p, j) => (p - (j === labels[r] ? 1 : 0)) / batchSize);
});
const gradOk = toArray2(gradLogits).every((row, r) => row.every((v, j) => Math.abs(v - expectedGrad[r][j]) < 1e-6));
console.log(`\nLoss matches the tutorial's formula: ${Math.abs(loss - expectedLoss) < 1e-5}`);
console.log(`Gradient matches (softmax − one_hot) / batch_size: ${gradOk}`);

// Each row of the gradient sums to 0: the softmax sums to 1, the one-hot too.
const rowSums = toArray2(gradLogits).map((row) => row.reduce((a, b) => a + b, 0));
console.log(`Gradient row sums (should be 0): [${rowSums.map((s) => Math.abs(s).toFixed(6)).join(' ')}]`);

// Knowing nothing (equal logits) costs log(number of classes).
const uniform = softmaxCrossEntropyWithLogits(tensor([[0, 0, 0, 0]]), [2]).loss;
console.log(`\nLoss of a uniform guess over 4 classes: ${uniform.toFixed(6)} (log 4 = ${Math.log(4).toFixed(6)})`);
