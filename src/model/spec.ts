import { ConfigError, ScratchnetError } from '../errors.js';
import { activationLayer, activations } from '../layers/activations.js';
import { BatchNorm } from '../layers/batchnorm.js';
import { Conv2D } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Flatten } from '../layers/flatten.js';
import type { Layer } from '../layers/layer.js';
import { AvgPool2D, MaxPool2D } from '../layers/pool2d.js';
import { Softmax } from '../layers/softmax.js';
import { Rng } from '../rng.js';
import { sizeOf } from '../kernels/tensor.js';
import { Sequential } from './sequential.js';

/**
 * Networks from a compact text spec (the CLI's `--layers`): layers separated
 * by commas, each a name with its numbers in parentheses. The sizes a layer
 * takes come from the layer before it, so only output sizes are written:
 *
 *   conv(OUT, K[, sS][, pP])   Conv2D with OUT channels, K×K kernel, stride S, padding P
 *   maxpool(K[, sS])  avgpool(K[, sS])   pooling, stride S (default K)
 *   flatten   dense(N)   relu  sigmoid  tanh  leaky-relu  softmax   dropout(R)   batchnorm
 *
 * e.g. `conv(6,5),relu,maxpool(2),conv(16,5),relu,maxpool(2),flatten,dense(120),relu,dense(84),relu,dense(10)`.
 */

/** The named architectures of `--arch`, as specs. */
export const ARCHITECTURES = {
  /** LeCun et al. 1998's LeNet-5 on 28 × 28 digits (ReLU and max pooling, as most courses teach it): 44,426 params. */
  lenet5: 'conv(6,5),relu,maxpool(2),conv(16,5),relu,maxpool(2),flatten,dense(120),relu,dense(84),relu,dense(10)',
  /** scratchnet's recommended small CNN: two 3 × 3 convolutions with padding, 105,866 params. */
  cnn: 'conv(16,3,p1),relu,maxpool(2),conv(32,3,p1),relu,maxpool(2),flatten,dense(64),relu,dense(10)',
} as const;

/** One layer of a spec: its name, its numbers and stride/padding options, and where it stands. */
interface SpecToken {
  readonly text: string;
  readonly position: number;
  readonly name: string;
  readonly numbers: number[];
  readonly options: Record<string, number>;
}

function parseToken(text: string, position: number): SpecToken {
  const at = `layer ${position} ("${text}")`;
  const m = /^([a-z][a-z0-9-]*)(?:\(([^()]*)\))?$/.exec(text);
  if (m === null) throw new ConfigError(`${at}: expected a layer name with its numbers in parentheses, e.g. dense(64)`);
  const numbers: number[] = [];
  const options: Record<string, number> = {};
  for (const arg of m[2] === undefined ? [] : m[2].split(',')) {
    const a = arg.trim();
    const opt = /^([sp])(\d+)$/.exec(a);
    if (opt !== null) options[opt[1]] = Number(opt[2]);
    else if (/^\d+(\.\d+)?$/.test(a)) numbers.push(Number(a));
    else throw new ConfigError(`${at}: expected numbers (and s<stride>, p<padding>), got "${a}"`);
  }
  return { text, position, name: m[1], numbers, options };
}

/** The layers of `spec` for inputs of `inputShape` ([1, 28, 28] for MNIST images). ConfigError naming the layer's position otherwise. */
export function sequentialFromSpec(spec: string, inputShape: readonly number[], rng: Rng): Sequential {
  const texts = spec.split(/,(?![^(]*\))/).map((t) => t.trim());
  if (spec.trim() === '' || texts.some((t) => t === '')) throw new ConfigError('expected comma-separated layers, e.g. conv(6,5),relu,maxpool(2),flatten,dense(10)');
  const layers: Layer[] = [];
  let shape: readonly number[] = inputShape;
  texts.forEach((text, i) => {
    const token = parseToken(text, i + 1);
    const at = `layer ${token.position} ("${text}")`;
    try {
      const layer = buildLayer(token, shape, rng);
      shape = layer.outputShape(shape);
      layers.push(layer);
    } catch (err) {
      if (err instanceof ScratchnetError && !err.message.startsWith(at)) throw new ConfigError(`${at}: ${err.message}`);
      throw err;
    }
  });
  return new Sequential(layers, inputShape);
}

const LAYER_NAMES = ['conv', 'maxpool', 'avgpool', 'flatten', 'dense', ...Object.keys(activations), 'softmax', 'dropout', 'batchnorm'];

function buildLayer(t: SpecToken, shape: readonly number[], rng: Rng): Layer {
  const want = (count: number, what: string, options: string[] = []): void => {
    if (t.numbers.length !== count) throw new ConfigError(`${t.name} takes ${what}, got ${t.numbers.length} number(s)`);
    for (const key of Object.keys(t.options)) if (!options.includes(key)) throw new ConfigError(`${t.name} takes no ${key === 's' ? 'stride' : 'padding'}`);
  };
  const int = (v: number, what: string): number => {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`expected ${what} to be a positive integer, got ${v}`);
    return v;
  };
  switch (t.name) {
    case 'conv':
      want(2, '(out channels, kernel size)', ['s', 'p']);
      return new Conv2D(shape[0], int(t.numbers[0], 'out channels'), int(t.numbers[1], 'the kernel size'), { stride: t.options.s ?? 1, padding: t.options.p ?? 0, rng });
    case 'maxpool':
    case 'avgpool': {
      want(1, '(size)', ['s']);
      const Pool = t.name === 'maxpool' ? MaxPool2D : AvgPool2D;
      return new Pool(int(t.numbers[0], 'the size'), { stride: t.options.s });
    }
    case 'flatten':
      want(0, 'no numbers');
      return new Flatten();
    case 'dense':
      want(1, '(units)');
      if (shape.length !== 1) throw new ConfigError(`dense takes rows of features, got shape [${shape.join(', ')}]: put flatten before it`);
      return new Dense(sizeOf(shape), int(t.numbers[0], 'units'), { rng });
    case 'dropout':
      want(1, '(rate)');
      // Its own generator, seeded from rng (as mlp's), so its masks do not shift the shuffling.
      return new Dropout(t.numbers[0], { rng: new Rng(rng.nextUint32()) });
    case 'batchnorm':
      // Over the units of rows, or the channels of images.
      want(0, 'no numbers');
      return new BatchNorm(shape[0]);
    case 'softmax':
      want(0, 'no numbers');
      return new Softmax();
    default:
      if (Object.hasOwn(activations, t.name)) {
        want(0, 'no numbers');
        return activationLayer(t.name);
      }
      throw new ConfigError(`unknown layer "${t.name}", expected one of ${LAYER_NAMES.join(', ')}`);
  }
}
