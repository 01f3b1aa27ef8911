import { ConfigError, ScratchnetError } from '../errors.js';
import { activationLayer, activations } from '../layers/activations.js';
import { BatchNorm } from '../layers/batchnorm.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { initNames } from '../layers/init.js';
import type { Layer, LayerConfig } from '../layers/layer.js';
import { Softmax } from '../layers/softmax.js';
import { Rng } from '../rng.js';
import { Sequential } from './sequential.js';

/**
 * Rebuilding a network from its description: the inverse of `layer.config()`
 * and of the model file's architecture `{"inputUnits": 784, "layers": [...]}`.
 * The description may come from a hostile file, so every field is checked
 * before anything is allocated.
 */

/** The layer kinds a config can name: `dense`, every activation, `softmax`, `dropout` and `batchnorm`. */
export const layerKinds: readonly string[] = ['dense', ...Object.keys(activations), 'softmax', 'dropout', 'batchnorm'];

/**
 * The most layers an architecture may list: far more than any MLP needs, and
 * it keeps a hostile 16 MiB header from building a million layer objects.
 */
export const MAX_LAYERS = 10_000;

/** Options of {@link sequentialFromArchitecture}. */
export interface ArchitectureOptions {
  /** Makes the error thrown for a bad architecture (default: a ConfigError). */
  error?: (message: string) => Error;
  /**
   * Reject, before allocating any layer, an architecture with more param and
   * buffer values than this (a model file passes what its data section can
   * hold, so a 3-line header cannot ask for gigabytes). Default: no limit.
   */
  maxParamValues?: number;
}

/** A checked layer config: how many values it needs (params and buffers), and how to build it. */
interface LayerPlan {
  readonly paramValues: number;
  build(): Layer;
}

/**
 * A new layer from its `config()` (`{kind: 'dense', inputUnits, outputUnits,
 * init}`, `{kind: 'relu' | 'sigmoid' | 'tanh' | 'leaky-relu' | 'softmax'}`,
 * `{kind: 'dropout', rate}` or `{kind: 'batchnorm', units, momentum, eps}`);
 * `index` is its place in the network, for the messages. A Dense layer's
 * weights are initialised from a throwaway `new Rng(0)` (the caller
 * overwrites them), so the shared default generator is left untouched; a
 * Dropout layer draws its masks from its own `new Rng(index)` for the same
 * reason (the mask stream is not part of a config). ConfigError if the
 * config is not one scratchnet writes.
 */
export function layerFromConfig(config: LayerConfig, index: number): Layer {
  return planLayer(config, index).build();
}

/**
 * A Sequential from an architecture `{inputUnits, layers: [config, …]}` (the
 * model file's, or `{inputUnits: model.inputUnits, layers: model.config()}`).
 * Every failure is thrown as `options.error(\`${where}: …\`)` (default a
 * ConfigError): a field of the wrong type, a size that is not a positive
 * integer, an unknown kind, or neighbouring layers whose sizes disagree.
 */
export function sequentialFromArchitecture(arch: unknown, where: string, options: ArchitectureOptions = {}): Sequential {
  try {
    if (!isRecord(arch)) {
      throw new ConfigError(`expected an object {"inputUnits", "layers"}, got ${describeValue(arch)}`);
    }
    checkKeys(arch, ['inputUnits', 'layers'], 'architecture');
    const inputUnits = positiveInteger(arch.inputUnits, 'inputUnits');
    const configs = arch.layers;
    if (!Array.isArray(configs) || configs.length === 0) {
      throw new ConfigError(`layers: expected a non-empty array of layer configs, got ${describeValue(configs)}`);
    }
    if (configs.length > MAX_LAYERS) {
      throw new ConfigError(`layers: too many layers, expected at most ${MAX_LAYERS}, got ${configs.length}`);
    }
    const plans = configs.map((config: unknown, i) => planLayer(config, i));
    const needed = plans.reduce((n, plan) => n + plan.paramValues, 0);
    if (options.maxParamValues !== undefined && needed > options.maxParamValues) {
      throw new ConfigError(`too many parameter values, expected at most ${options.maxParamValues}, got ${needed}`);
    }
    const layers: Layer[] = [];
    let units = inputUnits;
    for (const [i, plan] of plans.entries()) {
      const layer = plan.build();
      try {
        // The layer's own size check, attributed to its index.
        units = layer.outputSize(units);
      } catch (err) {
        if (err instanceof ScratchnetError) throw new ConfigError(`layers[${i}]: ${err.message}`);
        throw err;
      }
      layers.push(layer);
    }
    return new Sequential(layers, inputUnits);
  } catch (err) {
    if (!(err instanceof ScratchnetError)) throw err;
    const message = `${where}: ${err.message}`;
    throw options.error !== undefined ? options.error(message) : new ConfigError(message);
  }
}

