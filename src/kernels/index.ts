/**
 * The numeric kernels layers call: the fast versions under their plain names,
 * and the readable reference versions (the tests' oracle) with a `Ref` suffix.
 */
export { matmul, matmulTransA, matmulTransB } from './matmul.js';
export { addBias, sumColumns, argmaxRows, axpy, scale } from './elementwise.js';
export { matmulRef, matmulTransARef, matmulTransBRef, addBiasRef, sumColumnsRef } from './reference.js';
