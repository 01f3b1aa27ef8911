import { add, and, type Code, forRange, kernel, locals, set, shl, when } from './wat.js';

/** What an optimizer kernel's body writes with: float64 lanes, two weights (f64x2) or the last one (f64). */
interface Lanes {
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
  /** Arithmetic in the lanes' type (f64x2 or f64). */
  add(a: string, b: string): string;
  sub(a: string, b: string): string;
  mul(a: string, b: string): string;
  div(a: string, b: string): string;
  sqrt(a: string): string;
}

/**
 * An optimizer update over n weights in float64, two at a time: `body`
 * spells out the JS loop of its optimizer in the same operations and order,
 * with float32 rounding exactly where the loop's Float32Array stores round,
 * so the kernel's results are the loop's bit for bit (tests compare them).
 */
function float64Update(name: string, arrays: string[], consts: string[], flags: string[], temps: string[], body: (l: Lanes) => Code): string {
  const lanes = (wide: boolean): Lanes => {
    const t = wide ? 'f64x2' : 'f64';
    const addr = (ptr: string) => add(`$${ptr}`, '$at');
    return {
      load: (ptr) => (wide ? `(f64x2.promote_low_f32x4 (v128.load64_zero align=4 ${addr(ptr)}))` : `(f64.promote_f32 (f32.load ${addr(ptr)}))`),
      store: (ptr, value) => (wide ? `(v128.store64_lane align=4 0 ${addr(ptr)} (f32x4.demote_f64x2_zero ${value}))` : `(f32.store ${addr(ptr)} (f32.demote_f64 ${value}))`),
      k: (c) => (wide ? `(f64x2.splat (local.get $${c}))` : `(local.get $${c})`),
      set: (temp, value) => `(local.set $${temp}${wide ? 2 : 1} ${value})`,
      get: (temp) => `(local.get $${temp}${wide ? 2 : 1})`,
      pick: (x, y, flag) => `(select (result ${wide ? 'v128' : 'f64'}) ${x} ${y} (local.get $${flag}))`,
      add: (a, b) => `(${t}.add ${a} ${b})`,
      sub: (a, b) => `(${t}.sub ${a} ${b})`,
      mul: (a, b) => `(${t}.mul ${a} ${b})`,
      div: (a, b) => `(${t}.div ${a} ${b})`,
      sqrt: (a) => `(${t}.sqrt ${a})`,
    };
  };
  return kernel(
    name,
    [
      `${arrays.map((a) => `(param $${a} i32)`).join(' ')} (param $n i32)`,
      `${consts.map((c) => `(param $${c} f64)`).join(' ')} ${flags.map((f) => `(param $${f} i32)`).join(' ')}`,
      locals('i32', '$at', '$end', '$end2'),
      temps.map((temp) => `(local $${temp}2 v128) (local $${temp}1 f64)`).join(' '),
    ],
    set('$end', shl('$n', 2)),
    set('$end2', shl(and('$n', -2), 2)),
    forRange('pairs', '$at', '$end2', 8, body(lanes(true))),
    when('(i32.lt_u (local.get $at) (local.get $end))', body(lanes(false))),
  );
}
/**
 * adamStep (Adam, AdamW), with moments m and v:
 * g = grad + coupled·θ, m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g²,
 * θ = θ·shrink − stepSize·m / (√(v·invCorrection2) + eps).
 * reference: src/kernels/updates.ts (adamStep)
 */
export function adamKernel(): string {
  return float64Update(
    'adamStep',
    ['value', 'grad', 'm', 'v'],
    ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'coupled', 'shrink', 'stepSize', 'invCorrection2', 'eps'],
    [],
    ['th', 'g', 'mi', 'vi'],
    ({ load, store, k, set, get, add, sub, mul, div, sqrt }) => [
      set('th', load('value')),
      set('g', add(load('grad'), mul(k('coupled'), get('th')))),
      set('mi', add(mul(k('beta1'), load('m')), mul(k('oneMinusBeta1'), get('g')))),
      set('vi', add(mul(k('beta2'), load('v')), mul(mul(k('oneMinusBeta2'), get('g')), get('g')))),
      store('m', get('mi')),
      store('v', get('vi')),
      store('value', sub(mul(get('th'), k('shrink')), div(mul(k('stepSize'), get('mi')), add(sqrt(mul(get('vi'), k('invCorrection2'))), k('eps'))))),
    ],
  );
}

