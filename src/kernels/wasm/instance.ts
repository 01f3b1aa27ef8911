import { gemmFmaSharedWasmBase64, gemmFmaWasmBase64, kernelsMemoryPages, kernelsSharedWasmBase64, kernelsWasmBase64 } from './module.generated.js';

/** The exported functions of the SIMD module (pointers are byte offsets into `memory`). */
export interface WasmKernels {
  readonly memory: WebAssembly.Memory;
  matmul(out: number, a: number, b: number, m: number, k: number, n: number): void;
  matmulTransA(out: number, a: number, b: number, m: number, k: number, n: number): void;
  matmulTransB(out: number, a: number, b: number, m: number, k: number, n: number): void;
  bytesToUnit(out: number, idx: number, val: number, rowEnd: number, src: number, rows: number, cols: number): number;
  compressByteRows(src: number, rows: number, cols: number, rowEnd: number, idx16: number, val8: number, base: number): number;
  gatherByteRows(order: number, count: number, rowStart: number, idx16: number, val8: number, outIdx: number, outVal: number, outRowEnd: number, table: number): number;
  scatterRows(out: number, idx: number, val: number, rowEnd: number, rows: number, cols: number): void;
  compressRows(idx: number, val: number, rowEnd: number, x: number, rows: number, cols: number): number;
  sparseMatmul(out: number, idx: number, val: number, rowEnd: number, b: number, m: number, n: number): void;
  sparseMatmulTransA(out: number, idx: number, val: number, rowEnd: number, g: number, m: number, n: number): void;
  addBias(bias: number, out: number, rows: number, cols: number): void;
  sumColumns(out: number, a: number, rows: number, cols: number): void;
  adamStep(
    value: number, grad: number, m: number, v: number, n: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    coupled: number, shrink: number, stepSize: number, invCorrection2: number, eps: number,
  ): void;
  sgdMomentumStep(value: number, grad: number, v: number, n: number, lr: number, mu: number, keep: number, wd: number, first: number, nesterov: number): void;
  rmspropStep(value: number, grad: number, v: number, n: number, lr: number, alpha: number, oneMinusAlpha: number, eps: number, mu: number, wd: number): void;
  rmspropMomentumStep(value: number, grad: number, v: number, b: number, n: number, lr: number, alpha: number, oneMinusAlpha: number, eps: number, mu: number, wd: number): void;
  adagradStep(value: number, grad: number, s: number, n: number, lr: number, eps: number, wd: number): void;
  axpy(y: number, alpha: number, x: number, n: number): void;
  softmaxRows(out: number, logits: number, rows: number, cols: number, stats: number, scale: number): void;
  reluForward(out: number, x: number, n: number): void;
  reluBackward(out: number, x: number, g: number, n: number): void;
  im2col(col: number, x: number, n: number, c: number, h: number, w: number, k: number, stride: number, padding: number, outH: number, outW: number, ranges: number): void;
  maxPool2d(out: number, argmax: number, x: number, planes: number, h: number, w: number, k: number, stride: number, outH: number, outW: number): void;
  col2im(dx: number, dcol: number, n: number, c: number, h: number, w: number, k: number, stride: number, padding: number, outH: number, outW: number, ranges: number): void;
  addChannelBias(out: number, bias: number, planes: number, channels: number, hw: number): void;
  maxPool2x2(out: number, argmax: number, x: number, planes: number, h: number, w: number, outH: number, outW: number): void;
  convForwardImages(desc: number, out: number, x: number, w: number, bias: number, col: number, b0: number, b1: number, pack: number): void;
  im2colImages(desc: number, col: number, x: number, b0: number, b1: number): void;
  convWeightGradRows(desc: number, dw: number, part: number, g: number, col: number, n: number, o0: number, o1: number, first: number): void;
  convInputGradImages(desc: number, dx: number, w: number, g: number, dcol: number, b0: number, b1: number, pack: number): void;
  gemm(out: number, a: number, b: number, m: number, k: number, n: number, aRow: number, aInner: number, bInner: number, bCol: number, pack: number, j0: number, j1: number): void;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The compiled module and the shared memory its instance runs on, for other threads' instances (null: no threads here). */
export interface SharedKernels {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The fused product's module, when this process uses it (its `gemm` replaces the module's). */
  gemmFma: WebAssembly.Module | null;
}
let sharedKernels: SharedKernels | null = null;

/** What a worker thread needs to run this process's kernels on the same memory, or null where threads are unavailable. */
export function sharedKernelsForThreads(): SharedKernels | null {
  return sharedKernels;
}

