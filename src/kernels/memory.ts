import { wasm } from './wasm/instance.js';

/**
 * Float32 buffers for params, gradients, activations and batches. Where the
 * SIMD kernels run, buffers are views on the WebAssembly memory, so the
 * kernels work on them in place; elsewhere (no WebAssembly, or the memory is
 * full) they are ordinary Float32Arrays and the JS kernels take over.
 *
 * Blocks up to 1 MiB come in power-of-two sizes (at least 64 bytes, 16-byte
 * aligned), larger ones in whole 64 KiB pages; each returns to a free list of
 * its size once its view is garbage collected, so long-lived pages that build
 * many models do not run out.
 */

const MIN_BLOCK = 64;
// The memory never grows (see MEMORY_PAGES), so its buffer is fixed: reading
// `memory.buffer` is a call into the engine, which inKernelMemory, run a
// dozen times a training step, would otherwise pay each time.
const buffer = wasm?.memory.buffer;
const capacity = buffer === undefined ? 0 : buffer.byteLength;
// The first 64 bytes stay unused so that no buffer starts at address 0.
let top = MIN_BLOCK;
const freeBlocks = new Map<number, number[]>();
let allocations = 0;
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<[offset: number, size: number]>(([offset, size]) => {
      let list = freeBlocks.get(size);
      if (list === undefined) freeBlocks.set(size, (list = []));
      list.push(offset);
    })
  : undefined;

let warned = false;
/** Says once, on stderr (the console in a browser), that kernel memory is full and what that costs. */
function warnFull(bytes: number): void {
  if (warned) return;
  warned = true;
  const mb = (n: number) => `${Math.round(n / (1 << 20))} MiB`;
  console.warn(`scratchnet: kernel memory is full (${mb(capacity)}): a buffer of ${(bytes / (1 << 20)).toFixed(1)} MiB and any after it are plain arrays, run by the JS kernels (several times slower than SIMD)`);
}

/** Past this, blocks are whole 64 KiB pages rather than powers of two (a dataset's nonzeros need not waste half). */
const LARGE_BLOCK = 1 << 20;
const PAGE = 1 << 16;

function blockSize(bytes: number): number {
  if (bytes > LARGE_BLOCK) return Math.ceil(bytes / PAGE) * PAGE;
  let size = MIN_BLOCK;
  while (size < bytes) size *= 2;
  return size;
}

function alloc<T extends Float64Array | Float32Array | Int32Array | Uint16Array | Uint8Array>(
  length: number,
  bytesPerElement: number,
  make: (buffer: ArrayBuffer, offset: number, length: number) => T,
  plain: (length: number) => T,
): T {
  allocations++;
  if (buffer === undefined || length === 0) return plain(length);
  const size = blockSize(length * bytesPerElement);
  let offset = freeBlocks.get(size)?.pop();
  if (offset === undefined) {
    if (top + size > capacity) {
      warnFull(size);
      return plain(length);
    }
    offset = top;
    top += size;
  }
  const view = make(buffer, offset, length);
  view.fill(0);
  registry?.register(view, [offset, size]);
  return view;
}

/**
 * A zero-filled Float32Array of `length`, in the kernels' memory when there is room.
 * NOTE: keep this array itself alive while any subarray of it is in use: its
 * block is recycled once the array is garbage collected.
 */
export function allocFloat32(length: number): Float32Array {
  return alloc(length, 4, (b, o, n) => new Float32Array(b, o, n), (n) => new Float32Array(n));
}

/** A zero-filled Float64Array of `length`, in the kernels' memory when there is room (per-row softmax statistics). */
export function allocFloat64(length: number): Float64Array {
  return alloc(length, 8, (b, o, n) => new Float64Array(b, o, n), (n) => new Float64Array(n));
}

/** A zero-filled Uint8Array of `length`, in the kernels' memory when there is room (staged byte images). */
export function allocUint8(length: number): Uint8Array {
  return alloc(length, 1, (b, o, n) => new Uint8Array(b, o, n), (n) => new Uint8Array(n));
}

/** A zero-filled Uint16Array of `length`, in the kernels' memory when there is room (compressed images' column indices). */
export function allocUint16(length: number): Uint16Array {
  return alloc(length, 2, (b, o, n) => new Uint16Array(b, o, n), (n) => new Uint16Array(n));
}

/** A zero-filled Int32Array of `length`, in the kernels' memory when there is room (sparse indices). */
export function allocInt32(length: number): Int32Array {
  return alloc(length, 4, (b, o, n) => new Int32Array(b, o, n), (n) => new Int32Array(n));
}

/** True when every array is a view on the kernels' WebAssembly memory (so the SIMD kernels can take them). */
export function inKernelMemory(a: ArrayBufferView, b: ArrayBufferView, c?: ArrayBufferView): boolean {
  return buffer !== undefined && a.buffer === buffer && b.buffer === buffer && (c === undefined || c.buffer === buffer);
}

/**
 * Bytes of kernel memory handed out so far (high-water mark), its capacity,
 * and how many buffers were ever allocated (tests use it to prove a training
 * step allocates none).
 */
export function kernelMemoryUsage(): { used: number; capacity: number; allocations: number } {
  return { used: top, capacity, allocations };
}
