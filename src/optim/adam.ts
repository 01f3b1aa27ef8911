import { adamStep } from '../kernels/index.js';
import type { Param } from '../layers/layer.js';
import { checkOptionNames, nonNegative, ParamSlots, positive, unitInterval, type Optimizer, type OptimizerState } from './optimizer.js';

/** Options of {@link Adam}. */
export interface AdamOptions {
  /** Learning rate α (default 1e-3). */
  lr?: number;
  /** Decay β1 in [0, 1) of the mean of the grads (default 0.9). */
  beta1?: number;
  /** Decay β2 in [0, 1) of the mean of the squared grads (default 0.999). */
  beta2?: number;
  /** ε > 0 added to the denominator (default 1e-8). */
  eps?: number;
  /** Coupled L2 weight decay λ ≥ 0: g ← g + λ·θ (default 0; for decoupled decay use AdamW). */
  weightDecay?: number;
}

const OPTIONS = ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'] as const;

/**
 * Adam's math, options and state, shared by {@link Adam} (weight decay
 * coupled into g) and AdamW (decoupled). Internal: not part of the public surface.
 */
export abstract class AdamBase implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly state: ParamSlots;

  protected constructor(
    owner: string,
    options: AdamOptions,
    defaultWeightDecay: number,
    /** True for AdamW: θ ← θ·(1 − α·λ) instead of g ← g + λ·θ. */
    private readonly decoupled: boolean,
  ) {
    checkOptionNames(owner, options, OPTIONS);
    this.lr = positive(owner, 'lr', options.lr ?? 1e-3);
    this.beta1 = unitInterval(owner, 'beta1', options.beta1 ?? 0.9);
    this.beta2 = unitInterval(owner, 'beta2', options.beta2 ?? 0.999);
    // NOTE: ε must be > 0: a weight whose grads are all 0 so far (a dead ReLU's) would divide 0 by 0.
    this.eps = positive(owner, 'eps', options.eps ?? 1e-8);
    this.weightDecay = nonNegative(owner, 'weightDecay', options.weightDecay ?? defaultWeightDecay);
    this.state = new ParamSlots(owner, ['m', 'v']);
  }

  step(params: readonly Param[]): void {
    this.state.begin(params);
    const { lr, beta1, beta2, eps } = this;
    const t = this.state.step;
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    const coupled = this.decoupled ? 0 : this.weightDecay;
    const shrink = this.decoupled ? 1 - lr * this.weightDecay : 1;
    // Hoisted: α / (1 − β1ᵗ) and 1 / (1 − β2ᵗ), so the loop divides once per weight.
    const stepSize = lr / correction1;
    const invCorrection2 = 1 / correction2;
    const { m: means, v: squares } = this.state.slots;
    const c = { beta1, beta2, eps, coupled, shrink, stepSize, invCorrection2 };
    for (let k = 0; k < params.length; k++) adamStep(params[k].value, params[k].grad, means[k], squares[k], c);
  }

  abstract config(): { name: 'adam' | 'adamw' } & Required<AdamOptions>;

  getState(): OptimizerState {
    return this.state.get();
  }

  setState(state: OptimizerState): void {
    this.state.set(state);
  }
}

/**
 * Adam (Kingma & Ba 2015; PyTorch's): per-weight steps from bias-corrected
 * running means of the grads and of their squares. Per step t = 1, 2, …, for
 * each param θ with grad g:
 *
 *     g ← g + λ·θ
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)
 *     θ ← θ − α·m̂ / (√v̂ + ε)
 *
 * NOTE: the bias correction matters most early: m and v start at 0, so
 * without it the first step would be α·(1 − β1)/√(1 − β2) ≈ 3.16·α per
 * weight instead of α (convnetjs's Adam got this wrong). State: slots `m`, `v`.
 */
export class Adam extends AdamBase {
  constructor(options: AdamOptions = {}) {
    super('Adam', options, 0, false);
  }

  /** The name and every hyper-parameter (for checkpoints and optimizerFromConfig). */
  config(): { name: 'adam' } & Required<AdamOptions> {
    const { lr, beta1, beta2, eps, weightDecay } = this;
    return { name: 'adam', lr, beta1, beta2, eps, weightDecay };
  }
}
