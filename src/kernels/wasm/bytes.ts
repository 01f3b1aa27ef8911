import { appendNonzero } from './sparse.js';
import { add, type Code, and, f32At, forRange, inc, kernel, locals, loop, mul, offset, params, range, set, shl, sub, when, ZERO } from './wat.js';

// Byte images (0–255) in and out of compressed rows: the input side of the
// sparse first layer (see ../gather.ts and ../sparse.ts).

/** For each set bit of $mask, lowest first: $bit = bitAt(its index), then `body`; the bit is cleared. */
function eachBit(bitAt: (index: string) => string, ...body: Code[]): string {
  return loop('bits', '(i32.eqz (local.get $mask))', set('$bit', bitAt('(i32.ctz (local.get $mask))')), ...body, set('$mask', and('$mask', sub('$mask', 1))));
}

/**
 * bytesToUnit: a batch of byte images (rows × cols, 0–255) to floats in
 * [0, 1] (out = byte / 255, correctly rounded, as the JS path), and, when
 * `idx` is not 0, its nonzeros in compressed rows at the same time
 * (see compressRows). Sixteen bytes are tested at once, so an all-zero
 * group costs one compare and four stores. Returns the number of nonzeros.
 * reference: src/kernels/bytes.ts (bytesToUnitJs)
 */
export function bytesToUnitKernel(): string {
  const toUnit = (half: 'low' | 'high', quarter: 'low' | 'high') =>
    `(f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_${quarter}_i16x8_u (i16x8.extend_${half}_i8x16_u (local.get $v)))) (local.get $k255))`;
  const store16 = (vectors: string[]) => vectors.map((v, q) => `(v128.store offset=${16 * q} align=4 (local.get $o) ${v})`);
  return kernel(
    'bytesToUnit',
    [
      `${params('i32', '$out', '$idx', '$val', '$rowEnd', '$src', '$rows', '$cols')} (result i32)`,
      locals('i32', '$r', '$c', '$c16', '$srow', '$orow', '$o', '$nnz'),
      `${locals('v128', '$v')} ${locals('i32', '$mask', '$bit')} ${locals('v128', '$k255')} ${locals('f32', '$f')}`,
    ],
    set('$k255', '(f32x4.splat (f32.const 255))'),
    set('$c16', and('$cols', -16)),
    set('$r', 0),
    forRange('rows', '$r', '$rows', 1,
      set('$srow', add('$src', mul('$r', '$cols'))),
      set('$orow', f32At('$out', mul('$r', '$cols'))),
      set('$c', 0),
      forRange('vec', '$c', '$c16', 16,
        set('$v', `(v128.load align=1 ${add('$srow', '$c')})`),
        set('$o', f32At('$orow', '$c')),
        set('$mask', `(i8x16.bitmask (i8x16.ne (local.get $v) ${ZERO}))`),
        when('(i32.eqz (local.get $mask))',
          store16(range(4).map(() => ZERO)),
          [
            ...store16([toUnit('low', 'low'), toUnit('low', 'high'), toUnit('high', 'low'), toUnit('high', 'high')]),
            when('(local.get $idx)', eachBit((i) => i, appendNonzero(add('$c', '$bit'), `(f32.load ${f32At('$o', '$bit')})`))),
          ])),
      forRange('tail', '$c', '$cols', 1,
        set('$f', `(f32.div (f32.convert_i32_u (i32.load8_u ${add('$srow', '$c')})) (f32.const 255))`),
        `(f32.store ${f32At('$orow', '$c')} (local.get $f))`,
        when('(i32.and (i32.ne (local.get $idx) (i32.const 0)) (f32.ne (local.get $f) (f32.const 0)))', appendNonzero('$c', '$f'))),
      when('(local.get $idx)', `(i32.store ${f32At('$rowEnd', '$r')} (local.get $nnz))`)),
    '(local.get $nnz)',
  );
}

/**
 * compressByteRows: the nonzeros of byte images (rows × cols, 0–255) as
 * column indices (u16, in idx16) and bytes (in val8), row after row, with
 * rowEnd[r] = base + the running count after row r. With idx16 = 0 it only
 * counts (and fills rowEnd), so a caller can size the arrays first. Returns
 * the number of nonzeros. Sixteen bytes are tested at once.
 * reference: none in JS; its caller is CompressedImages.build in src/kernels/sparse.ts,
 * whose gathered batches the tests compare with bytesToUnit's.
 */
export function compressByteRowsKernel(): string {
  const store = (col: string, byte: string) => [`(i32.store16 ${offset('$idx16', '$nnz', 1)} ${col})`, `(i32.store8 ${add('$val8', '$nnz')} ${byte})`];
  return kernel(
    'compressByteRows',
    [
      `${params('i32', '$src', '$rows', '$cols', '$rowEnd', '$idx16', '$val8', '$base')} (result i32)`,
      locals('i32', '$r', '$c', '$c16', '$srow', '$nnz', '$mask', '$bit', '$b'),
    ],
    set('$c16', and('$cols', -16)),
    set('$r', 0),
    forRange('rows', '$r', '$rows', 1,
      set('$srow', add('$src', mul('$r', '$cols'))),
      set('$c', 0),
      forRange('vec', '$c', '$c16', 16,
        set('$mask', `(i8x16.bitmask (i8x16.ne (v128.load align=1 ${add('$srow', '$c')}) ${ZERO}))`),
        when('(local.get $idx16)',
          eachBit((i) => add('$c', i), store('(local.get $bit)', `(i32.load8_u ${add('$srow', '$bit')})`), inc('$nnz', 1)),
          inc('$nnz', '(i32.popcnt (local.get $mask))'))),
      forRange('tail', '$c', '$cols', 1,
        set('$b', `(i32.load8_u ${add('$srow', '$c')})`),
        when('(local.get $b)', [when('(local.get $idx16)', store('(local.get $c)', '(local.get $b)')), inc('$nnz', 1)])),
      when('(local.get $rowEnd)', `(i32.store ${f32At('$rowEnd', '$r')} ${add('$base', '$nnz')})`)),
    '(local.get $nnz)',
  );
}

