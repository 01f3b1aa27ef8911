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
