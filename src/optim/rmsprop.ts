import { rmspropStep } from '../kernels/index.js';
import type { Param } from '../layers/layer.js';
import { checkOptionNames, nonNegative, ParamSlots, positive, unitInterval, type Optimizer, type OptimizerState } from './optimizer.js';

/** Options of {@link RMSprop}. */
export interface RMSpropOptions {
  /** Learning rate α (default 0.01). */
  lr?: number;
  /** Decay ρ in [0, 1) of the mean square (default 0.99; PyTorch's `alpha`). */
  alpha?: number;
  /** ε > 0 added to the denominator (default 1e-8). */
  eps?: number;
  /** Momentum μ in [0, 1) (default 0). */
  momentum?: number;
  /** Coupled L2 weight decay λ ≥ 0: g ← g + λ·θ (default 0). */
  weightDecay?: number;
}

const OPTIONS = ['lr', 'alpha', 'eps', 'momentum', 'weightDecay'] as const;

/**
 * RMSprop (Hinton's lecture 6e; PyTorch's, not centered): each weight's step
 * is divided by a running root mean square of its grads. Per step, for each
 * param θ with grad g:
 *
 *     g ← g + λ·θ
 *     v ← ρ·v + (1 − ρ)·g²
 *     b ← μ·b + g / (√v + ε);  θ ← θ − α·b      (momentum μ > 0)
 *     θ ← θ − α·g / (√v + ε)                    (μ = 0)
 *
 * v and b start at 0, with no bias correction: the first step is about
 * α/√(1 − ρ) = 10·α per weight with the defaults. State: slot `v`, and `b`
 * when μ > 0.
 */
export class RMSprop implements Optimizer {
  lr: number;
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly state: ParamSlots;

  constructor(options: RMSpropOptions = {}) {
    checkOptionNames('RMSprop', options, OPTIONS);
    this.lr = positive('RMSprop', 'lr', options.lr ?? 0.01);
    this.alpha = unitInterval('RMSprop', 'alpha', options.alpha ?? 0.99);
    // NOTE: ε must be > 0: a weight whose grads are all 0 so far (a dead ReLU's) would divide 0 by 0.
    this.eps = positive('RMSprop', 'eps', options.eps ?? 1e-8);
    this.momentum = unitInterval('RMSprop', 'momentum', options.momentum ?? 0);
    this.weightDecay = nonNegative('RMSprop', 'weightDecay', options.weightDecay ?? 0);
    this.state = new ParamSlots('RMSprop', this.momentum > 0 ? ['v', 'b'] : ['v']);
  }

  step(params: readonly Param[]): void {
    this.state.begin(params);
    const { lr, alpha, eps, momentum: mu, weightDecay: wd } = this;
    const { v: squares, b: buffers } = this.state.slots;
    const c = { lr, alpha, eps, mu, wd };
    for (let k = 0; k < params.length; k++) rmspropStep(params[k].value, params[k].grad, squares[k], mu > 0 ? buffers[k] : null, c);
  }

  config(): { name: 'rmsprop' } & Required<RMSpropOptions> {
    const { lr, alpha, eps, momentum, weightDecay } = this;
    return { name: 'rmsprop', lr, alpha, eps, momentum, weightDecay };
  }

  getState(): OptimizerState {
    return this.state.get();
  }

  setState(state: OptimizerState): void {
    this.state.set(state);
  }
}
