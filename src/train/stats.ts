import { ConfigError } from '../errors.js';
import type { Tensor } from '../kernels/tensor.js';
import type { Param } from '../layers/layer.js';
import { titleOf } from '../layers/registry.js';
import type { Sequential } from '../model/sequential.js';

/**
 * What happens inside a network while it trains, recorded every few steps:
 * the instruments of CS231n's and Karpathy's lessons on activations and
 * gradients. Each array holds one value per recorded step (`steps`).
 */
export interface TrainingStats {
  /** A record every this many training steps, starting with the first (before any update). */
  every: number;
  /** The 0-based training step of each record. */
  steps: number[];
  /** Each activation layer's outputs. */
  layers: ActivationStats[];
  /** Each weight (Dense and Conv2D `weight`): its gradient and its update. */
  params: ParamStats[];
}

/** Equal-width bins from `min` to `max`; `counts[i]` values fell into bin i (the last bin includes `max`). */
export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

/** One activation layer's outputs per record. */
export interface ActivationStats {
  /** Its index in the model, kind (`relu`, `tanh`, …) and title. */
  layer: number;
  kind: string;
  title: string;
  mean: number[];
  std: number[];
  histograms: Histogram[];
  /** ReLU: the fraction of its units that output 0 for every example of the batch (and every position of a feature map). */
  dead?: number[];
  /** Sigmoid and tanh: the fraction of outputs in the flat tails, |tanh| > 0.97 or |2σ − 1| > 0.97, where the derivative is < 0.06. */
  saturated?: number[];
}

/** One weight per record. */
export interface ParamStats {
  layer: number;
  name: string;
  title: string;
  /** ‖dL/dW‖₂ of the batch, before any clipping. */
  gradNorm: number[];
  gradHistograms: Histogram[];
  /** ‖W_after − W_before‖₂ / ‖W_before‖₂ of the optimizer's step: about 1e-3 is the usual healthy rate (Karpathy's rule of thumb). */
  updateRatio: number[];
}

/** The kinds whose outputs are recorded, and which of them can die or saturate. */
const ACTIVATIONS = new Set(['relu', 'leaky-relu', 'sigmoid', 'tanh', 'linear']);

/** |output| beyond which tanh counts as saturated (its derivative 1 − 0.97² ≈ 0.06); sigmoid's equivalent is |2σ − 1| > 0.97. */
export const SATURATION = 0.97;

/** Bins of every histogram. */
export const HISTOGRAM_BINS = 40;

/** A histogram of `values` in HISTOGRAM_BINS equal bins over their range (one bin when they are all equal). */
export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS): Histogram {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) return { min: 0, max: 0, counts: [] };
  if (!(max > min)) return { min, max, counts: [values.length] };
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (max - min);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i] - min) * scale))]++;
  return { min, max, counts };
}

/** Mean and (population) standard deviation of `values`, accumulated in float64. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = values.length === 0 ? 0 : sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: values.length === 0 ? 0 : Math.sqrt(sq / values.length) };
}

/**
 * The fraction of units of a layer output [rows, units, …positions] that
 * are exactly 0 for every row and position: dead ReLUs pass no gradient,
 * so nothing brings them back.
 */
export function deadFraction(output: Tensor): number {
  const [rows, units] = output.shape;
  const positions = output.data.length / (rows * units);
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let alive = false;
    for (let r = 0; r < rows && !alive; r++) {
      const base = (r * units + u) * positions;
      for (let p = 0; p < positions; p++) {
        if (output.data[base + p] !== 0) {
          alive = true;
          break;
        }
      }
    }
    if (!alive) dead++;
  }
  return units === 0 ? 0 : dead / units;
}

/** The fraction of outputs of a sigmoid (`kind` 'sigmoid', in (0, 1)) or tanh (in (−1, 1)) in its flat tails (see SATURATION). */
export function saturatedFraction(values: ArrayLike<number>, kind: 'sigmoid' | 'tanh'): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const t = kind === 'sigmoid' ? 2 * values[i] - 1 : values[i];
    if (Math.abs(t) > SATURATION) n++;
  }
  return values.length === 0 ? 0 : n / values.length;
}

/** ‖a‖₂ in float64. */
function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * Records {@link TrainingStats} for `fit({stats})`: `capture` after the
 * backward pass of a recorded step (before clipping and the optimizer),
 * `afterStep` after the optimizer's step. It keeps a copy of each weight
 * for the update ratio (allocated once: the steps stay allocation-free
 * apart from the records themselves).
 */
export class StatsRecorder {
  readonly record: TrainingStats;
  private readonly activationLayers: { index: number; kind: string }[];
  private readonly weights: { param: Param; before: Float32Array }[];

  constructor(private readonly model: Sequential, every: number) {
    if (!Number.isInteger(every) || every < 1) throw new ConfigError(`stats: expected every to be a positive integer, got ${every}`);
    this.activationLayers = model.layers.flatMap((layer, index) => {
      const kind = layer.config().kind;
      return ACTIVATIONS.has(kind) && index < model.layers.length - 1 ? [{ index, kind }] : [];
    });
    const weights = model.layers.flatMap((layer, index) => layer.params().filter((p) => p.name === 'weight').map((param) => ({ param, index, title: titleOf(layer) })));
    this.weights = weights.map(({ param }) => ({ param, before: new Float32Array(param.value.length) }));
    this.record = {
      every,
      steps: [],
      layers: this.activationLayers.map(({ index, kind }) => ({
        layer: index,
        kind,
        title: titleOf(model.layers[index]),
        mean: [],
        std: [],
        histograms: [],
        ...(kind === 'relu' ? { dead: [] } : {}),
        ...(kind === 'sigmoid' || kind === 'tanh' ? { saturated: [] } : {}),
      })),
      params: weights.map(({ param, index, title }) => ({ layer: index, name: param.name, title, gradNorm: [], gradHistograms: [], updateRatio: [] })),
    };
  }

  /** True when training step `step` (0-based, over the whole run) is recorded. */
  due(step: number): boolean {
    return step % this.record.every === 0;
  }

  /** Reads the batch's layer outputs and gradients of step `step` (the model's last forward and backward pass). */
  capture(step: number): void {
    this.record.steps.push(step);
    const outputs = this.model.lastOutputs();
    this.activationLayers.forEach(({ index, kind }, k) => {
      const out = outputs[index];
      const stats = this.record.layers[k];
      const { mean, std } = meanStd(out.data);
      stats.mean.push(mean);
      stats.std.push(std);
      stats.histograms.push(histogram(out.data));
      stats.dead?.push(deadFraction(out));
      if (kind === 'sigmoid' || kind === 'tanh') stats.saturated?.push(saturatedFraction(out.data, kind));
    });
    this.weights.forEach(({ param, before }, k) => {
      this.record.params[k].gradNorm.push(norm(param.grad));
      this.record.params[k].gradHistograms.push(histogram(param.grad));
      before.set(param.value);
    });
  }

  /** After the optimizer's step of a captured step: each weight's update ratio. */
  afterStep(): void {
    this.weights.forEach(({ param, before }, k) => {
      let change = 0;
      for (let i = 0; i < before.length; i++) change += (param.value[i] - before[i]) ** 2;
      const size = norm(before);
      this.record.params[k].updateRatio.push(size > 0 ? Math.sqrt(change) / size : NaN);
    });
  }
}

/** The default spacing of records: about a hundred over the run. */
export function defaultStatsEvery(totalSteps: number): number {
  return Math.max(1, Math.ceil(totalSteps / 100));
}
