/**
 * scratchnet's side of the browser benchmark, in its own Worker: the default
 * job (mlp() = 784-64-32-10 ReLU, He init, SGD lr 0.1, batch 32, one Rng(42)
 * for split, init and shuffles) trained with `fit`. The time of an epoch is
 * `EpochLogs.seconds`: its training steps only (batch gathering included,
 * validation excluded), as in bench/scratchnet_epoch.ts.
 */
import { SGD, VERSION, fit, kernels, mlp, type EpochLogs } from '../../src/browser.js';
import { loadBenchData } from './data.js';
import type { BenchJob, FromWorker } from './protocol.js';

const scope = self as unknown as Worker;
const post = (message: FromWorker): void => scope.postMessage(message);

async function run(job: BenchJob): Promise<void> {
  post({ type: 'status', text: 'scratchnet: loading MNIST…' });
  const data = await loadBenchData(job.subset);
  const model = mlp({ rng: data.rng });
  const epochs: EpochLogs[] = [];
  post({ type: 'status', text: `scratchnet: training ${job.epochs} epoch(s) on ${data.train.count} images…` });
  const history = await fit(model, { train: data.train, val: data.val, test: data.test }, {
    epochs: job.epochs,
    batchSize: 32,
    optimizer: new SGD({ lr: 0.1 }),
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
