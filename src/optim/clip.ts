import { ConfigError } from '../errors.js';
import { scale } from '../kernels/index.js';
import type { Param } from '../layers/layer.js';

/**
 * Gradient clipping by global norm (PyTorch's clip_grad_norm_): if the norm
 * of all gradients together, ‖g‖ = √(Σ g²), exceeds `maxNorm`, every gradient
 * is scaled by maxNorm / ‖g‖, so the step keeps its direction but not its
 * size. Returns the norm before clipping.
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number): number {
  if (!(maxNorm > 0 && Number.isFinite(maxNorm))) throw new ConfigError(`clipGradNorm: expected maxNorm to be a positive number, got ${maxNorm}`);
  let sumSq = 0;
  for (const p of params) {
    const g = p.grad;
    for (let i = 0; i < g.length; i++) sumSq += g[i] * g[i];
  }
  const norm = Math.sqrt(sumSq);
  if (norm > maxNorm) {
    const factor = maxNorm / norm;
    for (const p of params) scale(p.grad, p.grad, factor);
  }
  return norm;
}
