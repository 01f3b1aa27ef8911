import { accumulate, BLOCK, restVectors, vectorAt } from './matmul.js';
import { add, and, type Code, f32At, forBlocks, forRange, inc, kernel, locals, loop, matAt, mul, type Operand, params, range, set, shl, switchOn, val, when, ZERO } from './wat.js';

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
 * reference: none in JS; its inverse is SparseRows.toDense in src/kernels/sparse.ts.
 */
export function compressRowsKernel(): string {
  return kernel(
    'compressRows',
    [
      `${params('i32', '$idx', '$val', '$rowEnd', '$x', '$rows', '$cols')} (result i32)`,
      `${locals('i32', '$r', '$c', '$c4', '$row', '$nnz')} ${locals('v128', '$v')} ${locals('i32', '$mask')} ${locals('f32', '$f')}`,
    ],
    set('$c4', and('$cols', -4)),
    set('$r', 0),
    forRange('rows', '$r', '$rows', 1,
      set('$row', f32At('$x', mul('$r', '$cols'))),
      set('$c', 0),
      forRange('vec', '$c', '$c4', 4,
        set('$v', `(v128.load align=4 ${f32At('$row', '$c')})`),
        set('$mask', `(i32x4.bitmask (f32x4.ne (local.get $v) ${ZERO}))`),
        when('(local.get $mask)',
          range(4).map((l) => when(`(i32.and (local.get $mask) (i32.const ${1 << l}))`, appendNonzero(add('$c', l), `(f32x4.extract_lane ${l} (local.get $v))`))))),
      forRange('tail', '$c', '$cols', 1,
        set('$f', `(f32.load ${f32At('$row', '$c')})`),
        when('(f32.ne (local.get $f) (f32.const 0))', appendNonzero('$c', '$f'))),
      `(i32.store ${f32At('$rowEnd', '$r')} (local.get $nnz))`),
    '(local.get $nnz)',
  );
}

/**
 * The sparse products, over the rows compressed by compressRows:
 * sparseMatmul:       out (m×n)  = X · b, b k×n: out_r = Σ_nz x · b_col     (Dense forward)
 * sparseMatmulTransA: out (k×n) += Xᵀ · g, g m×n: out_col += x · g_r        (Dense weight gradient;
 *                     the caller zeroes out first)
 * reference: src/kernels/reference.ts (matmulRef, matmulTransARef, with X dense)
 *
 * Both keep a block of output (or g) columns in v128 registers and walk the
 * nonzeros only. forward: blocks of FORWARD_BLOCK vectors (one more and the
 * compiler keeps an accumulator on the stack: a store-load chain on every
 * nonzero), then the rest in one pass of up to FORWARD_BLOCK vectors, its
 * last one overlapping its neighbour (see restVectors; the overlapped
 * columns get the same sums again); it walks pointers to the nonzeros'
 * indices and values (no index arithmetic per load), each value loaded
 * straight into all four lanes. transA adds into out, so it cannot
 * overlap: blocks of BLOCK vectors, then single vectors; it keeps a
 * counter (walking pointers gains nothing there). Both end one float at a time.
 */
