/**
 * TensorFlow.js's side of the browser benchmark, in its own Worker: the same
 * network as bench/tfjs_epoch.ts (784-64-32-10 ReLU, He-normal init, softmax
 * + categorical cross-entropy, SGD lr 0.1, batch 32, shuffle) trained with
 * `model.fit` on the wasm backend (XNNPACK, SIMD). The page is not
 * cross-origin isolated, so there is no SharedArrayBuffer and TF.js runs its
 * single-threaded SIMD binary. The binaries come from this page's own folder:
 * the SIMD one is fetched and handed over as a blob: URL typed
 * application/wasm, so that streaming compilation works whatever MIME type
 * the static server gives .wasm files.
 * The time of an epoch is onEpochBegin → onEpochEnd (no validation data).
 */
import * as tf from '@tensorflow/tfjs';
import { accuracyOf, timedFit, toTensors, tutorialModel } from '../tfjs-model.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadBenchData } from './data.js';
import type { BenchJob, FromWorker } from './protocol.js';

const scope = self as unknown as Worker;
const post = (message: FromWorker): void => scope.postMessage(message);

/** A dataset's pixels as a [count, features] float tensor in [0, 1], and its labels one-hot. */
async function initWasm(): Promise<string> {
  const base = new URL('./', location.href).href;
  const simd = await fetch(`${base}tfjs-backend-wasm-simd.wasm`);
  if (!simd.ok) throw new Error(`tfjs-backend-wasm-simd.wasm: HTTP ${simd.status}`);
  const simdUrl = URL.createObjectURL(new Blob([await simd.arrayBuffer()], { type: 'application/wasm' }));
  setWasmPaths({
    'tfjs-backend-wasm.wasm': `${base}tfjs-backend-wasm.wasm`,
    'tfjs-backend-wasm-simd.wasm': simdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': `${base}tfjs-backend-wasm-threaded-simd.wasm`,
  });
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  await tf.ready();
  const simdOn = String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return `${tf.getBackend()} (simd=${simdOn} threads=${threads})`;
}

async function run(job: BenchJob): Promise<void> {
  post({ type: 'status', text: 'TF.js: starting the wasm backend…' });
  const backend = await initWasm();
  post({ type: 'status', text: 'TF.js: loading MNIST…' });
  const data = await loadBenchData(job.subset);
  const train = toTensors(data.train);
  const test = toTensors(data.test);

  const model = tutorialModel();

  post({ type: 'status', text: `TF.js: training ${job.epochs} epoch(s) on ${data.train.count} images…` });
  const { epochSeconds, trainLoss } = await timedFit(model, train.x, train.y, job.epochs);

  const testAccuracy = await accuracyOf(model, test.x, data.test.y);
  const secondsPerEpoch = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
  post({
    type: 'done',
    result: {
      library: 'tfjs-wasm',
      epochSeconds,
      secondsPerEpoch,
      imagesPerSecond: data.train.count / secondsPerEpoch,
      testAccuracy,
      trainCount: data.train.count,
      testCount: data.test.count,
      trainLoss,
      loadSeconds: data.loadSeconds,
      backend,
      version: tf.version.tfjs,
    },
  });
}

scope.onmessage = (event: MessageEvent<BenchJob>) => {
  run(event.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
};
