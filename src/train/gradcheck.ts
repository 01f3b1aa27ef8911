import { ConfigError, ShapeError } from '../errors.js';
import { sameShape, shapeText, sizeOf, type Tensor } from '../kernels/tensor.js';
import { describeValue } from '../layers/config-check.js';
import type { Layer } from '../layers/layer.js';
import { titleOf } from '../layers/registry.js';
import { Sequential } from '../model/sequential.js';
import { Rng, type RngState } from '../rng.js';

/**
 * A numerical check of a layer's (or a whole model's) backward pass, as
 * CS231n's assignments do it: for a seeded random batch x and a seeded random
 * projection r of the output, the scalar loss
 *
 *   L = Σ r ⊙ forward(x)        (summed in float64)
 *
 * has the analytic gradients of one `backward(x, r)`, and each is compared,
 * at a sample of its values v, with the central difference
 *
 *   n = (L(v⁺) − L(v⁻)) / (v⁺ − v⁻),   v± = float32(v ± h)
 *
 * (the float32 values actually stored: the step the forward pass saw). The
 * error of a value is the relative error |a − n| / max(|a|, |n|, floor),
 * where `floor` is what float32 rounding alone can make of a gradient there,
 * over GRADCHECK_PASS: a gradient near 0 is judged by its absolute error.
 *
 * Kinks: a step that crosses a ReLU's 0 or a change of a max pool's winner
 * gives a wrong central difference. Such a step shows as some layer output
 * that moves one way on one side of v and another way (or not at all) on the
 * other; that value is measured again at h / 10 and, if it still bends,
 * skipped for another. The choice looks at the forward pass only, so it can
 * never hide a wrong backward pass.
 */

/** What gradCheck says of a tensor's gradient: right (`pass`), doubtful (`warn`: look closer) or wrong (`fail`). */
export type GradCheckVerdict = 'pass' | 'warn' | 'fail';

/**
 * The largest relative error that passes. A float32 forward pass rounds each
 * output to ~6e-8 of itself; over a step of h = 1e-2 that makes a numeric
 * gradient ~1e-5 of the loss's scale uncertain, and the central difference's
 * own error (h² · f‴ / 6) is as small. Measured over seeds 0–9: at most
 * 6e-4 on every built-in layer alone and on the mlp, lenet5 and cnn networks
 * (whose values the float32 floor mostly judges). A mistake in a backward pass
 * (a dropped factor, a transposed product, a wrong index) is off by far more.
 */
export const GRADCHECK_PASS = 1e-3;

/**
 * Above this relative error a gradient is wrong (`fail`); between
 * GRADCHECK_PASS and it, `warn`. CS231n's rule of thumb for float64 is the
 * same: "relative error > 1e-2 usually means the gradient is probably wrong".
 */
export const GRADCHECK_FAIL = 1e-2;

/** Options of {@link gradCheck}; every default is the one `scratchnet gradcheck` uses. */
export interface GradCheckOptions {
  /** Examples in the random batch (default 3: BatchNorm needs more than one, and a small batch is fast). */
  rows?: number;
  /** Values compared per tensor (default 20), drawn at random without repeats, so that a big layer stays fast. */
  samples?: number;
  /** Seed of the batch, the projection r and the sampled values (default 0). */
  seed?: number;
  /**
   * The step of the central difference (default 1e-2, scaled by |v| where
   * |v| > 1): small enough that a smooth layer's truncation error stays
   * under GRADCHECK_PASS, large enough that float32 rounding does too. A
   * value whose step crosses a kink is measured again at h / 10.
   */
  h?: number;
  /**
   * Check the training-mode behaviour of layers that have one (Dropout,
   * BatchNorm), as a training step differentiates it (default true); false
   * checks inference mode.
   */
  training?: boolean;
}

/** The check of one tensor's gradient: the input's or a param's. */
export interface TensorCheck {
  /** The index of the layer in the model (0 for a lone layer). */
  layer: number;
  /** The layer's title, as the summary prints it (`Dense (784 -> 64)`). */
  title: string;
  /** The param's name (`weight`, `bias`, …), or null for the gradient of the input. */
  param: string | null;
  /** The tensor's shape (the input's: [rows, …inputShape]). */
  shape: number[];
  /** Values compared. */
  checked: number;
  /**
   * Values left out because a kink (a ReLU at 0, a max pool's tie) lay
   * within both steps, h and h / 10, of them: some layer's output moved
   * one way on one side of v and another way on the other. Other values
   * are drawn in their place, up to 4 × samples in all.
   */
  skipped: number;
  /** The largest relative error of the compared values (Infinity for a gradient that is not a finite number). */
  maxError: number;
  /** Where that error is: the flat index, both gradients and the floor there (null if nothing was compared). */
  worst: { index: number; analytic: number; numeric: number; floor: number } | null;
  /** pass ≤ GRADCHECK_PASS < warn ≤ GRADCHECK_FAIL < fail; warn also when kinks left nothing to compare. */
  verdict: GradCheckVerdict;
}

