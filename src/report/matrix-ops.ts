import { tensor, type Tensor } from '../kernels/tensor.js';
import { ReLU } from '../layers/activations.js';
import { Dense } from '../layers/dense.js';
import { softmax } from '../losses/softmax-cross-entropy.js';
import { Rng } from '../rng.js';

/** One matrix of the walkthrough: its name, what it is, its shape and values. */
export interface MatrixStep {
  name: string;
  caption: string;
  shape: number[];
  values: number[][];
}

/** The walkthrough's matrices, in order, and the sum of each softmax row. */
export interface MatrixOperationsDemo {
  steps: MatrixStep[];
  rowSums: number[];
}

function rows(t: Tensor): number[][] {
  const [r, c] = t.shape.length === 1 ? [1, t.shape[0]] : t.shape;
  return Array.from({ length: r }, (_, i) => Array.from(t.data.subarray(i * c, (i + 1) * c)));
}

/**
 * The tutorial's `demonstrate_matrix_operations`, computed by scratchnet's own
 * layers: a batch of 3 examples with 4 features through Dense(4, 5) → ReLU →
 * Dense(5, 2) → softmax, with small random weights (normal × 0.1) and zero biases.
 */
export function matrixOperationsDemo(seed = 42): MatrixOperationsDemo {
  const rng = new Rng(seed);
  const x = tensor(Float32Array.from({ length: 12 }, () => rng.uniform()), [3, 4]);
  const dense1 = new Dense(4, 5, { rng });
  const dense2 = new Dense(5, 2, { rng });
  for (const dense of [dense1, dense2]) {
    const w = dense.weight.value;
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * 0.1;
  }
  const z1 = dense1.forward(x);
  const a1 = new ReLU().forward(z1);
  const z2 = dense2.forward(a1);
  const a2: Tensor = { data: softmax(new Float32Array(6), z2.data, 3, 2), shape: [3, 2] };
  const b1 = tensor(dense1.bias.value, [5]);
  const b2 = tensor(dense2.bias.value, [2]);
  const step = (name: string, caption: string, t: Tensor): MatrixStep => ({ name, caption, shape: [...t.shape], values: rows(t) });
  const steps = [
    step('X', 'Input X (batch_size=3, features=4)', x),
    step('W1', 'Weight matrix W1 (features=4, hidden_units=5)', tensor(dense1.weight.value, [4, 5])),
    step('b1', 'Bias b1 (hidden_units=5)', b1),
    step('Z1', 'Z1 = X·W1 + b1 (batch_size=3, hidden_units=5)', z1),
    step('A1', 'A1 = ReLU(Z1) (batch_size=3, hidden_units=5)', a1),
    step('W2', 'Weight matrix W2 (hidden_units=5, output_units=2)', tensor(dense2.weight.value, [5, 2])),
    step('b2', 'Bias b2 (output_units=2)', b2),
    step('Z2', 'Z2 = A1·W2 + b2 (batch_size=3, output_units=2)', z2),
    step('A2', 'A2 = softmax(Z2) (batch_size=3, output_units=2)', a2),
  ];
  const rowSums = rows(a2).map((r) => r.reduce((s, v) => s + v, 0));
  return { steps, rowSums };
}

/** The walkthrough as the tutorial prints it (for `scratchnet demo`). */
export function formatMatrixOperationsDemo(demo: MatrixOperationsDemo): string {
  const fmt = (v: number): string => (v < 0 ? '' : ' ') + v.toFixed(4);
  const lines: string[] = [];
  for (const s of demo.steps) {
    lines.push(`${s.caption}:`);
    if (s.shape.length === 1) lines.push(`[${s.values[0].map(fmt).join(' ')}]`);
    else s.values.forEach((r, i) => lines.push(`${i === 0 ? '[' : ' '}[${r.map(fmt).join(' ')}]${i === s.values.length - 1 ? ']' : ''}`));
    lines.push('');
  }
  lines.push('Sum of probabilities for each example (should be 1):');
  lines.push(`[${demo.rowSums.map((v) => v.toFixed(6)).join(' ')}]`);
  lines.push('');
  lines.push('Matrix shapes:');
  for (const s of demo.steps) lines.push(`${s.name}: (${s.shape.join(', ')}${s.shape.length === 1 ? ',' : ''})`);
  return lines.join('\n');
}
