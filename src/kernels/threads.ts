/**
 * A second core for the kernels that are worth it: worker threads, each with
 * its own instance of the SIMD module on the process's shared kernel memory
 * (in Node when SCRATCHNET_THREADS was above 1 as the library loaded; in a
 * browser's worker on a cross-origin-isolated page that set
 * `globalThis.SCRATCHNET_THREADS` before loading it: see wasm/instance.ts).
 * A caller splits its work into
 * parts that write disjoint outputs and compute every output exactly as one
 * thread would (split by images or by output rows, never by a sum), so the
 * results do not depend on the thread count; {@link runParts} runs part 0
 * on this thread and the others on the workers, and returns when all are
 * done. A hand-off costs tens of microseconds (an Atomics.notify and a
 * wake-up), so only kernels of a millisecond or more are split (conv.ts).
 */
import { sharedKernelsForThreads, type WasmKernels } from './wasm/instance.js';

/** The kernels a worker can run (their indices are the protocol of WORKER_LOOP). */
const KERNELS = ['convForwardImages', 'im2colImages', 'convWeightGradRows', 'convInputGradImages', 'gemm'] as const;
export type ThreadKernel = (typeof KERNELS)[number];

interface Thread {
  block: Int32Array;
  worker: { terminate(): unknown };
}

const threads: Thread[] = [];

/**
 * A worker thread's program, after its prologue has `module`, `memory`,
 * `gemmFma`, `control`, `names` and `ready`: its own instance of the SIMD
 * kernels on the shared kernel memory (with the fused product when this
 * process uses it), waiting on its control block for a call. The
 * block (Int32Array): [0] state (0 idle, 1 a call is posted, 2 the call
 * failed), [1] the kernel's index in `names`, [2…] its i32 arguments.
 */
const WORKER_LOOP = `
const fns = { ...new WebAssembly.Instance(module, { env: { memory } }).exports };
if (gemmFma !== null) fns.gemm = new WebAssembly.Instance(gemmFma, { env: { memory } }).exports.gemm;
const kernels = names.map((name) => fns[name]);
const block = new Int32Array(control);
ready();
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

/** Node: a CommonJS script run with `eval` (no file of its own in the package or under tsx), its data in workerData. */
const NODE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, gemmFma, control, names } = workerData;
const ready = () => parentPort.postMessage('ready');
${WORKER_LOOP}`;

/** Browsers: a classic worker script from a Blob URL, its data in its first message. */
const BROWSER_WORKER = `
self.onmessage = ({ data: { module, memory, gemmFma, control, names } }) => {
  const ready = () => self.postMessage('ready');
  ${WORKER_LOOP}
};`;

/** How many threads the split kernels use (this one included): 1 until {@link setThreads}. */
export function threadCount(): number {
  return threads.length + 1;
}

/**
 * Uses `n` threads for the split kernels (this one and n − 1 workers),
 * where threads are possible (see the top of this file); resolves to the
 * count in use once the workers are ready (1 where threads are not
 * possible, or a worker could not start).
 */
export async function setThreads(n: number): Promise<number> {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`setThreads: expected a positive integer, got ${String(n)}`);
  const shared = sharedKernelsForThreads();
  const spawn = shared === null ? null : (nodeWorkers() ?? browserWorkers());
  if (shared === null || spawn === null) return threadCount();
  while (threads.length > n - 1) await (threads.pop() as Thread).worker.terminate();
  const starting: Promise<Thread | null>[] = [];
  for (let i = threads.length; i < n - 1; i++) {
    const control = new SharedArrayBuffer(4 * 16);
    starting.push(spawn({ module: shared.module, memory: shared.memory, gemmFma: shared.gemmFma, control, names: [...KERNELS] }));
  }
  for (const thread of await Promise.all(starting)) if (thread !== null) threads.push(thread);
  return threadCount();
}

/** What a worker gets: the module, the memory, its control block and the kernels' names. */
interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  gemmFma: WebAssembly.Module | null;
  control: SharedArrayBuffer;
  names: string[];
}
type Spawn = (data: WorkerData) => Promise<Thread | null>;

/** Node's worker threads (worker_threads, without importing it: the browser build has no such module), or null elsewhere. */
function nodeWorkers(): Spawn | null {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const workerThreads = process?.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
  if (workerThreads === undefined) return null;
  return (workerData) => {
    const worker = new workerThreads.Worker(NODE_WORKER, { eval: true, workerData });
    return new Promise((resolve) => {
      worker.once('message', () => {
        // Ready: from now on it waits on its block, which must not keep the process alive.
        worker.unref();
        resolve({ block: new Int32Array(workerData.control), worker });
      });
      worker.once('error', () => resolve(null));
      worker.once('exit', () => resolve(null));
    });
  };
}

let browserWorkerUrl: string | undefined;

/** A browser's dedicated workers (from a Blob URL of BROWSER_WORKER), or null where there are none. */
function browserWorkers(): Spawn | null {
  const g = globalThis as { Worker?: new (url: string) => BrowserWorker; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof g.Worker !== 'function' || g.Blob === undefined || g.URL === undefined) return null;
  const WorkerClass = g.Worker;
  browserWorkerUrl ??= g.URL.createObjectURL(new g.Blob([BROWSER_WORKER], { type: 'text/javascript' }));
  const url = browserWorkerUrl;
  return (data) =>
    new Promise((resolve) => {
      let worker: BrowserWorker;
      try {
        worker = new WorkerClass(url);
      } catch {
        return resolve(null);
      }
      worker.onmessage = () => resolve({ block: new Int32Array(data.control), worker });
      worker.onerror = () => resolve(null);
      try {
        worker.postMessage(data);
      } catch {
        // The memory or module could not be sent (no cross-origin isolation after all).
        worker.terminate();
        resolve(null);
      }
    });
}

/** The part of a browser's Worker used here (typed locally: the Node build has no DOM types). */
interface BrowserWorker {
  onmessage: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  postMessage(data: unknown): void;
  terminate(): void;
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
