/**
 * scratchnet's entry in the benchmark, through the public API of the built
 * package (`dist/`, so run `npm run build` first; `npm run bench` does), with
 * one Rng(42) for the split, the initial weights and the shuffles, as
 * `scratchnet train` uses it:
 * - `--arch mlp` (default): the tutorial's network with the library's
 *   defaults (784-64-32-10 ReLU, He init, SGD lr 0.1, batch 32);
 * - `--arch lenet5|cnn`: the CLI's network of that name (ARCHITECTURES, built
 *   by sequentialFromSpec for [1, 28, 28] images as `scratchnet train --arch`
 *   does), Adam lr 1e-3, batch 64.
 * Both train on the CLI's split: 54,000 of the 60,000 training images, 6,000
 * held out for validation (`--limit N`: only the first N of the 54,000).
 *
 * Usage: tsx bench/scratchnet_epoch.ts [--arch mlp|lenet5|cnn] [--epochs 1] [--limit N] [--threads 1] [--hidden 64,32] [--batch-size N]
 * Prints one JSON line on stdout:
 * {"peer":"scratchnet","epochSeconds":[…],"testAccuracy":…,"inferenceSeconds":…,"maxRssMB":…,…}
 */
import { parseArgs } from 'node:util';
import { Adam, ARCHITECTURES, evaluate, fit, loadBundledMnist, mlp, Rng, SGD, sequentialFromSpec, setThreads, subset, VERSION, type EpochLogs } from '../dist/index.js';

const { values } = parseArgs({ options: { arch: { type: 'string', default: 'mlp' }, epochs: { type: 'string', default: '1' }, limit: { type: 'string' }, threads: { type: 'string', default: '1' }, hidden: { type: 'string' }, 'batch-size': { type: 'string' } } });
const fail = (message: string): never => {
  process.stderr.write(`scratchnet_epoch: ${message}\n`);
  process.exit(2);
};
const positive = (name: string, text: string | undefined): number => {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 ? n : fail(`--${name}: expected a positive integer, got ${JSON.stringify(text)}`);
};
const epochs = positive('epochs', values.epochs);
const limit = values.limit === undefined ? undefined : positive('limit', values.limit);
const threads = positive('threads', values.threads);
if ((await setThreads(threads)) !== threads) fail(`--threads: ${threads} threads are not available here (set SCRATCHNET_THREADS=${threads} in the environment: it makes the kernel memory shared)`);
const arch = values.arch ?? 'mlp';
if (arch !== 'mlp' && !Object.hasOwn(ARCHITECTURES, arch)) fail(`--arch: expected mlp or one of ${Object.keys(ARCHITECTURES).join(', ')}, got ${JSON.stringify(arch)}`);

const rng = new Rng(42); // one generator: split, init, shuffling
const data = loadBundledMnist(0.1, rng);
// The first N images of the split, as the browser page's ?subset=N (no draw from rng: the init stays the same).
const train = limit !== undefined && limit < data.train.count ? subset(data.train, Uint32Array.from({ length: limit }, (_, i) => i)) : data.train;
const cnn = arch !== 'mlp';
const hidden = values.hidden === undefined ? undefined : values.hidden.split(',').map((h) => positive('hidden', h));
if (cnn && hidden !== undefined) fail('--hidden: the MLP only');
const model = cnn ? sequentialFromSpec(ARCHITECTURES[arch as keyof typeof ARCHITECTURES], [1, 28, 28], rng) : mlp({ rng, ...(hidden === undefined ? {} : { hidden }) });
const batchSize = values['batch-size'] === undefined ? (cnn ? 64 : 32) : positive('batch-size', values['batch-size']);
const optimizer = cnn ? new Adam({ lr: 1e-3 }) : new SGD({ lr: 0.1 });
const epochLogs: EpochLogs[] = [];
// EpochLogs.seconds is the wall time of the epoch's training steps only
// (batch gathering included, validation excluded).
const history = await fit(model, { train, val: data.val }, {
  epochs,
  batchSize,
  optimizer,
  rng,
  callbacks: { onEpochEnd: (logs) => epochLogs.push(logs) },
});

const inferenceStart = performance.now();
const test = evaluate(model, data.test);
const inferenceSeconds = (performance.now() - inferenceStart) / 1000;

process.stdout.write(
  JSON.stringify({
    peer: 'scratchnet',
    arch,
    epochSeconds: epochLogs.map((logs) => logs.seconds),
    testAccuracy: test.accuracy,
    inferenceSeconds,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    trainCount: train.count,
    testCount: data.test.count,
    batchSize,
    optimizer: optimizer.config(),
    paramCount: model.paramCount(),
    trainLoss: history.trainLoss,
    valAccuracy: history.valAccuracy,
    version: VERSION,
  }) + '\n',
);
