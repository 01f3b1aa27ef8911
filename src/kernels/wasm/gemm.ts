import { add, forRange, kernel, locals, mul, params, range, set, shl, sub, val, when, ZERO, type Code, type Operand } from './wat.js';

/**
 * The cache-blocked product (the GotoBLAS/BLIS scheme) for the products too
 * big for the caches: out (m×n) = Σ_p A(i, p) · B(p, j), any of the three
 * layouts a Dense needs, given as byte strides:
 *
 *   A(i, p) at a + i·aRow + p·aInner;   B(p, j) at b + p·bInner + j·bCol.
 *
 * matmul (X·W):        aRow 4k, aInner 4;  bInner 4n, bCol 4
 * matmulTransA (Xᵀ·G): aRow 4,  aInner 4m; bInner 4n, bCol 4
 * matmulTransB (G·Wᵀ): aRow 4k, aInner 4;  bInner 4,  bCol 4k
 *
 * Only the columns [j0, j1) of out are written, so that threads can share
 * a product by column ranges (blocks of output, never parts of a sum).
 *
 * For each block of NC columns and KC inner indices, B's block is copied
 * ("packed") into panels of W columns, each panel KC rows of W contiguous
 * floats (KC·NC·4 = 256 KiB, held in the level-2 cache); for each block of
 * MC rows, A's block is packed into panels of R rows (R floats per inner
 * index: 64 KiB). The micro-kernel then keeps an R×W tile of out in R·V
 * v128 registers while one panel of each streams past (a B panel of
 * 8 KiB stays in the level-1 cache while the A panels pass): per inner
 * index V vector loads of B and R splats of A feed R·V multiply-adds. The
 * tile's partial sums go to out between blocks of KC and come back for the
 * next, unchanged (float32 either way), so every output is the float32 sum
 * of its products in the order of p, as in matmul.ts' scaled-rows kernels:
 * blocked, unblocked and any thread count give the same bits (zeros in A
 * are not skipped here, which changes no sum: see matmul.ts). Panels past
 * the matrix's edge are padded with zeros, and a tile that crosses it is
 * computed in a scratch tile and copied.
 *
 * `pack` is the caller's scratch of {@link gemmPackBytes} bytes, one per thread.
 * reference: src/kernels/reference.ts (matmulRef, matmulTransARef, matmulTransBRef)
 */

/** Rows of the register tile. */
export const GEMM_R = 4;
/** Vectors (of four columns) of the register tile. */
export const GEMM_V = 2;
const R = GEMM_R;
const V = GEMM_V;
const W = 4 * V;
/** Inner indices per block. */
const KC = 256;
/** Rows per block of A (a multiple of R). */
const MC = 64 - (64 % R);
/** Columns per block of B (a multiple of W). */
const NC = 256 - (256 % W);

/** The bytes of scratch one call needs: the edge tile, A's block and B's block. */
export const gemmPackBytes = 4 * (R * W + MC * KC + KC * NC);

const min = (a: Operand, b: Operand): string => `(select ${val(a)} ${val(b)} (i32.lt_u ${val(a)} ${val(b)}))`;
const acc = (r: number, v: number): string => `$acc${r}_${v}`;

/** Copies the valid rows × cols of the tile between out (row stride $ldOut) and the scratch tile, either way. */
function copyTile(toTile: boolean): Code {
  const outAt = add('$cOut', add(mul('$r', '$ldOut'), shl('$jj', 2)));
  const tileAt = add('$tile', shl(add(mul('$r', W), '$jj'), 2));
  const [dst, src] = toTile ? [tileAt, outAt] : [outAt, tileAt];
  return [
    set('$r', 0),
    forRange(toTile ? 'inRows' : 'outRows', '$r', '$rows', 1,
      set('$jj', 0),
      forRange(toTile ? 'inCols' : 'outCols', '$jj', '$cols', 1, `(f32.store ${dst} (f32.load ${src}))`)),
  ];
}

/**
 * For p < $kc: `count` floats to $dst, element e from $src + e·step (0 from
 * e = valid on: past the matrix's edge; element 0 always exists), then
 * $dst moves on by the panel's row and $src by `inner`.
 */
function packStrided(label: string, count: number, valid: string, step: string, inner: string): Code {
  const element = (e: number) =>
    e === 0 ? `(f32.load ${val('$src')})` : `(if (result f32) (i32.lt_u (i32.const ${e}) ${val(valid)}) (then (f32.load ${add('$src', mul(e, step))})) (else (f32.const 0)))`;
  return forRange(label, '$p', '$kc', 1,
    range(count).map((e) => `(f32.store offset=${4 * e} ${val('$dst')} ${element(e)})`),
    set('$dst', add('$dst', 4 * count)),
    set('$src', add('$src', inner)));
}

