import { wasm } from './wasm/instance.js';

/**
 * Float32 buffers for params, gradients, activations and batches. Where the
 * SIMD kernels run, buffers are views on the WebAssembly memory, so the
 * kernels work on them in place; elsewhere (no WebAssembly, or the memory is
 * full) they are ordinary Float32Arrays and the JS kernels take over.
 *
 * Blocks come in power-of-two sizes (at least 64 bytes, 16-byte aligned) and
 * return to a free list of their size once their view is garbage collected,
 * so long-lived pages that build many models do not run out.
 */

const MIN_BLOCK = 64;
const memory = wasm?.memory;
const capacity = memory === undefined ? 0 : memory.buffer.byteLength;
// The first 64 bytes stay unused so that no buffer starts at address 0.
let top = MIN_BLOCK;
const freeBlocks = new Map<number, number[]>();
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<[offset: number, size: number]>(([offset, size]) => {
      let list = freeBlocks.get(size);
      if (list === undefined) freeBlocks.set(size, (list = []));
      list.push(offset);
    })
  : undefined;

function blockSize(bytes: number): number {
  let size = MIN_BLOCK;
  while (size < bytes) size *= 2;
  return size;
}

/** A zero-filled Float32Array of `length`, in the kernels' memory when there is room. */
export function allocFloat32(length: number): Float32Array {
  if (memory === undefined || length === 0) return new Float32Array(length);
  const size = blockSize(length * 4);
  let offset = freeBlocks.get(size)?.pop();
  if (offset === undefined) {
    if (top + size > capacity) return new Float32Array(length);
    offset = top;
    top += size;
  }
  const view = new Float32Array(memory.buffer, offset, length);
  view.fill(0);
  registry?.register(view, [offset, size]);
  return view;
}

/** True when every array is a view on the kernels' WebAssembly memory (so the SIMD kernels can take them). */
export function inKernelMemory(a: Float32Array, b: Float32Array, c?: Float32Array): boolean {
  const buf = memory?.buffer;
  return buf !== undefined && a.buffer === buf && b.buffer === buf && (c === undefined || c.buffer === buf);
}

/** Bytes of kernel memory handed out so far (high-water mark) and its capacity. */
export function kernelMemoryUsage(): { used: number; capacity: number } {
  return { used: top, capacity };
}
