import { ConfigError } from '../errors.js';

/**
 * Checks for layer configs read from files (anything may be in them): each
 * throws a ConfigError naming the field (`at`), what was expected and what
 * was there, before anything is allocated.
 */

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A short description of a value for "got …" in messages: strings and arrays
 * as JSON (cut at 40 characters), numbers as written, `an object`, `nothing`.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) {
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return 'an array'; // cyclic, or holds a BigInt
    }
    return json.length > 40 ? `${json.slice(0, 40)}…` : json;
  }
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Rejects keys other than `allowed` (a misspelt option must not be silently ignored). */
export function checkKeys(record: Record<string, unknown>, allowed: readonly string[], at: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`${at}: unexpected key, expected only ${allowed.map((k) => `"${k}"`).join(', ')}, got ${describeValue(key)}`);
    }
  }
}

/** A safe positive integer, or ConfigError naming `at`. */
export function positiveInteger(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`${at}: expected a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

/** A safe integer ≥ 0, or ConfigError naming `at`. */
export function nonNegativeInteger(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(`${at}: expected an integer ≥ 0, got ${describeValue(value)}`);
  }
  return value;
}

/** A finite number for which `ok` holds (`expected` says which, for the message). */
export function finiteNumber(value: unknown, at: string, expected: string, ok: (v: number) => boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new ConfigError(`${at}: expected ${expected}, got ${describeValue(value)}`);
  }
  return value;
}

/** One of `names`, or ConfigError naming `at` and listing them. */
export function oneOf<T extends string>(value: unknown, names: readonly T[], at: string): T {
  if (typeof value !== 'string' || !(names as readonly string[]).includes(value)) {
    throw new ConfigError(`${at}: expected one of ${names.map((n) => `"${n}"`).join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}
