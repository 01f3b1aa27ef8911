import { ConfigError } from '../errors.js';
import { allocFloat32 } from '../kernels/memory.js';
import type { Param } from '../layers/layer.js';

/**
 * An optimizer's state, for a checkpoint: the number of steps taken and its
 * per-param buffers (Adam's `m` and `v`), by slot name, one Float32Array per
 * param in the order of the params list that `step` receives.
 */
export interface OptimizerState {
  /** Steps taken so far (Adam's t). */
  step: number;
  /** Slot name → one buffer per param, in the params list's order; `{}` for stateless optimizers. */
  slots: Record<string, Float32Array[]>;
}

/** An optimizer's name and hyper-parameters: what `optimizerFromConfig` rebuilds it from. */
export interface OptimizerConfig {
  name: string;
  [option: string]: unknown;
}

/**
 * An optimizer updates param values from their grads: `step(params)` after
 * each backward pass. Layers never update themselves (the tutorial's Dense
 * does; we keep the two apart so that other optimizers can replace SGD).
 *
 * State (momentum buffers, Adam's moments) is created on the first step for
 * the params it is given and is keyed by position in that list: pass the same
 * list, in the same order, every step (a model's `params()` order is fixed).
 * A list of another shape later is an error; use one optimizer per model.
 */
export interface Optimizer {
  /** The learning rate, read and settable (schedules change it). */
  lr: number;
  /** Applies one update to every param from its current grad. */
  step(params: readonly Param[]): void;
  /** The optimizer's name and hyper-parameters (for the run's settings and checkpoints). */
  config(): OptimizerConfig;
  /** A copy of the step count and per-param buffers (for a checkpoint). */
  getState(): OptimizerState;
  /** Restores a state from {@link getState}: training then continues bit-identical. */
  setState(state: OptimizerState): void;
}

/**
 * The step count and the per-param buffers ("slots") of an optimizer: shared
 * by every optimizer here so that lazy creation, the param-list check and
 * get/set state behave the same in all of them.
 */
export class ParamSlots {
  /** Steps taken, counting the current one once {@link begin} returned. */
  step = 0;
  /** Slot name → one buffer per param (empty lists until the first step). */
  slots: Record<string, Float32Array[]>;
  /** Sizes of the params the slots were created for; null before the first step. */
  private sizes: number[] | null = null;

  /**
   * @param owner the optimizer's class name, for error messages.
   * @param names the slot names (none for a stateless optimizer).
   * @param initial the value new buffers are filled with (Adagrad's initialAccumulatorValue).
   */
  constructor(
    private readonly owner: string,
    readonly names: readonly string[],
    private readonly initial = 0,
  ) {
    this.slots = emptySlots(names);
  }

  /**
   * Starts a step: creates the buffers for `params` on the first one, checks
   * on later ones that `params` has the shape they were created for, and
   * counts the step. Allocates nothing after the first step.
   */
  begin(params: readonly Param[]): void {
    if (this.names.length > 0) {
      if (this.sizes === null) this.create(params);
      else this.check(params, this.sizes);
    }
    this.step++;
  }

  /** A deep copy of the state (plain Float32Arrays, safe to keep while training continues). */
  get(): OptimizerState {
    const slots: Record<string, Float32Array[]> = {};
    for (const name of this.names) slots[name] = this.slots[name].map((buffer) => buffer.slice());
    return { step: this.step, slots };
  }