/**
 * sgdMomentumStep (SGD with momentum v, Nesterov, dampening, coupled decay):
 * g = grad + wd·θ, v = first ? g : mu·v + keep·g, θ = θ − lr·(nesterov ? g + mu·v : v).
 * reference: src/kernels/updates.ts (sgdMomentumStep)
 */
export function sgdMomentumKernel(): string {
  return float64Update(
    'sgdMomentumStep',
    ['value', 'grad', 'v'],
    ['lr', 'mu', 'keep', 'wd'],
    ['first', 'nesterov'],
    ['th', 'g', 'vi'],
    ({ load, store, k, set, get, pick, add, sub, mul }) => [
      set('th', load('value')),
      set('g', add(load('grad'), mul(k('wd'), get('th')))),
      set('vi', pick(get('g'), add(mul(k('mu'), load('v')), mul(k('keep'), get('g'))), 'first')),
      store('v', get('vi')),
      store('value', sub(get('th'), mul(k('lr'), pick(add(get('g'), mul(k('mu'), get('vi'))), get('vi'), 'nesterov')))),
    ],
  );
}

/**
 * rmspropStep / rmspropMomentumStep (RMSprop with mean squares v, and
 * momentum buffer b): g = grad + wd·θ, v = α·v + (1 − α)·g², d = g / (√v + eps),
 * then θ = θ − lr·d, or with momentum b = mu·b + d, θ = θ − lr·b.
 * reference: src/kernels/updates.ts (rmspropStep)
 */
export function rmspropKernel(momentum: boolean): string {
  return float64Update(
    momentum ? 'rmspropMomentumStep' : 'rmspropStep',
    momentum ? ['value', 'grad', 'v', 'b'] : ['value', 'grad', 'v'],
    ['lr', 'alpha', 'oneMinusAlpha', 'eps', 'mu', 'wd'],
    [],
    ['th', 'g', 'vi', 'd', 'bi'],
    ({ load, store, k, set, get, add, sub, mul, div, sqrt }) => [
      set('th', load('value')),
      set('g', add(load('grad'), mul(k('wd'), get('th')))),
      set('vi', add(mul(k('alpha'), load('v')), mul(mul(k('oneMinusAlpha'), get('g')), get('g')))),
      store('v', get('vi')),
      set('d', div(get('g'), add(sqrt(get('vi')), k('eps')))),
      momentum ? [set('bi', add(mul(k('mu'), load('b')), get('d'))), store('b', get('bi'))] : '',
      store('value', sub(get('th'), mul(k('lr'), get(momentum ? 'bi' : 'd')))),
    ],
  );
}

/**
 * adagradStep (Adagrad with accumulated squares s):
 * g = grad + wd·θ, s = s + g², θ = θ − lr·g / (√s + eps).
 * reference: src/kernels/updates.ts (adagradStep)
 */
export function adagradKernel(): string {
  return float64Update(
    'adagradStep',
    ['value', 'grad', 's'],
    ['lr', 'eps', 'wd'],
    [],
    ['th', 'g', 'si'],
    ({ load, store, k, set, get, add, sub, mul, div, sqrt }) => [
      set('th', load('value')),
      set('g', add(load('grad'), mul(k('wd'), get('th')))),
      set('si', add(load('s'), mul(get('g'), get('g')))),
      store('s', get('si')),
      store('value', sub(get('th'), div(mul(k('lr'), get('g')), add(sqrt(get('si')), k('eps'))))),
    ],
  );
}
