/**
 * The WebAssembly text (WAT) of scratchnet's SIMD kernels, generated here in
 * TypeScript and assembled by `scripts/build-wasm.ts` (wabt) at build time into
 * `module.generated.ts`. Nothing in this file runs at training time.
 *
 * All pointers are byte offsets into the module's own memory; matrices are
 * row-major float32. The kernels mirror the JS ones in ../matmul.ts and
 * ../elementwise.ts (same names, same argument order) and are held to the same
 * plain references in tests.
 *
 * Two ideas make them fast:
 * - f32x4 SIMD with the output row block kept in v128 locals (registers)
 *   while the inner dimension streams past;
 * - the products X·W and Xᵀ·G are computed as sums of scaled rows
 *   (out_row += x · W_row), so zeros of x can be skipped: four zeros in a
 *   row skip four rows of W (runs of blank pixels when a whole image set is
 *   scored), and the sparse kernels below, for training batches of MNIST
 *   (81 % zeros), touch only the nonzeros.
 */

/**
 * The module's memory, in 64 KiB pages (64 MiB): model params, gradients,
 * activations and batch buffers live here. It never grows, because growing
 * would detach every Float32Array view JS holds on it; past it, allocations
 * fall back to ordinary arrays and the JS kernels.
 */
export const MEMORY_PAGES = 1024;

/** Vectors of 4 floats kept in registers per output-row block (8 → 32 floats). */
const BLOCK = 8;
/** The sparse forward product's block: seven accumulators, seven loaded rows and the splat fit x64's 15 free SIMD registers. */
const FORWARD_BLOCK = 7;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * out (rows × n) = Σ_inner a(row, inner) · b(inner, :), where a(row, inner) is
 * at `a + row·rowStep + inner·innerStep` (bytes) and b is inner × n.
 * matmul:        rows = m, inner = k, a m×k      → rowStep 4k, innerStep 4
 * matmulTransA:  rows = m, inner = k, a k×m (aᵀ) → rowStep 4,  innerStep 4m
 *
 * Each output row is done in blocks of 32 columns held in v128 registers
 * while the inner dimension streams past four values at a time. A group of
 * four zero values of a is skipped as a whole (runs of zero pixels); inside a
 * group nothing branches on a value, because ReLU outputs are zero at random
 * and a mispredicted branch per value cost more than the multiply it saved
 * (measured: 2–6× slower on the hidden layers). Adding a product 0·w changes
 * no sum (an accumulator that starts at +0 never becomes −0), so the results
 * are those of a loop that skips every zero.
 *
 * The columns after the last full block (all of them when n < 32, as the
 * output layer's 10) take one pass of up to 8 vectors, one inner value at a
 * time, with no zero groups: their unrolled groups in seven widths made the
 * function twice the size, and V8 took 10–19 ms instead of 2 to optimise it,
 * running its slow baseline code meanwhile (the first epoch was ~7 ms slower,
 * median of 25 paired runs); for the 10-column layer the plain pass is also
 * faster (its ReLU input has few zero groups). Columns past the last multiple
 * of 4 (n = 10) are covered by a last vector ending at column n, overlapping
 * its neighbour: the overlapped columns are computed by the same operations,
 * so they are stored twice with equal values.
 */
function scaledRowsKernel(name: string, rowStep: string, innerStep: string): string {
  const accs = range(BLOCK).map((q) => `(local $acc${q} v128)`).join(' ');
  // A constant offset goes in the instruction's immediate, which V8 folds into
  // the x64 address (an i32.add would cost an instruction per load).
  // Vector q of a block of nv is at byte offset 16q from the block's column,
  // except the last of the rest, which is at $lastOff (16(nv−1) or less, when it overlaps).
  const address = (q: number, nv: number, rest: boolean, base: string): string =>
    rest && q === nv - 1 ? `align=4 (i32.add ${base} (local.get $lastOff))` : `offset=${q * 16} align=4 ${base}`;
  const update = (nv: number, rest: boolean, s: string, row: string): string =>
    range(nv)
      .map((q) => `(local.set $acc${q} (f32x4.add (local.get $acc${q}) (f32x4.mul ${s} (v128.load ${address(q, nv, rest, row)}))))`)
      .join('\n              ');
  // One block of nv vectors at column $j: zero, stream the inner dimension
  // (in zero-skipping groups of four, unless it is the rest), store.
  const blockCode = (nv: number, rest: boolean): string => `
        ${range(nv).map((q) => `(local.set $acc${q} (v128.const i32x4 0 0 0 0))`).join(' ')}
        (local.set $pa (local.get $aRow))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        ${rest ? '' : `(block $groupsDone (loop $groups
          (br_if $groupsDone (i32.ge_u (local.get $p) (local.get $k4)))
          (local.set $a0 (f32.load (local.get $pa)))
          (local.set $a1 (f32.load (i32.add (local.get $pa) (local.get $aStep))))
          (local.set $a2 (f32.load (i32.add (local.get $pa) (local.get $aStep2))))
          (local.set $a3 (f32.load (i32.add (local.get $pa) (local.get $aStep3))))
          (if (i32.or (i32.or (f32.ne (local.get $a0) (f32.const 0)) (f32.ne (local.get $a1) (f32.const 0)))
                      (i32.or (f32.ne (local.get $a2) (f32.const 0)) (f32.ne (local.get $a3) (f32.const 0))))
            (then
              ${range(4)
                .map((u) => `(local.set $s (f32x4.splat (local.get $a${u})))
              ${update(nv, rest, '(local.get $s)', u === 0 ? '(local.get $bp)' : `(i32.add (local.get $bp) (local.get $bStep${u}))`)}`)
                .join('\n              ')}))
          (local.set $pa (i32.add (local.get $pa) (local.get $aStep4)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bStep4)))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $groups)))`}
        (block $innerDone (loop $inner
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $s (f32x4.splat (f32.load (local.get $pa))))
          ${update(nv, rest, '(local.get $s)', '(local.get $bp)')}
          (local.set $pa (i32.add (local.get $pa) (local.get $aStep)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bStep1)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner)))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $row) (local.get $n)) (local.get $j)) (i32.const 2))))
        ${range(nv).map((q) => `(v128.store ${address(q, nv, rest, '(local.get $o)')} (local.get $acc${q}))`).join('\n        ')}`;
  // The columns left after the full blocks: nv = ceil(rest / 4) vectors, by a
  // br_table on nv (1–${BLOCK}).
  const restCode = (): string => {
    let code = `(br_table ${range(BLOCK + 1).map((v) => `$nv${v}`).join(' ')} (local.get $nv))`;
    for (let v = 0; v <= BLOCK; v++) {
      code = `(block $nv${v}\n        ${code})\n        ${v === 0 ? '(br $restDone)' : `${blockCode(v, true)}\n        (br $restDone)`}`;
    }
    return `(block $restDone ${code})`;
  };
  return `
  (func $${name} (export "${name}") (param $out i32) (param $a i32) (param $b i32) (param $m i32) (param $k i32) (param $n i32)
    (local $row i32) (local $aRow i32) (local $aStep i32) (local $aStep2 i32) (local $aStep3 i32) (local $aStep4 i32)
    (local $bStep1 i32) (local $bStep2 i32) (local $bStep3 i32) (local $bStep4 i32) (local $k4 i32) (local $nv i32) (local $lastOff i32)
    (local $j i32) (local $p i32) (local $pa i32) (local $bp i32) (local $o i32) (local $sum f32)
    (local $a0 f32) (local $a1 f32) (local $a2 f32) (local $a3 f32) (local $s v128) ${accs}
    (local.set $aStep ${innerStep})
    (local.set $aStep2 (i32.shl (local.get $aStep) (i32.const 1)))
    (local.set $aStep3 (i32.add (local.get $aStep2) (local.get $aStep)))
    (local.set $aStep4 (i32.shl (local.get $aStep) (i32.const 2)))
    (local.set $bStep1 (i32.shl (local.get $n) (i32.const 2)))
    (local.set $bStep2 (i32.shl (local.get $bStep1) (i32.const 1)))
    (local.set $bStep3 (i32.add (local.get $bStep2) (local.get $bStep1)))
    (local.set $bStep4 (i32.shl (local.get $bStep1) (i32.const 2)))
    (local.set $k4 (i32.and (local.get $k) (i32.const -4)))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $m)))
      (local.set $aRow (i32.add (local.get $a) (i32.mul (local.get $row) ${rowStep})))
      (local.set $j (i32.const 0))
      (if (i32.ge_u (local.get $n) (i32.const 4))
        (then
          ;; Blocks of ${BLOCK * 4} output columns in ${BLOCK} v128 registers.
          (block $blocksDone (loop $blocks
            (br_if $blocksDone (i32.gt_u (i32.add (local.get $j) (i32.const ${BLOCK * 4})) (local.get $n)))
            ${blockCode(BLOCK, false)}
            (local.set $j (i32.add (local.get $j) (i32.const ${BLOCK * 4})))
            (br $blocks)))
          ;; The rest: its last vector ends at column n.
          (local.set $nv (i32.shr_u (i32.add (i32.sub (local.get $n) (local.get $j)) (i32.const 3)) (i32.const 2)))
          (local.set $lastOff (i32.shl (i32.sub (i32.sub (local.get $n) (i32.const 4)) (local.get $j)) (i32.const 2)))
          ${restCode()}
          (local.set $j (local.get $n))))
      ;; Fewer than 4 columns: one float at a time.
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $sum (f32.const 0))
        (local.set $pa (local.get $aRow))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $innerDone (loop $inner
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $bp)))))
          (local.set $pa (i32.add (local.get $pa) (local.get $aStep)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bStep1)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner)))
        (f32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $row) (local.get $n)) (local.get $j)) (i32.const 2))) (local.get $sum))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows)))
  )`;
}

