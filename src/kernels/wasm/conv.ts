import { add, forBlocks, forRange, inc, kernel, lines, locals, mul, params, set, shl, sub, val, when } from './wat.js';

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

/** The loop's rule for a later value v of a window: it wins if larger than the maximum so far, or a NaN where that is not. */
const winsWindow = (v: string, max: string): string =>
  `(i32.or (f32.gt (local.get ${v}) (local.get ${max})) (i32.and (f32.ne (local.get ${v}) (local.get ${v})) (f32.eq (local.get ${max}) (local.get ${max}))))`;

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
                winsWindow('$v', '$max'),
                lines('(local.set $max (local.get $v))', set('$best', add('$line', '$kj'))),
              ))),
          `(f32.store ${add('$out', shl('$o', 2))} (local.get $max))`,
          `(i32.store ${add('$argmax', shl('$o', 2))} (local.get $best))`,
          set('$o', add('$o', 1))))),
  );
}

/**
 * maxPool2x2: maxPool2d for the common 2 × 2 window at stride 2, four
 * outputs a step. Two vectors of each of the window's two input rows are
 * split into their even and odd columns, the four candidates of each window,
 * which are then taken in the loop's order (row 0 left, row 0 right, row 1
 * left, row 1 right) with the loop's rule: a later value wins if it is
 * larger, or if it is a NaN and the maximum so far is not. The last outputs
 * of a row (outW not a multiple of 4) go one at a time.
 * reference: src/kernels/conv.ts (maxPool2dLoop)
 */
export function maxPool2x2Kernel(): string {
  const x = (index: string) => `(f32.load ${add('$x', shl(index, 2))})`;
  const evens = '0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27';
  const odds = '4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31';
  const rowVectors = (row: string, even: string, odd: string) => [
    set('$va', `(v128.load align=4 ${add('$x', shl(add(row, shl('$ow', 1)), 2))})`),
    set('$vb', `(v128.load offset=16 align=4 ${add('$x', shl(add(row, shl('$ow', 1)), 2))})`),
    set(even, `(i8x16.shuffle ${evens} (local.get $va) (local.get $vb))`),
    set(odd, `(i8x16.shuffle ${odds} (local.get $va) (local.get $vb))`),
  ];
  // A later candidate v (element indices: $idx + offset) takes the window if it wins by the loop's rule.
  const take = (v: string, offset: number) => [
    set('$mask', `(v128.or (f32x4.gt (local.get ${v}) (local.get $max)) (v128.and (f32x4.ne (local.get ${v}) (local.get ${v})) (f32x4.eq (local.get $max) (local.get $max))))`),
    set('$max', `(v128.bitselect (local.get ${v}) (local.get $max) (local.get $mask))`),
    set('$best', `(v128.bitselect (i32x4.add (local.get $idx) (i32x4.splat ${val(offset === -1 ? '$W' : offset === -2 ? add('$W', 1) : offset)})) (local.get $best) (local.get $mask))`),
  ];
  return kernel(
    'maxPool2x2',
    lines(
      params('i32', '$out', '$argmax', '$x', '$planes', '$H', '$W', '$oH', '$oW'),
      locals('i32', '$plane', '$oh', '$ow', '$row0', '$row1', '$o', '$at', '$kj', '$ki', '$line'),
      locals('f32', '$m', '$v'),
      locals('v128', '$va', '$vb', '$e0', '$o0', '$e1', '$o1', '$max', '$best', '$mask', '$idx'),
    ),
    set('$plane', 0),
    forRange('planes', '$plane', '$planes', 1,
      set('$oh', 0),
      forRange('rows', '$oh', '$oH', 1,
        set('$row0', add(mul('$plane', mul('$H', '$W')), mul(shl('$oh', 1), '$W'))),
        set('$row1', add('$row0', '$W')),
        set('$ow', 0),
        forBlocks('quads', '$ow', 4, '$oW',
          rowVectors('$row0', '$e0', '$o0'),
          rowVectors('$row1', '$e1', '$o1'),
          // Element indices of the four windows' first candidates: row0 + 2·ow + 0, 2, 4, 6.
          set('$idx', `(i32x4.add (i32x4.splat ${add('$row0', shl('$ow', 1))}) (v128.const i32x4 0 2 4 6))`),
          set('$max', '$e0'),
          set('$best', '$idx'),
          take('$o0', 1),
          take('$e1', -1),
          take('$o1', -2),
          set('$at', shl(add('$o', '$ow'), 2)),
          `(v128.store align=4 ${add('$out', '$at')} (local.get $max))`,
          `(v128.store align=4 ${add('$argmax', '$at')} (local.get $best))`),
        forRange('rest', '$ow', '$oW', 1,
          set('$at', add('$row0', shl('$ow', 1))),
          `(local.set $m ${x('$at')})`,
          set('$line', '$at'),
          set('$ki', 0),
          forRange('winRows', '$ki', 2, 1,
            set('$kj', 0),
            forRange('winCols', '$kj', 2, 1,
              `(local.set $v ${x(add('$line', '$kj'))})`,
              when(
                winsWindow('$v', '$m'),
                lines('(local.set $m (local.get $v))', set('$at', add('$line', '$kj'))),
              )),
            inc('$line', '$W')),
          `(f32.store ${add('$out', shl(add('$o', '$ow'), 2))} (local.get $m))`,
          `(i32.store ${add('$argmax', shl(add('$o', '$ow'), 2))} (local.get $at))`),
        inc('$o', '$oW'))),
  );
}

