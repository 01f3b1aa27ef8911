import type { Param } from '../layers/layer.js';

/**
 * An optimizer updates param values from their grads: `step(params)` after
 * each backward pass. Layers never update themselves (the tutorial's Dense
 * does; we keep the two apart so that other optimizers can replace SGD).
 */
export interface Optimizer {
  /** The learning rate, read and settable (schedules change it). */
  lr: number;
  /** Applies one update to every param from its current grad. */
  step(params: readonly Param[]): void;
  /** The optimizer's name and hyper-parameters (for the run's settings). */
  config(): { name: string; [option: string]: unknown };
}
