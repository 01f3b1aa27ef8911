import { AdamBase, type AdamOptions } from './adam.js';

/** Options of {@link AdamW}: Adam's, with weightDecay the decoupled decay λ (default 0.01). */
export type AdamWOptions = AdamOptions;

/**
 * AdamW (Loshchilov & Hutter 2019; PyTorch's): Adam with decoupled weight
 * decay — θ shrinks towards 0 directly instead of through g, so the decay is
 * not rescaled by Adam's per-weight step sizes. Per step t, for each param θ
 * with grad g:
 *
 *     θ ← θ − α·λ·θ                   (decoupled decay, first)
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)
 *     θ ← θ − α·m̂ / (√v̂ + ε)
 *
 * i.e. θ ← θ·(1 − α·λ) − (Adam's step with λ = 0). State: slots `m`, `v`.
 */
export class AdamW extends AdamBase {
  constructor(options: AdamWOptions = {}) {
    super('AdamW', options, 0.01, true);
  }

  /** The name and every hyper-parameter (for checkpoints and optimizerFromConfig). */
  config(): { name: 'adamw' } & Required<AdamWOptions> {
    const { lr, beta1, beta2, eps, weightDecay } = this;
    return { name: 'adamw', lr, beta1, beta2, eps, weightDecay };
  }
}
