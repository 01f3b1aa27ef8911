/**
 * TensorFlow.js peer of the convolutional benchmark (`npm run bench -- --arch
 * lenet5|cnn`): the CLI's network of that name (ARCHITECTURES, translated
 * layer by layer by cnnModel in tfjs-model.ts), Adam lr 1e-3, batch 64, on
 * the plain-JS `cpu` backend. (Its wasm backend cannot train a convolution:
 * it has no Conv2DBackpropFilter kernel.)
 *
 * At a few images a second an epoch would take hours, so this times
 * `--batches N` steps (default 20) on shuffled batches of scratchnet's split,
 * after one untimed warm-up step, and projects the epoch from their rate:
 * epoch seconds = training images ÷ (timed images ÷ timed seconds). The
 * model has not seen an epoch, so no test accuracy is measured (null).
 *
 * Usage: tsx bench/tfjs_cnn.ts --arch lenet5|cnn [--batches 20] [--limit N]
 * Prints one JSON line on stdout (the last line):
 * {"peer":"tfjs-cpu","projected":true,"epochSeconds":[…],"testAccuracy":null,…}
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { cnnModel, toTensors } from './tfjs-model.js';
import { ARCHITECTURES, architectureOf, loadBundledMnist, Rng, sequentialFromSpec, subset } from '../dist/index.js';

const BATCH = 64;

function fail(message: string): never {
  process.stderr.write(`tfjs_cnn: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({ options: { arch: { type: 'string', default: 'lenet5' }, batches: { type: 'string', default: '20' }, limit: { type: 'string' } } });
const positive = (name: string, text: string | undefined): number => {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 ? n : fail(`--${name}: expected a positive integer, got ${JSON.stringify(text)}`);
};
const arch = values.arch ?? 'lenet5';
if (!Object.hasOwn(ARCHITECTURES, arch)) fail(`--arch: expected one of ${Object.keys(ARCHITECTURES).join(', ')}, got ${JSON.stringify(arch)}`);
const batches = positive('batches', values.batches);
const limit = values.limit === undefined ? undefined : positive('limit', values.limit);

async function main(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs: the cpu backend did not initialise');
  await tf.ready();

  // scratchnet's split (seed 42), its first N images with --limit, as scratchnet_epoch.ts.
  const rng = new Rng(42);
  const data = loadBundledMnist(0.1, rng);
  const train = limit !== undefined && limit < data.train.count ? subset(data.train, Uint32Array.from({ length: limit }, (_, i) => i)) : data.train;
  const flat = toTensors(train);
  const x = flat.x.reshape([train.count, 28, 28, 1]) as tf.Tensor4D;
  flat.x.dispose();

  const layers = architectureOf(sequentialFromSpec(ARCHITECTURES[arch as keyof typeof ARCHITECTURES], [1, 28, 28], new Rng(0))).layers;
  const model = cnnModel(layers);

  // Batches of a fresh shuffle of the training set each pass (as an epoch's would be).
  let order = rng.permutation(train.count);
  let at = 0;
  const nextBatch = (): Int32Array => {
    if (at >= train.count) {
      order = rng.permutation(train.count);
      at = 0;
    }
    const picked = Int32Array.from(order.subarray(at, at + BATCH));
    at += BATCH;
    return picked;
  };
  const step = async (): Promise<{ loss: number; images: number }> => {
    const picked = nextBatch();
    const indices = tf.tensor1d(picked, 'int32');
    const xb = tf.gather(x, indices);
    const yb = tf.gather(flat.y, indices);
    const loss = await model.trainOnBatch(xb, yb);
    tf.dispose([indices, xb, yb]);
    return { loss: Number(loss), images: picked.length };
  };

  // One untimed step: kernel set-up and V8's first compilation fall there, not on the projection.
  const warmup = await step();
  let images = 0;
  const losses: number[] = [];
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    const r = await step();
    images += r.images;
    losses.push(r.loss);
  }
  const seconds = (performance.now() - start) / 1000;
  const imagesPerSecond = images / seconds;

  process.stdout.write(
    JSON.stringify({
      peer: 'tfjs-cpu',
      arch,
      projected: true,
      epochSeconds: [train.count / imagesPerSecond],
      testAccuracy: null,
      inferenceSeconds: null,
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
      trainCount: train.count,
      testCount: data.test.count,
      batchSize: BATCH,
      timedBatches: batches,
      timedImages: images,
      timedSeconds: seconds,
      warmupLoss: warmup.loss,
      batchLoss: losses,
      paramCount: model.countParams(),
      tfjs: tf.version.tfjs,
      backendInfo: `${tf.getBackend()} (plain JS)`,
    }) + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`tfjs_cnn: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