// The convolution's passes over a range of images (or of output channels),
// each one call, so that a range can be handed to another thread as a whole
// (see src/kernels/threads.ts). They call the kernels above and the matrix
// products per image, in the order convForward / convBackward in
// src/kernels/conv.ts did from JS, so the results are the same bits
// whichever ranges they are split into. `$desc` points to the geometry, ten
// i32: C, H, W, k, s, p, oH, oW, O, and the address of the inside-columns
// table (CONV_DESC in src/kernels/conv.ts).

const DESC = ['$C', '$H', '$W', '$k', '$s', '$p', '$oH', '$oW', '$O', '$ranges'];
const descLocals = (): string => lines(locals('i32', ...DESC, '$patch', '$hw', '$inBytes', '$outBytes', '$colBytes', '$b'));
/** Reads the geometry at $desc into locals, and the sizes of one image (bytes) derived from it. */
const readDesc = (): string =>
  lines(
    ...DESC.map((name, i) => set(name, `(i32.load offset=${4 * i} (local.get $desc))`)),
    set('$patch', mul('$C', mul('$k', '$k'))),
    set('$hw', mul('$oH', '$oW')),
    set('$inBytes', shl(mul('$C', mul('$H', '$W')), 2)),
    set('$outBytes', shl(mul('$O', '$hw'), 2)),
    set('$colBytes', shl(mul('$patch', '$hw'), 2)),
  );
/** The im2col / col2im call for image $b: one image, the geometry's window. */
const windowArgs = '(i32.const 1) (local.get $C) (local.get $H) (local.get $W) (local.get $k) (local.get $s) (local.get $p) (local.get $oH) (local.get $oW) (local.get $ranges)';
const at = (base: string, bytes: string): string => add(base, mul('$b', bytes));

/**
 * Whether an image's product of m × n outputs takes the cache-blocked $gemm
 * (given its scratch, `$pack` ≠ 0): from 16 rows and 16 columns (measured
 * on the conv shapes of LeNet-5 and the cnn preset: 1.2–1.7× the unblocked
 * kernel there, 0.85× with LeNet-5's 6 output channels). Both sum each
 * output in order, so the choice does not change a bit.
 */
const blockedFor = (m: string, n: string): string => `(i32.and (i32.ne (local.get $pack) (i32.const 0)) (i32.and (i32.ge_u ${val(m)} (i32.const 16)) (i32.ge_u ${val(n)} (i32.const 16))))`;

/**
 * convForwardImages: for images b0 … b1 − 1: col_b = im2col(x_b), out_b = W · col_b, out_b += bias per channel.
 * `$pack`: the blocked product's scratch for this thread (0: none).
 * reference: src/kernels/conv.ts (convForward's JS path)
 */
