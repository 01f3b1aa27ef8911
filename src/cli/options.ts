import { InvalidArgumentError } from 'commander';
import { parseInit, type InitName } from '../layers/init.js';

/**
 * Parsers for option values. Each throws commander's InvalidArgumentError,
 * which commander turns into one line naming the flag, the value and what was
 * expected: `error: option '--epochs <n>' argument '0' is invalid. expected a positive integer`.
 */

/** An integer ≥ 1. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return n;
}

/** An integer in [0, 2^32) (a seed). */
export function seedValue(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !(n < 2 ** 32)) {
    throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  }
  return n;
}

/** A finite number > 0. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('expected a positive number');
  }
  return n;
}

/** A comma-separated list of positive integers, e.g. `64,32`. */
export function intList(value: string): number[] {
  const parts = value.split(',');
  if (!parts.every((p) => /^\s*\d+\s*$/.test(p) && Number(p) >= 1)) {
    throw new InvalidArgumentError('expected comma-separated positive integers, e.g. 64,32');
  }
  return parts.map(Number);
}

/** A number in [0, 1) (momentum, betas, dropout rate, validation split). */
export function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) {
    throw new InvalidArgumentError('expected a number in [0, 1)');
  }
  return n;
}

/** A finite number ≥ 0. */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError('expected a number ≥ 0');
  }
  return n;
}

/** A weight initialisation: he, glorot or normal:<std>. */
export function initValue(value: string): InitName {
  try {
    return parseInit(value.trim());
  } catch {
    throw new InvalidArgumentError('expected he, glorot or normal:<std> with a positive std, e.g. normal:0.01');
  }
}

/** Hidden layer sizes: comma-separated positive integers, or '' / none for no hidden layer (softmax regression). */
export function hiddenList(value: string): number[] {
  if (value.trim() === '' || value.trim() === 'none') return [];
  try {
    return intList(value);
  } catch {
    throw new InvalidArgumentError("expected comma-separated positive integers, e.g. 64,32, or '' (none) for no hidden layer");
  }
}
