/**
 * TensorFlow.js peer of the benchmark: the tutorial's network (784-64-32-10
 * ReLU, He-normal init, SGD lr 0.1, batch 32) trained with `model.fit` on the
 * bundled MNIST, on the `cpu` (plain JS) or `wasm` (XNNPACK) backend.
 *
 * Usage: tsx bench/tfjs_epoch.ts --backend wasm|cpu [--epochs 1]
 * Prints one JSON line on stdout (the last line):
 * {"peer":"tfjs-wasm","epochSeconds":[…],"testAccuracy":…,"inferenceSeconds":…,"maxRssMB":…,…}
 *
 * Nothing is downloaded: the wasm binaries are read from
 * node_modules/@tensorflow/tfjs-backend-wasm/dist through `setWasmPaths`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { accuracyOf, timedFit, toTensors, tutorialModel } from './tfjs-model.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadBundledMnist, Rng } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '1' },
  },
});
const backend = values.backend ?? 'wasm';
const epochs = Number(values.epochs);
if (backend !== 'wasm' && backend !== 'cpu') fail(`--backend: expected cpu or wasm, got ${JSON.stringify(backend)}`);
if (!Number.isInteger(epochs) || epochs < 1) fail(`--epochs: expected a positive integer, got ${JSON.stringify(values.epochs)}`);

function fail(message: string): never {
  process.stderr.write(`tfjs_epoch: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  if (backend === 'wasm') {
    // A plain directory path: in Node the Emscripten loader reads it with fs.
    const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/');
    setWasmPaths(wasmDir);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: the ${backend} backend did not initialise`);
  await tf.ready();
  const flavour =
    backend === 'wasm'
      ? `simd=${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))} threads=${String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))}`
      : 'plain JS';

  // The same split as scratchnet's (seed 42); TF.js shuffles with its own generator.
  const data = loadBundledMnist(0.1, new Rng(42));
  const train = toTensors(data.train);
  const test = toTensors(data.test);

  const model = tutorialModel();

  const { epochSeconds, trainLoss } = await timedFit(model, train.x, train.y, epochs);

  // Inference over the 10k test images, in chunks of 1000 like scratchnet's evaluate.
  const inferenceStart = performance.now();
  const testAccuracy = await accuracyOf(model, test.x, data.test.y);
  const inferenceSeconds = (performance.now() - inferenceStart) / 1000;

  process.stdout.write(
    JSON.stringify({
      peer: `tfjs-${backend}`,
      epochSeconds,
      testAccuracy,
      inferenceSeconds,
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
      trainLoss,
      tfjs: tf.version.tfjs,
      backendInfo: `${tf.getBackend()} (${flavour})`,
    }) + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`tfjs_epoch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
