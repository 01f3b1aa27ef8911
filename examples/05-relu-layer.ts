// Listing 5: class Layer, class ReLU and test_relu_layer().
//
// A layer maps forward(input) → output and backward(input, gradOutput) →
// gradInput. ReLU: f(x) = max(0, x), and its gradient lets dL/doutput pass
// where x > 0 and blocks it elsewhere. Run:
//   npx tsx examples/05-relu-layer.ts [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReLU, tensor, type Layer, reluTestSpec, renderSvg } from 'scratchnet';
// NOTE: the chart spec and the SVG renderer are not in the public API yet.

const outDir = process.argv[2] ?? 'examples/out';
mkdirSync(outDir, { recursive: true });

const list = (data: Float32Array): string => `[[${Array.from(data, (v) => v.toFixed(1)).join(' ')}]]`;

// The tutorial's base class `Layer` is the identity. In scratchnet `Layer` is
// an interface: any object with these methods is a layer.
const identity: Layer = {
  forward: (input) => input, // output = input
  backward: (_input, gradOutput) => gradOutput, // pass the gradient unchanged
  params: () => [], // nothing to train
  outputShape: (inputShape) => [...inputShape], // one example's shape out = in
  config: () => ({ kind: 'identity' }),
};

// Create a ReLU layer.
const relu = new ReLU();

// Test input: one row of five values.
const input = tensor([[-2.0, -1.0, 0.0, 1.0, 2.0]]);

// Forward pass.
const output = relu.forward(input);
console.log('Input:', list(input.data));
console.log('Identity output:', list(identity.forward(input).data));
console.log('ReLU output:', list(output.data));

// Backward pass with dL/doutput = 1 everywhere (np.ones_like(output)).
const gradOutput = tensor([[1, 1, 1, 1, 1]]);
const gradInput = relu.backward(input, gradOutput);
console.log('Gradient output (dL/doutput):', list(gradOutput.data));
console.log('Gradient input (dL/dinput):', list(gradInput.data));
// NOTE: ReLU is not differentiable at 0; like the tutorial (`input > 0`) the gradient there is 0.

// The tutorial's two plots: the forward pass against the identity, and the
// backward pass against the identity's gradient.
const path = join(outDir, 'relu-test.svg');
writeFileSync(path, await renderSvg(reluTestSpec()));
console.log(`Wrote ${path}`);
