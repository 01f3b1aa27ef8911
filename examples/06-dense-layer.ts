// Listing 6: class Dense and test_dense_layer().
//
// Dense(2, 3) with hand-set weights: the forward pass is checked against the
// tutorial's hand computation, then one backward pass and one SGD step
// (lr 0.1). Run:
//   npx tsx examples/06-dense-layer.ts
import { Dense, SGD, tensor, toArray2, type Tensor } from 'scratchnet';

const fmt = (rows: number[][]): string => `[${rows.map((r) => `[${r.map((v) => v.toFixed(3)).join(' ')}]`).join('\n ')}]`;
const weightsOf = (dense: Dense): number[][] => toArray2(tensor(dense.weight.value, [dense.inputUnits, dense.outputUnits]));
const biasesOf = (dense: Dense): string => `[${Array.from(dense.bias.value, (v) => v.toFixed(3)).join(' ')}]`;

/** The tutorial's test layer: 2 inputs, 3 outputs, weights and biases set for predictable testing. */
function testDense(tutorialCompat: boolean): Dense {
  const dense = new Dense(2, 3, { tutorialCompat });
  dense.weight.value.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]); // [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], row-major
  dense.bias.value.set([0.1, 0.2, 0.3]);
  return dense;
}

const dense = testDense(false);

// Test input: batch of 2 examples.
const input = tensor([[1.0, 2.0], [3.0, 4.0]]);

// Forward pass.
const output: Tensor = dense.forward(input);
console.log(`Input shape: (${input.shape.join(', ')})`);
console.log(`Input:\n${fmt(toArray2(input))}`);
console.log(`\nWeights shape: (${dense.inputUnits}, ${dense.outputUnits})`);
console.log(`Weights:\n${fmt(weightsOf(dense))}`);
console.log(`\nBiases: ${biasesOf(dense)}`);
console.log(`\nOutput shape: (${output.shape.join(', ')})`);
console.log(`Output:\n${fmt(toArray2(output))}`);

// Verify output with manual calculation.
const expectedOutput = [
  [1.0 * 0.1 + 2.0 * 0.4 + 0.1, 1.0 * 0.2 + 2.0 * 0.5 + 0.2, 1.0 * 0.3 + 2.0 * 0.6 + 0.3],
  [3.0 * 0.1 + 4.0 * 0.4 + 0.1, 3.0 * 0.2 + 4.0 * 0.5 + 0.2, 3.0 * 0.3 + 4.0 * 0.6 + 0.3],
];
// np.allclose: |a − b| ≤ 1e-8 + 1e-5·|b| (float32 needs the relative part).
const allclose = toArray2(output).every((row, r) => row.every((v, c) => Math.abs(v - expectedOutput[r][c]) <= 1e-8 + 1e-5 * Math.abs(expectedOutput[r][c])));
console.log(`\nCorrect forward pass: ${allclose}`);

// Test backward pass.
const gradOutput = tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]);
const originalWeights = weightsOf(dense);
const originalBiases = biasesOf(dense);

// backward() returns dL/dinput and fills the gradients of the weights and
// biases; unlike the tutorial's Dense it does not update them itself: the
// optimizer does (so SGD can be swapped for momentum or Adam).
const gradInput = dense.backward(input, gradOutput);
new SGD({ lr: 0.1 }).step(dense.params());

console.log(`\nGradient output (dL/doutput):\n${fmt(toArray2(gradOutput))}`);
console.log(`Gradient input (dL/dinput):\n${fmt(toArray2(gradInput))}`);

console.log(`\nWeights before update:\n${fmt(originalWeights)}`);
console.log(`Weights after update:\n${fmt(weightsOf(dense))}`);
console.log(`\nBiases before update: ${originalBiases}`);
console.log(`Biases after update: ${biasesOf(dense)}`);

// NOTE: the tutorial divides the weight gradient by the batch size a second
// time (its loss gradient already did), so its step is half as large here.
// `tutorialCompat: true` replays that update, giving the tutorial's numbers.
const compat = testDense(true);
compat.forward(input);
compat.backward(input, gradOutput);
new SGD({ lr: 0.1 }).step(compat.params());
console.log(`\nWith tutorialCompat (the tutorial's own update):`);
console.log(`Weights after update:\n${fmt(weightsOf(compat))}`);
console.log(`Biases after update: ${biasesOf(compat)}`);
