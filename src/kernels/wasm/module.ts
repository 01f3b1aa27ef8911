/**
 * The WebAssembly text (WAT) of scratchnet's SIMD kernels, generated in
 * TypeScript and assembled by `scripts/build-wasm.ts` (wabt) at build time into
 * `module.generated.ts`. Nothing in these files runs at training time.
 *
 * One file per kernel family: matmul.ts (dense products), gemm.ts (the
 * cache-blocked product for the larger ones), sparse.ts
 * (compressed rows and the sparse products), bytes.ts (byte images in and
 * out of compressed rows), elementwise.ts (bias, column sums, axpy, ReLU),
 * optimizers.ts (float64 updates), softmax.ts (e^x and softmax rows);
 * wat.ts holds the small builders they share. Each kernel's comment names
 * the plain version in src/kernels/ that the tests hold it to.
 *
 * All pointers are byte offsets into the module's own memory; matrices are
 * row-major float32. Two ideas make the products fast:
 * - f32x4 SIMD with the output row block kept in v128 locals (registers)
 *   while the inner dimension streams past;
 * - the products X·W and Xᵀ·G are computed as sums of scaled rows
 *   (out_row += x · W_row), so zeros of x can be skipped: four zeros in a
 *   row skip four rows of W (runs of blank pixels when a whole image set is
 *   scored), and the sparse kernels, for training batches of MNIST
 *   (81 % zeros), touch only the nonzeros.
 */

import { bytesToUnitKernel, compressByteRowsKernel, gatherByteRowsKernel, scatterKernel } from './bytes.js';
import { addBiasKernel, addChannelBiasKernel, axpyKernel, reluBackwardKernel, reluForwardKernel, sumColumnsKernel } from './elementwise.js';
import { dotRowsKernel, scaledRowsKernel } from './matmul.js';
import { adagradKernel, adamKernel, rmspropKernel, sgdMomentumKernel } from './optimizers.js';
import { softmaxRowsKernel } from './softmax.js';
import { compressRowsKernel, sparseKernel } from './sparse.js';
import { gemmKernel } from './gemm.js';
import { col2imKernel, convForwardImagesKernel, convInputGradImagesKernel, convWeightGradRowsKernel, im2colImagesKernel, im2colKernel, maxPool2dKernel, maxPool2x2Kernel } from './conv.js';

/**
 * The module's memory, in 64 KiB pages (512 MiB): model params, gradients,
 * activations and batch buffers live here. It is reserved whole but the
 * operating system commits its pages only as they are first written, so a
 * process's resident memory grows with what is allocated, not with this
 * size (a CNN's batch of 256 needs ~130 MiB). It never grows, because
 * growing would detach every Float32Array view JS holds on it; past it,
 * allocations fall back to ordinary arrays and the JS kernels, with one
 * warning (memory.ts).
 */
export const MEMORY_PAGES = 8192;

/**
 * The whole module: its memory (exported; imported as well when `shared`, for
 * threads) and every kernel.
 * NOTE: the order of the kernels fixes their function indices, and so the
 * module's bytes; append new kernels at the end.
 */
export function kernelsWat(memoryPages: number, shared = false): string {
  // Shared (threads.ts): the memory comes from JS, so that other threads' instances of the module can take the same one.
  const memory = shared ? `(import "env" "memory" (memory ${memoryPages} ${memoryPages} shared))\n  (export "memory" (memory 0))` : `(memory (export "memory") ${memoryPages})`;
  return `(module
  ${memory}
  ${scaledRowsKernel('matmul')}
  ${scaledRowsKernel('matmulTransA')}
  ${dotRowsKernel()}
  ${compressRowsKernel()}
  ${bytesToUnitKernel()}
  ${compressByteRowsKernel()}
  ${gatherByteRowsKernel()}
  ${scatterKernel()}
  ${sparseKernel('sparseMatmul')}
  ${sparseKernel('sparseMatmulTransA')}
  ${axpyKernel()}
  ${addBiasKernel()}
  ${sumColumnsKernel()}
  ${adamKernel()}
  ${sgdMomentumKernel()}
  ${rmspropKernel(false)}
  ${rmspropKernel(true)}
  ${adagradKernel()}
  ${softmaxRowsKernel()}
  ${reluForwardKernel()}
  ${reluBackwardKernel()}
  ${im2colKernel()}
  ${col2imKernel()}
  ${maxPool2dKernel()}
  ${addChannelBiasKernel()}
  ${maxPool2x2Kernel()}
  ${convForwardImagesKernel()}
  ${im2colImagesKernel()}
  ${convWeightGradRowsKernel()}
  ${convInputGradImagesKernel()}
  ${gemmKernel()}
)`;
}

/**
 * The cache-blocked product alone with fused multiply-adds (relaxed SIMD's
 * f32x4.relaxed_madd: one rounding per multiply-add where the engine fuses
 * it), on the main module's memory imported as env.memory (`shared`: the
 * threads' shared one). Opt-in (instance.ts): its results differ from the
 * plain product's in the last bits, and between engines that fuse and
 * engines that do not.
 */
export function gemmFmaWat(memoryPages: number, shared = false): string {
  return `(module
  (import "env" "memory" (memory ${memoryPages}${shared ? ` ${memoryPages} shared` : ''}))
  ${gemmKernel(true)}
)`;
}
