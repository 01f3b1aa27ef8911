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
