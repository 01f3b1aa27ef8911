import { add, and, f32At, forBlocks, forRange, hsum, inc, kernel, locals, matAt, mul, type Operand, params, range, set, shl, sub, switchOn, val, when, ZERO } from './wat.js';

/** Vectors of 4 floats kept in registers per output-row block (8 → 32 floats). */
export const BLOCK = 8;

/**
 * The memarg and address of vector q of a block of nv at `base` (the
 * block's first column): byte offset 16q, in the instruction's immediate,
 * which V8 folds into the x64 address (an i32.add would cost an instruction
 * per load). In a rest block (`overlap`) the last vector is at base +
 * $lastOff instead, so that it ends at column n (see restVectors).
 */
export function vectorAt(q: number, nv: number, overlap: boolean, base: Operand): string {
  return overlap && q === nv - 1 ? `align=4 ${add(base, '$lastOff')}` : `offset=${q * 16} align=4 ${val(base)}`;
}

/** $acc_q += s · (the vector at `memarg`). */
export const accumulate = (q: number, s: Operand, memarg: string): string =>
  set(`$acc${q}`, `(f32x4.add (local.get $acc${q}) (f32x4.mul ${val(s)} (v128.load ${memarg})))`);

/**
 * For the columns j … n − 1 (n − j < 4·block, n ≥ 4): $nv = ⌈(n − j) / 4⌉
 * vectors, the last at byte offset $lastOff = 4(n − 4 − j) so that it ends
 * at column n, overlapping its neighbour when 4 does not divide n − j.
 */
export const restVectors = (): string[] => [
  set('$nv', `(i32.shr_u ${add(sub('$n', '$j'), 3)} (i32.const 2))`),
  set('$lastOff', shl(sub(sub('$n', 4), '$j'), 2)),
];

/**
 * matmul / matmulTransA: out (m × n) = Σ_inner a(row, inner) · b(inner, :),
 * where a(row, inner) is at `a + row·rowStep + inner·innerStep` (bytes) and b is inner × n:
 * matmul:        inner = k, a m×k      → rowStep 4k, innerStep 4
 * matmulTransA:  inner = k, a k×m (aᵀ) → rowStep 4,  innerStep 4m
 * reference: src/kernels/reference.ts (matmulRef, matmulTransARef; the JS path is src/kernels/matmul.ts)
 *
 * Each output row is done in blocks of 32 columns held in v128 registers
 * while the inner dimension streams past four values at a time. A group of
 * four zero values of a is skipped as a whole (runs of zero pixels); inside a
 * group nothing branches on a value, because ReLU outputs are zero at random
 * and a mispredicted branch per value costs more than the multiply it saves.
 * Adding a product 0·w changes no sum (an accumulator that starts at +0 never
 * becomes −0), so the results are those of a loop that skips every zero.
 *
 * The columns after the last full block (all of them when n < 32, as the
 * output layer's 10) take one pass of up to 8 vectors, one inner value at a
 * time, with no zero groups: unrolled in every width they would double the
 * function, which V8 then takes longer to optimise (running its slow
 * baseline code meanwhile), and the 10-column layer's input has few zero
 * groups anyway. The last vector ends at column n (see restVectors): the
 * overlapped columns are computed by the same operations, so they are
 * stored twice with equal values. Fewer than 4 columns go one float at a time.
 */
