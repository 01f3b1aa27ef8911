import { range } from './wat.js';

/**
 * bytesToUnit: a batch of byte images (rows × cols, 0–255) to floats in
 * [0, 1] (out = byte / 255, correctly rounded, as the JS path), and, when
 * `idx` is not 0, its nonzeros in compressed rows at the same time
 * (see compressRows). Sixteen bytes are tested at once; an all-zero group
 * costs one compare and four stores.
 */
export function bytesToUnitKernel(): string {
  const cvt = (half: 'low' | 'high', quarter: 'low' | 'high') =>
    `(f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_${quarter}_i16x8_u (i16x8.extend_${half}_i8x16_u (local.get $v)))) (local.get $k255))`;
  return `
  (func $bytesToUnit (export "bytesToUnit") (param $out i32) (param $idx i32) (param $val i32) (param $rowEnd i32) (param $src i32) (param $rows i32) (param $cols i32) (result i32)
    (local $r i32) (local $c i32) (local $c16 i32) (local $srow i32) (local $orow i32) (local $o i32) (local $nnz i32)
    (local $v v128) (local $mask i32) (local $bit i32) (local $k255 v128) (local $f f32)
    (local.set $k255 (f32x4.splat (f32.const 255)))
    (local.set $c16 (i32.and (local.get $cols) (i32.const -16)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $srow (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $cols))))
      (local.set $orow (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $vecDone (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $c) (local.get $c16)))
        (local.set $v (v128.load align=1 (i32.add (local.get $srow) (local.get $c))))
        (local.set $o (i32.add (local.get $orow) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $mask (i8x16.bitmask (i8x16.ne (local.get $v) (v128.const i32x4 0 0 0 0))))
        (if (i32.eqz (local.get $mask))
          (then
            (v128.store offset=0 align=4 (local.get $o) (v128.const i32x4 0 0 0 0))
            (v128.store offset=16 align=4 (local.get $o) (v128.const i32x4 0 0 0 0))
            (v128.store offset=32 align=4 (local.get $o) (v128.const i32x4 0 0 0 0))
            (v128.store offset=48 align=4 (local.get $o) (v128.const i32x4 0 0 0 0)))
          (else
            (v128.store offset=0 align=4 (local.get $o) ${cvt('low', 'low')})
            (v128.store offset=16 align=4 (local.get $o) ${cvt('low', 'high')})
            (v128.store offset=32 align=4 (local.get $o) ${cvt('high', 'low')})
            (v128.store offset=48 align=4 (local.get $o) ${cvt('high', 'high')})
            (if (local.get $idx)
              (then
                (block $bitsDone (loop $bits
                  (br_if $bitsDone (i32.eqz (local.get $mask)))
                  (local.set $bit (i32.ctz (local.get $mask)))
                  (i32.store (i32.add (local.get $idx) (i32.shl (local.get $nnz) (i32.const 2))) (i32.add (local.get $c) (local.get $bit)))
                  (f32.store (i32.add (local.get $val) (i32.shl (local.get $nnz) (i32.const 2)))
                    (f32.load (i32.add (local.get $o) (i32.shl (local.get $bit) (i32.const 2)))))
                  (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))
                  (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
                  (br $bits)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $vec)))
      (block $tailDone (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $f (f32.div (f32.convert_i32_u (i32.load8_u (i32.add (local.get $srow) (local.get $c)))) (f32.const 255)))
        (f32.store (i32.add (local.get $orow) (i32.shl (local.get $c) (i32.const 2))) (local.get $f))
        (if (i32.and (i32.ne (local.get $idx) (i32.const 0)) (f32.ne (local.get $f) (f32.const 0)))
          (then
            (i32.store (i32.add (local.get $idx) (i32.shl (local.get $nnz) (i32.const 2))) (local.get $c))
            (f32.store (i32.add (local.get $val) (i32.shl (local.get $nnz) (i32.const 2))) (local.get $f))
            (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (if (local.get $idx)
        (then (i32.store (i32.add (local.get $rowEnd) (i32.shl (local.get $r) (i32.const 2))) (local.get $nnz))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $nnz)
  )`;
}

/**
 * compressByteRows: the nonzeros of byte images (rows × cols, 0–255) as
 * column indices (u16, in idx16) and bytes (in val8), row after row, with
 * rowEnd[r] = base + the running count after row r. With idx16 = 0 it only
 * counts (and fills rowEnd), so a caller can size the arrays first. Returns
 * the number of nonzeros. Sixteen bytes are tested at once.
 */
