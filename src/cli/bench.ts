import { Command } from 'commander';
import { kernelBackend } from '../kernels/index.js';
import { loadBundledMnist } from '../io/mnist.js';
import { mlp } from '../model/mlp.js';
import { Rng } from '../rng.js';
import { evaluate } from '../train/evaluate.js';
import { fit } from '../train/fit.js';
import { positiveInt } from './options.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The `bench` command: times scratchnet alone on this machine (the default
 * job: one epoch of the tutorial's network on 54,000 images). Side-by-side
 * comparisons with NumPy and TF.js are `npm run bench` in the repository.
 */
export function benchCommand(): Command {
  return new Command('bench')
    .description("time one epoch of the tutorial's job (54,000 MNIST images, 784-64-32-10, batch 32) and inference over the 10,000 test images")
    .option('--reps <n>', 'repetitions (the median is reported)', positiveInt, 3)
    .option('--json', 'print the results as one JSON line at the end', false)
    .addHelpText('after', '\nExamples:\n  $ scratchnet bench\n  $ scratchnet bench --reps 7 --json\n  $ SCRATCHNET_KERNELS=js scratchnet bench   # the plain-JS kernels, for comparison\n\nIn the repository, `npm run bench` runs the same job side by side with the tutorial\'s NumPy code and TensorFlow.js.\n')
    .action(async (flags: { reps: number; json: boolean }) => {
      const epochs: number[] = [];
      const inference: number[] = [];
      let accuracy = 0;
      for (let rep = 0; rep < flags.reps; rep++) {
        const rng = new Rng(42);
        const data = loadBundledMnist(0.1, rng);
        const model = mlp({ rng });
        const history = await fit(model, { train: data.train }, { epochs: 1, rng });
        const t = performance.now();
        accuracy = evaluate(model, data.test).accuracy;
        inference.push((performance.now() - t) / 1000);
        // History.seconds includes nothing but this epoch here (no validation set given).
        epochs.push(data.train.count / history.imagesPerSecond);
        console.log(`rep ${rep + 1}/${flags.reps}: ${epochs[rep].toFixed(3)} s/epoch, test accuracy ${accuracy.toFixed(4)}`);
      }
      const epoch = median(epochs);
      const result = { kernels: kernelBackend, secondsPerEpoch: epoch, imagesPerSecond: 54000 / epoch, testAccuracy: accuracy, inferenceSeconds: median(inference), reps: flags.reps };
      console.log(`${kernelBackend} kernels: ${epoch.toFixed(3)} s/epoch (median of ${flags.reps}), ${Math.round(result.imagesPerSecond)} images/s; inference over 10,000 test images ${result.inferenceSeconds.toFixed(3)} s`);
      if (flags.json) console.log(JSON.stringify(result));
    });
}
