import { ConfigError } from '../errors.js';
import type { Rng } from '../rng.js';

/** Weight initialisation schemes for a Dense layer of fan-in × fan-out weights. */
export type InitName = 'he' | 'glorot';

/** The names `--init` accepts. */
export const initNames: readonly InitName[] = ['he', 'glorot'];

/**
 * Fills `out` with initial weights for a layer with `fanIn` inputs and
 * `fanOut` outputs:
 * - `he`: normal with std sqrt(2 / fanIn) (He et al., 2015), suited to ReLU.
 *   This is what the tutorial's code does, although its comment calls it
 *   "Xavier/Glorot".
 * - `glorot`: uniform on ±sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio, 2010),
 *   Keras's default, suited to tanh and sigmoid.
 */
export function initWeights(out: Float32Array, init: InitName, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  switch (init) {
    case 'he': {
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < out.length; i++) out[i] = rng.normal() * std;
      return out;
    }
    case 'glorot': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
      return out;
    }
    default:
      throw new ConfigError(`unknown init "${String(init)}": expected one of ${initNames.join(', ')}`);
  }
}