export function compressByteRowsKernel(): string {
  return `
  (func $compressByteRows (export "compressByteRows") (param $src i32) (param $rows i32) (param $cols i32) (param $rowEnd i32) (param $idx16 i32) (param $val8 i32) (param $base i32) (result i32)
    (local $r i32) (local $c i32) (local $c16 i32) (local $srow i32) (local $nnz i32) (local $mask i32) (local $bit i32) (local $b i32)
    (local.set $c16 (i32.and (local.get $cols) (i32.const -16)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $srow (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $cols))))
      (local.set $c (i32.const 0))
      (block $vecDone (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $c) (local.get $c16)))
        (local.set $mask (i8x16.bitmask (i8x16.ne (v128.load align=1 (i32.add (local.get $srow) (local.get $c))) (v128.const i32x4 0 0 0 0))))
        (if (local.get $idx16)
          (then
            (block $bitsDone (loop $bits
              (br_if $bitsDone (i32.eqz (local.get $mask)))
              (local.set $bit (i32.add (local.get $c) (i32.ctz (local.get $mask))))
              (i32.store16 (i32.add (local.get $idx16) (i32.shl (local.get $nnz) (i32.const 1))) (local.get $bit))
              (i32.store8 (i32.add (local.get $val8) (local.get $nnz)) (i32.load8_u (i32.add (local.get $srow) (local.get $bit))))
              (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))
              (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
              (br $bits))))
          (else (local.set $nnz (i32.add (local.get $nnz) (i32.popcnt (local.get $mask))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $vec)))
      (block $tailDone (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $b (i32.load8_u (i32.add (local.get $srow) (local.get $c))))
        (if (local.get $b)
          (then
            (if (local.get $idx16)
              (then
                (i32.store16 (i32.add (local.get $idx16) (i32.shl (local.get $nnz) (i32.const 1))) (local.get $c))
                (i32.store8 (i32.add (local.get $val8) (local.get $nnz)) (local.get $b))))
            (local.set $nnz (i32.add (local.get $nnz) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (if (local.get $rowEnd)
        (then (i32.store (i32.add (local.get $rowEnd) (i32.shl (local.get $r) (i32.const 2))) (i32.add (local.get $base) (local.get $nnz)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $nnz)
  )`;
}

/**
 * gatherByteRows: a batch from images compressed by compressByteRows. For
 * each of the `count` image numbers at `order` (i32), its nonzeros become
 * floats byte / 255 (correctly rounded, as bytesToUnit) in compressed rows
 * (outIdx, outVal, outRowEnd, as compressRows makes them); scatterRows
 * writes the dense floats from those. The floats
 * come from `table` (256 of them, float32(b / 255)): a division per pixel
 * cost ~12 ms an MNIST epoch. Returns the number of nonzeros.
 */
