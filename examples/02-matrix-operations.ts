// Listing 2: demonstrate_matrix_operations().
//
// A batch of 3 examples with 4 features goes through Dense(4, 5) → ReLU →
// Dense(5, 2) → softmax, printing every matrix and its shape. Run:
//   npx tsx examples/02-matrix-operations.ts
import { Dense, ReLU, Rng, softmax, tensor, toArray2, type Tensor } from 'scratchnet';

// Prints a matrix the way NumPy does: one bracketed row per line.
function show(caption: string, t: Tensor): void {
  console.log(`${caption}:`);
  const rows = t.shape.length === 1 ? [Array.from(t.data)] : toArray2(t);
  const fmt = (v: number): string => v.toFixed(8).padStart(11);
  const text = rows.map((r) => `[${r.map(fmt).join(' ')}]`);
  console.log(`${t.shape.length === 1 ? text[0] : `[${text.join('\n ')}]`}\n`);
}

// Set random seed for reproducibility (np.random.seed(42)).
const rng = new Rng(42);

// Create a batch of 3 examples with 4 features each (np.random.rand(3, 4)).
const X = tensor(Float32Array.from({ length: 3 * 4 }, () => rng.uniform()), [3, 4]);

// Define a small neural network: weights randn · 0.1, biases zero.
const layer1 = new Dense(4, 5, { rng }); // 4 features to 5 hidden units
const layer2 = new Dense(5, 2, { rng }); // 5 hidden units to 2 output classes
for (const w of [layer1.weight.value, layer2.weight.value]) {
  for (let i = 0; i < w.length; i++) w[i] = rng.normal() * 0.1;
}
const W1 = tensor(layer1.weight.value, [4, 5]);
const b1 = tensor(layer1.bias.value, [5]);
const W2 = tensor(layer2.weight.value, [5, 2]);
const b2 = tensor(layer2.bias.value, [2]);

show('Input X (batch_size=3, features=4)', X);
show('Weight matrix W1 (features=4, hidden_units=5)', W1);

// First layer computation. NOTE: layers reuse their output buffers, so keep
// a copy of anything you print after the next call.
const Z1 = layer1.forward(X);
show('Z1 = X·W1 + b1 (batch_size=3, hidden_units=5)', Z1);

const A1 = new ReLU().forward(Z1); // ReLU activation
show('A1 = ReLU(Z1) (batch_size=3, hidden_units=5)', A1);

// Second layer computation.
const Z2 = layer2.forward(A1);
show('Z2 = A1·W2 + b2 (batch_size=3, output_units=2)', Z2);

// Softmax activation for the output layer (max subtracted, as the tutorial).
const A2 = tensor(softmax(new Float32Array(3 * 2), Z2.data, 3, 2), [3, 2]);
show('A2 = softmax(Z2) (batch_size=3, output_units=2)', A2);

console.log('Sum of probabilities for each example (should be 1):');
console.log(`[${toArray2(A2).map((row) => (row[0] + row[1]).toFixed(6)).join(' ')}]`);

// Visualizing the shapes (Python prints a 1-D shape as `(5,)`).
console.log('\nMatrix shapes visualization:');
const shapes: [string, Tensor][] = [['X', X], ['W1', W1], ['b1', b1], ['Z1', Z1], ['A1', A1], ['W2', W2], ['b2', b2], ['Z2', Z2], ['A2', A2]];
for (const [name, t] of shapes) {
  console.log(`${name}: (${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`);
}
