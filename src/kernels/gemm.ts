import { allocFloat32, inKernelMemory } from './memory.js';
import { runParts, threadCount } from './threads.js';
import { GEMM_BLOCKS, gemmPackBytes } from './wasm/gemm.js';
import { wasm } from './wasm/instance.js';

/**
 * The cache-blocked SIMD product (wasm/gemm.ts) for the dense products in
 * kernel memory, split by column ranges over the kernel threads when it is
 * big enough. Every output is computed by the same operations whatever the
 * blocks and the thread count, so the results do not depend on either.
 */

/** The three layouts: out = A·B with A and/or B read transposed. */
export type Layout = 'nn' | 'tn' | 'nt';

/**
 * Whether the blocked kernel takes a product of these sizes (else the
 * unblocked kernels of wasm/matmul.ts). Measured on Node 20, per call,
 * warm: the blocked one wins from 32×64×32 up (0.005 vs 0.008 ms) and by
 * 2–14× on wide layers, but loses below 16 columns, where most of each
 * 8-column panel is padding (16×1024×10: 0.028 vs 0.018 ms).
 *
 * For a·bᵀ (nt) the unblocked kernel sums each output in four lanes and
 * the blocked one in order, so their results differ in the last bits; the
 * unblocked one is kept up to 8,192 = k·n (the tutorial's network lies
 * below: its results stay bit for bit those of earlier versions).
 */
export function takesBlocked(layout: Layout, m: number, k: number, n: number): boolean {
  if (n < 16 || m < 2) return false;
  return layout !== 'nt' || k * n > NT_UNBLOCKED_MAX;
}
const NT_UNBLOCKED_MAX = 8192;

/**
 * Multiply-adds from which a product is split over the threads: a hand-off
 * costs tens of microseconds; 2²¹ multiply-adds take ~0.15 ms on one core.
 */
const SPLIT_MIN_WORK = 1 << 21;

/** One scratch block per thread for the packed panels (kept for the process). */
const packs: Float32Array[] = [];

function packFor(part: number): Float32Array | null {
  while (packs.length <= part) {
    const pack = allocFloat32(gemmPackBytes / 4);
    if (!inKernelMemory(pack, pack)) return null;
    packs.push(pack);
  }
  return packs[part];
}

/** The address of thread `part`'s scratch for the blocked product, for the kernels that call it themselves (conv.ts); 0 where there is no room. */
export function gemmPackAt(part: number): number {
  return packFor(part)?.byteOffset ?? 0;
}

/**
 * out (m×n) = A·B in the layout given (see wasm/gemm.ts), on the blocked
 * kernel; false (and nothing written) where it cannot run: no SIMD, or no
 * room in kernel memory for its scratch.
 */
export function blockedProduct(layout: Layout, out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): boolean {
  const k32 = wasm;
  if (k32 === null || packFor(0) === null) return false;
  const [aRow, aInner] = layout === 'tn' ? [4, 4 * m] : [4 * k, 4];
  const [bInner, bCol] = layout === 'nt' ? [4, 4 * k] : [4 * n, 4];
  // Whole panels per part: the parts' edges are the kernel's own panel edges.
  const panels = Math.ceil(n / GEMM_BLOCKS.W);
  let parts = m * k * n < SPLIT_MIN_WORK ? 1 : Math.min(threadCount(), panels);
  while (parts > 1 && packFor(parts - 1) === null) parts--;
  const edge = (p: number): number => Math.min(n, Math.floor((panels * p) / parts) * GEMM_BLOCKS.W);
  runParts(k32, 'gemm', parts, (p) => [out.byteOffset, a.byteOffset, b.byteOffset, m, k, n, aRow, aInner, bInner, bCol, packs[p].byteOffset, edge(p), edge(p + 1)]);
  return true;
}
