import { BLOCK } from './matmul.js';
import { f32At, inc, type Operand, range, val } from './wat.js';

/** Appends a nonzero (column `col`, value `value`) to compressed rows $idx / $val as nonzero number $nnz, and counts it. */
export function appendNonzero(col: Operand, value: Operand): string[] {
  return [`(i32.store ${f32At('$idx', '$nnz')} ${val(col)})`, `(f32.store ${f32At('$val', '$nnz')} ${val(value)})`, inc('$nnz', 1)];
}

/** The sparse forward product's block: seven accumulators, seven loaded rows and the splat fit x64's 15 free SIMD registers. */
const FORWARD_BLOCK = 7;

/**
 * compressRows: the nonzeros of x (rows × cols) in compressed sparse rows:
 * column indices in idx (i32), values in val, and in rowEnd[r] the running
 * count after row r. Returns the number of nonzeros. Four values are tested
 * at once, so runs of zeros (most of an MNIST image) cost a quarter.
 */
export function compressRowsKernel(): string {
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
export function sparseKernel(name: 'sparseMatmul' | 'sparseMatmulTransA'): string {
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
