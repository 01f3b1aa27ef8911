/**
 * The numeric kernels layers call: WebAssembly SIMD where available and the
 * arrays live in its memory, the register-blocked JS versions otherwise, and
 * the readable reference versions (the tests' oracle) with a `Ref` suffix.
 */
export { matmul, matmulTransA, matmulTransB, addBias, sumColumns, axpy, reluForward, reluBackward, kernelBackend, fusedMultiplyAdd } from './dispatch.js';
export { sgdStep, sgdMomentumStep, rmspropStep, adagradStep, adamStep, type AdamStepConstants } from './updates.js';
export { softmaxRows, softmaxCrossEntropyRows } from './softmax.js';
export { argmaxRows, classOfRows, scale } from './elementwise.js';
export { allocFloat32, kernelMemoryUsage, inKernelMemory } from './memory.js';
export { matmulRef, matmulTransARef, matmulTransBRef, addBiasRef, sumColumnsRef } from './reference.js';
