import { ShapeError } from '../errors.js';
import { allocFloat32 } from './memory.js';

/**
 * A tensor: a flat Float32Array in row-major order plus its shape, of any
 * rank. A batch's first dimension counts its examples: `[rows, cols]` for
 * rows of features, `[batch, channels, height, width]` (NCHW, as PyTorch and
 * ONNX) for images.
 */
export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Wraps `data` as a tensor of `shape`, checking that the sizes agree. */
export function tensor(data: Float32Array | number[] | number[][], shape?: readonly number[]): Tensor {
  if (Array.isArray(data) && Array.isArray(data[0])) {
    const rows = data as number[][];
    const cols = rows[0].length;
    const flat = new Float32Array(rows.length * cols);
    rows.forEach((row, r) => {
      if (row.length !== cols) throw new ShapeError(`tensor: row ${r} has ${row.length} values, expected ${cols}`);
      flat.set(row, r * cols);
    });
    return { data: flat, shape: shape ?? [rows.length, cols] };
  }
  const flat = data instanceof Float32Array ? data : new Float32Array(data as number[]);
  const s = shape ?? [flat.length];
  const size = sizeOf(s);
  if (size !== flat.length) {
    throw new ShapeError(`tensor: shape [${s.join(', ')}] needs ${size} values, got ${flat.length}`);
  }
  return { data: flat, shape: s };
}

/** The number of values of a tensor of `shape` (1 for []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[2, 3]` for messages. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** True when both shapes have the same dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A zero-filled tensor of `shape`. */
export function zeros(shape: readonly number[]): Tensor {
  return { data: new Float32Array(sizeOf(shape)), shape };
}

/** The rows and columns of a 2-D tensor (a batch), or a ShapeError naming `what`. */
export function dims2(t: Tensor, what: string): [rows: number, cols: number] {
  if (t.shape.length !== 2) {
    throw new ShapeError(`${what}: expected a 2-D tensor [rows, cols], got shape [${t.shape.join(', ')}]`);
  }
  return [t.shape[0], t.shape[1]];
}

/** The tensor as nested arrays (for printing and tests; not for hot paths). */
export function toArray2(t: Tensor): number[][] {
  const [rows, cols] = dims2(t, 'toArray2');
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(Array.from(t.data.subarray(r * cols, (r + 1) * cols)));
  return out;
}

/**
 * Reusable output tensors, one per batch size, so layers allocate on the first
 * batch of each size only. Training sees two sizes (the batch size and the
 * last partial batch) and evaluation one more; the oldest entry is dropped
 * past `capacity` so a caller that feeds many sizes does not grow memory.
 */
export class TensorCache {
  private readonly byRows = new Map<number, Tensor>();

  constructor(private readonly capacity = 4) {}

  /** A [rows, cols] tensor owned by this cache (contents are stale: overwrite them). */
  get(rows: number, cols: number): Tensor {
    const hit = this.byRows.get(rows);
    if (hit !== undefined && hit.shape.length === 2 && hit.shape[1] === cols) return hit;
    return this.add([rows, cols]);
  }

  /** A tensor of `shape` (its first dimension the batch) owned by this cache (contents are stale: overwrite them). */
  shaped(shape: readonly number[]): Tensor {
    const hit = this.byRows.get(shape[0]);
    if (hit !== undefined && sameShape(hit.shape, shape)) return hit;
    return this.add([...shape]);
  }

  private add(shape: number[]): Tensor {
    if (this.byRows.size >= this.capacity) {
      const oldest = this.byRows.keys().next().value as number;
      this.byRows.delete(oldest);
    }
    const t: Tensor = { data: allocFloat32(sizeOf(shape)), shape };
    this.byRows.set(shape[0], t);
    return t;
  }
}