export function scaledRowsKernel(name: 'matmul' | 'matmulTransA'): string {
  const [rowStep, innerStep] = name === 'matmul' ? [shl('$k', 2), 4] : [4, shl('$m', 2)];
  const update = (nv: number, rest: boolean, row: string) => range(nv).map((q) => accumulate(q, '$s', vectorAt(q, nv, rest, row)));
  // One block of nv vectors at column $j: zero, stream the inner dimension
  // (in zero-skipping groups of four, unless it is the rest), store.
  const blockCode = (nv: number, rest: boolean) => [
    range(nv).map((q) => set(`$acc${q}`, ZERO)),
    set('$pa', '$aRow'),
    set('$bp', f32At('$b', '$j')),
    set('$p', 0),
    rest
      ? ''
      : forRange('groups', '$p', '$k4', 4,
          range(4).map((u) => set(`$a${u}`, `(f32.load ${u === 0 ? '(local.get $pa)' : add('$pa', u === 1 ? '$aStep' : `$aStep${u}`)})`)),
          when('(i32.or (i32.or (f32.ne (local.get $a0) (f32.const 0)) (f32.ne (local.get $a1) (f32.const 0))) (i32.or (f32.ne (local.get $a2) (f32.const 0)) (f32.ne (local.get $a3) (f32.const 0))))',
            range(4).map((u) => [set('$s', `(f32x4.splat (local.get $a${u}))`), update(nv, rest, u === 0 ? '$bp' : add('$bp', `$bStep${u}`))])),
          inc('$pa', '$aStep4'),
          inc('$bp', '$bStep4')),
    forRange('inner', '$p', '$k', 1,
      set('$s', '(f32x4.splat (f32.load (local.get $pa)))'),
      update(nv, rest, '$bp'),
      inc('$pa', '$aStep'),
      inc('$bp', '$bStep1')),
    set('$o', matAt('$out', '$row', '$j', '$n')),
    range(nv).map((q) => `(v128.store ${vectorAt(q, nv, rest, '$o')} (local.get $acc${q}))`),
  ];
  return kernel(
    name,
    [
      params('i32', '$out', '$a', '$b', '$m', '$k', '$n'),
      locals('i32', '$row', '$aRow', '$aStep', '$aStep2', '$aStep3', '$aStep4', '$bStep1', '$bStep2', '$bStep3', '$bStep4', '$k4', '$nv', '$lastOff'),
      locals('i32', '$j', '$p', '$pa', '$bp', '$o'),
      locals('f32', '$sum', '$a0', '$a1', '$a2', '$a3'),
      locals('v128', '$s', ...range(BLOCK).map((q) => `$acc${q}`)),
    ],
    set('$aStep', innerStep),
    set('$aStep2', shl('$aStep', 1)),
    set('$aStep3', add('$aStep2', '$aStep')),
    set('$aStep4', shl('$aStep', 2)),
    set('$bStep1', shl('$n', 2)),
    set('$bStep2', shl('$bStep1', 1)),
    set('$bStep3', add('$bStep2', '$bStep1')),
    set('$bStep4', shl('$bStep1', 2)),
    set('$k4', and('$k', -4)),
    set('$row', 0),
    forRange('rows', '$row', '$m', 1,
      set('$aRow', add('$a', mul('$row', rowStep))),
      set('$j', 0),
      when('(i32.ge_u (local.get $n) (i32.const 4))', [
        `;; Blocks of ${BLOCK * 4} output columns in ${BLOCK} v128 registers, then the rest.`,
        forBlocks('blocks', '$j', BLOCK * 4, '$n', blockCode(BLOCK, false)),
        restVectors(),
        switchOn('$nv', BLOCK, (v) => blockCode(v, true)),
        set('$j', '$n'),
      ]),
      ';; Fewer than 4 columns: one float at a time.',
      forRange('cols', '$j', '$n', 1,
        set('$sum', '(f32.const 0)'),
        set('$pa', '$aRow'),
        set('$bp', f32At('$b', '$j')),
        set('$p', 0),
        forRange('inner', '$p', '$k', 1,
          set('$sum', '(f32.add (local.get $sum) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $bp))))'),
          inc('$pa', '$aStep'),
          inc('$bp', '$bStep1')),
        `(f32.store ${matAt('$out', '$row', '$j', '$n')} (local.get $sum))`)),
  );
}

/**
 * matmulTransB: out (m×n) = a (m×k) · bᵀ, b stored n×k: each output is a dot
 * product of two contiguous rows; four columns of out share each load of a.
 * reference: src/kernels/reference.ts (matmulTransBRef; the JS path is src/kernels/matmul.ts)
 */
export function dotRowsKernel(): string {
  const J = 4;
  const aAt = (p: string) => f32At('$aRow', p);
  const bAt = (q: number) => f32At(`$bRow${q}`, '$p');
  return kernel(
    'matmulTransB',
    [
      params('i32', '$out', '$a', '$b', '$m', '$k', '$n'),
      `${locals('i32', '$i', '$j', '$p', '$aRow', '$k4', '$kBytes')} ${locals('v128', '$av')} ${locals('f32', '$ax')} ${locals('i32', '$oRow', '$cols')}`,
      range(J).map((q) => `${locals('v128', `$acc${q}`)} ${locals('f32', `$t${q}`)} ${locals('i32', `$bRow${q}`, `$col${q}`)}`).join(' '),
    ],
    set('$k4', and('$k', -4)),
    set('$kBytes', shl('$k', 2)),
    set('$i', 0),
    forRange('rows', '$i', '$m', 1,
      set('$aRow', add('$a', mul('$i', '$kBytes'))),
      set('$oRow', f32At('$out', mul('$i', '$n'))),
      set('$cols', '$n'),
      set('$j', 0),
      forBlocks('blocks', '$j', J, '$cols',
        range(J).map((q) => set(`$col${q}`, add('$j', q))),
        range(J).map((q) => set(`$bRow${q}`, add('$b', mul(`$col${q}`, '$kBytes')))),
        range(J).map((q) => set(`$acc${q}`, ZERO)),
        set('$p', 0),
        forRange('vec', '$p', '$k4', 4,
          set('$av', `(v128.load align=4 ${aAt('$p')})`),
          range(J).map((q) => accumulate(q, '$av', `align=4 ${bAt(q)}`))),
        range(J).map((q) => set(`$t${q}`, hsum(`$acc${q}`))),
        forRange('tail', '$p', '$k', 1,
          set('$ax', `(f32.load ${aAt('$p')})`),
          range(J).map((q) => set(`$t${q}`, `(f32.add (local.get $t${q}) (f32.mul (local.get $ax) (f32.load ${bAt(q)})))`))),
        range(J).map((q) => `(f32.store offset=${q * 4} ${f32At('$oRow', '$j')} (local.get $t${q}))`)),
      ';; The last columns, one at a time.',
      forRange('singles', '$j', '$cols', 1,
        set('$col0', '$j'),
        set('$bRow0', add('$b', mul('$col0', '$kBytes'))),
        set('$acc0', ZERO),
        set('$p', 0),
        forRange('vec', '$p', '$k4', 4, accumulate(0, `(v128.load align=4 ${aAt('$p')})`, `align=4 ${bAt(0)}`)),
        set('$t0', hsum('$acc0')),
        forRange('tail', '$p', '$k', 1,
          set('$t0', `(f32.add (local.get $t0) (f32.mul (f32.load ${aAt('$p')}) (f32.load ${bAt(0)})))`)),
        `(f32.store ${f32At('$oRow', '$col0')} (local.get $t0))`)),
  );
}
