// Beyond the tutorial: a layer of your own, checked, registered and trained.
//
// Swish (Ramachandran et al., 2017), y = x · σ(βx) with one trainable β, is
// written here with its forward and backward passes side by side. One
// `gradCheck` call compares the backward pass with central differences of
// the forward pass (and catches a backward pass with a term left out); the
// registered layer then trains in a tiny model and survives a model file. Run:
//   npx tsx examples/12-custom-layer.ts
import {
  ConfigError,
  decodeModel,
  Dense,
  encodeModel,
  gradCheck,
  layerKind,
  predict,
  registerLayerKind,
  Rng,
  Sequential,
  SGD,
  tensor,
  train,
  type GradCheckResult,
  type Layer,
  type LayerConfig,
  type Param,
  type Tensor,
} from 'scratchnet';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Swish: y = x · σ(βx) elementwise, any shape, one trainable β (start at 1). */
class Swish implements Layer {
  readonly beta: Param = { name: 'beta', shape: [1], value: Float32Array.of(1), grad: new Float32Array(1) };

  forward(input: Tensor): Tensor {
    const b = this.beta.value[0];
    return tensor(input.data.map((x) => x * sigmoid(b * x)), input.shape);
  }

  // With s = σ(βx):  dy/dx = s + βx · s(1 − s),  dy/dβ = x² · s(1 − s).
  // backward returns dL/dx = G ⊙ dy/dx and writes dL/dβ = Σ G ⊙ dy/dβ into β's grad.
  backward(input: Tensor, gradOutput: Tensor): Tensor {
    const b = this.beta.value[0];
    let gradBeta = 0;
    const gradInput = input.data.map((x, i) => {
      const s = sigmoid(b * x), g = gradOutput.data[i];
      gradBeta += g * x * x * s * (1 - s);
      return g * (s + b * x * s * (1 - s));
    });
    this.beta.grad[0] = gradBeta;
    return tensor(gradInput, input.shape);
  }

  params(): Param[] {
    return [this.beta];
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  config(): LayerConfig {
    return { kind: 'swish' };
  }
}

/** The usual slip: dy/dx taken as σ(βx) alone, the βx · s(1 − s) term forgotten. */
class ForgetfulSwish extends Swish {
  override backward(input: Tensor, gradOutput: Tensor): Tensor {
    super.backward(input, gradOutput);
    const b = this.beta.value[0];
    return tensor(input.data.map((x, i) => gradOutput.data[i] * sigmoid(b * x)), input.shape);
  }
}

/** A gradCheck result as a table: one row per tensor. */
function printChecks(title: string, result: GradCheckResult): void {
  const rows = result.checks.map((c) => [`${c.layer} ${c.title}`, c.param ?? 'input', `[${c.shape.join(', ')}]`, String(c.checked), c.maxError.toExponential(1), c.verdict]);
  const all = [['layer', 'tensor', 'shape', 'values', 'max rel. error', 'verdict'], ...rows];
  const widths = all[0].map((_, k) => Math.max(...all.map((row) => row[k].length)));
  console.log(title);
  for (const row of all) console.log(`  ${row.map((cell, k) => cell.padEnd(widths[k])).join('  ').trimEnd()}`);
  console.log(`  verdict: ${result.verdict}\n`);
}

// 1. Check it: a random batch of 4 rows of 10 values, and a random projection of the output.
printChecks('gradCheck(new Swish(), [10], { rows: 4 }):', gradCheck(new Swish(), [10], { rows: 4 }));
printChecks('gradCheck(new ForgetfulSwish(), [10], { rows: 4 }):', gradCheck(new ForgetfulSwish(), [10], { rows: 4 }));

// 2. Register its kind, so that summaries, model files and ONNX export know it.
registerLayerKind(
  layerKind<Swish>({
    kind: 'swish',
    plan(config, at) {
      const extra = Object.keys(config).filter((key) => key !== 'kind');
      if (extra.length > 0) throw new ConfigError(`${at}: swish takes no options, got "${extra[0]}"`);
      return { paramValues: 1, build: () => new Swish() };
    },
    title: () => 'Swish',
    // x · Sigmoid(β · x), β broadcast from its one value.
    onnx(_, graph) {
      graph.node('Mul', [graph.input, graph.node('Sigmoid', [graph.node('Mul', [graph.input, graph.tensor('beta')])])]);
    },
  }),
);

// 3. Use it: 2-D points, class 1 inside the circle x² + y² < 0.5, class 0 outside.
const rng = new Rng(42);
const points = 128;
const x = tensor(Float32Array.from({ length: 2 * points }, () => 2 * rng.uniform() - 1), [points, 2]);
const y = Uint8Array.from({ length: points }, (_, i) => Number(x.data[2 * i] ** 2 + x.data[2 * i + 1] ** 2 < 0.5));
const swish = new Swish();
const model = new Sequential([new Dense(2, 16, { rng }), swish, new Dense(16, 2, { rng })], 2);
console.log(`${model.summary({ shapes: true }).join('\n')}\n`);
printChecks('gradCheck(model, [2]) (each param, through the model\'s backward):', gradCheck(model, [2]));

const sgd = new SGD({ lr: 0.5 });
for (let step = 1; step <= 300; step++) {
  const loss = train(model, x, y, sgd);
  if (step % 100 === 0) console.log(`Step ${String(step).padStart(3)}: loss ${loss.toFixed(4)}`);
}
const correct = predict(model, x).filter((p, i) => p === y[i]).length;
console.log(`Accuracy on the ${points} points: ${(correct / points).toFixed(3)}; beta learnt: ${swish.beta.value[0].toFixed(3)}`);

// The registered kind is how a model file rebuilds it.
const copy = decodeModel(encodeModel(model), 'swish.safetensors').model;
console.log(`From the model file: ${copy.summary()[1]}, the same predictions: ${predict(copy, x).every((p, i) => p === predict(model, x)[i])}`);
