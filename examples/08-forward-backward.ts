// Listing 8: forward(network, X), predict(network, X) and train(network, X, y).
//
// The tutorial's network is a plain list of layers. forward() returns every
// layer's output, predict() the most likely class of each row, and train()
// does one mini-batch step: forward, loss, backward in reverse order, update.
// Run:
//   npx tsx examples/08-forward-backward.ts
import { Dense, ReLU, Rng, SGD, forward, gatherBatch, loadBundledMnist, predict, tensor, train } from 'scratchnet';

const rng = new Rng(42);
const { train: trainSet } = loadBundledMnist(0.1, rng);

// A batch of the first 32 training images, pixels scaled to [0, 1].
const batchSize = 32;
const order = Uint32Array.from({ length: trainSet.count }, (_, i) => i);
const pixels = new Float32Array(batchSize * 784);
const y = new Uint8Array(batchSize);
gatherBatch(pixels, trainSet, order, 0, batchSize, y);
const X = tensor(pixels, [batchSize, 784]);

// The tutorial's network: 784 → 64 → 32 → 10 with ReLU between.
const network = [new Dense(784, 64, { rng }), new ReLU(), new Dense(64, 32, { rng }), new ReLU(), new Dense(32, 10, { rng })];

// forward(): one output per layer; the last one is the logits.
const activations = forward(network, X);
console.log('Layer outputs of forward(network, X):');
activations.forEach((a, i) => console.log(`  layer ${i} (${network[i].constructor.name}): (${a.shape.join(', ')})`));

console.log(`\nLabels:      [${Array.from(y.subarray(0, 10)).join(' ')} …]`);
console.log(`Predictions: [${Array.from(predict(network, X).subarray(0, 10)).join(' ')} …] (untrained)`);

// train(): each call is one SGD step (lr 0.1, the tutorial's) on the batch.
// Training on the same batch again and again, the loss must fall.
const optimizer = new SGD({ lr: 0.1 });
for (let step = 1; step <= 20; step++) {
  const loss = train(network, X, y, optimizer);
  if (step === 1 || step % 5 === 0) console.log(`Step ${String(step).padStart(2)}: loss ${loss.toFixed(4)}`);
}

const predictions = predict(network, X);
const correct = predictions.reduce((n, p, i) => n + (p === y[i] ? 1 : 0), 0);
console.log(`\nPredictions: [${Array.from(predictions.subarray(0, 10)).join(' ')} …] (after 20 steps)`);
console.log(`Correct on this batch: ${correct}/${batchSize}`);
