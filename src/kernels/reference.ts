/**
 * Plain reference kernels: the textbook loops, written to be obviously right
 * rather than fast. They are the oracle the fast kernels in `matmul.ts` and
 * `elementwise.ts` are tested against, so keep them boring.
 *
 * Sums accumulate in a JS number (float64) and are rounded to float32 only when
 * stored, so the reference is at least as accurate as any fast variant.
 *
 * NOTE: no kernel validates its arguments; callers check shapes at the boundary
 * (see `dims2` in tensor.ts). Wrong sizes read `undefined` and write NaN.
 */

/** Reference matmul: out = a · b; out m×n, a m×k, b k×n (row-major). */
export function matmulRef(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Reference matmul with a transposed: out = aᵀ · b; out m×n, a stored k×m, b k×n. */
export function matmulTransARef(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[p * m + i] * b[p * n + j];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Reference matmul with b transposed: out = a · bᵀ; out m×n, a m×k, b stored n×k. */
export function matmulTransBRef(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Reference bias add, in place: out[r, c] += bias[c]; out rows×cols, bias cols. */
export function addBiasRef(out: Float32Array, bias: Float32Array, rows: number, cols: number): Float32Array {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] += bias[c];
  }
  return out;
}

/** Reference column sums: out[c] = Σ_r a[r, c]; out cols, a rows×cols. */
export function sumColumnsRef(out: Float32Array, a: Float32Array, rows: number, cols: number): Float32Array {
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += a[r * cols + c];
    out[c] = s;
  }
  return out;
}
