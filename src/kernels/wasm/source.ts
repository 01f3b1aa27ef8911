/**
 * The WebAssembly text (WAT) of scratchnet's SIMD kernels, generated here in
 * TypeScript and assembled by `scripts/build-wasm.ts` (wabt) at build time into
 * `module.generated.ts`. Nothing in this file runs at training time.
 *
 * All pointers are byte offsets into the module's own memory; matrices are
 * row-major float32. The kernels mirror the JS ones in ../matmul.ts and
 * ../elementwise.ts (same names, same argument order) and are held to the same
 * plain references in tests.
 *
 * Two ideas make them fast:
 * - f32x4 SIMD with the output row block kept in v128 locals (registers)
 *   while the inner dimension streams past;
 * - the products X·W and Xᵀ·G are computed as sums of scaled rows
 *   (out_row += x · W_row), so a zero x skips a whole row of work. MNIST
 *   pixels are 81 % zeros and ReLU outputs about half, so the first layer
 *   does a fifth of the dense work with no separate sparse format.
 */

/**
 * The module's memory, in 64 KiB pages (64 MiB): model params, gradients,
 * activations and batch buffers live here. It never grows, because growing
 * would detach every Float32Array view JS holds on it; past it, allocations
 * fall back to ordinary arrays and the JS kernels.
 */
export const MEMORY_PAGES = 1024;

/** Vectors of 4 floats kept in registers per output-row block (8 → 32 floats). */
const BLOCK = 8;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * out (rows × n) = Σ_inner a(row, inner) · b(inner, :), where a(row, inner) is
 * at `a + row·rowStep + inner·innerStep` (bytes) and b is inner × n.
 * matmul:        rows = m, inner = k, a m×k      → rowStep 4k, innerStep 4
 * matmulTransA:  rows = m, inner = k, a k×m (aᵀ) → rowStep 4,  innerStep 4m
 */
function scaledRowsKernel(name: string, rowStep: string, innerStep: string): string {
  const accs = range(BLOCK).map((q) => `(local $acc${q} v128)`).join(' ');
  const zeroAccs = range(BLOCK).map((q) => `(local.set $acc${q} (v128.const i32x4 0 0 0 0))`).join('\n        ');
  const fmaAccs = range(BLOCK)
    .map((q) => `(local.set $acc${q} (f32x4.add (local.get $acc${q}) (f32x4.mul (local.get $s) (v128.load offset=${q * 16} align=4 (local.get $bp)))))`)
    .join('\n              ');
  const storeAccs = range(BLOCK)
    .map((q) => `(v128.store offset=${q * 16} align=4 (local.get $o) (local.get $acc${q}))`)
    .join('\n        ');
  return `
  (func $${name} (export "${name}") (param $out i32) (param $a i32) (param $b i32) (param $m i32) (param $k i32) (param $n i32)
    (local $row i32) (local $aRow i32) (local $aStep i32) (local $j i32) (local $p i32) (local $pa i32) (local $bp i32)
    (local $o i32) (local $bStride i32) (local $av f32) (local $s v128) (local $sum f32) ${accs}
    (local.set $bStride (i32.shl (local.get $n) (i32.const 2)))
    (local.set $aStep ${innerStep})
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $m)))
      (local.set $aRow (i32.add (local.get $a) (i32.mul (local.get $row) ${rowStep})))
      (local.set $j (i32.const 0))
      ;; Blocks of ${BLOCK * 4} output columns in ${BLOCK} v128 registers.
      (block $blocksDone (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $j) (i32.const ${BLOCK * 4})) (local.get $n)))
        ${zeroAccs}
        (local.set $pa (local.get $aRow))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $innerDone (loop $inner
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $av (f32.load (local.get $pa)))
          (if (f32.ne (local.get $av) (f32.const 0))
            (then
              (local.set $s (f32x4.splat (local.get $av)))
              ${fmaAccs}))
          (local.set $pa (i32.add (local.get $pa) (local.get $aStep)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bStride)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner)))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $row) (local.get $n)) (local.get $j)) (i32.const 2))))
        ${storeAccs}
        (local.set $j (i32.add (local.get $j) (i32.const ${BLOCK * 4})))
        (br $blocks)))
      ;; Single v128 columns.
      (block $vecsDone (loop $vecs
        (br_if $vecsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $pa (local.get $aRow))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $innerDone (loop $inner
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $av (f32.load (local.get $pa)))
          (if (f32.ne (local.get $av) (f32.const 0))
            (then (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (f32x4.splat (local.get $av)) (v128.load align=4 (local.get $bp)))))))
          (local.set $pa (i32.add (local.get $pa) (local.get $aStep)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bStride)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner)))
        (v128.store align=4 (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $row) (local.get $n)) (local.get $j)) (i32.const 2))) (local.get $acc0))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vecs)))
      ;; The last n % 4 columns, one float at a time.
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $sum (f32.const 0))
        (local.set $pa (local.get $aRow))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $innerDone (loop $inner
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $bp)))))
          (local.set $pa (i32.add (local.get $pa) (local.get $aStep)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bStride)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner)))
        (f32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $row) (local.get $n)) (local.get $j)) (i32.const 2))) (local.get $sum))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows)))
  )`;
}

