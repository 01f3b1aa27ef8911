import { add, forBlocks, forRange, kernel, lines, locals, mul, params, set, shl, sub, val, when } from './wat.js';

// im2col / col2im (see src/kernels/conv.ts): col [C·k·k, n·oH·oW] is
// written, or read, in its own order, row by row of the output, so its
// address just moves on by a row of outW floats each step. `ranges` holds,
// for each kernel column kj, the output columns [ow0, ow1) whose input
// column ow·s − p + kj is inside the image (the dispatcher computes them):
// the rest of the row is padding. With stride 1 the inside is one run of
// consecutive floats, copied four at a time.

const loopsOver = (inner: string): string =>
  lines(
    set('$c', 0),
    forRange('channels', '$c', '$C', 1,
      set('$ki', 0),
      forRange('kernelRows', '$ki', '$k', 1,
        set('$kj', 0),
        forRange('kernelCols', '$kj', '$k', 1,
          set('$ow0', `(i32.load ${add('$ranges', shl('$kj', 3))})`),
          set('$ow1', `(i32.load offset=4 ${add('$ranges', shl('$kj', 3))})`),
          set('$b', 0),
          forRange('images', '$b', '$n', 1,
            set('$oh', 0),
            forRange('rows', '$oh', '$oH', 1,
              set('$ih', add(sub(mul('$oh', '$s'), '$p'), '$ki')),
              // Byte address of input column ow·s − p + kj, ow = 0, on input row ih (outside the image when ih is not in [0, H)).
              set('$line', add('$image', shl(add(mul(add(mul(add(mul('$b', '$C'), '$c'), '$H'), '$ih'), '$W'), sub('$kj', '$p')), 2))),
              inner,
              set('$at', add('$at', shl('$oW', 2)))))))));

/** The kernels' parameters: the two arrays (in the order given: output first), then the window's geometry. */
const signature = (first: string, second: string): string =>
  lines(
    params('i32', first, second, '$n', '$C', '$H', '$W', '$k', '$s', '$p', '$oH', '$oW', '$ranges'),
    locals('i32', '$c', '$ki', '$kj', '$b', '$oh', '$ih', '$ow0', '$ow1', '$ow', '$at', '$line', '$zero'),
  );

/** The byte address of input column ow (of the current window row): line + ow·s·4. */
const inputAt = (ow: string): string => add('$line', shl(mul(ow, '$s'), 2));

/**
 * im2col: col = the input values each output pixel's window sees, zeros over the padding ($zero stays 0).
 * reference: src/kernels/conv.ts (im2colLoop)
 */
export function im2colKernel(): string {
  const zeroFrom = (from: string, to: string) => lines(set('$ow', from), forRange('pad' + from.slice(1), '$ow', to, 1, `(f32.store ${add('$at', shl('$ow', 2))} (f32.const 0))`));
  return kernel(
    'im2col',
    signature('$col', '$image'),
    set('$at', '$col'),
    loopsOver(
      when(
        `(i32.lt_u ${val('$ih')} ${val('$H')})`,
        lines(
          // Rows are short (24 floats for LeNet-5's first layer): plain loops beat memory.fill/copy's calls.
          zeroFrom('$zero', '$ow0'),
          set('$ow', '$ow0'),
          when(
            `(i32.eq ${val('$s')} (i32.const 1))`,
            forBlocks('vecs', '$ow', 4, '$ow1', `(v128.store align=4 ${add('$at', shl('$ow', 2))} (v128.load align=4 ${inputAt('$ow')}))`),
          ),
          forRange('cols', '$ow', '$ow1', 1, `(f32.store ${add('$at', shl('$ow', 2))} (f32.load ${inputAt('$ow')}))`),
          zeroFrom('$ow1', '$oW'),
        ),
        zeroFrom('$zero', '$oW'),
      ),
    ),
  );
}

/**
 * col2im: dx = each col value added back to the input pixel it came from (dx is cleared first).
 * reference: src/kernels/conv.ts (col2imLoop); the same additions in the same order.
 */
export function col2imKernel(): string {
  const addTo = (ow: string) => `(f32.store ${inputAt(ow)} (f32.add (f32.load ${inputAt(ow)}) (f32.load ${add('$at', shl(ow, 2))})))`;
  return kernel(
    'col2im',
    signature('$image', '$dcol'),
    `(memory.fill ${val('$image')} (i32.const 0) ${shl(mul(mul('$n', '$C'), mul('$H', '$W')), 2)})`,
    set('$at', '$dcol'),
    loopsOver(
      when(
        `(i32.lt_u ${val('$ih')} ${val('$H')})`,
        lines(
          set('$ow', '$ow0'),
          // Stride 1: four columns at a time (the same per-element additions).
          when(
            `(i32.eq ${val('$s')} (i32.const 1))`,
            forBlocks('vecs', '$ow', 4, '$ow1', `(v128.store align=4 ${inputAt('$ow')} (f32x4.add (v128.load align=4 ${inputAt('$ow')}) (v128.load align=4 ${add('$at', shl('$ow', 2))})))`),
          ),
          forRange('cols', '$ow', '$ow1', 1, addTo('$ow')),
        ),
      ),
    ),
  );
}

/**
 * maxPool2d: out = the largest value of each size × size window (no
 * padding), argmax its element index in x (the first of equal maxima; a NaN
 * wins, as in the loop), for `planes` = n·C planes of H × W.
 * reference: src/kernels/conv.ts (maxPool2dLoop)
 */
export function maxPool2dKernel(): string {
  const x = (index: string) => `(f32.load ${add('$x', shl(index, 2))})`;
  return kernel(
    'maxPool2d',
    lines(
      params('i32', '$out', '$argmax', '$x', '$planes', '$H', '$W', '$k', '$s', '$oH', '$oW'),
      locals('i32', '$plane', '$oh', '$ow', '$ki', '$kj', '$base', '$best', '$line', '$o'),
      locals('f32', '$max', '$v'),
    ),
    set('$plane', 0),
    forRange('planes', '$plane', '$planes', 1,
      set('$base', mul('$plane', mul('$H', '$W'))),
      set('$oh', 0),
      forRange('rows', '$oh', '$oH', 1,
        set('$ow', 0),
        forRange('cols', '$ow', '$oW', 1,
          set('$best', add(add('$base', mul(mul('$oh', '$s'), '$W')), mul('$ow', '$s'))),
          `(local.set $max ${x('$best')})`,
          set('$ki', 0),
          forRange('winRows', '$ki', '$k', 1,
            set('$line', add(add('$base', mul(add(mul('$oh', '$s'), '$ki'), '$W')), mul('$ow', '$s'))),
            set('$kj', 0),
            forRange('winCols', '$kj', '$k', 1,
              `(local.set $v ${x(add('$line', '$kj'))})`,
              when(
                '(i32.or (f32.gt (local.get $v) (local.get $max)) (i32.and (f32.ne (local.get $v) (local.get $v)) (f32.eq (local.get $max) (local.get $max))))',
                lines('(local.set $max (local.get $v))', set('$best', add('$line', '$kj'))),
              ))),
          `(f32.store ${add('$out', shl('$o', 2))} (local.get $max))`,
          `(i32.store ${add('$argmax', shl('$o', 2))} (local.get $best))`,
          set('$o', add('$o', 1))))),
  );
}
