/**
 * The default job's network and data in TensorFlow.js, shared by the Node
 * peer (tfjs_epoch.ts) and the browser page's worker (browser/tfjs-worker.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** The pixels (bytes, scaled to [0, 1]) and one-hot labels of a dataset, as tensors. */
export function toTensors(set: { x: Uint8Array; y: Uint8Array; count: number; features: number }): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const pixels = new Float32Array(set.x.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = set.x[i] / 255;
  const x = tf.tensor2d(pixels, [set.count, set.features]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(set.y), 'int32'), 10).toFloat() as tf.Tensor2D);
  return { x, y };
}

/** 784-64-32-10 ReLU with He-normal weights, compiled with SGD 0.1 and categorical cross-entropy. */
export function tutorialModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 42 }) }),
      tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 43 }) }),
      // Keras's way: softmax output with categorical cross-entropy (TF.js layers have no from-logits loss).
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.heNormal({ seed: 44 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: [] });
  return model;
}

/**
 * Trains `model` for `epochs` (batch 32, shuffled) and times only the training
 * steps of each epoch, from onEpochBegin to onEpochEnd (no validation data is
 * passed, so nothing else runs inside).
 */
export async function timedFit(model: tf.Sequential, x: tf.Tensor2D, y: tf.Tensor2D, epochs: number): Promise<{ epochSeconds: number[]; trainLoss: number[] }> {
  const epochSeconds: number[] = [];
  const trainLoss: number[] = [];
  let epochStart = 0;
  await model.fit(x, y, {
    epochs,
    batchSize: 32,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => {
        epochStart = performance.now();
      },
      onEpochEnd: async (_epoch, logs) => {
        epochSeconds.push((performance.now() - epochStart) / 1000);
        trainLoss.push(Number(logs?.loss));
      },
    },
  });
  return { epochSeconds, trainLoss };
}

/** The fraction of `x`'s rows whose argmax prediction equals `labels` (chunks of 1000, as scratchnet's evaluate). */
export async function accuracyOf(model: tf.Sequential, x: tf.Tensor2D, labels: Uint8Array): Promise<number> {
  const predicted = tf.tidy(() => (model.predict(x, { batchSize: 1000 }) as tf.Tensor2D).argMax(1));
  const predictions = (await predicted.data()) as Int32Array;
  predicted.dispose();
  let correct = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / predictions.length;
}

/** A scratchnet layer config, as `architectureOf(model).layers` lists them. */
interface LayerConfigLike {
  kind: string;
  [option: string]: unknown;
}

/**
 * The TF.js network of a scratchnet CNN's layer list (conv2d, maxpool2d,
 * avgpool2d, relu, flatten, dense; what ARCHITECTURES uses) for 28 × 28 × 1
 * images, He-normal kernels and zero biases as scratchnet's, compiled with
 * Adam (lr 1e-3, scratchnet's and PyTorch's betas and epsilon) and
 * categorical cross-entropy on a softmax output (as tutorialModel).
 * NOTE: channels-last, TF.js's native layout: with one input channel the
 * pixels are in the same order as scratchnet's NCHW, but Flatten orders the
 * features differently, which changes nothing for a benchmark from a random init.
 */
export function cnnModel(layers: readonly LayerConfigLike[]): tf.Sequential {
  const model = tf.sequential();
  let first = true;
  const shape = (): { inputShape?: number[] } => (first ? { inputShape: [28, 28, 1] } : {});
  let seed = 42;
  const he = (): ReturnType<typeof tf.initializers.heNormal> => tf.initializers.heNormal({ seed: seed++ });
  layers.forEach((layer, i) => {
    const last = i === layers.length - 1;
    const num = (key: string): number => Number(layer[key]);
    switch (layer.kind) {
      case 'conv2d': {
        const k = num('kernelSize');
        const p = num('padding');
        const same = p > 0 && num('stride') === 1 && 2 * p === k - 1;
        if (p > 0 && !same) {
          model.add(tf.layers.zeroPadding2d({ padding: p, ...shape() }));
          first = false;
        }
        model.add(tf.layers.conv2d({ filters: num('outChannels'), kernelSize: k, strides: num('stride'), padding: same ? 'same' : 'valid', kernelInitializer: he(), ...shape() }));
        break;
      }
      case 'maxpool2d':
      case 'avgpool2d': {
        const pool = layer.kind === 'maxpool2d' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
        model.add(pool({ poolSize: num('size'), strides: num('stride'), ...shape() }));
        break;
      }
      case 'relu':
        model.add(tf.layers.reLU(shape()));
        break;
      case 'flatten':
        model.add(tf.layers.flatten(shape()));
        break;
      case 'dense':
        model.add(tf.layers.dense({ units: num('outputUnits'), kernelInitializer: he(), activation: last ? 'softmax' : undefined, ...shape() }));
        break;
      default:
        throw new Error(`cnnModel: layer ${i + 1} is a ${layer.kind}; this builds conv2d, maxpool2d, avgpool2d, relu, flatten and dense only`);
    }
    first = false;
  });
  model.compile({ optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-8), loss: 'categoricalCrossentropy', metrics: [] });
  return model;
}