export function sparseKernel(name: 'sparseMatmul' | 'sparseMatmulTransA'): string {
  const forward = name === 'sparseMatmul';
  // The column index of nonzero $t, and the address of element (that column, $j) of the other matrix.
  const nzCol = `(i32.load ${f32At('$idx', '$t')})`;
  const nzOther = matAt('$other', nzCol, '$j', '$n');
  // $o: forward → out row block; transA → g row block. $bp: forward → b row of the nonzero's column; transA → out row of it.
  // forward: acc = out block, accumulated over nonzeros, stored at the end.
  // transA: acc = g block (loaded once per row), added into out rows of the nonzeros.
  const before = (width: number) =>
    range(width).map((q) => set(`$acc${q}`, forward ? ZERO : `(v128.load ${vectorAt(q, width, false, '$o')})`));
  const perNonzero = (width: number, overlap: boolean) =>
    forward
      ? range(width).map((q) => accumulate(q, '$s', vectorAt(q, width, overlap, '$bp')))
      : range(width).map((q) => `(v128.store ${vectorAt(q, width, false, '$bp')} (f32x4.add (v128.load ${vectorAt(q, width, false, '$bp')}) (f32x4.mul (local.get $s) (local.get $acc${q}))))`);
  const after = (width: number, overlap: boolean) =>
    forward ? range(width).map((q) => `(v128.store ${vectorAt(q, width, overlap, '$o')} (local.get $acc${q}))`) : '';
  // `body` for each of the row's nonzeros start … end − 1, with its value in all four lanes of $s and $bp at its row of the other matrix.
  const eachNonzero = (body: Code) =>
    forward
      ? [
          set('$bj', f32At('$other', '$j')),
          set('$pi', f32At('$idx', '$start')),
          set('$pv', f32At('$val', '$start')),
          set('$piEnd', f32At('$idx', '$end')),
          loop('nz', '(i32.ge_u (local.get $pi) (local.get $piEnd))',
            set('$s', '(v128.load32_splat (local.get $pv))'),
            set('$bp', add('$bj', mul('(i32.load (local.get $pi))', '$n4'))),
            body,
            inc('$pi', 4),
            inc('$pv', 4)),
        ]
      : [
          set('$t', '$start'),
          forRange('nz', '$t', '$end', 1, set('$s', `(f32x4.splat (f32.load ${f32At('$val', '$t')}))`), set('$bp', nzOther), body),
        ];
  // One pass over the row's nonzeros for the block of `width` vectors at column $j.
  const pass = (width: number, overlap: boolean) => [
    set('$o', matAt('$rowBase', '$r', '$j', '$n')),
    before(width),
    eachNonzero(perNonzero(width, overlap)),
    after(width, overlap),
  ];
  const vectorColumns = forward
    ? when('(i32.ge_u (local.get $n) (i32.const 4))', [
        forBlocks('blocks', '$j', FORWARD_BLOCK * 4, '$n', pass(FORWARD_BLOCK, false)),
        restVectors(),
        // rest < 4·FORWARD_BLOCK columns, so nv ≤ FORWARD_BLOCK.
        switchOn('$nv', FORWARD_BLOCK, (v) => pass(v, true)),
        set('$j', '$n'),
      ])
    : [forBlocks('blocks', '$j', BLOCK * 4, '$n', pass(BLOCK, false)), forBlocks('vecs', '$j', 4, '$n', pass(1, false))];
  const scalarColumn = forward
    ? [
        set('$sum', '(f32.const 0)'),
        set('$t', '$start'),
        forRange('nz', '$t', '$end', 1, set('$sum', `(f32.add (local.get $sum) (f32.mul (f32.load ${f32At('$val', '$t')}) (f32.load ${nzOther})))`)),
        `(f32.store ${matAt('$rowBase', '$r', '$j', '$n')} (local.get $sum))`,
      ]
    : [
        set('$sum', `(f32.load ${matAt('$rowBase', '$r', '$j', '$n')})`),
        set('$t', '$start'),
        forRange('nz', '$t', '$end', 1,
          set('$bp', nzOther),
          `(f32.store (local.get $bp) (f32.add (f32.load (local.get $bp)) (f32.mul (local.get $sum) (f32.load ${f32At('$val', '$t')}))))`),
      ];
  return kernel(
    name,
    [
      params('i32', '$out', '$idx', '$val', '$rowEnd', '$b', '$m', '$n'),
      `${locals('i32', '$r', '$j', '$t', '$start', '$end', '$o', '$bp', '$rowBase', '$other')} ${locals('v128', '$s')} ${locals('f32', '$sum')}`,
      locals('i32', '$nv', '$lastOff', '$bj', '$pi', '$pv', '$piEnd', '$n4'),
      locals('v128', ...range(BLOCK).map((q) => `$acc${q}`)),
    ],
    ';; forward: rows of out, columns of b; transA: rows of g (= b), columns of out.',
    set('$rowBase', forward ? '$out' : '$b'),
    set('$other', forward ? '$b' : '$out'),
    set('$n4', shl('$n', 2)),
    set('$start', 0),
    set('$r', 0),
    forRange('rows', '$r', '$m', 1,
      set('$end', `(i32.load ${f32At('$rowEnd', '$r')})`),
      set('$j', 0),
      vectorColumns,
      forRange('cols', '$j', '$n', 1, scalarColumn),
      set('$start', '$end')),
  );
}
