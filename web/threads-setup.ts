/**
 * Runs before the library loads (worker.ts imports it first): on a
 * cross-origin-isolated page, the only kind with SharedArrayBuffer, it asks
 * for a shared kernel memory, so that a CNN's convolutions and a wide MLP's
 * products can use a second core (kernels/wasm/instance.ts reads
 * `globalThis.SCRATCHNET_THREADS` as the library loads).
 */
const scope = globalThis as { crossOriginIsolated?: boolean; SCRATCHNET_THREADS?: number; navigator?: { hardwareConcurrency?: number } };

/** The threads this worker may use: two where the page is isolated and two cores are present, else one. */
export const threadsAvailable = scope.crossOriginIsolated === true ? Math.max(1, Math.min(2, scope.navigator?.hardwareConcurrency ?? 1)) : 1;

if (threadsAvailable > 1) scope.SCRATCHNET_THREADS = threadsAvailable;