/** Horizontal sum of the four lanes of a v128 local. */
function hsum(v: string): string {
  return `(f32.add (f32.add (f32x4.extract_lane 0 (local.get ${v})) (f32x4.extract_lane 1 (local.get ${v}))) (f32.add (f32x4.extract_lane 2 (local.get ${v})) (f32x4.extract_lane 3 (local.get ${v}))))`;
}

/**
 * matmulTransB: out (m×n) = a (m×k) · bᵀ, b stored n×k: each output is a dot
 * product of two contiguous rows; four columns of out share each load of a.
 */
function dotRowsKernel(): string {
  const J = 4;
  const accs = range(J).map((q) => `(local $acc${q} v128) (local $t${q} f32) (local $bRow${q} i32) (local $col${q} i32)`).join(' ');
  const column = (q: number): string => `(i32.add (local.get $j) (i32.const ${q}))`;
  const store = (q: number): string =>
    `(f32.store offset=${q * 4} (i32.add (local.get $oRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $t${q}))`;
  return `
  (func $matmulTransB (export "matmulTransB") (param $out i32) (param $a i32) (param $b i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $p i32) (local $aRow i32) (local $k4 i32) (local $kBytes i32) (local $av v128) (local $ax f32)
    (local $oRow i32) (local $cols i32) ${accs}
    (local.set $k4 (i32.and (local.get $k) (i32.const -4)))
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $aRow (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kBytes))))
      (local.set $oRow (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2))))
      (local.set $cols (local.get $n))
      (local.set $j (i32.const 0))
      (block $blocksDone (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $j) (i32.const ${J})) (local.get $cols)))
        ${range(J).map((q) => `(local.set $col${q} ${column(q)})`).join('\n        ')}
        ${range(J).map((q) => `(local.set $bRow${q} (i32.add (local.get $b) (i32.mul (local.get $col${q}) (local.get $kBytes))))`).join('\n        ')}
        ${range(J).map((q) => `(local.set $acc${q} (v128.const i32x4 0 0 0 0))`).join('\n        ')}
        (local.set $p (i32.const 0))
        (block $vecDone (loop $vec
          (br_if $vecDone (i32.ge_u (local.get $p) (local.get $k4)))
          (local.set $av (v128.load align=4 (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2)))))
          ${range(J).map((q) => `(local.set $acc${q} (f32x4.add (local.get $acc${q}) (f32x4.mul (local.get $av) (v128.load align=4 (i32.add (local.get $bRow${q}) (i32.shl (local.get $p) (i32.const 2)))))))`).join('\n          ')}
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $vec)))
        ${range(J).map((q) => `(local.set $t${q} ${hsum(`$acc${q}`)})`).join('\n        ')}
        (block $tailDone (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $ax (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2)))))
          ${range(J).map((q) => `(local.set $t${q} (f32.add (local.get $t${q}) (f32.mul (local.get $ax) (f32.load (i32.add (local.get $bRow${q}) (i32.shl (local.get $p) (i32.const 2)))))))`).join('\n          ')}
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $tail)))
        ${range(J).map(store).join('\n        ')}
        (local.set $j (i32.add (local.get $j) (i32.const ${J})))
        (br $blocks)))
      ;; The last columns, one at a time.
      (block $colsDone (loop $singles
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $col0 (local.get $j))
        (local.set $bRow0 (i32.add (local.get $b) (i32.mul (local.get $col0) (local.get $kBytes))))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.const 0))
        (block $vecDone (loop $vec
          (br_if $vecDone (i32.ge_u (local.get $p) (local.get $k4)))
          (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul
            (v128.load align=4 (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2))))
            (v128.load align=4 (i32.add (local.get $bRow0) (i32.shl (local.get $p) (i32.const 2)))))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $vec)))
        (local.set $t0 ${hsum('$acc0')})
        (block $tailDone (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $t0 (f32.add (local.get $t0) (f32.mul
            (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2))))
            (f32.load (i32.add (local.get $bRow0) (i32.shl (local.get $p) (i32.const 2)))))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $tail)))
        (f32.store (i32.add (local.get $oRow) (i32.shl (local.get $col0) (i32.const 2))) (local.get $t0))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $singles)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
  )`;
}

/**
 * compressRows: the nonzeros of x (rows × cols) in compressed sparse rows:
 * column indices in idx (i32), values in val, and in rowEnd[r] the running
 * count after row r. Returns the number of nonzeros. Four values are tested
 * at once, so runs of zeros (most of an MNIST image) cost a quarter.
 */
function compressRowsKernel(): string {
  const lane = (l: number) => `
            (if (i32.and (local.get $mask) (i32.const ${1 << l}))
              (then
                (i32.store (i32.add (local.get $idx) (i32.shl (local.get $nnz) (i32.const 2))) (i32.add (local.get $c) (i32.const ${l})))
                (f32.store (i32.add (local.get $val) (i32.shl (local.get $nnz) (i32.const 2))) (f32x4.extract_lane ${l} (local.get $v)))
                (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))))`;
  return `
  (func $compressRows (export "compressRows") (param $idx i32) (param $val i32) (param $rowEnd i32) (param $x i32) (param $rows i32) (param $cols i32) (result i32)
    (local $r i32) (local $c i32) (local $c4 i32) (local $row i32) (local $nnz i32) (local $v v128) (local $mask i32) (local $f f32)
    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $row (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $vecDone (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $c) (local.get $c4)))
        (local.set $v (v128.load align=4 (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $mask (i32x4.bitmask (f32x4.ne (local.get $v) (v128.const i32x4 0 0 0 0))))
        (if (local.get $mask)
          (then ${[0, 1, 2, 3].map(lane).join('')}))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $vec)))
      (block $tailDone (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $f (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))))
        (if (f32.ne (local.get $f) (f32.const 0))
          (then
            (i32.store (i32.add (local.get $idx) (i32.shl (local.get $nnz) (i32.const 2))) (local.get $c))
            (f32.store (i32.add (local.get $val) (i32.shl (local.get $nnz) (i32.const 2))) (local.get $f))
            (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (i32.store (i32.add (local.get $rowEnd) (i32.shl (local.get $r) (i32.const 2))) (local.get $nnz))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $nnz)
  )`;
}

