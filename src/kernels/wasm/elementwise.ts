import { range } from './wat.js';

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

/** axpy: y += alpha · x (the SGD update is axpy(θ, −lr, g)); $v holds alpha in each lane. */
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

export function addBiasKernel(): string {
  return rowsKernel(
    'addBias',
    '$bias',
    '(v128.store align=4 (local.get $p) (f32x4.add (v128.load align=4 (local.get $p)) (v128.load align=4 (i32.add (local.get $bias) (local.get $q)))))',
    '(f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (i32.add (local.get $bias) (local.get $q)))))',
  );
}

export function sumColumnsKernel(): string {
  return rowsKernel(
    'sumColumns',
    '$out',
    '(v128.store align=4 (i32.add (local.get $out) (local.get $q)) (f32x4.add (v128.load align=4 (i32.add (local.get $out) (local.get $q))) (v128.load align=4 (local.get $p))))',
    '(f32.store (i32.add (local.get $out) (local.get $q)) (f32.add (f32.load (i32.add (local.get $out) (local.get $q))) (f32.load (local.get $p))))',
    '(memory.fill (local.get $out) (i32.const 0) (local.get $end))',
  );
}

/** reluForward: out = max(x, 0). */
export function reluForwardKernel(): string {
  return streamKernel(
    'reluForward',
    '(param $out i32) (param $x i32) (param $n i32)',
    ['$out', '$x'],
    (at) => `(v128.store ${at('$out')} (f32x4.max (v128.load ${at('$x')}) (v128.const i32x4 0 0 0 0)))`,
    (at) => `(f32.store ${at('$out')} (f32.max (f32.load ${at('$x')}) (f32.const 0)))`,
  );
}

/** reluBackward: out = g where x > 0, else 0. */
export function reluBackwardKernel(): string {
  return streamKernel(
    'reluBackward',
    '(param $out i32) (param $x i32) (param $g i32) (param $n i32)',
    ['$out', '$x', '$g'],
    (at) => `(v128.store ${at('$out')} (v128.and (v128.load ${at('$g')}) (f32x4.gt (v128.load ${at('$x')}) (v128.const i32x4 0 0 0 0))))`,
    (at) => `(f32.store ${at('$out')} (select (f32.load ${at('$g')}) (f32.const 0) (f32.gt (f32.load ${at('$x')}) (f32.const 0))))`,
  );
}
