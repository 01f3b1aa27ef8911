import { and, f32At, forRange, kernel, lines, locals, mul, offset, params, range, set, when } from './wat.js';

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
 * reference: Math.exp
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
  return lines(
    set('$x', `(f64x2.pmax ${x} ${splat(-200)})`),
    set('$t', `(f64x2.add (f64x2.mul (local.get $x) ${splat(1 / Math.LN2)}) ${splat(ROUNDING_MAGIC)})`),
    set('$k', `(f64x2.sub (local.get $t) ${splat(ROUNDING_MAGIC)})`),
    set('$r', `(f64x2.sub (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) ${splat(LN2_HI)})) (f64x2.mul (local.get $k) ${splat(LN2_LO)}))`),
    set('$r2', '(f64x2.mul (local.get $r) (local.get $r))'),
    set('$r4', '(f64x2.mul (local.get $r2) (local.get $r2))'),
    set('$e', `(f64x2.mul
      (f64x2.add ${splat(1)} (f64x2.add (local.get $r) (f64x2.mul (local.get $r2) ${q})))
      (i64x2.shl (i64x2.add (local.get $t) (v128.const i64x2 ${exponentBias} ${exponentBias})) (i32.const 52)))`),
  );
}

/**
 * softmaxRows: the first half of softmax cross-entropy, in its JS loop's
 * float64 operations and order: for each row of logits (rows × cols,
 * float32), max = its largest value, e_j = e^(z_j − max), out_j =
 * float32(e_j), sum = Σ e_j in order of j, then out_j = float32(out_j ·
 * (scale / sum)); stats[2r] = sum and stats[2r + 1] = max (float64) for the
 * loss, which the caller adds up. With scale 1 it is the softmax itself.
 * The e^x is expF64x2, two columns at a time (within 1 ulp of the JS loop's
 * Math.exp, so a sum may differ in its last bit).
 * reference: src/kernels/softmax.ts (softmaxRows, softmaxCrossEntropyRows)
 */
export function softmaxRowsKernel(): string {
  const z = (j: string) => f32At('$z', j);
  const o = (j: string) => f32At('$o', j);
  return kernel(
    'softmaxRows',
    [
      `${params('i32', '$out', '$logits', '$rows', '$cols', '$stats')} ${params('f64', '$scale')}`,
      locals('i32', '$row', '$j', '$z', '$o', '$cols2'),
      locals('f64', '$max', '$sum', '$v', '$inv'),
      locals('v128', '$x', '$t', '$k', '$r', '$r2', '$r4', '$e'),
    ],
    set('$cols2', and('$cols', -2)),
    forRange('rows', '$row', '$rows', 1,
      set('$z', f32At('$logits', mul('$row', '$cols'))),
      set('$o', f32At('$out', mul('$row', '$cols'))),
      set('$max', '(f64.const -inf)'),
      set('$j', 0),
      forRange('max', '$j', '$cols', 1,
        set('$v', `(f64.promote_f32 (f32.load ${z('$j')}))`),
        set('$max', '(select (local.get $v) (local.get $max) (f64.gt (local.get $v) (local.get $max)))')),
      ';; e_j two at a time: out_j = float32(e_j), the sum in order of j.',
      set('$sum', '(f64.const 0)'),
      set('$j', 0),
      forRange('pairs', '$j', '$cols2', 2,
        expF64x2(`(f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero align=4 ${z('$j')})) (f64x2.splat (local.get $max)))`),
        `(v128.store64_lane align=4 0 ${o('$j')} (f32x4.demote_f64x2_zero (local.get $e)))`,
        set('$sum', '(f64.add (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $e))) (f64x2.extract_lane 1 (local.get $e)))')),
      when('(i32.lt_u (local.get $j) (local.get $cols))', [
        expF64x2(`(f64x2.splat (f64.sub (f64.promote_f32 (f32.load ${z('$j')})) (local.get $max)))`),
        `(f32.store ${o('$j')} (f32.demote_f64 (f64x2.extract_lane 0 (local.get $e))))`,
        set('$sum', '(f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $e)))'),
      ]),
      set('$inv', '(f64.div (local.get $scale) (local.get $sum))'),
      set('$j', 0),
      forRange('scale', '$j', '$cols', 1,
        `(f32.store ${o('$j')} (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load ${o('$j')})) (local.get $inv))))`),
      `(f64.store ${offset('$stats', '$row', 4)} (local.get $sum))`,
      `(f64.store offset=8 ${offset('$stats', '$row', 4)} (local.get $max))`),
  );
}