/**
 * The sparse products, over the rows compressed by compressRows:
 * sparseMatmul:       out (m×n)  = X · b, b k×n: out_r = Σ_nz x · b_col     (Dense forward)
 * sparseMatmulTransA: out (k×n) += Xᵀ · g, g m×n: out_col += x · g_r        (Dense weight gradient;
 *                     the caller zeroes out first)
 * Both keep a block of output (or g) columns in v128 registers and walk the
 * nonzeros only.
 */
function sparseKernel(name: 'sparseMatmul' | 'sparseMatmulTransA'): string {
  const forward = name === 'sparseMatmul';
  const accs = range(BLOCK).map((q) => `(local $acc${q} v128)`).join(' ');
  // Vector q of a forward block of nv is at byte offset 16q from column $j,
  // except the last of the rest, which is at $lastOff (see below).
  // Constant offsets go in the instruction's offset immediate, which V8 folds
  // into the x64 address; an i32.add costs an instruction of its own per load.
  const at = (q: number, nv: number, overlap: boolean): string =>
    overlap && q === nv - 1 ? `align=4 (i32.add (local.get $bp) (local.get $lastOff))` : `offset=${q * 16} align=4 (local.get $bp)`;
  const atOut = (q: number, nv: number, overlap: boolean): string =>
    overlap && q === nv - 1 ? `align=4 (i32.add (local.get $o) (local.get $lastOff))` : `offset=${q * 16} align=4 (local.get $o)`;
  // forward: acc = out block, accumulated over nonzeros, stored at the end.
  // transA: acc = g block (loaded once per row), added into out rows of the nonzeros.
  const perNonzero = (width: number, overlap: boolean) =>
    forward
      ? range(width).map((q) => `(local.set $acc${q} (f32x4.add (local.get $acc${q}) (f32x4.mul (local.get $s) (v128.load ${at(q, width, overlap)}))))`).join('\n              ')
      : range(width).map((q) => `(v128.store offset=${q * 16} align=4 (local.get $bp) (f32x4.add (v128.load offset=${q * 16} align=4 (local.get $bp)) (f32x4.mul (local.get $s) (local.get $acc${q}))))`).join('\n              ');
  const before = (width: number) =>
    forward
      ? range(width).map((q) => `(local.set $acc${q} (v128.const i32x4 0 0 0 0))`).join('\n        ')
      : range(width).map((q) => `(local.set $acc${q} (v128.load offset=${q * 16} align=4 (local.get $o)))`).join('\n        ');
  const after = (width: number, overlap: boolean) =>
    forward ? range(width).map((q) => `(v128.store ${atOut(q, width, overlap)} (local.get $acc${q}))`).join('\n        ') : '';
  // How a pass walks the row's nonzeros. forward: pointers to their indices
  // and values (no index arithmetic per load), each value loaded straight
  // into all four lanes: 48 → 46 ms an MNIST epoch. transA was no faster
  // that way and keeps the counter.
  const walk = forward
    ? {
        start: `(local.set $bj (i32.add (local.get $other) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $pi (i32.add (local.get $idx) (i32.shl (local.get $start) (i32.const 2))))
        (local.set $pv (i32.add (local.get $val) (i32.shl (local.get $start) (i32.const 2))))
        (local.set $piEnd (i32.add (local.get $idx) (i32.shl (local.get $end) (i32.const 2))))`,
        done: '(i32.ge_u (local.get $pi) (local.get $piEnd))',
        load: `(local.set $s (v128.load32_splat (local.get $pv)))
          (local.set $bp (i32.add (local.get $bj) (i32.mul (i32.load (local.get $pi)) (local.get $n4))))`,
        next: `(local.set $pi (i32.add (local.get $pi) (i32.const 4)))
          (local.set $pv (i32.add (local.get $pv) (i32.const 4)))`,
      }
    : {
        start: '(local.set $t (local.get $start))',
        done: '(i32.ge_u (local.get $t) (local.get $end))',
        load: `(local.set $s (f32x4.splat (f32.load (i32.add (local.get $val) (i32.shl (local.get $t) (i32.const 2))))))
          (local.set $bp (i32.add (local.get $other) (i32.shl (i32.add (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))) (local.get $n)) (local.get $j)) (i32.const 2))))`,
        next: '(local.set $t (i32.add (local.get $t) (i32.const 1)))',
      };
  // One pass over the row's nonzeros for the block of `width` vectors at column $j.
  // $o: forward → out row block; transA → g row block. $bp: forward → b row of the nonzero's column; transA → out row of it.
  const pass = (width: number, overlap: boolean) => `
        (local.set $o (i32.add (local.get $rowBase) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $j)) (i32.const 2))))
        ${before(width)}
        ${walk.start}
        (block $nzDone (loop $nz
          (br_if $nzDone ${walk.done})
          ${walk.load}
          ${perNonzero(width, overlap)}
          ${walk.next}
          (br $nz)))
        ${after(width, overlap)}`;
  const block = (width: number, label: string) => `
      (block $${label}Done (loop $${label}
        (br_if $${label}Done (i32.gt_u (i32.add (local.get $j) (i32.const ${width * 4})) (local.get $n)))
        ${pass(width, false)}
        (local.set $j (i32.add (local.get $j) (i32.const ${width * 4})))
        (br $${label})))`;
  // forward: blocks of FORWARD_BLOCK vectors, then the rest in one pass of
  // nv = ceil(rest / 4) vectors (br_table on nv), its last vector ending at
  // column n and overlapping its neighbour (the overlapped columns get the
  // same sums again). With eight, the compiler kept one accumulator on the
  // stack: a store-load chain on every nonzero (54 ms → 46 an MNIST epoch).
  // transA adds into out, so it cannot overlap: blocks of ${BLOCK}, then single vectors.
  const forwardColumns = () => {
    // rest < 4·FORWARD_BLOCK columns, so nv ≤ FORWARD_BLOCK.
    let table = `(br_table ${range(FORWARD_BLOCK + 1).map((v) => `$nv${v}`).join(' ')} (local.get $nv))`;
    for (let v = 0; v <= FORWARD_BLOCK; v++) {
      table = `(block $nv${v}\n        ${table})\n        ${v === 0 ? '(br $restDone)' : `${pass(v, true)}\n        (br $restDone)`}`;
    }
    return `
      (if (i32.ge_u (local.get $n) (i32.const 4))
        (then
          ${block(FORWARD_BLOCK, 'blocks')}
          (local.set $nv (i32.shr_u (i32.add (i32.sub (local.get $n) (local.get $j)) (i32.const 3)) (i32.const 2)))
          (local.set $lastOff (i32.shl (i32.sub (i32.sub (local.get $n) (i32.const 4)) (local.get $j)) (i32.const 2)))
          (block $restDone ${table})
          (local.set $j (local.get $n))))`;
  };
  const scalarTail = forward
    ? `(local.set $sum (f32.const 0))
        (local.set $t (local.get $start))
        (block $nzDone (loop $nz
          (br_if $nzDone (i32.ge_u (local.get $t) (local.get $end)))
          (local.set $sum (f32.add (local.get $sum) (f32.mul
            (f32.load (i32.add (local.get $val) (i32.shl (local.get $t) (i32.const 2))))
            (f32.load (i32.add (local.get $other) (i32.shl (i32.add (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))) (local.get $n)) (local.get $j)) (i32.const 2)))))))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $nz)))
        (f32.store (i32.add (local.get $rowBase) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $j)) (i32.const 2))) (local.get $sum))`
    : `(local.set $sum (f32.load (i32.add (local.get $rowBase) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $j)) (i32.const 2)))))
        (local.set $t (local.get $start))
        (block $nzDone (loop $nz
          (br_if $nzDone (i32.ge_u (local.get $t) (local.get $end)))
          (local.set $bp (i32.add (local.get $other) (i32.shl (i32.add (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))) (local.get $n)) (local.get $j)) (i32.const 2))))
          (f32.store (local.get $bp) (f32.add (f32.load (local.get $bp)) (f32.mul (local.get $sum)
            (f32.load (i32.add (local.get $val) (i32.shl (local.get $t) (i32.const 2)))))))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $nz)))`;
  return `
  (func $${name} (export "${name}") (param $out i32) (param $idx i32) (param $val i32) (param $rowEnd i32) (param $b i32) (param $m i32) (param $n i32)
    (local $r i32) (local $j i32) (local $t i32) (local $start i32) (local $end i32) (local $o i32) (local $bp i32)
    (local $rowBase i32) (local $other i32) (local $s v128) (local $sum f32) (local $nv i32) (local $lastOff i32)
    (local $bj i32) (local $pi i32) (local $pv i32) (local $piEnd i32) (local $n4 i32) ${accs}
    ;; forward: rows of out, columns of b; transA: rows of g (= b), columns of out.
    (local.set $rowBase (${forward ? 'local.get $out' : 'local.get $b'}))
    (local.set $other (${forward ? 'local.get $b' : 'local.get $out'}))
    (local.set $n4 (i32.shl (local.get $n) (i32.const 2)))
    (local.set $start (i32.const 0))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $end (i32.load (i32.add (local.get $rowEnd) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $j (i32.const 0))
      ${forward ? forwardColumns() : `${block(BLOCK, 'blocks')}
      ${block(1, 'vecs')}`}
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $n)))
        ${scalarTail}
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols)))
      (local.set $start (local.get $end))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
  )`;
}