/** What {@link gradCheck} returns: one check per tensor, the largest error and the worst verdict. */
export interface GradCheckResult {
  checks: TensorCheck[];
  maxError: number;
  verdict: GradCheckVerdict;
}

const RANK: Readonly<Record<GradCheckVerdict, number>> = { pass: 0, warn: 1, fail: 2 };

/** The worse of two verdicts (fail over warn over pass). */
export function worseVerdict(a: GradCheckVerdict, b: GradCheckVerdict): GradCheckVerdict {
  return RANK[a] >= RANK[b] ? a : b;
}

/** |a − n| / max(|a|, |n|, floor) (0 when a = n), and Infinity if either gradient is not a finite number. */
export function relativeError(analytic: number, numeric: number, floor: number): number {
  if (!Number.isFinite(analytic) || !Number.isFinite(numeric)) return Infinity;
  const diff = Math.abs(analytic - numeric);
  return diff === 0 ? 0 : diff / Math.max(Math.abs(analytic), Math.abs(numeric), floor);
}

/**
 * Checks the backward pass of `target` against central differences of
 * L = Σ r ⊙ forward(x) (see the file's comment), for a random batch x of
 * `options.rows` examples of `inputShape` (one example's shape: [784],
 * [1, 28, 28]): of a layer, the gradient of its input and of every param; of
 * a Sequential, every param's, as the model's own backward computes them
 * from the gradient of its logits (it computes none of its input: check each
 * layer alone for those).
 *
 * Training mode by default, with random draws held fixed: the state of each
 * layer's `rng` (Dropout's) is put back before every forward pass, so that
 * all of them use the mask the analytic pass used; BatchNorm's batch
 * statistics are a deterministic function of the batch. The target is left
 * as it was found (values, grads, buffers such as BatchNorm's running
 * statistics, modes, generators); only the layers' reused output buffers
 * are overwritten.
 *
 * ConfigError for bad options or a target that is not a layer; ShapeError
 * for an input shape the target cannot take, or a layer whose forward or
 * backward returns a shape other than its outputShape's and its input's.
 */
