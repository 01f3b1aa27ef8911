/**
 * scratchnet's entry in the benchmark: the tutorial's network with the
 * library's defaults (784-64-32-10 ReLU, He init, SGD lr 0.1, batch 32, seed
 * 42) on the bundled MNIST, through the public API of the built package
 * (`dist/`, so run `npm run build` first; `npm run bench` does).
 *
 * Usage: tsx bench/scratchnet_epoch.ts [--epochs 1]
 * Prints one JSON line on stdout:
 * {"peer":"scratchnet","epochSeconds":[…],"testAccuracy":…,"inferenceSeconds":…,"maxRssMB":…,…}
 */
import { parseArgs } from 'node:util';
import { evaluate, fit, loadBundledMnist, mlp, Rng, SGD, VERSION, type EpochLogs } from '../dist/index.js';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '1' } } });
const epochs = Number(values.epochs);
if (!Number.isInteger(epochs) || epochs < 1) {
  process.stderr.write(`scratchnet_epoch: --epochs: expected a positive integer, got ${JSON.stringify(values.epochs)}\n`);
  process.exit(2);
}

const rng = new Rng(42); // one generator: split, init, shuffling
const data = loadBundledMnist(0.1, rng);
const model = mlp({ rng });
const epochLogs: EpochLogs[] = [];
// EpochLogs.seconds is the wall time of the epoch's training steps only
// (batch gathering included, validation excluded).
const history = await fit(model, data, {
  epochs,
  batchSize: 32,
  optimizer: new SGD({ lr: 0.1 }),
  rng,
  callbacks: { onEpochEnd: (logs) => epochLogs.push(logs) },
});

const inferenceStart = performance.now();
const test = evaluate(model, data.test);
const inferenceSeconds = (performance.now() - inferenceStart) / 1000;

process.stdout.write(
  JSON.stringify({
    peer: 'scratchnet',
    epochSeconds: epochLogs.map((logs) => logs.seconds),
    testAccuracy: history.testAccuracy,
    inferenceSeconds,
    inferenceAccuracy: test.accuracy,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    trainLoss: history.trainLoss,
    valAccuracy: history.valAccuracy,
    version: VERSION,
  }) + '\n',
);
