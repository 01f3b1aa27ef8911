import { add, and, forRange, inc, kernel, locals, loop, params, range, set, shl, ZERO } from './wat.js';

/**
 * A loop over the rows of a rows × cols matrix at `$a`, four columns at a
 * time then one: `vec` and `scalar` get the byte offsets of the element in
 * the row (`$p`, in a) and of its column (`$q`, 0, 16, … / 0, 4, …).
 * `before` runs once, first.
 */
function rowsKernel(name: string, other: string, vec: string, scalar: string, before = ''): string {
  return kernel(
    name,
    [`(param ${other} i32) (param $a i32) (param $rows i32) (param $cols i32)`, locals('i32', '$r', '$row', '$q', '$p', '$end', '$end4')],
    set('$end', shl('$cols', 2)),
    set('$end4', shl(and('$cols', -4), 2)),
    before,
    set('$row', '$a'),
    forRange('rows', '$r', '$rows', 1,
      set('$q', 0),
      forRange('vec', '$q', '$end4', 16, set('$p', add('$row', '$q')), vec),
      forRange('tail', '$q', '$end', 4, set('$p', add('$row', '$q')), scalar),
      inc('$row', '$end')),
  );
}

/**
 * addBias: a[r, :] += bias (Dense forward), in the order of the JS loop, so
 * they agree bit for bit.
 * reference: src/kernels/elementwise.ts (addBias; plain: addBiasRef in src/kernels/reference.ts)
 */
export function addBiasKernel(): string {
  return rowsKernel(
    'addBias',
    '$bias',
    `(v128.store align=4 (local.get $p) (f32x4.add (v128.load align=4 (local.get $p)) (v128.load align=4 ${add('$bias', '$q')})))`,
    `(f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load ${add('$bias', '$q')})))`,
  );
}

/**
 * sumColumns: out = Σ_r a[r, :] (Dense bias gradient), out cleared first and
 * added to row by row in the order of the JS loop, so they agree bit for bit.
 * reference: src/kernels/elementwise.ts (sumColumns; plain: sumColumnsRef in src/kernels/reference.ts)
 */
export function sumColumnsKernel(): string {
  return rowsKernel(
    'sumColumns',
    '$out',
    `(v128.store align=4 ${add('$out', '$q')} (f32x4.add (v128.load align=4 ${add('$out', '$q')}) (v128.load align=4 (local.get $p))))`,
    `(f32.store ${add('$out', '$q')} (f32.add (f32.load ${add('$out', '$q')}) (f32.load (local.get $p))))`,
    '(memory.fill (local.get $out) (i32.const 0) (local.get $end))',
  );
}

/** Where vector (or float) q of pointer `ptr` is: a memarg and address for a load or store. */
type At = (ptr: string, q?: number) => string;

/**
 * A loop over `n` floats of arrays whose pointers (the params named in
 * `pointers`, the first one the output) walk along: four vectors a step,
 * then single vectors, then single floats. `vec(at)` and `scalar(at)` are
 * the bodies for one vector and one float. The offsets go in the
 * instructions' immediates, so a vector costs its own arithmetic and a
 * quarter of the loop's bookkeeping.
 */
function streamKernel(name: string, params: string, pointers: string[], vec: (at: At) => string, scalar: (at: At) => string, setup = ''): string {
  const vecAt: At = (ptr, q = 0) => `offset=${q * 16} align=4 (local.get ${ptr})`;
  const floatAt: At = (ptr) => `(local.get ${ptr})`;
  // Runs `body` until the output pointer reaches element `last`, moving every pointer on by `bytes`.
  const stream = (label: string, last: string, bytes: number, ...body: string[]) => [
    set('$end', add('$start', shl(last, 2))),
    loop(label, `(i32.ge_u (local.get ${pointers[0]}) (local.get $end))`, body, pointers.map((ptr) => inc(ptr, bytes))),
  ];
  return kernel(
    name,
    [params, locals('i32', '$start', '$end'), locals('v128', '$v')],
    set('$start', pointers[0]),
    setup,
    stream('fours', and('$n', -16), 64, ...range(4).map((q) => vec((ptr) => vecAt(ptr, q)))),
    stream('vecs', and('$n', -4), 16, vec(vecAt)),
    stream('floats', '$n', 4, scalar(floatAt)),
  );
}

