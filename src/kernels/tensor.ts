import { ShapeError } from '../errors.js';
import { allocFloat32 } from './memory.js';

/**
 * A tensor: a flat Float32Array in row-major order plus its shape. A batch of
 * examples is `[rows, cols]`: one example per row.
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
  const size = s.reduce((a, b) => a * b, 1);
  if (size !== flat.length) {
    throw new ShapeError(`tensor: shape [${s.join(', ')}] needs ${size} values, got ${flat.length}`);
  }
  return { data: flat, shape: s };
}

/** A zero-filled tensor of `shape`. */
export function zeros(shape: readonly number[]): Tensor {
  return { data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape };
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
    if (hit !== undefined && hit.shape[1] === cols) return hit;
    if (this.byRows.size >= this.capacity) {
      const oldest = this.byRows.keys().next().value as number;
      this.byRows.delete(oldest);
    }
    const t: Tensor = { data: allocFloat32(rows * cols), shape: [rows, cols] };
    this.byRows.set(rows, t);
    return t;
  }
}