/** Checks one layer config (throws ConfigError naming `layers[index]`) without allocating. */
function planLayer(config: unknown, index: number): LayerPlan {
  const at = `layers[${index}]`;
  if (!isRecord(config)) {
    throw new ConfigError(`${at}: expected a layer config object {"kind", …}, got ${describeValue(config)}`);
  }
  const kind = config.kind;
  if (kind === 'dense') {
    checkKeys(config, ['kind', 'inputUnits', 'outputUnits', 'init'], at);
    const inputUnits = positiveInteger(config.inputUnits, `${at}.inputUnits`);
    const outputUnits = positiveInteger(config.outputUnits, `${at}.outputUnits`);
    // `init` only says how the weights started; older configs may omit it.
    const init = config.init === undefined ? 'he' : oneOf(config.init, initNames, `${at}.init`);
    return {
      paramValues: inputUnits * outputUnits + outputUnits,
      build: () => new Dense(inputUnits, outputUnits, { init, rng: new Rng(0) }),
    };
  }
  if (kind === 'batchnorm') {
    checkKeys(config, ['kind', 'units', 'momentum', 'eps'], at);
    const units = positiveInteger(config.units, `${at}.units`);
    // Omitted options take their defaults, as in the constructor.
    const momentum = config.momentum === undefined ? undefined : finiteNumber(config.momentum, `${at}.momentum`, 'a number in [0, 1]', (v) => v >= 0 && v <= 1);
    const eps = config.eps === undefined ? undefined : finiteNumber(config.eps, `${at}.eps`, 'a positive number', (v) => v > 0);
    // gamma, beta, runningMean, runningVar
    return { paramValues: 4 * units, build: () => new BatchNorm(units, { momentum, eps }) };
  }
  if (kind === 'dropout') {
    checkKeys(config, ['kind', 'rate'], at);
    const rate = finiteNumber(config.rate, `${at}.rate`, 'a number in [0, 1)', (v) => v >= 0 && v < 1);
    // Seeded by its index: two rebuilt Dropout layers do not draw the same masks.
    return { paramValues: 0, build: () => new Dropout(rate, { rng: new Rng(index) }) };
  }
  if (kind === 'softmax') {
    checkKeys(config, ['kind'], at);
    return { paramValues: 0, build: () => new Softmax() };
  }
  if (typeof kind === 'string' && Object.hasOwn(activations, kind)) {
    checkKeys(config, ['kind'], at);
    return { paramValues: 0, build: () => activationLayer(kind) };
  }
  throw new ConfigError(`${at}.kind: unknown layer kind, expected one of ${layerKinds.map((k) => `"${k}"`).join(', ')}, got ${describeValue(kind)}`);
}

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
function checkKeys(record: Record<string, unknown>, allowed: readonly string[], at: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`${at}: unexpected key, expected only ${allowed.map((k) => `"${k}"`).join(', ')}, got ${describeValue(key)}`);
    }
  }
}

function positiveInteger(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`${at}: expected a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

/** A finite number for which `ok` holds (`expected` says which, for the message). */
function finiteNumber(value: unknown, at: string, expected: string, ok: (v: number) => boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new ConfigError(`${at}: expected ${expected}, got ${describeValue(value)}`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, names: readonly T[], at: string): T {
  if (typeof value !== 'string' || !(names as readonly string[]).includes(value)) {
    throw new ConfigError(`${at}: expected one of ${names.map((n) => `"${n}"`).join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}