export function gradCheck(target: Layer | Sequential, inputShape: readonly number[], options: GradCheckOptions = {}): GradCheckResult {
  const { rows, samples, seed, h, training } = checkOptions(options);
  const model = target instanceof Sequential ? target : null;
  if (model === null && !isLayer(target)) throw new ConfigError(`gradCheck: expected a Layer (forward, backward, params, outputShape, config) or a Sequential, got ${describeValue(target)}`);
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new ConfigError(`gradCheck: expected inputShape to be one example's shape, a non-empty list of positive integers (e.g. [784] or [1, 28, 28]), got ${describeValue(inputShape)}`);
  }
  const layers = model === null ? [target as Layer] : model.layers;
  const titles = model === null ? [titleOf(target as Layer)] : model.summaryRows().map((row) => row.title);
  const outputShape = model === null ? layerOutputShape(target as Layer, titles[0], inputShape) : modelOutputShape(model, inputShape);

  const rng = new Rng(seed);
  const x: Tensor = { data: normals(rng, rows * sizeOf(inputShape)), shape: [rows, ...inputShape] };
  const r = normals(rng, rows * sizeOf(outputShape));
  const state = saveState(layers, model);
  try {
    setMode(layers, model, training);
    // Every output a kink could bend: the lone layer's, or each layer's up to the model's logits.
    const run = (): readonly Tensor[] => {
      for (const [g, s] of state.generators) g.setState(s);
      return model === null ? [(target as Layer).forward(x)] : model.forwardAll(x).slice(0, model.logitLayerCount);
    };

    // The analytic gradients: one forward and one backward pass, copied out of the layers' buffers.
    const outputs = run();
    const out = outputs[outputs.length - 1];
    if (out.data.length !== r.length || out.shape[0] !== rows) {
      const what = model === null ? `${titles[0]}.forward` : 'the model\'s logits';
      throw new ShapeError(`gradCheck: ${what} returned shape ${shapeText(out.shape)}, expected ${shapeText([rows, ...outputShape])}`);
    }
    const probe = new Probe(run, outputs, r);
    const gradOut: Tensor = { data: Float32Array.from(r), shape: out.shape };
    const tensors: { layer: number; param: string | null; values: Float32Array; analytic: Float32Array; shape: number[] }[] = [];
    if (model === null) {
      const gradInput = (target as Layer).backward(x, gradOut);
      if (!sameShape(gradInput.shape, x.shape) || gradInput.data.length !== x.data.length) {
        throw new ShapeError(`gradCheck: ${titles[0]}.backward returned a gradient of shape ${shapeText(gradInput.shape)}, expected the input's ${shapeText(x.shape)}`);
      }
      tensors.push({ layer: 0, param: null, values: x.data, analytic: Float32Array.from(gradInput.data), shape: [...x.shape] });
    } else {
      model.backward(x, { data: gradOut.data, shape: [rows, model.outputUnits] });
    }
    layers.forEach((layer, i) => {
      for (const p of layer.params()) {
        if (p.grad.length !== p.value.length) throw new ShapeError(`gradCheck: layer ${i} (${titles[i]}): param ${p.name} has ${p.value.length} values but ${p.grad.length} grads`);
        tensors.push({ layer: i, param: p.name, values: p.value, analytic: Float32Array.from(p.grad), shape: [...p.shape] });
      }
    });

    const checks = tensors.map((t): TensorCheck => {
      const found = compare(probe, t.values, t.analytic, rng, samples, h);
      const verdict: GradCheckVerdict = found.maxError > GRADCHECK_FAIL ? 'fail' : found.maxError > GRADCHECK_PASS || found.checked === 0 ? 'warn' : 'pass';
      return { layer: t.layer, title: titles[t.layer], param: t.param, shape: t.shape, ...found, verdict };
    });
    return {
      checks,
      maxError: checks.reduce((m, c) => Math.max(m, c.maxError), 0),
      verdict: checks.reduce<GradCheckVerdict>((v, c) => worseVerdict(v, c.verdict), 'pass'),
    };
  } finally {
    restoreState(state, model);
  }
}

/** The options with their defaults, each checked. */
function checkOptions(options: GradCheckOptions): Required<GradCheckOptions> {
  const { rows = 3, samples = 20, seed = 0, h = 1e-2, training = true } = options;
  const positiveInteger = (name: string, v: unknown): void => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new ConfigError(`gradCheck: expected ${name} to be a positive integer, got ${describeValue(v)}`);
  };
  positiveInteger('rows', rows);
  positiveInteger('samples', samples);
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new ConfigError(`gradCheck: expected seed to be an integer, got ${describeValue(seed)}`);
  if (typeof h !== 'number' || !(h > 0 && h < 1)) throw new ConfigError(`gradCheck: expected h to be a number in (0, 1), got ${describeValue(h)}`);
  if (typeof training !== 'boolean') throw new ConfigError(`gradCheck: expected training to be true or false, got ${describeValue(training)}`);
  return { rows, samples, seed, h, training };
}

/** The lone layer's output shape for `inputShape`, its ShapeError saying that gradCheck asked. */
function layerOutputShape(layer: Layer, title: string, inputShape: readonly number[]): number[] {
  try {
    return layer.outputShape(inputShape);
  } catch (err) {
    if (err instanceof ShapeError) throw new ShapeError(`gradCheck: ${title} cannot take inputs of shape ${shapeText(inputShape)}: ${err.message}`);
    throw err;
  }
}

/** The shape of the model's logits; inputShape must be the model's (or its flat rows). */
function modelOutputShape(model: Sequential, inputShape: readonly number[]): number[] {
  const flat = inputShape.length === 1 && inputShape[0] === model.inputUnits;
  if (!flat && !sameShape(inputShape, model.inputShape)) {
    const alternative = model.inputShape.length > 1 ? ` (or flat rows [${model.inputUnits}])` : '';
    throw new ShapeError(`gradCheck: the model takes inputs of shape ${shapeText(model.inputShape)}${alternative}, got ${shapeText(inputShape)}`);
  }
  return model.logitLayerCount === model.layers.length ? [...model.outputShape] : [...model.layerShapes[model.logitLayerCount - 1]];
}

/**
 * A float32 unit roundoff: each output of a float32 forward pass is off by
 * about this fraction of itself.
 */
const UNIT_ROUNDOFF = 2 ** -24;

/**
 * The floor's margin: a value's floor is this many times its rounding noise,
 * over GRADCHECK_PASS, so that rounding alone stays under GRADCHECK_PASS / 4.
 */
