import { ConfigError, ScratchnetError } from '../errors.js';
import { checkKeys, describeValue, isRecord, positiveInteger } from '../layers/config-check.js';
import type { Layer, LayerConfig, LayerPlan } from '../layers/layer.js';
import { findLayerKind, layerKinds } from '../layers/registry.js';
import { Sequential } from './sequential.js';

export { layerKinds };

/**
 * Rebuilding a network from its description: the inverse of `layer.config()`
 * and of the model file's architecture `{"inputUnits": 784, "layers": [...]}`.
 * The description may come from a hostile file, so every field is checked
 * before anything is allocated.
 */

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

/**
 * A new layer from its `config()` (`{kind: 'dense', inputUnits, outputUnits,
 * init}`, `{kind: 'relu'}`, `{kind: 'dropout', rate}`, …: each registered
 * kind's own, see layers/registry.ts); `index` is its place in the network,
 * for the messages. Weights and masks come from throwaway generators (the
 * caller overwrites the weights), so the shared default generator is left
 * untouched. ConfigError if the config is not one scratchnet writes.
 */
export function layerFromConfig(config: LayerConfig, index: number): Layer {
  return planLayer(config, index).build();
}

/**
 * A Sequential from an architecture `{inputUnits, layers: [config, …]}` (the
 * model file's, or {@link architectureOf} a model), with `inputShape` too for
 * an input of several dimensions.
 * Every failure is thrown as `options.error(\`${where}: …\`)` (default a
 * ConfigError): a field of the wrong type, a size that is not a positive
 * integer, an unknown kind, or neighbouring layers whose sizes disagree.
 */
export function sequentialFromArchitecture(arch: unknown, where: string, options: ArchitectureOptions = {}): Sequential {
  try {
    if (!isRecord(arch)) {
      throw new ConfigError(`expected an object {"inputUnits", "layers"}, got ${describeValue(arch)}`);
    }
    checkKeys(arch, ['inputUnits', 'inputShape', 'layers'], 'architecture');
    const inputUnits = positiveInteger(arch.inputUnits, 'inputUnits');
    // Written for inputs of several dimensions (images, [channels, height, width]) only.
    let inputShape: number[] = [inputUnits];
    if (arch.inputShape !== undefined) {
      const shape = arch.inputShape;
      if (!Array.isArray(shape) || shape.length === 0 || shape.length > 8) {
        throw new ConfigError(`inputShape: expected an array of 1 to 8 positive integers, got ${describeValue(shape)}`);
      }
      inputShape = shape.map((d: unknown, k) => positiveInteger(d, `inputShape[${k}]`));
      if (inputShape.reduce((a, b) => a * b, 1) !== inputUnits) {
        throw new ConfigError(`inputShape: expected dimensions whose product is inputUnits ${inputUnits}, got ${describeValue(shape)}`);
      }
    }
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
    let shape: readonly number[] = inputShape;
    for (const [i, plan] of plans.entries()) {
      const layer = plan.build();
      try {
        // The layer's own shape check, attributed to its index.
        shape = layer.outputShape(shape);
      } catch (err) {
        if (err instanceof ScratchnetError) throw new ConfigError(`layers[${i}]: ${err.message}`);
        throw err;
      }
      layers.push(layer);
    }
    return new Sequential(layers, inputShape);
  } catch (err) {
    if (!(err instanceof ScratchnetError)) throw err;
    const message = `${where}: ${err.message}`;
    throw options.error !== undefined ? options.error(message) : new ConfigError(message);
  }
}

/** Checks one layer config (throws ConfigError naming `layers[index]`) without allocating, by its kind's own plan. */
function planLayer(config: unknown, index: number): LayerPlan {
  const at = `layers[${index}]`;
  if (!isRecord(config)) {
    throw new ConfigError(`${at}: expected a layer config object {"kind", …}, got ${describeValue(config)}`);
  }
  const kind = findLayerKind(config.kind);
  if (kind === undefined) {
    throw new ConfigError(`${at}.kind: unknown layer kind, expected one of ${layerKinds.map((k) => `"${k}"`).join(', ')}, got ${describeValue(config.kind)}`);
  }
  return kind.plan(config, at, index);
}

/** A model's architecture as model files store it: `{inputUnits, layers}`, and `inputShape` if it has several dimensions. */
export function architectureOf(model: Sequential): { inputUnits: number; inputShape?: number[]; layers: LayerConfig[] } {
  const arch: { inputUnits: number; inputShape?: number[]; layers: LayerConfig[] } = { inputUnits: model.inputUnits, layers: model.config() };
  if (model.inputShape.length > 1) arch.inputShape = [...model.inputShape];
  return arch;
}