/**
 * axpy: y += alpha · x (the SGD update is axpy(θ, −lr, g)), float32 as the
 * JS loop; $v holds alpha in each lane.
 * reference: src/kernels/elementwise.ts (axpy)
 */
export function axpyKernel(): string {
  return streamKernel(
    'axpy',
    '(param $y i32) (param $alpha f32) (param $x i32) (param $n i32)',
    ['$y', '$x'],
    (at) => `(v128.store ${at('$y')} (f32x4.add (v128.load ${at('$y')}) (f32x4.mul (local.get $v) (v128.load ${at('$x')}))))`,
    (at) => `(f32.store ${at('$y')} (f32.add (f32.load ${at('$y')}) (f32.mul (local.get $alpha) (f32.load ${at('$x')}))))`,
    '(local.set $v (f32x4.splat (local.get $alpha)))',
  );
}

/**
 * reluForward: out = max(x, 0).
 * reference: src/kernels/elementwise.ts (reluForward)
 */
export function reluForwardKernel(): string {
  return streamKernel(
    'reluForward',
    '(param $out i32) (param $x i32) (param $n i32)',
    ['$out', '$x'],
    (at) => `(v128.store ${at('$out')} (f32x4.max (v128.load ${at('$x')}) ${ZERO}))`,
    (at) => `(f32.store ${at('$out')} (f32.max (f32.load ${at('$x')}) (f32.const 0)))`,
  );
}

/**
 * reluBackward: out = g where x > 0, else 0.
 * reference: src/kernels/elementwise.ts (reluBackward)
 */
export function reluBackwardKernel(): string {
  return streamKernel(
    'reluBackward',
    '(param $out i32) (param $x i32) (param $g i32) (param $n i32)',
    ['$out', '$x', '$g'],
    (at) => `(v128.store ${at('$out')} (v128.and (v128.load ${at('$g')}) (f32x4.gt (v128.load ${at('$x')}) ${ZERO})))`,
    (at) => `(f32.store ${at('$out')} (select (f32.load ${at('$g')}) (f32.const 0) (f32.gt (f32.load ${at('$x')}) (f32.const 0))))`,
  );
}

/**
 * addChannelBias: out[p, :] += bias[p mod channels] for `planes` = n·channels
 * planes of hw floats (a convolution's bias, on NCHW output), four floats a
 * step, then one.
 * reference: src/kernels/conv.ts (addChannelBiasLoop)
 */
export function addChannelBiasKernel(): string {
  return kernel(
    'addChannelBias',
    [params('i32', '$out', '$bias', '$planes', '$channels', '$hw'), locals('i32', '$p', '$c', '$at', '$end', '$end4'), locals('v128', '$v')],
    set('$at', '$out'),
    forRange('planes', '$p', '$planes', 1,
      set('$v', `(v128.load32_splat ${add('$bias', shl('$c', 2))})`),
      set('$end', add('$at', shl('$hw', 2))),
      set('$end4', add('$at', shl(and('$hw', -4), 2))),
      loop('vecs', '(i32.ge_u (local.get $at) (local.get $end4))',
        '(v128.store align=4 (local.get $at) (f32x4.add (v128.load align=4 (local.get $at)) (local.get $v)))',
        inc('$at', 16)),
      loop('floats', '(i32.ge_u (local.get $at) (local.get $end))',
        '(f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32x4.extract_lane 0 (local.get $v))))',
        inc('$at', 4)),
      inc('$c', 1),
      `(if (i32.eq (local.get $c) (local.get $channels)) (then ${set('$c', 0)}))`),
  );
}
