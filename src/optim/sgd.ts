import { ConfigError } from '../errors.js';
import { axpy } from '../kernels/index.js';
import type { Param } from '../layers/layer.js';
import type { Optimizer } from './optimizer.js';

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** Learning rate α (default 0.1, the tutorial's). */
  lr?: number;
}

/** Plain (mini-batch) stochastic gradient descent: θ ← θ − α · dL/dθ. */
export class SGD implements Optimizer {
  lr: number;

  constructor(options: SGDOptions = {}) {
    this.lr = options.lr ?? 0.1;
    if (!(Number.isFinite(this.lr) && this.lr > 0)) {
      throw new ConfigError(`SGD: expected lr to be a positive number, got ${this.lr}`);
    }
  }

  step(params: readonly Param[]): void {
    for (const p of params) axpy(p.value, -this.lr, p.grad);
  }

  config(): { name: string; lr: number } {
    return { name: 'sgd', lr: this.lr };
  }
}
