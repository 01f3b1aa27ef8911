import { ConfigError } from '../errors.js';
import { activationKinds } from './activations.js';
import { batchNormKind } from './batchnorm.js';
import { conv2dKind } from './conv2d.js';
import { denseKind } from './dense.js';
import { dropoutKind } from './dropout.js';
import { flattenKind } from './flatten.js';
import type { Layer, LayerKind } from './layer.js';
import { avgPool2dKind, maxPool2dKind } from './pool2d.js';
import { softmaxKind } from './softmax.js';
import { standardizeKind } from './standardize.js';

/**
 * Every kind of layer scratchnet can save, load, export and print, each
 * declared in its own file (see docs/adding-a-layer.md). A new layer is one
 * more entry here.
 */
const KINDS: readonly LayerKind[] = [
  denseKind,
  ...activationKinds,
  softmaxKind,
  dropoutKind,
  batchNormKind,
  conv2dKind,
  maxPool2dKind,
  avgPool2dKind,
  flattenKind,
  standardizeKind,
];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));

/** The `kind` names of every registered layer, in registration order. */
export const layerKinds: string[] = KINDS.map((k) => k.kind);

/**
 * Registers a layer kind from outside scratchnet (your own layer, so that
 * model files, ONNX export and the summary know it). ConfigError if the
 * name is taken.
 */
export function registerLayerKind(kind: LayerKind): void {
  if (byKind.has(kind.kind)) throw new ConfigError(`registerLayerKind: a layer kind "${kind.kind}" is registered already`);
  byKind.set(kind.kind, kind);
  layerKinds.push(kind.kind);
}

/** The registered kind called `kind`, or undefined. */
export function findLayerKind(kind: unknown): LayerKind | undefined {
  return typeof kind === 'string' ? byKind.get(kind) : undefined;
}

/** The layer's title in summaries (`Dense (784 -> 64)`, `ReLU`), or its class name if its kind is not registered. */
export function titleOf(layer: Layer): string {
  return findLayerKind(layer.config().kind)?.title(layer) ?? layer.constructor.name;
}

/** The registered kind of `layer`; ConfigError (saying who asked: `what`) for a layer of no registered kind. */
export function kindOf(layer: Layer, what: string): LayerKind {
  const { kind } = layer.config();
  const found = byKind.get(kind);
  if (found === undefined) {
    throw new ConfigError(`${what} has kind "${kind}", which is not a registered layer kind; expected one of ${layerKinds.map((k) => `"${k}"`).join(', ')}`);
  }
  return found;
}