/**
 * bytesToUnit: a batch of byte images (rows × cols, 0–255) to floats in
 * [0, 1] (out = byte / 255, correctly rounded, as the JS path), and, when
 * `idx` is not 0, its nonzeros in compressed rows at the same time
 * (see compressRows). Sixteen bytes are tested at once; an all-zero group
 * costs one compare and four stores.
 */
function bytesToUnitKernel(): string {
  const cvt = (half: 'low' | 'high', quarter: 'low' | 'high') =>
    `(f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_${quarter}_i16x8_u (i16x8.extend_${half}_i8x16_u (local.get $v)))) (local.get $k255))`;
  return `
  (func $bytesToUnit (export "bytesToUnit") (param $out i32) (param $idx i32) (param $val i32) (param $rowEnd i32) (param $src i32) (param $rows i32) (param $cols i32) (result i32)
    (local $r i32) (local $c i32) (local $c16 i32) (local $srow i32) (local $orow i32) (local $o i32) (local $nnz i32)
    (local $v v128) (local $mask i32) (local $bit i32) (local $k255 v128) (local $f f32)
    (local.set $k255 (f32x4.splat (f32.const 255)))
    (local.set $c16 (i32.and (local.get $cols) (i32.const -16)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $srow (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $cols))))
      (local.set $orow (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $vecDone (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $c) (local.get $c16)))
        (local.set $v (v128.load align=1 (i32.add (local.get $srow) (local.get $c))))
        (local.set $o (i32.add (local.get $orow) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $mask (i8x16.bitmask (i8x16.ne (local.get $v) (v128.const i32x4 0 0 0 0))))
        (if (i32.eqz (local.get $mask))
          (then
            (v128.store offset=0 align=4 (local.get $o) (v128.const i32x4 0 0 0 0))
            (v128.store offset=16 align=4 (local.get $o) (v128.const i32x4 0 0 0 0))
            (v128.store offset=32 align=4 (local.get $o) (v128.const i32x4 0 0 0 0))
            (v128.store offset=48 align=4 (local.get $o) (v128.const i32x4 0 0 0 0)))
          (else
            (v128.store offset=0 align=4 (local.get $o) ${cvt('low', 'low')})
            (v128.store offset=16 align=4 (local.get $o) ${cvt('low', 'high')})
            (v128.store offset=32 align=4 (local.get $o) ${cvt('high', 'low')})
            (v128.store offset=48 align=4 (local.get $o) ${cvt('high', 'high')})
            (if (local.get $idx)
              (then
                (block $bitsDone (loop $bits
                  (br_if $bitsDone (i32.eqz (local.get $mask)))
                  (local.set $bit (i32.ctz (local.get $mask)))
                  (i32.store (i32.add (local.get $idx) (i32.shl (local.get $nnz) (i32.const 2))) (i32.add (local.get $c) (local.get $bit)))
                  (f32.store (i32.add (local.get $val) (i32.shl (local.get $nnz) (i32.const 2)))
                    (f32.load (i32.add (local.get $o) (i32.shl (local.get $bit) (i32.const 2)))))
                  (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))
                  (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
                  (br $bits)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $vec)))
      (block $tailDone (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $f (f32.div (f32.convert_i32_u (i32.load8_u (i32.add (local.get $srow) (local.get $c)))) (f32.const 255)))
        (f32.store (i32.add (local.get $orow) (i32.shl (local.get $c) (i32.const 2))) (local.get $f))
        (if (i32.and (i32.ne (local.get $idx) (i32.const 0)) (f32.ne (local.get $f) (f32.const 0)))
          (then
            (i32.store (i32.add (local.get $idx) (i32.shl (local.get $nnz) (i32.const 2))) (local.get $c))
            (f32.store (i32.add (local.get $val) (i32.shl (local.get $nnz) (i32.const 2))) (local.get $f))
            (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (if (local.get $idx)
        (then (i32.store (i32.add (local.get $rowEnd) (i32.shl (local.get $r) (i32.const 2))) (local.get $nnz))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $nnz)
  )`;
}

/**
 * compressByteRows: the nonzeros of byte images (rows × cols, 0–255) as
 * column indices (u16, in idx16) and bytes (in val8), row after row, with
 * rowEnd[r] = base + the running count after row r. With idx16 = 0 it only
 * counts (and fills rowEnd), so a caller can size the arrays first. Returns
 * the number of nonzeros. Sixteen bytes are tested at once.
 */