const NOISE_UNITS = 4;

/**
 * An output bends when its changes on the two sides of a step disagree by
 * more than this fraction of their sum: a ReLU or a max pool that switched
 * (one side moves, the other does not) rather than a smooth curve, whose two
 * changes differ by about step · f″ / f′ of them (≤ 2 % at h = 1e-2 for
 * tanh, sigmoid, softmax and BatchNorm).
 */
const BEND = 0.1;

/**
 * The central difference of L = Σ r ⊙ y (y the last of the watched
 * outputs) at one value, with how far it can be off and whether a kink lies
 * within its step.
 */
class Probe {
  /** The outputs of the unperturbed pass, and of the last v⁺ pass. */
  private readonly base: Float32Array[];
  private readonly upper: Float32Array[];
  /** Σ |r ⊙ y| of the unperturbed pass: a change of L smaller than its roundoff may show in no output. */
  private readonly resolution: number;

  constructor(private readonly run: () => readonly Tensor[], outputs: readonly Tensor[], private readonly r: Float32Array) {
    this.base = outputs.map((t) => Float32Array.from(t.data));
    this.upper = outputs.map((t) => new Float32Array(t.data.length));
    const y = this.base[this.base.length - 1];
    let resolution = 0;
    for (let j = 0; j < r.length; j++) resolution += Math.abs(y[j] * r[j]);
    this.resolution = resolution;
  }

  /**
   * (L(v⁺) − L(v⁻)) / (v⁺ − v⁻) at values[i], v± the float32 values stored
   * for v ± step (step = h·max(1, |v|), so that v ± step differs from v);
   * `bent` if a watched output bent (a kink within the step); and `noise`,
   * how far the difference can be off: the larger of what one roundoff of
   * each output that moved (of every output, where none did) makes of it,
   * and how far it is from the same difference at half the step. The value
   * is put back exactly.
   */
  measure(values: Float32Array, i: number, h: number): { numeric: number; noise: number; bent: boolean } {
    const v = values[i];
    const step = h * Math.max(1, Math.abs(v));
    const at = (value: number, keep: boolean): { loss: number; moved: number; value: number; outputs: readonly Tensor[] } => {
      values[i] = value;
      const outputs = this.run();
      return { ...this.evaluate(outputs, keep), value: values[i], outputs };
    };
    const up = at(v + step, true);
    const down = at(v - step, false);
    // Before v is put back: an output may be a view of the values (Flatten's of its input).
    const bent = this.bent(down.outputs);
    const numeric = (up.loss - down.loss) / (up.value - down.value);
    if (bent) {
      values[i] = v;
      return { numeric, noise: Infinity, bent };
    }
    // Half the step: where no output bends, the two differences part by the roundoff the forward
    // pass really makes (more than its outputs show where a layer amplifies it, as BatchNorm
    // dividing by a small deviation does) and by the truncation error.
    const halfUp = at(v + step / 2, false);
    const halfDown = at(v - step / 2, false);
    values[i] = v;
    const half = (halfUp.loss - halfDown.loss) / (halfUp.value - halfDown.value);
    const moved = up.moved + down.moved;
    const shown = (UNIT_ROUNDOFF * (moved === 0 ? this.resolution : moved)) / (up.value - down.value);
    return { numeric, noise: Math.max(shown, Math.abs(numeric - half)), bent };
  }

  /** L and Σ |r ⊙ y| over the outputs that differ from the base pass's; `keep` copies the outputs for the bend test. */
  private evaluate(outputs: readonly Tensor[], keep: boolean): { loss: number; moved: number } {
    if (keep) outputs.forEach((t, k) => this.upper[k].set(t.data));
    const y = outputs[outputs.length - 1].data, y0 = this.base[this.base.length - 1], r = this.r;
    let loss = 0;
    let moved = 0;
    for (let j = 0; j < r.length; j++) {
      const term = y[j] * r[j];
      loss += term;
      if (y[j] !== y0[j]) moved += Math.abs(term);
    }
    return { loss, moved };
  }

  /**
   * Whether some output's changes up (v⁺ − v) and down (v − v⁻) disagree by
   * more than BEND of them and by more than 64 roundoffs of it (what the
   * layers before it may have added).
   */
  private bent(lower: readonly Tensor[]): boolean {
    for (let k = 0; k < lower.length; k++) {
      const b = this.base[k], p = this.upper[k], m = lower[k].data;
      for (let e = 0; e < b.length; e++) {
        const up = p[e] - b[e], down = b[e] - m[e];
        if (Math.abs(up - down) > BEND * (Math.abs(up) + Math.abs(down)) + 64 * UNIT_ROUNDOFF * (Math.abs(p[e]) + Math.abs(b[e]) + Math.abs(m[e]))) return true;
      }
    }
    return false;
  }
}