export function convForwardImagesKernel(): string {
  return kernel(
    'convForwardImages',
    [params('i32', '$desc', '$out', '$x', '$w', '$bias', '$col', '$b0', '$b1', '$pack'), descLocals()],
    readDesc(),
    set('$b', '$b0'),
    forRange('images', '$b', '$b1', 1,
      `(call $im2col ${val(at('$col', '$colBytes'))} ${val(at('$x', '$inBytes'))} ${windowArgs})`,
      when(blockedFor('$O', '$hw'),
        `(call $gemm ${val(at('$out', '$outBytes'))} (local.get $w) ${val(at('$col', '$colBytes'))} (local.get $O) (local.get $patch) (local.get $hw) ${val(shl('$patch', 2))} (i32.const 4) ${val(shl('$hw', 2))} (i32.const 4) (local.get $pack) (i32.const 0) (local.get $hw))`,
        `(call $matmul ${val(at('$out', '$outBytes'))} (local.get $w) ${val(at('$col', '$colBytes'))} (local.get $O) (local.get $patch) (local.get $hw))`)),
    `(call $addChannelBias ${val(add('$out', mul('$b0', '$outBytes')))} (local.get $bias) ${val(mul(sub('$b1', '$b0'), '$O'))} (local.get $O) (local.get $hw))`,
  );
}

/**
 * im2colImages: col_b = im2col(x_b) for images b0 … b1 − 1 (the backward pass, when forward's is not at hand).
 * reference: src/kernels/conv.ts (im2colLoop)
 */
export function im2colImagesKernel(): string {
  return kernel(
    'im2colImages',
    [params('i32', '$desc', '$col', '$x', '$b0', '$b1'), descLocals()],
    readDesc(),
    set('$b', '$b0'),
    forRange('images', '$b', '$b1', 1, `(call $im2col ${val(at('$col', '$colBytes'))} ${val(at('$x', '$inBytes'))} ${windowArgs})`),
  );
}

/**
 * convWeightGradRows: rows o0 … o1 − 1 of dL/dW = Σ_b G_b · col_bᵀ over
 * images 0 … n − 1, image by image: the first image writes them when
 * `first`, every other one's go to `part` and are added (axpy).
 * reference: src/kernels/conv.ts (convBackward's JS path)
 */
export function convWeightGradRowsKernel(): string {
  return kernel(
    'convWeightGradRows',
    [params('i32', '$desc', '$dw', '$part', '$g', '$col', '$n', '$o0', '$o1', '$first'), descLocals(), locals('i32', '$rows', '$wAt', '$partAt', '$gRow')],
    readDesc(),
    set('$rows', sub('$o1', '$o0')),
    set('$wAt', add('$dw', shl(mul('$o0', '$patch'), 2))),
    set('$partAt', add('$part', shl(mul('$o0', '$patch'), 2))),
    set('$gRow', shl(mul('$o0', '$hw'), 2)),
    set('$b', 0),
    forRange('images', '$b', '$n', 1,
      when(
        '(i32.and (local.get $first) (i32.eqz (local.get $b)))',
        `(call $matmulTransB (local.get $wAt) ${val(add(at('$g', '$outBytes'), '$gRow'))} ${val(at('$col', '$colBytes'))} (local.get $rows) (local.get $hw) (local.get $patch))`,
        lines(
          `(call $matmulTransB (local.get $partAt) ${val(add(at('$g', '$outBytes'), '$gRow'))} ${val(at('$col', '$colBytes'))} (local.get $rows) (local.get $hw) (local.get $patch))`,
          `(call $axpy (local.get $wAt) (f32.const 1) (local.get $partAt) ${val(mul('$rows', '$patch'))})`,
        ),
      )),
  );
}

/**
 * convInputGradImages: dL/dx_b = col2im(Wᵀ · G_b) for images b0 … b1 − 1, through one image's scratch dcol.
 * `$pack`: the blocked product's scratch for this thread (0: none).
 * reference: src/kernels/conv.ts (convBackward's JS path)
 */
export function convInputGradImagesKernel(): string {
  return kernel(
    'convInputGradImages',
    [params('i32', '$desc', '$dx', '$w', '$g', '$dcol', '$b0', '$b1', '$pack'), descLocals()],
    readDesc(),
    set('$b', '$b0'),
    forRange('images', '$b', '$b1', 1,
      when(blockedFor('$patch', '$hw'),
        `(call $gemm (local.get $dcol) (local.get $w) ${val(at('$g', '$outBytes'))} (local.get $patch) (local.get $O) (local.get $hw) (i32.const 4) ${val(shl('$patch', 2))} ${val(shl('$hw', 2))} (i32.const 4) (local.get $pack) (i32.const 0) (local.get $hw))`,
        `(call $matmulTransA (local.get $dcol) (local.get $w) ${val(at('$g', '$outBytes'))} (local.get $patch) (local.get $O) (local.get $hw))`),
      `(call $col2im ${val(at('$dx', '$inBytes'))} (local.get $dcol) ${windowArgs})`),
  );
}