function compressByteRowsKernel(): string {
  return `
  (func $compressByteRows (export "compressByteRows") (param $src i32) (param $rows i32) (param $cols i32) (param $rowEnd i32) (param $idx16 i32) (param $val8 i32) (param $base i32) (result i32)
    (local $r i32) (local $c i32) (local $c16 i32) (local $srow i32) (local $nnz i32) (local $mask i32) (local $bit i32) (local $b i32)
    (local.set $c16 (i32.and (local.get $cols) (i32.const -16)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $srow (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $cols))))
      (local.set $c (i32.const 0))
      (block $vecDone (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $c) (local.get $c16)))
        (local.set $mask (i8x16.bitmask (i8x16.ne (v128.load align=1 (i32.add (local.get $srow) (local.get $c))) (v128.const i32x4 0 0 0 0))))
        (if (local.get $idx16)
          (then
            (block $bitsDone (loop $bits
              (br_if $bitsDone (i32.eqz (local.get $mask)))
              (local.set $bit (i32.add (local.get $c) (i32.ctz (local.get $mask))))
              (i32.store16 (i32.add (local.get $idx16) (i32.shl (local.get $nnz) (i32.const 1))) (local.get $bit))
              (i32.store8 (i32.add (local.get $val8) (local.get $nnz)) (i32.load8_u (i32.add (local.get $srow) (local.get $bit))))
              (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))
              (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
              (br $bits))))
          (else (local.set $nnz (i32.add (local.get $nnz) (i32.popcnt (local.get $mask))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $vec)))
      (block $tailDone (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $b (i32.load8_u (i32.add (local.get $srow) (local.get $c))))
        (if (local.get $b)
          (then
            (if (local.get $idx16)
              (then
                (i32.store16 (i32.add (local.get $idx16) (i32.shl (local.get $nnz) (i32.const 1))) (local.get $c))
                (i32.store8 (i32.add (local.get $val8) (local.get $nnz)) (local.get $b))))
            (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (if (local.get $rowEnd)
        (then (i32.store (i32.add (local.get $rowEnd) (i32.shl (local.get $r) (i32.const 2))) (i32.add (local.get $base) (local.get $nnz)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $nnz)
  )`;
}

/**
 * gatherByteRows: a batch from images compressed by compressByteRows. For
 * each of the `count` image numbers at `order` (i32), its nonzeros become
 * floats byte / 255 (correctly rounded, as bytesToUnit) in compressed rows
 * (outIdx, outVal, outRowEnd, as compressRows makes them); scatterRows
 * writes the dense floats from those. The floats
 * come from `table` (256 of them, float32(b / 255)): a division per pixel
 * cost ~12 ms an MNIST epoch. Returns the number of nonzeros.
 */
function gatherByteRowsKernel(): string {
  // Image order[r]'s nonzeros are t … end − 1.
  const imageRange = `(local.set $img (i32.shl (i32.load (i32.add (local.get $order) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2)))
      (local.set $t (i32.load (i32.add (local.get $rowStart) (local.get $img))))
      (local.set $end (i32.load offset=4 (i32.add (local.get $rowStart) (local.get $img))))`;
  // Reads one byte of every 64-byte line in [from, to).
  const touchLines = (label: string, from: string, to: string): string => `(local.set $line ${from})
      (local.set $lineEnd ${to})
      (block $${label}Done (loop $${label}
        (br_if $${label}Done (i32.ge_u (local.get $line) (local.get $lineEnd)))
        (local.set $sink (i32.add (local.get $sink) (i32.load8_u (local.get $line))))
        (local.set $line (i32.add (local.get $line) (i32.const 64)))
        (br $${label})))`;
  // Moves the four pointers on by `count` nonzeros (u16 index, byte, i32 index, float).
  const advance = (count: number): string =>
    `(local.set $pi (i32.add (local.get $pi) (i32.const ${2 * count}))) (local.set $pb (i32.add (local.get $pb) (i32.const ${count})))
        (local.set $po (i32.add (local.get $po) (i32.const ${4 * count}))) (local.set $pv (i32.add (local.get $pv) (i32.const ${4 * count})))`;
  // Copies the image's nonzero u of the step: its column index, and the float of its byte.
  const copy = (u: number): string => `(i32.store offset=${4 * u} (local.get $po) (i32.load16_u offset=${2 * u} (local.get $pi)))
        (f32.store offset=${4 * u} (local.get $pv) (f32.load (i32.add (local.get $table) (i32.shl (i32.load8_u offset=${u} (local.get $pb)) (i32.const 2)))))`;
  return `
  (func $gatherByteRows (export "gatherByteRows") (param $order i32) (param $count i32) (param $rowStart i32) (param $idx16 i32) (param $val8 i32)
    (param $outIdx i32) (param $outVal i32) (param $outRowEnd i32) (param $table i32) (result i32)
    (local $r i32) (local $img i32) (local $t i32) (local $end i32) (local $nnz i32)
    (local $sink i32) (local $line i32) (local $lineEnd i32)
    (local $pi i32) (local $pb i32) (local $pbEnd i32) (local $pb4 i32) (local $po i32) (local $pv i32)
    ;; The images are scattered over megabytes: touch each one's start, then
    ;; every 64-byte line of its nonzeros, before using any, so that the
    ;; cache misses overlap instead of coming one image at a time.
    (local.set $r (i32.const 0))
    (block $startsDone (loop $starts
      (br_if $startsDone (i32.ge_u (local.get $r) (local.get $count)))
      (local.set $img (i32.shl (i32.load (i32.add (local.get $order) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2)))
      (local.set $sink (i32.add (local.get $sink) (i32.load (i32.add (local.get $rowStart) (local.get $img)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $starts)))
    (local.set $r (i32.const 0))
    (block $linesDone (loop $lines
      (br_if $linesDone (i32.ge_u (local.get $r) (local.get $count)))
      ${imageRange}
      ${touchLines('idx', '(i32.add (local.get $idx16) (i32.shl (local.get $t) (i32.const 1)))', '(i32.add (local.get $idx16) (i32.shl (local.get $end) (i32.const 1)))')}
      ${touchLines('val', '(i32.add (local.get $val8) (local.get $t))', '(i32.add (local.get $val8) (local.get $end))')}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lines)))
    ;; (Stored so that the touching loads are not optimised away; the loop below overwrites it.)
    (i32.store (local.get $outRowEnd) (local.get $sink))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $count)))
      ${imageRange}
      ;; Pointers walk the image's indices and bytes and the batch's outputs,
      ;; four nonzeros a step with their offsets in the immediates.
      (local.set $pi (i32.add (local.get $idx16) (i32.shl (local.get $t) (i32.const 1))))
      (local.set $pb (i32.add (local.get $val8) (local.get $t)))
      (local.set $pbEnd (i32.add (local.get $val8) (local.get $end)))
      (local.set $pb4 (i32.add (local.get $pb) (i32.and (i32.sub (local.get $end) (local.get $t)) (i32.const -4))))
      (local.set $po (i32.add (local.get $outIdx) (i32.shl (local.get $nnz) (i32.const 2))))
      (local.set $pv (i32.add (local.get $outVal) (i32.shl (local.get $nnz) (i32.const 2))))
      (local.set $nnz (i32.add (local.get $nnz) (i32.sub (local.get $end) (local.get $t))))
      (block $foursDone (loop $fours
        (br_if $foursDone (i32.ge_u (local.get $pb) (local.get $pb4)))
        ${range(4).map(copy).join('\n        ')}
        ${advance(4)}
        (br $fours)))
      (block $nzDone (loop $nz
        (br_if $nzDone (i32.ge_u (local.get $pb) (local.get $pbEnd)))
        ${copy(0)}
        ${advance(1)}
        (br $nz)))
      (i32.store (i32.add (local.get $outRowEnd) (i32.shl (local.get $r) (i32.const 2))) (local.get $nnz))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $nnz)
  )`;
}

/**
 * scatterRows / clearRows: writes compressed rows back into dense rows
 * (out, rows × cols): each nonzero's value at its column, or +0 there. A
 * gathered batch keeps its dense floats current this way: clearing the last
 * batch's nonzeros and scattering the new ones touches only the nonzeros,
 * where zeroing the whole batch would write every pixel.
 */