/**
 * gatherByteRows: a batch from images compressed by compressByteRows. For
 * each of the `count` image numbers at `order` (i32), its nonzeros become
 * floats byte / 255 (correctly rounded, as bytesToUnit) in compressed rows
 * (outIdx, outVal, outRowEnd, as compressRows makes them); scatterRows
 * writes the dense floats from those. The floats come from `table` (256 of
 * them, float32(b / 255)), cheaper than a division per pixel. Returns the
 * number of nonzeros.
 * reference: src/kernels/sparse.ts (CompressedImages.gather, its JS loop)
 */
export function gatherByteRowsKernel(): string {
  // $img: byte offset of image order[r]'s entry in rowStart.
  const image = set('$img', shl(`(i32.load ${f32At('$order', '$r')})`, 2));
  // Image order[r]'s nonzeros are t … end − 1.
  const imageRange = [image, set('$t', `(i32.load ${add('$rowStart', '$img')})`), set('$end', `(i32.load offset=4 ${add('$rowStart', '$img')})`)];
  // Reads one byte of every 64-byte line in [from, to).
  const touchLines = (label: string, from: string, to: string) => [
    set('$line', from),
    set('$lineEnd', to),
    forRange(label, '$line', '$lineEnd', 64, inc('$sink', '(i32.load8_u (local.get $line))')),
  ];
  // Moves the four pointers on by `count` nonzeros (u16 index, byte, i32 index, float).
  const advance = (count: number) => [inc('$pi', 2 * count), inc('$pb', count), inc('$po', 4 * count), inc('$pv', 4 * count)];
  // Copies the image's nonzero u of the step: its column index, and the float of its byte.
  const copy = (u: number) => [
    `(i32.store offset=${4 * u} (local.get $po) (i32.load16_u offset=${2 * u} (local.get $pi)))`,
    `(f32.store offset=${4 * u} (local.get $pv) (f32.load ${f32At('$table', `(i32.load8_u offset=${u} (local.get $pb))`)}))`,
  ];
  return kernel(
    'gatherByteRows',
    [
      `${params('i32', '$order', '$count', '$rowStart', '$idx16', '$val8', '$outIdx', '$outVal', '$outRowEnd', '$table')} (result i32)`,
      locals('i32', '$r', '$img', '$t', '$end', '$nnz', '$sink', '$line', '$lineEnd', '$pi', '$pb', '$pbEnd', '$pb4', '$po', '$pv'),
    ],
    ';; The images are scattered over megabytes: touch each one\'s start, then',
    ';; every 64-byte line of its nonzeros, before using any, so that the',
    ';; cache misses overlap instead of coming one image at a time.',
    set('$r', 0),
    forRange('starts', '$r', '$count', 1, image, inc('$sink', `(i32.load ${add('$rowStart', '$img')})`)),
    set('$r', 0),
    forRange('lines', '$r', '$count', 1,
      imageRange,
      touchLines('idx', offset('$idx16', '$t', 1), offset('$idx16', '$end', 1)),
      touchLines('val', add('$val8', '$t'), add('$val8', '$end'))),
    ';; (Stored so that the touching loads are not optimised away; the loop below overwrites it.)',
    '(i32.store (local.get $outRowEnd) (local.get $sink))',
    set('$r', 0),
    forRange('rows', '$r', '$count', 1,
      imageRange,
      ';; Pointers walk the image\'s indices and bytes and the batch\'s outputs,',
      ';; four nonzeros a step with their offsets in the immediates.',
      set('$pi', offset('$idx16', '$t', 1)),
      set('$pb', add('$val8', '$t')),
      set('$pbEnd', add('$val8', '$end')),
      set('$pb4', add('$pb', and(sub('$end', '$t'), -4))),
      set('$po', f32At('$outIdx', '$nnz')),
      set('$pv', f32At('$outVal', '$nnz')),
      inc('$nnz', sub('$end', '$t')),
      loop('fours', '(i32.ge_u (local.get $pb) (local.get $pb4))', range(4).map(copy), advance(4)),
      loop('nz', '(i32.ge_u (local.get $pb) (local.get $pbEnd))', copy(0), advance(1)),
      `(i32.store ${f32At('$outRowEnd', '$r')} (local.get $nnz))`),
    '(local.get $nnz)',
  );
}

/**
 * scatterRows: writes compressed rows into dense rows (out, rows × cols):
 * each nonzero's value at its column, the other entries left as they are
 * (a gathered batch's floats, written when first read, over zeros).
 * reference: src/kernels/sparse.ts (SparseRows.toDense, which also zeroes the rest)
 */
export function scatterKernel(): string {
  const name = 'scatterRows';
  const value = `(f32.load ${f32At('$val', '$t')})`;
  // $r and $t start at 0 (locals are zeroed); $t runs on from row to row.
  return kernel(
    name,
    [params('i32', '$out', '$idx', '$val', '$rowEnd', '$rows', '$cols'), locals('i32', '$r', '$t', '$end', '$row')],
    set('$row', '$out'),
    forRange('rows', '$r', '$rows', 1,
      set('$end', `(i32.load ${f32At('$rowEnd', '$r')})`),
      forRange('nz', '$t', '$end', 1, `(f32.store ${f32At('$row', `(i32.load ${f32At('$idx', '$t')})`)} ${value})`),
      inc('$row', shl('$cols', 2))),
  );
}
