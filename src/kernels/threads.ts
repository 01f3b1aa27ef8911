/**
 * A second core for the kernels that are worth it: worker threads, each with
 * its own instance of the SIMD module on the process's shared kernel memory
 * (Node only for now, and only when SCRATCHNET_THREADS was above 1 as the
 * library loaded: see wasm/instance.ts). A caller splits its work into
 * parts that write disjoint outputs and compute every output exactly as one
 * thread would (split by images or by output rows, never by a sum), so the
 * results do not depend on the thread count; {@link runParts} runs part 0
 * on this thread and the others on the workers, and returns when all are
 * done. A hand-off costs tens of microseconds (an Atomics.notify and a
 * wake-up), so only kernels of a millisecond or more are split (conv.ts).
 */
import { sharedKernelsForThreads, type WasmKernels } from './wasm/instance.js';

/** The kernels a worker can run (their indices are the protocol of WORKER_PROGRAM). */
const KERNELS = ['convForwardImages', 'im2colImages', 'convWeightGradRows', 'convInputGradImages', 'gemm'] as const;
export type ThreadKernel = (typeof KERNELS)[number];

interface Thread {
  block: Int32Array;
  worker: { terminate(): Promise<number> };
}

const threads: Thread[] = [];

/**
 * A worker thread's program (a CommonJS script, run with `eval`, so that it
 * needs no file of its own in the package or under tsx): its own instance
 * of the SIMD kernels on the process's shared kernel memory, waiting on its
 * control block for a call. The block (Int32Array): [0] state (0 idle, 1 a
 * call is posted, 2 the call failed), [1] the kernel's index in `names`,
 * [2…] its i32 arguments.
 */
const WORKER_PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, control, names } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const kernels = names.map((name) => instance.exports[name]);
const block = new Int32Array(control);
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(block, 0, 0);
  const kernel = kernels[block[1]];
  let state = 0;
  try {
    kernel(...block.subarray(2, 2 + kernel.length));
  } catch (err) {
    state = 2;
  }
  Atomics.store(block, 0, state);
  Atomics.notify(block, 0);
}
`;

/** How many threads the split kernels use (this one included): 1 until {@link setThreads}. */
export function threadCount(): number {
  return threads.length + 1;
}

/**
 * Uses `n` threads for the split kernels (this one and n − 1 workers),
 * where threads are possible (Node, with the environment variable
 * SCRATCHNET_THREADS above 1 when the library was loaded, which makes the
 * kernel memory shared); resolves to the count in use once the workers are
 * ready (1 where threads are not possible, or a worker could not start).
 */
export async function setThreads(n: number): Promise<number> {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`setThreads: expected a positive integer, got ${String(n)}`);
  const shared = sharedKernelsForThreads();
  const workerThreads = workerThreadsModule();
  if (shared === null || workerThreads === null) return threadCount();
  while (threads.length > n - 1) await (threads.pop() as Thread).worker.terminate();
  const starting: Promise<Thread | null>[] = [];
  for (let i = threads.length; i < n - 1; i++) {
    const control = new SharedArrayBuffer(4 * 16);
    const workerData = { module: shared.module, memory: shared.memory, control, names: [...KERNELS] };
    const worker = new workerThreads.Worker(WORKER_PROGRAM, { eval: true, workerData });
    starting.push(
      new Promise((resolve) => {
        worker.once('message', () => {
          // Ready: from now on it waits on its block, which must not keep the process alive.
          worker.unref();
          resolve({ block: new Int32Array(control), worker });
        });
        worker.once('error', () => resolve(null));
        worker.once('exit', () => resolve(null));
      }),
    );
  }
  for (const thread of await Promise.all(starting)) if (thread !== null) threads.push(thread);
  return threadCount();
}

/**
 * Runs `kernel` once per part: part p with `args(p)` (its i32 arguments),
 * part 0 here and part p on worker p − 1 (parts ≤ threadCount()), in
 * parallel; returns when every part is done.
 */
export function runParts(wasm: WasmKernels, kernel: ThreadKernel, parts: number, args: (part: number) => readonly number[]): void {
  const id = KERNELS.indexOf(kernel);
  for (let p = 1; p < parts; p++) {
    const { block } = threads[p - 1];
    const a = args(p);
    block[1] = id;
    for (let i = 0; i < a.length; i++) block[2 + i] = a[i];
    Atomics.store(block, 0, 1);
    Atomics.notify(block, 0);
  }
  (wasm[kernel] as (...a: number[]) => void)(...args(0));
  for (let p = 1; p < parts; p++) {
    const thread = threads[p - 1];
    while (Atomics.load(thread.block, 0) === 1) Atomics.wait(thread.block, 0, 1, 1000);
    if (Atomics.load(thread.block, 0) === 2) {
      Atomics.store(thread.block, 0, 0);
      throw new Error(`scratchnet: a kernel thread failed in ${kernel}`);
    }
  }
}

/** Node's worker_threads, without importing it (the browser build has no such module). */
function workerThreadsModule(): typeof import('node:worker_threads') | null {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (process?.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined) ?? null;
}

