#!/usr/bin/env node
/**
 * The `scratchnet` executable. Before the library loads, it decides whether
 * the kernels' memory is shared with worker threads: a shared memory is
 * what lets a CNN's convolutions and a wide MLP's products use a second
 * core, but it slows the small MLP's kernels (~20 % an epoch of the
 * tutorial's network, measured in Node 20), so it is shared only when
 * threads will run: `--threads N` above 1, or, on a machine of two or more
 * cores, `train` of a CNN (`--arch lenet5|cnn`, `--layers`) or of an MLP
 * with a hidden layer of WIDE_MLP units or more. The choice travels as
 * SCRATCHNET_THREADS (see kernels/wasm/instance.ts); set it yourself to
 * override.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

/**
 * The MLP width from which a second thread wins (two runs of bench --sweep
 * on a 2-core machine: 1.05-1.50× faster an epoch at 1024,1024 and
 * 2048,2048, batch 32 and 256; 0.79-1.10× at 256,128 and 512,256).
 */
const WIDE_MLP = 1024;

/** The value of `--name V` or `--name=V` in argv, if given. */
function flagValue(argv: readonly string[], name: string): string | undefined {
  const at = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return argv[at].includes('=') ? argv[at].slice(name.length + 1) : argv[at + 1];
}

/** How many kernel threads the command line asks for (explicitly, or the default of a CNN or a wide MLP). */
function threadsWanted(argv: readonly string[]): number {
  const given = flagValue(argv, '--threads');
  if (given !== undefined) {
    const n = Number(given);
    // A bad count is the command's to refuse, with its own message.
    return Number.isSafeInteger(n) && n > 1 ? n : 1;
  }
  if (argv[0] !== 'train') return 1;
  const arch = flagValue(argv, '--arch');
  const cnn = flagValue(argv, '--layers') !== undefined || (arch !== undefined && arch !== 'mlp');
  const wide = (flagValue(argv, '--hidden') ?? '').split(',').some((h) => Number(h) >= WIDE_MLP);
  return cnn || wide ? Math.min(2, availableParallelism()) : 1;
}

const argv = process.argv.slice(2);
process.env.SCRATCHNET_THREADS ??= String(threadsWanted(argv));
// --fma (or SCRATCHNET_FMA=1): the fused product needs relaxed SIMD, which Node 20's V8 validates only with this
// flag (later Node versions have it on); it must be set before the kernels compile.
if (argv[0] === 'train' && argv.includes('--fma')) process.env.SCRATCHNET_FMA = '1';
if (process.env.SCRATCHNET_FMA === '1') setFlagsFromString('--experimental-wasm-relaxed-simd');

// A reader that stops early (`scratchnet train --help | head -3`) closes the
// pipe: end quietly, as Unix tools do, instead of with a stack trace. Files
// are written atomically, so nothing saved is lost.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});
const { main } = await import('./program.js');
process.exitCode = await main(argv);