function scatterKernel(name: 'scatterRows' | 'clearRows'): string {
  const value = name === 'scatterRows' ? '(f32.load (i32.add (local.get $val) (i32.shl (local.get $t) (i32.const 2))))' : '(f32.const 0)';
  return `
  (func $${name} (export "${name}") (param $out i32) (param $idx i32) (param $val i32) (param $rowEnd i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $t i32) (local $end i32) (local $row i32)
    (local.set $row (local.get $out))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $end (i32.load (i32.add (local.get $rowEnd) (i32.shl (local.get $r) (i32.const 2)))))
      (block $nzDone (loop $nz
        (br_if $nzDone (i32.ge_u (local.get $t) (local.get $end)))
        (f32.store (i32.add (local.get $row) (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))) (i32.const 2))) ${value})
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $nz)))
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $cols) (i32.const 2))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
  )`;
}

/**
 * A loop over the rows of a rows × cols matrix at `$a`, four columns at a
 * time then one: `vec` and `scalar` get the byte offsets of the element in
 * the row (`$p`, in a) and of its column (`$q`, 0, 16, … / 0, 4, …).
 * addBias:    a[r, :] += bias          (Dense forward)
 * sumColumns: out = Σ_r a[r, :]        (Dense bias gradient; out cleared first)
 * Both add in the order the JS loops do, so they agree bit for bit.
 */
function rowsKernel(name: string, other: string, vec: string, scalar: string, before = ''): string {
  return `
  (func $${name} (export "${name}") (param ${other} i32) (param $a i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $row i32) (local $q i32) (local $p i32) (local $end i32) (local $end4 i32)
    (local.set $end (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    ${before}
    (local.set $row (local.get $a))
    (block $rowsDone (loop $rowsLoop
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $q (i32.const 0))
      (block $vecDone (loop $vecLoop
        (br_if $vecDone (i32.ge_u (local.get $q) (local.get $end4)))
        (local.set $p (i32.add (local.get $row) (local.get $q)))
        ${vec}
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $vecLoop)))
      (block $tailDone (loop $tailLoop
        (br_if $tailDone (i32.ge_u (local.get $q) (local.get $end)))
        (local.set $p (i32.add (local.get $row) (local.get $q)))
        ${scalar}
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $tailLoop)))
      (local.set $row (i32.add (local.get $row) (local.get $end)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowsLoop)))
  )`;
}

/** What an optimizer kernel's body writes with: float64 lanes, two weights (f64x2) or the last one (f64). */
interface Lanes {
  /** 'f64x2' or 'f64': the prefix of every arithmetic instruction. */
  t: string;
  /** The float32 at array `name` (a pointer param), widened. */
  load(name: string): string;
  /** Stores `value` rounded to float32 into array `name`. */
  store(name: string, value: string): string;
  /** A float64 constant param, splatted for f64x2. */
  k(name: string): string;
  /** Sets / reads a temporary. */
  set(name: string, value: string): string;
  get(name: string): string;
  /** `a` if flag param `flag` is nonzero, else `b` (both are computed). */
  pick(a: string, b: string, flag: string): string;
}

/**
 * An optimizer update over n weights in float64, two at a time: `body`
 * spells out the JS loop of its optimizer in the same operations and order,
 * with float32 rounding exactly where the loop's Float32Array stores round,
 * so the kernel's results are the loop's bit for bit (tests compare them).
 */
function float64Update(name: string, arrays: string[], consts: string[], flags: string[], temps: string[], body: (l: Lanes) => string): string {
  const lanes = (wide: boolean): Lanes => {
    const t = wide ? 'f64x2' : 'f64';
    const addr = (ptr: string) => `(i32.add (local.get $${ptr}) (local.get $at))`;
    return {
      t,
      load: (ptr) => (wide ? `(f64x2.promote_low_f32x4 (v128.load64_zero align=4 ${addr(ptr)}))` : `(f64.promote_f32 (f32.load ${addr(ptr)}))`),
      store: (ptr, value) => (wide ? `(v128.store64_lane align=4 0 ${addr(ptr)} (f32x4.demote_f64x2_zero ${value}))` : `(f32.store ${addr(ptr)} (f32.demote_f64 ${value}))`),
      k: (c) => (wide ? `(f64x2.splat (local.get $${c}))` : `(local.get $${c})`),
      set: (temp, value) => `(local.set $${temp}${wide ? 2 : 1} ${value})`,
      get: (temp) => `(local.get $${temp}${wide ? 2 : 1})`,
      pick: (x, y, flag) => `(select (result ${wide ? 'v128' : 'f64'}) ${x} ${y} (local.get $${flag}))`,
    };
  };
  return `
  (func $${name} (export "${name}") ${arrays.map((a) => `(param $${a} i32)`).join(' ')} (param $n i32)
    ${consts.map((c) => `(param $${c} f64)`).join(' ')} ${flags.map((f) => `(param $${f} i32)`).join(' ')}
    (local $at i32) (local $end i32) (local $end2 i32)
    ${temps.map((temp) => `(local $${temp}2 v128) (local $${temp}1 f64)`).join(' ')}
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2)))
    (block $pairsDone (loop $pairs
      (br_if $pairsDone (i32.ge_u (local.get $at) (local.get $end2)))
      ${body(lanes(true))}
      (local.set $at (i32.add (local.get $at) (i32.const 8)))
      (br $pairs)))
    (if (i32.lt_u (local.get $at) (local.get $end))
      (then ${body(lanes(false))}))
  )`;
}

/**
 * The optimizers' updates (optim/*.ts, whose loops they mirror):
 * adamStep (Adam, AdamW), sgdMomentumStep (SGD with momentum, Nesterov,
 * dampening, coupled decay), rmspropStep / rmspropMomentumStep, adagradStep.
 */
function optimizerKernels(): string {
  const adam = float64Update(
    'adamStep',
    ['value', 'grad', 'm', 'v'],
    ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'coupled', 'shrink', 'stepSize', 'invCorrection2', 'eps'],
    [],
    ['th', 'g', 'mi', 'vi'],
    ({ t, load, store, k, set, get }) => `
        ${set('th', load('value'))}
        ${set('g', `(${t}.add ${load('grad')} (${t}.mul ${k('coupled')} ${get('th')}))`)}
        ${set('mi', `(${t}.add (${t}.mul ${k('beta1')} ${load('m')}) (${t}.mul ${k('oneMinusBeta1')} ${get('g')}))`)}
        ${set('vi', `(${t}.add (${t}.mul ${k('beta2')} ${load('v')}) (${t}.mul (${t}.mul ${k('oneMinusBeta2')} ${get('g')}) ${get('g')}))`)}
        ${store('m', get('mi'))}
        ${store('v', get('vi'))}
        ${store('value', `(${t}.sub (${t}.mul ${get('th')} ${k('shrink')}) (${t}.div (${t}.mul ${k('stepSize')} ${get('mi')}) (${t}.add (${t}.sqrt (${t}.mul ${get('vi')} ${k('invCorrection2')})) ${k('eps')})))`)}`,
  );
  const sgd = float64Update(
    'sgdMomentumStep',
    ['value', 'grad', 'v'],
    ['lr', 'mu', 'keep', 'wd'],
    ['first', 'nesterov'],
    ['th', 'g', 'vi'],
    ({ t, load, store, k, set, get, pick }) => `
        ${set('th', load('value'))}
        ${set('g', `(${t}.add ${load('grad')} (${t}.mul ${k('wd')} ${get('th')}))`)}
        ${set('vi', pick(get('g'), `(${t}.add (${t}.mul ${k('mu')} ${load('v')}) (${t}.mul ${k('keep')} ${get('g')}))`, 'first'))}
        ${store('v', get('vi'))}
        ${store('value', `(${t}.sub ${get('th')} (${t}.mul ${k('lr')} ${pick(`(${t}.add ${get('g')} (${t}.mul ${k('mu')} ${get('vi')}))`, get('vi'), 'nesterov')}))`)}`,
  );
  const rmsprop = (momentum: boolean) =>
    float64Update(
      momentum ? 'rmspropMomentumStep' : 'rmspropStep',
      momentum ? ['value', 'grad', 'v', 'b'] : ['value', 'grad', 'v'],
      ['lr', 'alpha', 'oneMinusAlpha', 'eps', 'mu', 'wd'],
      [],
      ['th', 'g', 'vi', 'd', 'bi'],
      ({ t, load, store, k, set, get }) => `
        ${set('th', load('value'))}
        ${set('g', `(${t}.add ${load('grad')} (${t}.mul ${k('wd')} ${get('th')}))`)}
        ${set('vi', `(${t}.add (${t}.mul ${k('alpha')} ${load('v')}) (${t}.mul (${t}.mul ${k('oneMinusAlpha')} ${get('g')}) ${get('g')}))`)}
        ${store('v', get('vi'))}
        ${set('d', `(${t}.div ${get('g')} (${t}.add (${t}.sqrt ${get('vi')}) ${k('eps')}))`)}
        ${momentum ? `${set('bi', `(${t}.add (${t}.mul ${k('mu')} ${load('b')}) ${get('d')})`)}\n        ${store('b', get('bi'))}` : ''}
        ${store('value', `(${t}.sub ${get('th')} (${t}.mul ${k('lr')} ${get(momentum ? 'bi' : 'd')}))`)}`,
    );
  const adagrad = float64Update(
    'adagradStep',
    ['value', 'grad', 's'],
    ['lr', 'eps', 'wd'],
    [],
    ['th', 'g', 'si'],
    ({ t, load, store, k, set, get }) => `
        ${set('th', load('value'))}
        ${set('g', `(${t}.add ${load('grad')} (${t}.mul ${k('wd')} ${get('th')}))`)}
        ${set('si', `(${t}.add ${load('s')} (${t}.mul ${get('g')} ${get('g')}))`)}
        ${store('s', get('si'))}
        ${store('value', `(${t}.sub ${get('th')} (${t}.div (${t}.mul ${k('lr')} ${get('g')}) (${t}.add (${t}.sqrt ${get('si')}) ${k('eps')})))`)}`,
  );
  return [adam, sgd, rmsprop(false), rmsprop(true), adagrad].join('\n');
}