export function gemmKernel(fma = false): string {
  const rowAddr = (r: number) => `$c${r}`;
  return kernel(
    'gemm',
    [
      params('i32', '$out', '$a', '$b', '$m', '$k', '$n', '$aRow', '$aInner', '$bInner', '$bCol', '$pack', '$j0', '$j1'),
      locals('i32', '$tile', '$aPack', '$bPack', '$jc', '$nc', '$pc', '$kc', '$ic', '$mc', '$ir', '$jr', '$rows', '$cols', '$p', '$src', '$dst'),
      locals('i32', '$pa', '$pb', '$cOut', '$ldOut', '$ld', '$full', '$r', '$jj', ...range(R).map(rowAddr)),
      locals('v128', '$s', ...range(V).map((v) => `$b${v}`), ...range(R).flatMap((r) => range(V).map((v) => acc(r, v)))),
    ],
    set('$tile', '$pack'),
    set('$aPack', add('$tile', 4 * R * W)),
    set('$bPack', add('$aPack', 4 * MC * KC)),
    set('$ldOut', shl('$n', 2)),
    set('$jc', '$j0'),
    forRange('colBlocks', '$jc', '$j1', NC,
      set('$nc', min(NC, sub('$j1', '$jc'))),
      set('$pc', 0),
      forRange('innerBlocks', '$pc', '$k', KC,
        set('$kc', min(KC, sub('$k', '$pc'))),
        ';; Pack B[pc…pc+kc, jc…jc+nc] into panels of W columns, zero past the edge.',
        set('$dst', '$bPack'),
        set('$jr', 0),
        forRange('packB', '$jr', '$nc', W,
          set('$cols', min(W, sub('$nc', '$jr'))),
          set('$src', add(add('$b', mul('$pc', '$bInner')), mul(add('$jc', '$jr'), '$bCol'))),
          set('$p', 0),
          when(`(i32.and (i32.eq ${val('$cols')} (i32.const ${W})) (i32.eq ${val('$bCol')} (i32.const 4)))`,
            forRange('packBRows', '$p', '$kc', 1,
              range(V).map((v) => `(v128.store offset=${16 * v} align=4 ${val('$dst')} (v128.load offset=${16 * v} align=4 ${val('$src')}))`),
              set('$dst', add('$dst', 4 * W)),
              set('$src', add('$src', '$bInner'))),
            packStrided('packBEdge', W, '$cols', '$bCol', '$bInner')),
        ),
        set('$ic', 0),
        forRange('rowBlocks', '$ic', '$m', MC,
          set('$mc', min(MC, sub('$m', '$ic'))),
          ';; Pack A[ic…ic+mc, pc…pc+kc] into panels of R rows, zero past the edge.',
          set('$dst', '$aPack'),
          set('$ir', 0),
          forRange('packA', '$ir', '$mc', R,
            set('$rows', min(R, sub('$mc', '$ir'))),
            set('$src', add(add('$a', mul(add('$ic', '$ir'), '$aRow')), mul('$pc', '$aInner'))),
            set('$p', 0),
            packStrided('packARows', R, '$rows', '$aRow', '$aInner')),
          ';; Tiles: a B panel stays while the A panels pass.',
          set('$jr', 0),
          forRange('tileCols', '$jr', '$nc', W,
            set('$cols', min(W, sub('$nc', '$jr'))),
            set('$ir', 0),
            forRange('tileRows', '$ir', '$mc', R,
              set('$rows', min(R, sub('$mc', '$ir'))),
              set('$cOut', add('$out', shl(add(mul(add('$ic', '$ir'), '$n'), add('$jc', '$jr')), 2))),
              set('$full', `(i32.and (i32.eq ${val('$rows')} (i32.const ${R})) (i32.eq ${val('$cols')} (i32.const ${W})))`),
              when(val('$full'),
                [set('$c0', '$cOut'), set('$ld', '$ldOut')],
                [set('$c0', '$tile'), set('$ld', 4 * W), when(`(i32.ne ${val('$pc')} (i32.const 0))`, copyTile(true))]),
              range(R - 1).map((r) => set(rowAddr(r + 1), add(rowAddr(r), '$ld'))),
              when(`(i32.eqz ${val('$pc')})`,
                range(R).flatMap((r) => range(V).map((v) => set(acc(r, v), ZERO))),
                range(R).flatMap((r) => range(V).map((v) => set(acc(r, v), `(v128.load offset=${16 * v} align=4 ${val(rowAddr(r))})`)))),
              set('$pa', add('$aPack', mul('$ir', shl('$kc', 2)))),
              set('$pb', add('$bPack', mul('$jr', shl('$kc', 2)))),
              set('$p', 0),
              forRange('inner', '$p', '$kc', 1,
                range(V).map((v) => set(`$b${v}`, `(v128.load offset=${16 * v} align=4 ${val('$pb')})`)),
                range(R).map((r) => [
                  set('$s', `(v128.load32_splat offset=${4 * r} align=4 ${val('$pa')})`),
                  range(V).map((v) => set(acc(r, v), fma ? `(f32x4.relaxed_madd (local.get $s) (local.get $b${v}) (local.get ${acc(r, v)}))` : `(f32x4.add (local.get ${acc(r, v)}) (f32x4.mul (local.get $s) (local.get $b${v})))`)),
                ]),
                set('$pa', add('$pa', 4 * R)),
                set('$pb', add('$pb', 4 * W))),
              range(R).flatMap((r) => range(V).map((v) => `(v128.store offset=${16 * v} align=4 ${val(rowAddr(r))} (local.get ${acc(r, v)}))`)),
              when(`(i32.eqz ${val('$full')})`, copyTile(false)))))),
    ),
  );
}

/** For tests and the dispatcher: the blocking constants. */
export const GEMM_BLOCKS = { R, V, W, KC, MC, NC } as const;
