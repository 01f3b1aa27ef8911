/**
 * The numeric kernels layers call: WebAssembly SIMD where available and the
 * arrays live in its memory, the register-blocked JS versions otherwise, and
 * the readable reference versions (the tests' oracle) with a `Ref` suffix.
 */
export { matmul, matmulTransA, matmulTransB, addBias, sumColumns, axpy, adamStepSimd, sgdMomentumStepSimd, rmspropStepSimd, adagradStepSimd, reluForward, reluBackward, softmaxRowsSimd, kernelBackend, type AdamStepConstants } from './dispatch.js';
export { argmaxRows, scale } from './elementwise.js';
export { allocFloat32, kernelMemoryUsage, inKernelMemory } from './memory.js';
export { matmulRef, matmulTransARef, matmulTransBRef, addBiasRef, sumColumnsRef } from './reference.js';