  /** Replaces the state with a copy of `state`, after checking it fits this optimizer. */
  set(state: OptimizerState): void {
    const where = `${this.owner}.setState`;
    if (typeof state !== 'object' || state === null) throw new ConfigError(`${where}: expected {step, slots}, got ${show(state)}`);
    const { step, slots } = state;
    if (!(Number.isInteger(step) && step >= 0)) {
      throw new ConfigError(`${where}: expected step to be a non-negative integer, got ${show(step)}`);
    }
    if (typeof slots !== 'object' || slots === null) throw new ConfigError(`${where}: expected slots to be an object, got ${show(slots)}`);
    const got = Object.keys(slots).sort();
    const want = [...this.names].sort();
    if (got.join() !== want.join()) {
      throw new ConfigError(`${where}: expected slots {${want.join(', ')}}, got {${got.join(', ')}} (a state saved by another optimizer or other options?)`);
    }
    let sizes: number[] | null = null;
    for (const name of this.names) {
      const list = slots[name];
      if (!Array.isArray(list) || !list.every((b) => b instanceof Float32Array)) {
        throw new ConfigError(`${where}: expected slot ${name} to be an array of Float32Arrays`);
      }
      const lengths = list.map((b) => b.length);
      if (sizes === null) sizes = lengths;
      else if (lengths.join() !== sizes.join()) {
        throw new ConfigError(`${where}: slot ${name} has buffers of sizes [${lengths.join(', ')}], but slot ${this.names[0]} [${sizes.join(', ')}]`);
      }
    }
    // Buffers are created by the first step: a state before it has none.
    if (step === 0 && sizes !== null && sizes.length > 0) {
      throw new ConfigError(`${where}: a state at step 0 holds no buffers, got ${sizes.length} per slot`);
    }
    this.step = step;
    this.sizes = step === 0 || sizes === null ? null : sizes;
    this.slots = emptySlots(this.names);
    if (this.sizes === null) return;
    for (const name of this.names) {
      this.slots[name] = slots[name].map((b) => {
        const copy = allocFloat32(b.length);
        copy.set(b);
        return copy;
      });
    }
  }

  private create(params: readonly Param[]): void {
    this.sizes = params.map((p) => p.value.length);
    for (const name of this.names) {
      this.slots[name] = params.map((p) => {
        const buffer = allocFloat32(p.value.length);
        if (this.initial !== 0) buffer.fill(this.initial);
        return buffer;
      });
    }
  }

  private check(params: readonly Param[], sizes: readonly number[]): void {
    const why = 'its state is kept per position in the params list: pass the same list every step, or use a fresh optimizer for another model';
    if (params.length !== sizes.length) {
      throw new ConfigError(`${this.owner}: step() got ${params.length} params, but its state was created for ${sizes.length}; ${why}`);
    }
    for (let i = 0; i < sizes.length; i++) {
      const p = params[i];
      if (p.value.length !== sizes[i] || p.grad.length !== sizes[i]) {
        throw new ConfigError(
          `${this.owner}: step() param ${i} (${p.name}) has ${p.value.length} values, but its state holds ${sizes[i]}; ${why}`,
        );
      }
    }
  }
}

function emptySlots(names: readonly string[]): Record<string, Float32Array[]> {
  const slots: Record<string, Float32Array[]> = {};
  for (const name of names) slots[name] = [];
  return slots;
}

/** A value as an error message shows it: numbers as themselves (`NaN`, `-1`), the rest as JSON. */
function show(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Checks that `options` names only `known` keys (a typo such as `beta` for
 * `beta1` would otherwise be ignored silently): `Adam: unknown option beta, expected one of …`.
 */
export function checkOptionNames(owner: string, options: object, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null) throw new ConfigError(`${owner}: expected an options object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ConfigError(`${owner}: unknown option ${key}, expected one of ${known.join(', ')}`);
  }
}

/** `value` if it is a finite number > 0, else a ConfigError `SGD: expected lr to be a positive number, got -1`. */
export function positive(owner: string, name: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new ConfigError(`${owner}: expected ${name} to be a positive number, got ${show(value)}`);
  }
  return value;
}

/** `value` if it is a finite number ≥ 0, else a ConfigError. */
export function nonNegative(owner: string, name: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new ConfigError(`${owner}: expected ${name} to be a non-negative number, got ${show(value)}`);
  }
  return value;
}

/** `value` if it is in [0, 1) (or [0, 1] when `closed`), else a ConfigError `Adam: expected beta1 in [0, 1), got 1.5`. */
export function unitInterval(owner: string, name: string, value: number, closed = false): number {
  const ok = typeof value === 'number' && value >= 0 && (closed ? value <= 1 : value < 1);
  if (!ok) throw new ConfigError(`${owner}: expected ${name} in [0, 1${closed ? ']' : ')'}, got ${show(value)}`);
  return value;
}

/** `value` if it is a boolean, else a ConfigError. */
export function trueOrFalse(owner: string, name: string, value: boolean): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`${owner}: expected ${name} to be true or false, got ${show(value)}`);
  return value;
}
