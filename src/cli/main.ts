#!/usr/bin/env node
/**
 * The `scratchnet` executable. Before the library loads, it decides whether
 * the kernels' memory is shared with worker threads: a shared memory is
 * what lets a CNN's convolutions use a second core, but it slows the MLP's
 * kernels (~20 % an epoch of the tutorial's network, measured in Node 20),
 * so it is shared only when threads will run: `--threads N` above 1, or a
 * CNN (`--arch lenet5|cnn`, `--layers`) on a machine of two or more cores.
 * The choice travels as SCRATCHNET_THREADS (see kernels/wasm/instance.ts);
 * set it yourself to override.
 */
import { availableParallelism } from 'node:os';

/** How many kernel threads the command line asks for (explicitly, or a CNN's default). */
function threadsWanted(argv: readonly string[]): number {
  const at = argv.findIndex((a) => a === '--threads' || a.startsWith('--threads='));
  if (at >= 0) {
    const n = Number(argv[at].includes('=') ? argv[at].slice('--threads='.length) : argv[at + 1]);
    // A bad count is the command's to refuse, with its own message.
    return Number.isSafeInteger(n) && n > 1 ? n : 1;
  }
  const cnn = argv.some((a, i) => a === '--layers' || a.startsWith('--layers=') || (a === '--arch' && argv[i + 1] !== 'mlp') || (a.startsWith('--arch=') && a !== '--arch=mlp'));
  return argv[0] === 'train' && cnn ? Math.min(2, availableParallelism()) : 1;
}

const argv = process.argv.slice(2);
process.env.SCRATCHNET_THREADS ??= String(threadsWanted(argv));

// A reader that stops early (`scratchnet train --help | head -3`) closes the
// pipe: end quietly, as Unix tools do, instead of with a stack trace. Files
// are written atomically, so nothing saved is lost.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});
const { main } = await import('./program.js');
process.exitCode = await main(argv);
