/**
 * scratchnet's side of the browser benchmark, in its own Worker: the default
 * job (mlp() = 784-64-32-10 ReLU, He init, SGD lr 0.1, batch 32, one Rng(42)
 * for split, init and shuffles) trained with `fit`; with `arch` lenet5 or cnn,
 * that network of ARCHITECTURES with Adam lr 1e-3 and batch 64. Model, data
 * and generator are those of bench/scratchnet_epoch.ts --arch, so Node and
 * the browser train the same weights on the same batches. The time of an
 * epoch is `EpochLogs.seconds`: its training steps only (batch gathering
 * included, validation excluded), as in bench/scratchnet_epoch.ts.
 */
import { ARCHITECTURES, Adam, SGD, VERSION, fit, kernels, mlp, sequentialFromSpec, type EpochLogs } from '../../src/browser.js';
import { loadBenchData } from './data.js';
import type { BenchJob, FromWorker } from './protocol.js';

const scope = self as unknown as Worker;
const post = (message: FromWorker): void => scope.postMessage(message);

async function run(job: BenchJob): Promise<void> {
  post({ type: 'status', text: 'scratchnet: loading MNIST…' });
  const data = await loadBenchData(job.subset);
  const cnn = job.arch !== 'mlp';
  const model = job.arch === 'mlp' ? mlp({ rng: data.rng }) : sequentialFromSpec(ARCHITECTURES[job.arch], [1, 28, 28], data.rng);
  const epochs: EpochLogs[] = [];
  post({ type: 'status', text: `scratchnet: training ${job.arch} for ${job.epochs} epoch(s) on ${data.train.count} images…` });
  const history = await fit(model, { train: data.train, val: data.val, test: data.test }, {
    epochs: job.epochs,
    batchSize: cnn ? 64 : 32,
    optimizer: cnn ? new Adam({ lr: 1e-3 }) : new SGD({ lr: 0.1 }),
    rng: data.rng,
    callbacks: { onEpochEnd: (logs) => epochs.push(logs) },
  });
  const epochSeconds = epochs.map((logs) => logs.seconds);
  const secondsPerEpoch = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
  post({
    type: 'done',
    result: {
      library: 'scratchnet',
      epochSeconds,
      secondsPerEpoch,
      imagesPerSecond: data.train.count / secondsPerEpoch,
      testAccuracy: history.testAccuracy ?? NaN,
      trainCount: data.train.count,
      testCount: data.test.count,
      trainLoss: history.trainLoss,
      loadSeconds: data.loadSeconds,
      backend: kernels.kernelBackend,
      version: VERSION,
    },
  });
}

scope.onmessage = (event: MessageEvent<BenchJob>) => {
  run(event.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
};