/** Draws per tensor, as a multiple of `samples`, before kinks count as leaving nothing more to compare. */
const MAX_DRAWS = 4;

/**
 * Compares analytic gradients with central differences at up to `samples`
 * values drawn from rng, each at the first of the steps h, h / 10 whose
 * forward passes bend no output; a value bent at both sits at a kink and is
 * skipped for another. Whether a value is measured again or skipped depends
 * on the forward pass alone, never on the gradient being checked.
 */
function compare(probe: Probe, values: Float32Array, analytic: Float32Array, rng: Rng, samples: number, h: number) {
  let maxError = 0;
  let worst: TensorCheck['worst'] = null;
  let checked = 0;
  let skipped = 0;
  for (const i of randomIndices(rng, values.length, MAX_DRAWS * samples)) {
    if (checked === samples) break;
    let m = probe.measure(values, i, h);
    if (m.bent) m = probe.measure(values, i, h / 10);
    if (m.bent) {
      skipped++;
      continue;
    }
    const a = analytic[i];
    const floor = (NOISE_UNITS * m.noise) / GRADCHECK_PASS;
    const error = relativeError(a, m.numeric, floor);
    checked++;
    if (error > maxError || worst === null) {
      maxError = Math.max(maxError, error);
      worst = { index: i, analytic: a, numeric: m.numeric, floor };
    }
  }
  return { checked, skipped, maxError, worst };
}

/** Up to `count` distinct indices of [0, n) in an order drawn from rng. */
function* randomIndices(rng: Rng, n: number, count: number): Generator<number> {
  if (n <= count) {
    yield* rng.permutation(n);
    return;
  }
  const seen = new Set<number>();
  while (seen.size < count) {
    const i = rng.int(n);
    if (!seen.has(i)) {
      seen.add(i);
      yield i;
    }
  }
}

/** n standard normal deviates from rng, as float32. */
function normals(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/** Whatever the check changes: grads, buffers, modes, and the state of each layer's generator. */
interface SavedState {
  grads: [Float32Array, Float32Array][];
  buffers: [Float32Array, Float32Array][];
  modes: [Layer, boolean][];
  modelMode: boolean;
  generators: Map<Rng, RngState>;
}

/** Copies of what the check changes, to put back afterwards. */
function saveState(layers: readonly Layer[], model: Sequential | null): SavedState {
  const generators = new Map<Rng, RngState>();
  for (const layer of layers) {
    // Dropout's masks (and a layer of your own that keeps its generator in `rng`).
    const g = (layer as { rng?: unknown }).rng;
    if (g instanceof Rng && !generators.has(g)) generators.set(g, g.getState());
  }
  return {
    grads: layers.flatMap((l) => l.params().map((p): [Float32Array, Float32Array] => [p.grad, p.grad.slice()])),
    buffers: layers.flatMap((l) => (l.buffers?.() ?? []).map((b): [Float32Array, Float32Array] => [b.value, b.value.slice()])),
    modes: layers.filter((l) => l.training !== undefined).map((l): [Layer, boolean] => [l, l.training as boolean]),
    modelMode: model?.training ?? false,
    generators,
  };
}

/** The mode to check in: the model's (every layer's), or the lone layer's if it has one. */
function setMode(layers: readonly Layer[], model: Sequential | null, training: boolean): void {
  if (model !== null) {
    if (training) model.train();
    else model.eval();
  } else if (layers[0].training !== undefined) {
    layers[0].training = training;
  }
}

/** Puts back what saveState copied. */
function restoreState(state: SavedState, model: Sequential | null): void {
  for (const [into, from] of [...state.grads, ...state.buffers]) into.set(from);
  if (model !== null) {
    if (state.modelMode) model.train();
    else model.eval();
  }
  for (const [layer, mode] of state.modes) layer.training = mode;
  for (const [g, s] of state.generators) g.setState(s);
}

/** Whether `value` has a layer's methods (a plain object may be a layer). */
function isLayer(value: unknown): value is Layer {
  if (typeof value !== 'object' || value === null) return false;
  const l = value as Record<string, unknown>;
  return ['forward', 'backward', 'params', 'outputShape', 'config'].every((name) => typeof l[name] === 'function');
}
