/**
 * This machine's WebAssembly SIMD peak: a register-only loop of independent
 * f32x4 multiplies and adds (the two instructions the product kernels use
 * per four multiply-adds, src/kernels/wasm/matmul.ts), with no memory access
 * in the loop, on one thread and on `threads` worker threads at once. The
 * physical yardstick for the sweep's GFLOP/s.
 *
 * Usage: tsx bench/peak.ts [--threads 2]   (prints one JSON line)
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import wabtInit from 'wabt';

/**
 * Independent chains acc = acc · y + x: each step depends on the last (so
 * the engine can neither fold nor hoist the multiply), and 16 of them hide
 * a multiply's and an add's latency on two or more vector ports.
 */
const ACCUMULATORS = 16;
/** Floating-point operations per loop iteration: each accumulator, 4 lanes, a multiply and an add. */
export const FLOPS_PER_ITERATION = ACCUMULATORS * 4 * 2;

/** The WAT of `peak(iterations, out)`: acc_i = acc_i · y + x, i < ACCUMULATORS, `iterations` times; the sum is stored at `out`. */
function peakWat(): string {
  const accs = Array.from({ length: ACCUMULATORS }, (_, i) => `$a${i}`);
  const body = accs.map((a) => `(local.set ${a} (f32x4.add (f32x4.mul (local.get ${a}) (local.get $y)) (local.get $x)))`).join('\n');
  const sum = accs.slice(1).reduce((acc, a) => `(f32x4.add ${acc} (local.get ${a}))`, `(local.get ${accs[0]})`);
  return `(module (memory (export "memory") 1)
  (func (export "peak") (param $n i32) (param $out i32) (local $i i32) (local $x v128) (local $y v128) ${accs.map((a) => `(local ${a} v128)`).join(' ')}
    (local.set $x (f32x4.splat (f32.const 0.001)))
    (local.set $y (f32x4.splat (f32.const 0.999)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      ${body}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $loop)))
    (v128.store (local.get $out) ${sum})))`;
}

/** The module's bytes. */
export async function peakModule(): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await wabtInit();
  const module = wabt.parseWat('peak.wat', peakWat(), { simd: true });
  const { buffer } = module.toBinary({});
  module.destroy();
  return new Uint8Array(buffer);
}

/** GFLOP/s of one thread running the loop for about `seconds` (best of 5 timings after a warm-up). */
function timePeak(bytes: Uint8Array<ArrayBuffer>, seconds: number): number {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const peak = exports.peak as (n: number, out: number) => void;
  peak(1e6, 0);
  let n = 1e6;
  for (let t = performance.now(); performance.now() - t < 50; ) {
    const t0 = performance.now();
    peak(n, 0);
    if (performance.now() - t0 > 20) break;
    n *= 2;
  }
  const reps = Math.max(1, Math.round((seconds * 1000) / 5 / Math.max(1, (() => { const t0 = performance.now(); peak(n, 0); return performance.now() - t0; })())));
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) peak(n, 0);
    best = Math.min(best, (performance.now() - t0) / reps / 1000);
  }
  return (n * FLOPS_PER_ITERATION) / best / 1e9;
}

/** The peak on one thread, and the sum over `threads` threads running at once (each in a worker). */
export async function simdPeak(threads: number, seconds = 1): Promise<{ oneThread: number; threads: number; allThreads: number }> {
  const bytes = await peakModule();
  const oneThread = timePeak(bytes, seconds);
  const source = `const { parentPort, workerData } = require('node:worker_threads');
    ${timePeak.toString()}
    const FLOPS_PER_ITERATION = ${FLOPS_PER_ITERATION};
    parentPort.postMessage(timePeak(workerData.bytes, workerData.seconds));`;
  const each = await Promise.all(
    Array.from({ length: threads }, () => new Promise<number>((resolve, reject) => {
      const w = new Worker(source, { eval: true, workerData: { bytes, seconds } });
      w.once('message', (v: number) => { resolve(v); void w.terminate(); });
      w.once('error', reject);
    })),
  );
  return { oneThread, threads, allThreads: each.reduce((a, b) => a + b, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' } } });
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) {
    process.stderr.write(`peak: --threads: expected a positive integer, got ${JSON.stringify(values.threads)}\n`);
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(await simdPeak(threads)) + '\n');
}