/** Horizontal sum of the four lanes of a v128 local. */
function hsum(v: string): string {
  return `(f32.add (f32.add (f32x4.extract_lane 0 (local.get ${v})) (f32x4.extract_lane 1 (local.get ${v}))) (f32.add (f32x4.extract_lane 2 (local.get ${v})) (f32x4.extract_lane 3 (local.get ${v}))))`;
}

/**
 * matmulTransB: out (m×n) = a (m×k) · bᵀ, b stored n×k: each output is a dot
 * product of two contiguous rows; four columns of out share each load of a.
 */
function dotRowsKernel(): string {
  const J = 4;
  const accs = range(J).map((q) => `(local $acc${q} v128) (local $t${q} f32) (local $bRow${q} i32)`).join(' ');
  return `
  (func $matmulTransB (export "matmulTransB") (param $out i32) (param $a i32) (param $b i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $p i32) (local $aRow i32) (local $k4 i32) (local $kBytes i32) (local $av v128) (local $ax f32) (local $o i32) ${accs}
    (local.set $k4 (i32.and (local.get $k) (i32.const -4)))
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $aRow (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kBytes))))
      (local.set $j (i32.const 0))
      (block $blocksDone (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $j) (i32.const ${J})) (local.get $n)))
        ${range(J).map((q) => `(local.set $bRow${q} (i32.add (local.get $b) (i32.mul (i32.add (local.get $j) (i32.const ${q})) (local.get $kBytes))))`).join('\n        ')}
        ${range(J).map((q) => `(local.set $acc${q} (v128.const i32x4 0 0 0 0))`).join('\n        ')}
        (local.set $p (i32.const 0))
        (block $vecDone (loop $vec
          (br_if $vecDone (i32.ge_u (local.get $p) (local.get $k4)))
          (local.set $av (v128.load align=4 (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2)))))
          ${range(J).map((q) => `(local.set $acc${q} (f32x4.add (local.get $acc${q}) (f32x4.mul (local.get $av) (v128.load align=4 (i32.add (local.get $bRow${q}) (i32.shl (local.get $p) (i32.const 2)))))))`).join('\n          ')}
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $vec)))
        ${range(J).map((q) => `(local.set $t${q} ${hsum(`$acc${q}`)})`).join('\n        ')}
        (block $tailDone (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $ax (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2)))))
          ${range(J).map((q) => `(local.set $t${q} (f32.add (local.get $t${q}) (f32.mul (local.get $ax) (f32.load (i32.add (local.get $bRow${q}) (i32.shl (local.get $p) (i32.const 2)))))))`).join('\n          ')}
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $tail)))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
        ${range(J).map((q) => `(f32.store offset=${q * 4} (local.get $o) (local.get $t${q}))`).join('\n        ')}
        (local.set $j (i32.add (local.get $j) (i32.const ${J})))
        (br $blocks)))
      ;; The last n % ${J} columns.
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $bRow0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $kBytes))))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.const 0))
        (block $vecDone (loop $vec
          (br_if $vecDone (i32.ge_u (local.get $p) (local.get $k4)))
          (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul
            (v128.load align=4 (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2))))
            (v128.load align=4 (i32.add (local.get $bRow0) (i32.shl (local.get $p) (i32.const 2)))))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $vec)))
        (local.set $t0 ${hsum('$acc0')})
        (block $tailDone (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $t0 (f32.add (local.get $t0) (f32.mul
            (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $p) (i32.const 2))))
            (f32.load (i32.add (local.get $bRow0) (i32.shl (local.get $p) (i32.const 2)))))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $tail)))
        (f32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))) (local.get $t0))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
  )`;
}