export function gatherByteRowsKernel(): string {
  // Image order[r]'s nonzeros are t … end − 1.
  const imageRange = `(local.set $img (i32.shl (i32.load (i32.add (local.get $order) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2)))
      (local.set $t (i32.load (i32.add (local.get $rowStart) (local.get $img))))
      (local.set $end (i32.load offset=4 (i32.add (local.get $rowStart) (local.get $img))))`;
  // Reads one byte of every 64-byte line in [from, to).
  const touchLines = (label: string, from: string, to: string): string => `(local.set $line ${from})
      (local.set $lineEnd ${to})
      (block $${label}Done (loop $${label}
        (br_if $${label}Done (i32.ge_u (local.get $line) (local.get $lineEnd)))
        (local.set $sink (i32.add (local.get $sink) (i32.load8_u (local.get $line))))
        (local.set $line (i32.add (local.get $line) (i32.const 64)))
        (br $${label})))`;
  // Moves the four pointers on by `count` nonzeros (u16 index, byte, i32 index, float).
  const advance = (count: number): string =>
    `(local.set $pi (i32.add (local.get $pi) (i32.const ${2 * count}))) (local.set $pb (i32.add (local.get $pb) (i32.const ${count})))
        (local.set $po (i32.add (local.get $po) (i32.const ${4 * count}))) (local.set $pv (i32.add (local.get $pv) (i32.const ${4 * count})))`;
  // Copies the image's nonzero u of the step: its column index, and the float of its byte.
  const copy = (u: number): string => `(i32.store offset=${4 * u} (local.get $po) (i32.load16_u offset=${2 * u} (local.get $pi)))
        (f32.store offset=${4 * u} (local.get $pv) (f32.load (i32.add (local.get $table) (i32.shl (i32.load8_u offset=${u} (local.get $pb)) (i32.const 2)))))`;
  return `
  (func $gatherByteRows (export "gatherByteRows") (param $order i32) (param $count i32) (param $rowStart i32) (param $idx16 i32) (param $val8 i32)
    (param $outIdx i32) (param $outVal i32) (param $outRowEnd i32) (param $table i32) (result i32)
    (local $r i32) (local $img i32) (local $t i32) (local $end i32) (local $nnz i32)
    (local $sink i32) (local $line i32) (local $lineEnd i32)
    (local $pi i32) (local $pb i32) (local $pbEnd i32) (local $pb4 i32) (local $po i32) (local $pv i32)
    ;; The images are scattered over megabytes: touch each one's start, then
    ;; every 64-byte line of its nonzeros, before using any, so that the
    ;; cache misses overlap instead of coming one image at a time.
    (local.set $r (i32.const 0))
    (block $startsDone (loop $starts
      (br_if $startsDone (i32.ge_u (local.get $r) (local.get $count)))
      (local.set $img (i32.shl (i32.load (i32.add (local.get $order) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2)))
      (local.set $sink (i32.add (local.get $sink) (i32.load (i32.add (local.get $rowStart) (local.get $img)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $starts)))
    (local.set $r (i32.const 0))
    (block $linesDone (loop $lines
      (br_if $linesDone (i32.ge_u (local.get $r) (local.get $count)))
      ${imageRange}
      ${touchLines('idx', '(i32.add (local.get $idx16) (i32.shl (local.get $t) (i32.const 1)))', '(i32.add (local.get $idx16) (i32.shl (local.get $end) (i32.const 1)))')}
      ${touchLines('val', '(i32.add (local.get $val8) (local.get $t))', '(i32.add (local.get $val8) (local.get $end))')}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lines)))
    ;; (Stored so that the touching loads are not optimised away; the loop below overwrites it.)
    (i32.store (local.get $outRowEnd) (local.get $sink))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $count)))
      ${imageRange}
      ;; Pointers walk the image's indices and bytes and the batch's outputs,
      ;; four nonzeros a step with their offsets in the immediates.
      (local.set $pi (i32.add (local.get $idx16) (i32.shl (local.get $t) (i32.const 1))))
      (local.set $pb (i32.add (local.get $val8) (local.get $t)))
      (local.set $pbEnd (i32.add (local.get $val8) (local.get $end)))
      (local.set $pb4 (i32.add (local.get $pb) (i32.and (i32.sub (local.get $end) (local.get $t)) (i32.const -4))))
      (local.set $po (i32.add (local.get $outIdx) (i32.shl (local.get $nnz) (i32.const 2))))
      (local.set $pv (i32.add (local.get $outVal) (i32.shl (local.get $nnz) (i32.const 2))))
      (local.set $nnz (i32.add (local.get $nnz) (i32.sub (local.get $end) (local.get $t))))
      (block $foursDone (loop $fours
        (br_if $foursDone (i32.ge_u (local.get $pb) (local.get $pb4)))
        ${range(4).map(copy).join('\n        ')}
        ${advance(4)}
        (br $fours)))
      (block $nzDone (loop $nz
        (br_if $nzDone (i32.ge_u (local.get $pb) (local.get $pbEnd)))
        ${copy(0)}
        ${advance(1)}
        (br $nz)))
      (i32.store (i32.add (local.get $outRowEnd) (i32.shl (local.get $r) (i32.const 2))) (local.get $nnz))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $nnz)
  )`;
}

/**
 * scatterRows / clearRows: writes compressed rows back into dense rows
 * (out, rows × cols): each nonzero's value at its column, or +0 there. A
 * gathered batch keeps its dense floats current this way: clearing the last
 * batch's nonzeros and scattering the new ones touches only the nonzeros,
 * where zeroing the whole batch would write every pixel.
 */
export function scatterKernel(name: 'scatterRows' | 'clearRows'): string {
  const value = name === 'scatterRows' ? '(f32.load (i32.add (local.get $val) (i32.shl (local.get $t) (i32.const 2))))' : '(f32.const 0)';
  return `
  (func $${name} (export "${name}") (param $out i32) (param $idx i32) (param $val i32) (param $rowEnd i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $t i32) (local $end i32) (local $row i32)
    (local.set $row (local.get $out))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $end (i32.load (i32.add (local.get $rowEnd) (i32.shl (local.get $r) (i32.const 2)))))
      (block $nzDone (loop $nz
        (br_if $nzDone (i32.ge_u (local.get $t) (local.get $end)))
        (f32.store (i32.add (local.get $row) (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))) (i32.const 2))) ${value})
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $nz)))
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $cols) (i32.const 2))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
  )`;
}
