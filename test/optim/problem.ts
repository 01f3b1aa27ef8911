import assert from 'node:assert/strict';
import { param, type Param } from '../../src/layers/layer.js';
import type { Optimizer } from '../../src/optim/optimizer.js';

/**
 * The small fixed problem the optimizer tests run on: six weights in two
 * params (a 2×2 "weight" and a 2-long "bias"), and the quadratic loss
 * L(θ) = ½ Σᵢ cᵢ·(θᵢ − tᵢ)², whose grad gᵢ = cᵢ·(θᵢ − tᵢ) is recomputed from
 * the current weights at every step, so that a wrong update feeds back into
 * the later grads. Start and target have the same sign and stay away from 0,
 * so that a relative tolerance on θ is meaningful.
 */
export const THETA0: readonly number[] = [1.5, -2, 0.75, 3, -1.25, 2.5];
export const TARGET: readonly number[] = [0.5, -1, 2, 1.5, -3, 4];
export const CURVATURE: readonly number[] = [1, 0.5, 2, 1.5, 0.25, 1];

/** A grad rule: weight i's grad at step t (1-based) when the weight is θ. */
export type GradRule = (theta: number, i: number, t: number) => number;

/** The quadratic's grad cᵢ·(θᵢ − tᵢ). */
export const quadratic: GradRule = (theta, i) => CURVATURE[i] * (theta - TARGET[i]);

/** Fixed grads per step (rows: steps; they do not depend on θ), cycling if there are fewer rows than steps. */
export function fixedGrads(rows: readonly (readonly number[])[]): GradRule {
  return (_theta, i, t) => rows[(t - 1) % rows.length][i];
}

/** Two params holding `values` (six numbers: 2×2 then 2). */
export function makeParams(values: readonly number[] = THETA0): Param[] {
  const weight = param('weight', [2, 2]);
  const bias = param('bias', [2]);
  weight.value.set(values.slice(0, 4));
  bias.value.set(values.slice(4, 6));
  return [weight, bias];
}

/** The params' values, flattened in order. */
export function flat(params: readonly Param[]): number[] {
  return params.flatMap((p) => Array.from(p.value));
}

/** Writes every grad from `rule` at the current values, for step t. */
export function setGrads(params: readonly Param[], rule: GradRule, t: number): void {
  let i = 0;
  for (const p of params) for (let j = 0; j < p.value.length; j++, i++) p.grad[j] = rule(p.value[j], i, t);
}

/**
 * Runs `steps` steps of `optimizer` on `params` (grads from `rule`), starting
 * at step `from` + 1; returns the flattened values after each step.
 */
export function run(optimizer: Optimizer, params: readonly Param[], rule: GradRule, steps: number, from = 0): number[][] {
  const out: number[][] = [];
  for (let t = from + 1; t <= from + steps; t++) {
    setGrads(params, rule, t);
    optimizer.step(params);
    out.push(flat(params));
  }
  return out;
}

/** Asserts |actual − expected| ≤ rel·|expected| elementwise, naming the first mismatch. */
export function assertClose(actual: readonly number[], expected: readonly number[], rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= rel * Math.abs(e), `${what}[${i}]: got ${a}, expected ${e} (relative error ${Math.abs(a - e) / Math.abs(e)})`);
  });
}

/** Asserts a trajectory (values after each step) against a reference one, within `rel` relative. */
export function assertTrajectory(actual: readonly number[][], expected: readonly number[][], rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: steps`);
  actual.forEach((row, t) => assertClose(row, expected[t], rel, `${what}, step ${t + 1}`));
}

/** Asserts that two vectors differ somewhere by more than `atLeast`. */
export function assertDiffer(a: readonly number[], b: readonly number[], atLeast: number, what: string): void {
  const gap = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
  assert.ok(gap > atLeast, `${what}: expected a difference > ${atLeast}, got ${gap}`);
}
