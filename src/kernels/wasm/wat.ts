/**
 * Small builders of WAT text shared by the kernels: addresses, loops,
 * declarations. Each returns a folded s-expression; whitespace between them
 * is free (the assembler ignores it).
 *
 * An operand is a number (an i32 constant), a local's name (`'$x'`, read
 * with local.get) or any expression (`'(i32.add …)'`), so that
 * `f32At('$row', '$c')` reads like `row[c]`.
 */

/** A number (i32 constant), a local's name, or a WAT expression. */
export type Operand = number | string;

/** 0, 1, …, n − 1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The WAT expression for an operand. */
export function val(x: Operand): string {
  if (typeof x === 'number') return `(i32.const ${x})`;
  return x.startsWith('$') ? `(local.get ${x})` : x;
}

/** (local.set $x value). */
export const set = (local: string, value: Operand): string => `(local.set ${local} ${val(value)})`;

/** a + b (i32). */
export const add = (a: Operand, b: Operand): string => `(i32.add ${val(a)} ${val(b)})`;
/** a − b (i32). */
export const sub = (a: Operand, b: Operand): string => `(i32.sub ${val(a)} ${val(b)})`;
/** a · b (i32). */
export const mul = (a: Operand, b: Operand): string => `(i32.mul ${val(a)} ${val(b)})`;
/** a << bits. */
export const shl = (a: Operand, bits: number): string => `(i32.shl ${val(a)} (i32.const ${bits}))`;
/** a & mask: `and(n, -4)` rounds n down to a multiple of 4. */
export const and = (a: Operand, mask: Operand): string => `(i32.and ${val(a)} ${val(mask)})`;

/** local += by. */
export const inc = (local: string, by: Operand): string => set(local, add(local, by));

/** The byte address of element `index` of the array at `base`, elements of 2^shift bytes: base + (index << shift). */
export const offset = (base: Operand, index: Operand, shift: number): string => add(base, shl(index, shift));
/** The address of base[index] in an array of 4-byte elements (f32 or i32). */
export const f32At = (base: Operand, index: Operand): string => offset(base, index, 2);
/** The address of base[row, col] in a row-major float32 matrix of `cols` columns. */
export const matAt = (base: Operand, row: Operand, col: Operand, cols: Operand): string => f32At(base, add(mul(row, cols), col));

/** The v128 of four zeros. */
export const ZERO = '(v128.const i32x4 0 0 0 0)';

/** Horizontal sum of the four lanes of a v128 local. */
export function hsum(v: string): string {
  return `(f32.add (f32.add (f32x4.extract_lane 0 (local.get ${v})) (f32x4.extract_lane 1 (local.get ${v}))) (f32.add (f32x4.extract_lane 2 (local.get ${v})) (f32x4.extract_lane 3 (local.get ${v}))))`;
}

/** WAT statements: one, or lists of them, nested as they come from map(). */
export type Code = string | readonly Code[];

/** Statements, one a line. */
export function lines(...code: Code[]): string {
  const out: string[] = [];
  const walk = (c: Code): void => {
    if (typeof c === 'string') {
      if (c !== '') out.push(c);
    } else c.forEach(walk);
  };
  code.forEach(walk);
  return out.join('\n');
}

/**
 * `while (!exit) { body }`: a block and a loop labelled `$label` (and
 * `$labelDone` to leave it), the exit tested first.
 */
export function loop(label: string, exit: string, ...body: Code[]): string {
  return lines(`(block $${label}Done (loop $${label}`, `(br_if $${label}Done ${exit})`, ...body, `(br $${label})))`);
}

/**
 * `for (; i < end; i += step) { body }` over unsigned i32 (i is not set
 * first: the caller does, where it must).
 */
export function forRange(label: string, i: string, end: Operand, step: Operand, ...body: Code[]): string {
  return loop(label, `(i32.ge_u ${val(i)} ${val(end)})`, ...body, inc(i, step));
}

/** (if cond (then …)), with an else when given. */
export function when(cond: string, then: Code, otherwise?: Code): string {
  // Each closing bracket on a line of its own: a `;;` comment ends at the line's end.
  return lines(`(if ${cond}`, '(then', then, ')', otherwise === undefined ? '' : ['(else', otherwise, ')'], ')');
}

/** `for (; i + width ≤ end; i += width) { body }`: whole blocks of `width` only (unsigned i32). */
export function forBlocks(label: string, i: string, width: number, end: Operand, ...body: Code[]): string {
  return loop(label, `(i32.gt_u ${add(i, width)} ${val(end)})`, ...body, inc(i, width));
}

/**
 * `switch (count) { case v: body(v) }` for v = 1 … max, by a br_table; 0
 * does nothing and a count above max runs body(max).
 */
export function switchOn(count: Operand, max: number, body: (v: number) => Code): string {
  let code = `(br_table ${range(max + 1).map((v) => `$case${v}`).join(' ')} ${val(count)})`;
  for (let v = 0; v <= max; v++) code = lines(`(block $case${v}`, code, ')', v === 0 ? '' : body(v), '(br $switchDone)');
  return lines('(block $switchDone', code, ')');
}

/** (param $a type) (param $b type) …, in the order given. */
export const params = (type: string, ...names: string[]): string => names.map((n) => `(param ${n} ${type})`).join(' ');
/** (local $a type) (local $b type) …, in the order given (the order is part of the module's bytes). */
export const locals = (type: string, ...names: string[]): string => names.map((n) => `(local ${n} ${type})`).join(' ');

/** An exported function: `(func $name (export "name") signature body)`; signature is params, result and locals. */
export function kernel(name: string, signature: Code, ...body: Code[]): string {
  return lines(`(func $${name} (export "${name}")`, signature, ...body, ')');
}
