import { adagradStep } from '../kernels/index.js';
import type { Param } from '../layers/layer.js';
import { checkOptionNames, nonNegative, ParamSlots, positive, type Optimizer, type OptimizerState } from './optimizer.js';

/** Options of {@link Adagrad}. */
export interface AdagradOptions {
  /** Learning rate α (default 0.01). */
  lr?: number;
  /** ε > 0 added to the denominator (default 1e-10). */
  eps?: number;
  /** Coupled L2 weight decay λ ≥ 0: g ← g + λ·θ (default 0). */
  weightDecay?: number;
  /** The value the accumulator s starts from (default 0). */
  initialAccumulatorValue?: number;
}

const OPTIONS = ['lr', 'eps', 'weightDecay', 'initialAccumulatorValue'] as const;

/**
 * Adagrad (Duchi et al. 2011; PyTorch's, without lr_decay): each weight's step
 * shrinks with the sum of its squared grads. Per step, for each param θ with grad g:
 *
 *     g ← g + λ·θ
 *     s ← s + g²
 *     θ ← θ − α·g / (√s + ε)
 *
 * State: slot `s`, starting at initialAccumulatorValue.
 */
export class Adagrad implements Optimizer {
  lr: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly initialAccumulatorValue: number;
  private readonly state: ParamSlots;

  constructor(options: AdagradOptions = {}) {
    checkOptionNames('Adagrad', options, OPTIONS);
    this.lr = positive('Adagrad', 'lr', options.lr ?? 0.01);
    // NOTE: ε must be > 0: a weight whose grads are all 0 so far (a dead ReLU's) would divide 0 by 0.
    this.eps = positive('Adagrad', 'eps', options.eps ?? 1e-10);
    this.weightDecay = nonNegative('Adagrad', 'weightDecay', options.weightDecay ?? 0);
    this.initialAccumulatorValue = nonNegative('Adagrad', 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0);
    this.state = new ParamSlots('Adagrad', ['s'], this.initialAccumulatorValue);
  }

  step(params: readonly Param[]): void {
    this.state.begin(params);
    const { lr, eps, weightDecay: wd } = this;
    const sums = this.state.slots.s;
    const c = { lr, eps, wd };
    for (let k = 0; k < params.length; k++) adagradStep(params[k].value, params[k].grad, sums[k], c);
  }

  config(): { name: 'adagrad' } & Required<AdagradOptions> {
    const { lr, eps, weightDecay, initialAccumulatorValue } = this;
    return { name: 'adagrad', lr, eps, weightDecay, initialAccumulatorValue };
  }

  getState(): OptimizerState {
    return this.state.get();
  }

  setState(state: OptimizerState): void {
    this.state.set(state);
  }
}