/** ln 2 with its last 21 bits zero, so that k · LN2_HI is exact for every k an exponent can need. */
const LN2_HI = 6.93147180369123816490e-1;
/** ln 2 − LN2_HI. */
const LN2_LO = 1.90821492927058770002e-10;
/** 1.5 · 2⁵²: adding it to a float64 of magnitude below 2⁵¹ rounds it to an integer, which its low bits then hold. */
const ROUNDING_MAGIC = 6755399441055744;
/** The low 64 bits of ROUNDING_MAGIC's encoding, as a signed integer. */
const ROUNDING_MAGIC_BITS = 0x4338000000000000n;

/**
 * e^x in both float64 lanes of `x` (an expression), for softmax, leaving it
 * in local $e: x = k·ln 2 + r with |r| ≤ ln 2 / 2 (k rounded to nearest by
 * the 1.5·2⁵² trick, which also leaves k in the low bits; k·ln 2 subtracted
 * in two parts), e^r = 1 + (r + r²·q(r)) with q the series' terms
 * 1/2! … 1/13!, times 2^k built from k's bits. Inputs below −200 are taken
 * as −200: e^−200 ≈ 1e−87 is 0 as a float32 and cannot change a softmax sum,
 * which holds an e^0 = 1. NaN stays NaN. Within 1 ulp of Math.exp
 * (fdlibm's): about 4 % of inputs in [−200, 0] differ by 1 ulp, none once
 * rounded to float32 (test/kernels/exp.test.ts). Exported for that test.
 */
export function expF64x2(x: string): string {
  const splat = (v: number): string => `(v128.const f64x2 ${v} ${v})`;
  // q(r) = Σ a_i r^i, a_i = 1/(i+2)!, i = 0…11 (the series to 1/13!: with
  // |r| ≤ ln 2 / 2 the next term is below 2⁻⁵⁸), by Estrin's scheme: pairs,
  // then pairs of pairs with r², r⁴, r⁸, so that no long chain of dependent
  // multiply-adds holds the next values back (Horner's: 12 in a row).
  const inverseFactorial = (n: number): number => 1 / range(n).reduce((f, i) => f * (i + 1), 1);
  const a = (i: number): string => splat(inverseFactorial(i + 2));
  const pair = (i: number): string => `(f64x2.add ${a(2 * i)} (f64x2.mul ${a(2 * i + 1)} (local.get $r)))`;
  const quad = (i: number): string => `(f64x2.add ${pair(2 * i)} (f64x2.mul ${pair(2 * i + 1)} (local.get $r2)))`;
  const q = `(f64x2.add (f64x2.add ${quad(0)} (f64x2.mul ${quad(1)} (local.get $r4))) (f64x2.mul ${quad(2)} (f64x2.mul (local.get $r4) (local.get $r4))))`;
  const exponentBias = 1023n - ROUNDING_MAGIC_BITS;
  return `(local.set $x (f64x2.pmax ${x} ${splat(-200)}))
        (local.set $t (f64x2.add (f64x2.mul (local.get $x) ${splat(1 / Math.LN2)}) ${splat(ROUNDING_MAGIC)}))
        (local.set $k (f64x2.sub (local.get $t) ${splat(ROUNDING_MAGIC)}))
        (local.set $r (f64x2.sub (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) ${splat(LN2_HI)})) (f64x2.mul (local.get $k) ${splat(LN2_LO)})))
        (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
        (local.set $e (f64x2.mul
          (f64x2.add ${splat(1)} (f64x2.add (local.get $r) (f64x2.mul (local.get $r2) ${q})))
          (i64x2.shl (i64x2.add (local.get $t) (v128.const i64x2 ${exponentBias} ${exponentBias})) (i32.const 52))))`;
}

/**
 * softmaxRows: the first half of softmax cross-entropy (losses/
 * softmax-cross-entropy.ts), in its JS loop's float64 operations and order:
 * for each row of logits (rows × cols, float32), max = its largest value,
 * e_j = e^(z_j − max), out_j = float32(e_j), sum = Σ e_j in order of j,
 * then out_j = float32(out_j · (scale / sum)); stats[2r] = sum and
 * stats[2r + 1] = max (float64) for the loss, which the caller adds up.
 * With scale 1 it is the softmax itself. The e^x is expF64x2, two columns
 * at a time (within 1 ulp of the JS loop's Math.exp, so a sum may differ in
 * its last bit). Computing the whole batch's exponentials first, in
 * scratch, was measured no faster.
 */
