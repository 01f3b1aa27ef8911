import { Command, CommanderError } from 'commander';
import { ScratchnetError } from '../errors.js';
import { VERSION } from '../version.js';
import { benchCommand } from './bench.js';
import { compareCommand } from './compare.js';
import { dataCommand } from './data-command.js';
import { demoCommand } from './demo.js';
import { evaluateCommand } from './evaluate.js';
import { exportCommand } from './export.js';
import { gradcheckCommand } from './gradcheck.js';
import { lrFindCommand } from './lr-find.js';
import { predictCommand } from './predict.js';
import { reportCommand } from './report.js';
import { serveCommand } from './serve.js';
import { sweepCommand } from './sweep.js';
import { trainCommand } from './train.js';

/**
 * The `scratchnet` command line. Errors caused by the user's input (a bad
 * file, a bad flag) end with one line on stderr and exit code 2; anything else
 * is a bug and keeps its stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('scratchnet')
    .description('Neural networks from scratch: train, evaluate and explain the MNIST network of the tutorial.')
    .version(VERSION);
  program.addCommand(trainCommand()).addCommand(reportCommand()).addCommand(demoCommand()).addCommand(exportCommand()).addCommand(evaluateCommand()).addCommand(predictCommand()).addCommand(compareCommand()).addCommand(sweepCommand()).addCommand(gradcheckCommand()).addCommand(lrFindCommand()).addCommand(benchCommand()).addCommand(dataCommand()).addCommand(serveCommand());
  for (const command of [program, ...program.commands]) {
    // Throw instead of exiting so that every user error ends here with exit code 2.
    command.exitOverride().configureOutput({ outputError: (text, write) => write(`scratchnet: ${text}`) });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command may set its own exit code (train: 130 after Ctrl-C).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help text).
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof ScratchnetError) {
      process.stderr.write(`scratchnet: error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
