import type { TopLevelSpec } from 'vega-lite';
import { tensor } from '../kernels/tensor.js';
import { ReLU } from '../layers/activations.js';
import { colors, config } from './theme.js';

/** The input of the tutorial's `test_relu_layer`. */
export const reluTestInput = [-2, -1, 0, 1, 2];

/** What the tutorial's ReLU test computes, by running our ReLU layer on it. */
export function reluTest(): { input: number[]; output: number[]; gradOutput: number[]; gradInput: number[] } {
  const relu = new ReLU();
  const input = tensor([reluTestInput]);
  const output = Array.from(relu.forward(input).data);
  const gradOutput = reluTestInput.map(() => 1);
  const gradInput = Array.from(relu.backward(input, tensor([gradOutput])).data);
  return { input: reluTestInput, output, gradOutput, gradInput };
}

function panel(title: string, yTitle: string, rows: { x: number; y: number; series: string }[], series: [string, string], legendAt: object) {
  return {
    title,
    width: 340,
    height: 220,
    data: { values: rows },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'input x', axis: { values: reluTestInput } },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false, padding: 10 } },
      color: { field: 'series', type: 'nominal', sort: series, scale: { domain: series, range: [colors.blue, colors.red] }, legend: { title: null, fillColor: 'white', padding: 4, labelLimit: 240, symbolType: 'stroke', ...legendAt } },
      strokeDash: { field: 'series', type: 'nominal', sort: series, scale: { domain: series, range: [[6, 4], [1, 0]] }, legend: null },
    },
  };
}

/**
 * The tutorial's `test_relu_layer` plots: ReLU's forward pass against the
 * identity, and its backward pass (with dL/doutput = 1) against the identity's gradient.
 */
export function reluTestSpec(): TopLevelSpec {
  const { input, output, gradInput } = reluTest();
  const forwardRows = input.flatMap((x, i) => [
    { x, y: x, series: 'Identity' },
    { x, y: output[i], series: 'ReLU' },
  ]);
  const backwardRows = input.flatMap((x, i) => [
    { x, y: 1, series: 'Gradient of Identity' },
    { x, y: gradInput[i], series: 'Gradient of ReLU' },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    resolve: { scale: { color: 'independent', strokeDash: 'independent' }, legend: { color: 'independent', strokeDash: 'independent' } },
    hconcat: [
      panel('ReLU Forward Pass', 'output', forwardRows, ['Identity', 'ReLU'], { orient: 'top-left' }),
      // Between the two curves, where neither passes.
      panel('ReLU Backward Pass', 'dL/dinput', backwardRows, ['Gradient of Identity', 'Gradient of ReLU'], { orient: 'none', legendX: 8, legendY: 60 }),
    ],
  } as TopLevelSpec;
}
