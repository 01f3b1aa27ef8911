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
export function optimizerKernels(): string {
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
