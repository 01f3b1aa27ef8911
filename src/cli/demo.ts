import { Command } from 'commander';
import { formatMatrixOperationsDemo, matrixOperationsDemo } from '../report/matrix-ops.js';
import { seedValue } from './options.js';

/** The `demo` command: the tutorial's matrix-operations walkthrough in the terminal. */
export function demoCommand(): Command {
  return new Command('demo')
    .description("print the tutorial's matrix-operations walkthrough: a batch of 3 through Dense → ReLU → Dense → softmax")
    .option('--seed <n>', 'seed of the random inputs and weights', seedValue, 42)
    .addHelpText('after', '\nExample:\n  $ scratchnet demo --seed 7\n')
    .action((flags: { seed: number }) => {
      console.log(formatMatrixOperationsDemo(matrixOperationsDemo(flags.seed)));
    });
}
