import { ConfigError } from '../errors.js';
import { sgdMomentumStep, sgdStep } from '../kernels/index.js';
import type { Param } from '../layers/layer.js';
import { checkOptionNames, nonNegative, ParamSlots, positive, trueOrFalse, unitInterval, type Optimizer, type OptimizerState } from './optimizer.js';

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** Learning rate α (default 0.1, the tutorial's). */
  lr?: number;
  /** Momentum μ in [0, 1) (default 0: plain SGD). `--optimizer momentum` sets it. */
  momentum?: number;
  /** Dampening d in [0, 1] of the gradient added to the velocity (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). `--optimizer nesterov`. */
  nesterov?: boolean;
  /** Coupled L2 weight decay λ ≥ 0: g ← g + λ·θ (default 0). */
  weightDecay?: number;
}

const OPTIONS = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay'] as const;

/**
 * Stochastic gradient descent, with PyTorch's momentum, Nesterov and coupled
 * weight decay. Per step, for each param θ with grad g:
 *
 *     g ← g + λ·θ                       (weight decay λ)
 *     v ← μ·v + (1 − d)·g               (first step: v ← g, undampened)
 *     g ← g + μ·v  if nesterov, else  g ← v
 *     θ ← θ − α·g
 *
 * With μ = 0 and λ = 0 it is the tutorial's plain θ ← θ − α·g (run by the
 * axpy kernel). State: slot `v` (the velocity, PyTorch's momentum_buffer),
 * only when μ > 0.
 *
 * NOTE: this velocity form (PyTorch's) differs from Sutskever's v ← μ·v − α·g
 * once α changes during training (a schedule): v here holds gradients, not steps.
 */
export class SGD implements Optimizer {
  lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  private readonly state: ParamSlots;

  constructor(options: SGDOptions = {}) {
    checkOptionNames('SGD', options, OPTIONS);
    this.lr = positive('SGD', 'lr', options.lr ?? 0.1);
    this.momentum = unitInterval('SGD', 'momentum', options.momentum ?? 0);
    this.dampening = unitInterval('SGD', 'dampening', options.dampening ?? 0, true);
    this.nesterov = trueOrFalse('SGD', 'nesterov', options.nesterov ?? false);
    this.weightDecay = nonNegative('SGD', 'weightDecay', options.weightDecay ?? 0);
    if (this.nesterov && !(this.momentum > 0 && this.dampening === 0)) {
      throw new ConfigError(`SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${this.momentum} and dampening ${this.dampening}`);
    }
    this.state = new ParamSlots('SGD', this.momentum > 0 ? ['v'] : []);
  }

  step(params: readonly Param[]): void {
    this.state.begin(params);
    const { lr, momentum: mu, weightDecay: wd, nesterov } = this;
    const keep = 1 - this.dampening;
    const first = this.state.step === 1;
    const velocities = this.state.slots.v;
    const c = { lr, mu, keep, wd, first, nesterov };
    for (let k = 0; k < params.length; k++) {
      const { value, grad } = params[k];
      if (mu === 0) sgdStep(value, grad, lr, wd);
      else sgdMomentumStep(value, grad, velocities[k], c);
    }
  }

  config(): { name: 'sgd' } & Required<SGDOptions> {
    const { lr, momentum, dampening, nesterov, weightDecay } = this;
    return { name: 'sgd', lr, momentum, dampening, nesterov, weightDecay };
  }

  getState(): OptimizerState {
    return this.state.get();
  }

  setState(state: OptimizerState): void {
    this.state.set(state);
  }
}