/**
 * An elementwise loop over `n` floats, 4 at a time then one at a time:
 * `vec` and `scalar` are the bodies, given the byte offset `$x` (0, 16, … /
 * 0, 4, …) in local `$at`.
 */
function elementwise(name: string, params: string, vec: string, scalar: string, extraLocals = ''): string {
  return `
  (func $${name} (export "${name}") ${params}
    (local $at i32) (local $end i32) (local $end4 i32) ${extraLocals}
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $at (i32.const 0))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $at) (local.get $end4)))
      ${vec}
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br $loop)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      ${scalar}
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br $loop)))
  )`;
}

const at = (ptr: string): string => `(i32.add (local.get ${ptr}) (local.get $at))`;

/** The whole module: its memory (exported) and every kernel. */
export function kernelsWat(memoryPages: number): string {
  return `(module
  (memory (export "memory") ${memoryPages})
  ${scaledRowsKernel('matmul', '(i32.shl (local.get $k) (i32.const 2))', '(i32.const 4)')}
  ${scaledRowsKernel('matmulTransA', '(i32.const 4)', '(i32.shl (local.get $m) (i32.const 2))')}
  ${dotRowsKernel()}
  ;; y += alpha · x (the SGD update is axpy(θ, −lr, g)).
  ${elementwise(
    'axpy',
    '(param $y i32) (param $alpha f32) (param $x i32) (param $n i32)',
    `(v128.store align=4 ${at('$y')} (f32x4.add (v128.load align=4 ${at('$y')}) (f32x4.mul (local.get $va) (v128.load align=4 ${at('$x')}))))`,
    `(f32.store ${at('$y')} (f32.add (f32.load ${at('$y')}) (f32.mul (local.get $alpha) (f32.load ${at('$x')}))))`,
    '(local $va v128)',
  ).replace('(local.set $at (i32.const 0))', '(local.set $va (f32x4.splat (local.get $alpha)))\n    (local.set $at (i32.const 0))')}
  ;; out = max(x, 0)
  ${elementwise(
    'reluForward',
    '(param $out i32) (param $x i32) (param $n i32)',
    `(v128.store align=4 ${at('$out')} (f32x4.max (v128.load align=4 ${at('$x')}) (v128.const i32x4 0 0 0 0)))`,
    `(f32.store ${at('$out')} (f32.max (f32.load ${at('$x')}) (f32.const 0)))`,
  )}
  ;; out = g where x > 0, else 0
  ${elementwise(
    'reluBackward',
    '(param $out i32) (param $x i32) (param $g i32) (param $n i32)',
    `(v128.store align=4 ${at('$out')} (v128.and (v128.load align=4 ${at('$g')}) (f32x4.gt (v128.load align=4 ${at('$x')}) (v128.const i32x4 0 0 0 0))))`,
    `(f32.store ${at('$out')} (select (f32.load ${at('$g')}) (f32.const 0) (f32.gt (f32.load ${at('$x')}) (f32.const 0))))`,
  )}
)`;
}