/**
 * Whether the kernels' memory is shared with worker threads. In Node: when
 * the environment variable SCRATCHNET_THREADS is above 1 as the library
 * loads (the command line sets it for a CNN, a wide MLP or --threads). In a
 * browser: inside a worker (the calling thread waits with Atomics.wait,
 * which a page's main thread may not) of a cross-origin-isolated page (the
 * only kind that has SharedArrayBuffer), when `globalThis.SCRATCHNET_THREADS`
 * was set above 1 before the library loaded. Not by default: on a shared
 * memory V8 runs the small MLP's kernels ~20 % slower, so a process that
 * will not use threads keeps a private one.
 */
function threadsPossible(env: Record<string, string | undefined> | undefined): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; crossOriginIsolated?: boolean; WorkerGlobalScope?: unknown; SCRATCHNET_THREADS?: unknown };
  if (typeof SharedArrayBuffer !== 'function') return false;
  if (g.process?.versions?.node !== undefined) return Number(env?.SCRATCHNET_THREADS ?? '1') > 1;
  return g.crossOriginIsolated === true && g.WorkerGlobalScope !== undefined && Number(g.SCRATCHNET_THREADS ?? 1) > 1;
}

/**
 * Whether the fused multiply-add product was asked for: SCRATCHNET_FMA=1 in
 * Node's environment (`scratchnet train --fma` sets it), or
 * `globalThis.SCRATCHNET_FMA = true` before the library loads elsewhere.
 * Off by default: plain SIMD gives the same bits on every engine and
 * machine; relaxed_madd rounds once where the engine fuses it and twice
 * where it does not, so a model's last bits would depend on both.
 */
function fmaWanted(env: Record<string, string | undefined> | undefined): boolean {
  const flag = (globalThis as { SCRATCHNET_FMA?: unknown }).SCRATCHNET_FMA;
  return env?.SCRATCHNET_FMA === '1' || flag === true || flag === 1 || flag === '1';
}

/** The fused product on `memory`, or null where the engine lacks relaxed SIMD (Node 20 without --experimental-wasm-relaxed-simd, for one). */
function fusedProduct(memory: WebAssembly.Memory, shared: boolean): { module: WebAssembly.Module; gemm: WasmKernels['gemm'] } | null {
  try {
    const bytes = decodeBase64(shared ? gemmFmaSharedWasmBase64 : gemmFmaWasmBase64);
    if (!WebAssembly.validate(bytes)) return null;
    const module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return { module, gemm: instance.exports.gemm as WasmKernels['gemm'] };
  } catch {
    return null;
  }
}

/** The module's exports, with the fused product in place of the plain one when it was asked for (`fma`) and is available. */
function withProduct(exports: WebAssembly.Exports, shared: boolean, fma: boolean): { kernels: WasmKernels; gemmFma: WebAssembly.Module | null } {
  const kernels = exports as unknown as WasmKernels;
  const fused = fma ? fusedProduct(kernels.memory, shared) : null;
  if (fused === null) return { kernels, gemmFma: null };
  return { kernels: { ...kernels, memory: kernels.memory, gemm: fused.gemm }, gemmFma: fused.module };
}

/**
 * Instantiates the SIMD kernels, or returns null where WebAssembly SIMD is
 * missing (then the JS kernels run). The module is 24 KB, small enough to
 * compile synchronously on a browser's main thread. Setting the
 * environment variable SCRATCHNET_KERNELS=js (Node) forces the JS kernels.
 * Where threads are possible (threadsPossible) the memory is shared (the
 * same kernels, the same results), so that threads.ts can hand work to
 * worker threads.
 */
function instantiate(): { kernels: WasmKernels; fused: boolean } | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.SCRATCHNET_KERNELS === 'js' || typeof WebAssembly !== 'object') return null;
  const fma = fmaWanted(env);
  if (threadsPossible(env)) {
    try {
      const bytes = decodeBase64(kernelsSharedWasmBase64);
      if (WebAssembly.validate(bytes)) {
        const module = new WebAssembly.Module(bytes);
        const memory = new WebAssembly.Memory({ initial: kernelsMemoryPages, maximum: kernelsMemoryPages, shared: true });
        const instance = new WebAssembly.Instance(module, { env: { memory } });
        const { kernels, gemmFma } = withProduct(instance.exports, true, fma);
        sharedKernels = { module, memory, gemmFma };
        return { kernels, fused: gemmFma !== null };
      }
    } catch {
      // No shared memory here: the private one below.
    }
  }
  try {
    const bytes = decodeBase64(kernelsWasmBase64);
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const { kernels, gemmFma } = withProduct(instance.exports, false, fma);
    return { kernels, fused: gemmFma !== null };
  } catch {
    return null;
  }
}

const instantiated = instantiate();

/** The SIMD kernels of this process, or null if they are unavailable. */
export const wasm: WasmKernels | null = instantiated?.kernels ?? null;

/** Whether the cache-blocked product uses fused multiply-adds in this process (asked for, and the engine has relaxed SIMD). */
export const fusedMultiplyAdd: boolean = instantiated?.fused ?? false;