function softmaxRowsKernel(): string {
  const at = (base: string, index: string, shift: number): string => `(i32.add (local.get ${base}) (i32.shl ${index} (i32.const ${shift})))`;
  return `
  (func $softmaxRows (export "softmaxRows") (param $out i32) (param $logits i32) (param $rows i32) (param $cols i32) (param $stats i32) (param $scale f64)
    (local $row i32) (local $j i32) (local $z i32) (local $o i32) (local $cols2 i32)
    (local $max f64) (local $sum f64) (local $v f64) (local $inv f64)
    (local $x v128) (local $t v128) (local $k v128) (local $r v128) (local $r2 v128) (local $r4 v128) (local $e v128)
    (local.set $cols2 (i32.and (local.get $cols) (i32.const -2)))
    (block $rowsDone (loop $rowsLoop
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $z ${at('$logits', '(i32.mul (local.get $row) (local.get $cols))', 2)})
      (local.set $o ${at('$out', '(i32.mul (local.get $row) (local.get $cols))', 2)})
      (local.set $max (f64.const -inf))
      (local.set $j (i32.const 0))
      (block $maxDone (loop $maxLoop
        (br_if $maxDone (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $v (f64.promote_f32 (f32.load ${at('$z', '(local.get $j)', 2)})))
        (local.set $max (select (local.get $v) (local.get $max) (f64.gt (local.get $v) (local.get $max))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $maxLoop)))
      ;; e_j two at a time: out_j = float32(e_j), the sum in order of j.
      (local.set $sum (f64.const 0))
      (local.set $j (i32.const 0))
      (block $pairsDone (loop $pairs
        (br_if $pairsDone (i32.ge_u (local.get $j) (local.get $cols2)))
        ${expF64x2(`(f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero align=4 ${at('$z', '(local.get $j)', 2)})) (f64x2.splat (local.get $max)))`)}
        (v128.store64_lane align=4 0 ${at('$o', '(local.get $j)', 2)} (f32x4.demote_f64x2_zero (local.get $e)))
        (local.set $sum (f64.add (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $e))) (f64x2.extract_lane 1 (local.get $e))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
      (if (i32.lt_u (local.get $j) (local.get $cols))
        (then
          ${expF64x2(`(f64x2.splat (f64.sub (f64.promote_f32 (f32.load ${at('$z', '(local.get $j)', 2)})) (local.get $max)))`)}
          (f32.store ${at('$o', '(local.get $j)', 2)} (f32.demote_f64 (f64x2.extract_lane 0 (local.get $e))))
          (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $e))))))
      (local.set $inv (f64.div (local.get $scale) (local.get $sum)))
      (local.set $j (i32.const 0))
      (block $scaleDone (loop $scaleLoop
        (br_if $scaleDone (i32.ge_u (local.get $j) (local.get $cols)))
        (f32.store ${at('$o', '(local.get $j)', 2)} (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load ${at('$o', '(local.get $j)', 2)})) (local.get $inv))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $scaleLoop)))
      (f64.store ${at('$stats', '(local.get $row)', 4)} (local.get $sum))
      (f64.store offset=8 ${at('$stats', '(local.get $row)', 4)} (local.get $max))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowsLoop)))
  )`;
}

/** Where vector (or float) q of pointer `ptr` is: a memarg and address for a load or store. */
type At = (ptr: string, q?: number) => string;

/**
 * A loop over `n` floats of arrays whose pointers (the params named in
 * `pointers`, the first one the output) walk along: four vectors a step,
 * then single vectors, then single floats. `vec(at)` and `scalar(at)` are
 * the bodies for one vector and one float. The offsets go in the
 * instructions' immediates, so a vector costs its own arithmetic and a
 * quarter of the loop's bookkeeping (the SGD update of W1: 13.0 → 8.4 ms an
 * MNIST epoch, against one vector a step at indexed addresses).
 */
function streamKernel(name: string, params: string, pointers: string[], vec: (at: At) => string, scalar: (at: At) => string, setup = ''): string {
  const advance = (bytes: number) => pointers.map((ptr) => `(local.set ${ptr} (i32.add (local.get ${ptr}) (i32.const ${bytes})))`).join(' ');
  const vecAt: At = (ptr, q = 0) => `offset=${q * 16} align=4 (local.get ${ptr})`;
  const floatAt: At = (ptr) => `(local.get ${ptr})`;
  const loop = (label: string, last: string, body: string, bytes: number) => `
    (local.set $end (i32.add (local.get $start) (i32.shl ${last} (i32.const 2))))
    (block $${label}Done (loop $${label}
      (br_if $${label}Done (i32.ge_u (local.get ${pointers[0]}) (local.get $end)))
      ${body}
      ${advance(bytes)}
      (br $${label})))`;
  return `
  (func $${name} (export "${name}") ${params}
    (local $start i32) (local $end i32) (local $v v128)
    (local.set $start (local.get ${pointers[0]}))
    ${setup}
    ${loop('fours', '(i32.and (local.get $n) (i32.const -16))', range(4).map((q) => vec((ptr) => vecAt(ptr, q))).join('\n      '), 64)}
    ${loop('vecs', '(i32.and (local.get $n) (i32.const -4))', vec(vecAt), 16)}
    ${loop('floats', '(local.get $n)', scalar(floatAt), 4)}
  )`;
}

/** The whole module: its memory (exported) and every kernel. */
export function kernelsWat(memoryPages: number): string {
  return `(module
  (memory (export "memory") ${memoryPages})
  ${scaledRowsKernel('matmul', '(i32.shl (local.get $k) (i32.const 2))', '(i32.const 4)')}
  ${scaledRowsKernel('matmulTransA', '(i32.const 4)', '(i32.shl (local.get $m) (i32.const 2))')}
  ${dotRowsKernel()}
  ${compressRowsKernel()}
  ${bytesToUnitKernel()}
  ${compressByteRowsKernel()}
  ${gatherByteRowsKernel()}
  ${scatterKernel('scatterRows')}
  ${scatterKernel('clearRows')}
  ${sparseKernel('sparseMatmul')}
  ${sparseKernel('sparseMatmulTransA')}
  ;; y += alpha · x (the SGD update is axpy(θ, −lr, g)); $v holds alpha in each lane.
  ${streamKernel(
    'axpy',
    '(param $y i32) (param $alpha f32) (param $x i32) (param $n i32)',
    ['$y', '$x'],
    (at) => `(v128.store ${at('$y')} (f32x4.add (v128.load ${at('$y')}) (f32x4.mul (local.get $v) (v128.load ${at('$x')}))))`,
    (at) => `(f32.store ${at('$y')} (f32.add (f32.load ${at('$y')}) (f32.mul (local.get $alpha) (f32.load ${at('$x')}))))`,
    '(local.set $v (f32x4.splat (local.get $alpha)))',
  )}
  ${rowsKernel(
    'addBias',
    '$bias',
    '(v128.store align=4 (local.get $p) (f32x4.add (v128.load align=4 (local.get $p)) (v128.load align=4 (i32.add (local.get $bias) (local.get $q)))))',
    '(f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (i32.add (local.get $bias) (local.get $q)))))',
  )}
  ${rowsKernel(
    'sumColumns',
    '$out',
    '(v128.store align=4 (i32.add (local.get $out) (local.get $q)) (f32x4.add (v128.load align=4 (i32.add (local.get $out) (local.get $q))) (v128.load align=4 (local.get $p))))',
    '(f32.store (i32.add (local.get $out) (local.get $q)) (f32.add (f32.load (i32.add (local.get $out) (local.get $q))) (f32.load (local.get $p))))',
    '(memory.fill (local.get $out) (i32.const 0) (local.get $end))',
  )}
  ${optimizerKernels()}
  ${softmaxRowsKernel()}
  ;; out = max(x, 0)
  ${streamKernel(
    'reluForward',
    '(param $out i32) (param $x i32) (param $n i32)',
    ['$out', '$x'],
    (at) => `(v128.store ${at('$out')} (f32x4.max (v128.load ${at('$x')}) (v128.const i32x4 0 0 0 0)))`,
    (at) => `(f32.store ${at('$out')} (f32.max (f32.load ${at('$x')}) (f32.const 0)))`,
  )}
  ;; out = g where x > 0, else 0
  ${streamKernel(
    'reluBackward',
    '(param $out i32) (param $x i32) (param $g i32) (param $n i32)',
    ['$out', '$x', '$g'],
    (at) => `(v128.store ${at('$out')} (v128.and (v128.load ${at('$g')}) (f32x4.gt (v128.load ${at('$x')}) (v128.const i32x4 0 0 0 0))))`,
    (at) => `(f32.store ${at('$out')} (select (f32.load ${at('$g')}) (f32.const 0) (f32.gt (f32.load ${at('$x')}) (f32.const 0))))`,
  )}
)`;
}
