// Listing 9: train_mnist_network(X_train, y_train, X_val, y_val,
//                                num_epochs=5, batch_size=32, subset_size=10000).
//
// The tutorial's network (784 → 64 → ReLU → 32 → ReLU → 10) trained with
// mini-batch SGD (lr 0.1) on a random 10,000 of the training images, scored
// on the validation set after each epoch; then the two training plots. The
// epoch loop (shuffle, batches, train, validate) is scratchnet's `fit`. Runs
// in a few seconds:
//   npx tsx examples/09-train-mnist-network.ts [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dense, ReLU, Rng, SGD, Sequential, evaluate, fit, loadBundledMnist, subset, type Dataset, historySpec, renderSvg } from 'scratchnet';
// NOTE: the chart spec and the SVG renderer are not in the public API yet.

const outDir = process.argv[2] ?? 'examples/out';
mkdirSync(outDir, { recursive: true });

// One generator for the split, the weights, the subset and the shuffling.
const rng = new Rng(42);

async function trainMnistNetwork(train: Dataset, val: Dataset, numEpochs = 5, batchSize = 32, subsetSize = 10000): Promise<Sequential> {
  // Initialize the network.
  const network = new Sequential(
    [
      new Dense(784, 64, { rng }), // Input layer -> Hidden layer 1
      new ReLU(), // Activation function
      new Dense(64, 32, { rng }), // Hidden layer 1 -> Hidden layer 2
      new ReLU(), // Activation function
      new Dense(32, 10, { rng }), // Hidden layer 2 -> Output layer
    ],
    784,
  );
  console.log('Network architecture:');
  for (const line of network.summary()) console.log(line);

  // Use a subset for faster training during demo (np.random.choice without replacement).
  const trainSubset = subsetSize < train.count ? subset(train, rng.permutation(train.count).subarray(0, subsetSize)) : train;
  console.log(`\nTraining on ${trainSubset.count} examples`);

  // Mini-batch SGD: fit shuffles the data each epoch, cuts it into batches
  // and runs train(network, X_batch, y_batch) on each.
  const numBatches = Math.ceil(trainSubset.count / batchSize);
  const history = await fit(network, { train: trainSubset, val }, {
    epochs: numEpochs,
    batchSize,
    optimizer: new SGD({ lr: 0.1 }),
    rng,
    callbacks: {
      onEpochBegin: (epoch) => console.log(`Epoch ${epoch + 1}/${numEpochs}`),
      onBatchEnd: ({ batch, loss }) => {
        // Print progress.
        if (batch % 20 === 0) console.log(`  Batch ${batch + 1}/${numBatches}, Loss: ${loss.toFixed(4)}`);
      },
      // NOTE: the whole validation set (6,000 images), not a random 1,000 of it as in the tutorial.
      onEpochEnd: ({ trainLoss, valAccuracy }) =>
        console.log(`  Epoch complete - Avg Loss: ${trainLoss.toFixed(4)}, Validation Accuracy: ${valAccuracy.toFixed(4)}`),
    },
  });

  // Plot training history: the loss of every batch, the validation accuracy per epoch.
  const path = join(outDir, 'training-history.svg');
  writeFileSync(path, await renderSvg(historySpec(history)));
  console.log(`Wrote ${path}`);
  return network;
}

const { train, val, test } = loadBundledMnist(0.1, rng);
const network = await trainMnistNetwork(train, val);

// Not in the tutorial's listing: the held-out test set, for a number to compare.
console.log(`Test accuracy: ${evaluate(network, test).accuracy.toFixed(4)}`);
