import { ConfigError } from '../errors.js';
import type { Rng } from '../rng.js';

/**
 * Weight initialisation schemes for a layer of fan-in × fan-out weights:
 * He, Glorot, or a plain normal of a fixed deviation (`normal:0.01`, the
 * scale networks used before He and Glorot, kept for the lesson of why
 * they stall).
 */
export type InitName = 'he' | 'glorot' | `normal:${number}`;

/** The scaled schemes `--init` lists (any `normal:<std>` is taken too). */
export const initNames: readonly InitName[] = ['he', 'glorot'];

/** `normal:<std>` with a positive, finite std. */
const NORMAL = /^normal:(\d+(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?)$/i;

/**
 * `text` as an init name (`he`, `glorot`, `normal:0.01`), or a ConfigError
 * naming `at` and what is expected.
 */
export function parseInit(text: unknown, at = 'init'): InitName {
  if (typeof text === 'string' && (initNames as readonly string[]).includes(text)) return text as InitName;
  const std = typeof text === 'string' ? NORMAL.exec(text)?.[1] : undefined;
  if (std !== undefined && Number(std) > 0 && Number.isFinite(Number(std))) return text as InitName;
  throw new ConfigError(`${at}: expected he, glorot or normal:<std> with a positive std (e.g. normal:0.01), got ${JSON.stringify(text)}`);
}

/**
 * Fills `out` with initial weights for a layer with `fanIn` inputs and
 * `fanOut` outputs:
 * - `he`: normal with std sqrt(2 / fanIn) (He et al., 2015), suited to ReLU.
 *   This is what the tutorial's code does, although its comment calls it
 *   "Xavier/Glorot".
 * - `glorot`: uniform on ±sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio, 2010),
 *   Keras's default, suited to tanh and sigmoid.
 * - `normal:<std>`: normal with that std whatever the layer's size: with
 *   0.01 each layer's outputs shrink to a fraction of its inputs', so deep
 *   sigmoid or tanh networks barely learn (the lesson `--vary init` shows).
 */
export function initWeights(out: Float32Array, init: InitName, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const name = parseInit(init);
  if (name === 'he' || name.startsWith('normal:')) {
    const std = name === 'he' ? Math.sqrt(2 / fanIn) : Number(name.slice('normal:'.length));
    for (let i = 0; i < out.length; i++) out[i] = rng.normal() * std;
    return out;
  }
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
  return out;
}
