/**
 * Row-wise and column-wise helpers for a batch (rows × cols, row-major): the
 * bias add of Dense.forward, the bias gradient of Dense.backward, and the
 * predicted class of each row, as plain loops that walk memory in order.
 * dispatch.ts runs WebAssembly SIMD versions of addBias, sumColumns, axpy and
 * ReLU instead where the arrays live in kernel memory (and tests hold them to
 * these); these are tested against `reference.ts`, whose sumColumns walks
 * columns instead and sums in float64.
 *
 * NOTE: no kernel validates its arguments; callers check shapes at the boundary
 * (see `dims2` in tensor.ts). Wrong sizes read `undefined` and write NaN.
 */

/** Adds a bias to every row, in place: out[r, c] += bias[c]; out rows×cols, bias cols. */
export function addBias(out: Float32Array, bias: Float32Array, rows: number, cols: number): Float32Array {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    for (let c = 0; c < cols; c++) out[o + c] += bias[c];
  }
  return out;
}

/** Column sums: out[c] = Σ_r a[r, c]; out cols, a rows×cols. Dense bias gradient: dL/db = Σ_rows dL/dZ. */
export function sumColumns(out: Float32Array, a: Float32Array, rows: number, cols: number): Float32Array {
  // Row by row, so a is read in order; the price is that the running sums live
  // in out (float32), adding a relative error of about rows × 6e-8 of Σ|a| —
  // negligible for a batch, but sum a whole data set in float64 instead.
  out.fill(0, 0, cols);
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    for (let c = 0; c < cols; c++) out[c] += a[o + c];
  }
  return out;
}

/**
 * Index of each row's largest value: out[r] = argmax_c a[r, c]; out rows, a rows×cols.
 * On ties the first index wins.
 */
export function argmaxRows<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(
  out: T,
  a: Float32Array,
  rows: number,
  cols: number,
): T {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let best = 0;
    let max = a[o];
    // NOTE: strict `>` keeps the first of equal maxima; NaN compares false, so
    // a NaN is never chosen unless it is the row's first value.
    for (let c = 1; c < cols; c++) {
      const v = a[o + c];
      if (v > max) {
        max = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * The predicted class of each row of logits: argmaxRows, or for a single
 * column (a yes/no classifier's one logit) 1 where it is > 0, else 0.
 */
export function classOfRows<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(out: T, a: Float32Array, rows: number, cols: number): T {
  if (cols !== 1) return argmaxRows(out, a, rows, cols);
  for (let r = 0; r < rows; r++) out[r] = a[r] > 0 ? 1 : 0;
  return out;
}

/** y ← y + alpha · x, in place (BLAS axpy); x and y of the same length. The SGD update is axpy(θ, −lr, g). */
export function axpy(y: Float32Array, alpha: number, x: Float32Array): Float32Array {
  for (let i = 0, n = y.length; i < n; i++) y[i] += alpha * x[i];
  return y;
}

/** out ← s · a elementwise; out may be a. */
export function scale(out: Float32Array, a: Float32Array, s: number): Float32Array {
  for (let i = 0, n = a.length; i < n; i++) out[i] = a[i] * s;
  return out;
}

/** ReLU: out = max(x, 0) elementwise; out may be x. */
export function reluForward(out: Float32Array, x: Float32Array): Float32Array {
  for (let i = 0, n = x.length; i < n; i++) {
    const v = x[i];
    out[i] = v > 0 ? v : 0;
  }
  return out;
}

/** ReLU's backward pass: out = g where x > 0, else 0 (dL/dx = dL/dy · 1[x > 0]). */
export function reluBackward(out: Float32Array, x: Float32Array, g: Float32Array): Float32Array {
  for (let i = 0, n = x.length; i < n; i++) out[i] = x[i] > 0 ? g[i] : 0;
  return out;
}
