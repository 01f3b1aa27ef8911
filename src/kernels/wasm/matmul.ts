/** Vectors of 4 floats kept in registers per output-row block (8 → 32 floats). */
import { hsum, range } from './wat.js';

export const BLOCK = 8;

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
export function scaledRowsKernel(name: string, rowStep: string, innerStep: string): string {
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


/**
 * matmulTransB: out (m×n) = a (m×k) · bᵀ, b stored n×k: each output is a dot
 * product of two contiguous rows; four columns of out share each load of a.
 */
export function dotRowsKernel(): string {
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
