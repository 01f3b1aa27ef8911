import type { TopLevelSpec } from 'vega-lite';
import { activations, type ActivationFn, type ActivationName } from '../layers/activations.js';
import { colors, config, linspace } from './theme.js';

/** The tutorial's layout: colour, and y-limits where it sets them, per activation. */
const panels: { name: ActivationName; color: string; yLimits?: [number, number]; derYLimits: [number, number] }[] = [
  { name: 'sigmoid', color: colors.blue, yLimits: [-0.1, 1.1], derYLimits: [-0.1, 1.1] },
  { name: 'relu', color: colors.red, derYLimits: [-0.1, 1.1] },
  { name: 'tanh', color: colors.green, yLimits: [-1.1, 1.1], derYLimits: [-1.1, 1.1] },
  { name: 'leaky-relu', color: colors.magenta, derYLimits: [-0.1, 1.1] },
];

/** x on [-5, 5], as the tutorial's `np.linspace(-5, 5, …)`; 401 points include 0 exactly. */
const xs = linspace(-5, 5, 401);

/**
 * The grey axis lines at x = 0 and y = 0 the tutorial draws with axhline /
 * axvline. NOTE: each has its own one-row data; inheriting the curve's data
 * would draw one rule per point.
 */
export const zeroLines = [
  { data: { values: [{}] }, mark: { type: 'rule', color: '#000000', opacity: 0.3 }, encoding: { y: { datum: 0, type: 'quantitative' } } },
  { data: { values: [{}] }, mark: { type: 'rule', color: '#000000', opacity: 0.3 }, encoding: { x: { datum: 0, type: 'quantitative' } } },
] as const;

function yScale(limits?: [number, number]) {
  return limits === undefined ? { zero: false } : { domain: limits };
}

function panel(fn: ActivationFn, color: string, title: string, yLimits: [number, number] | undefined, withDerivative: boolean) {
  const values = xs.flatMap((x) => {
    const rows = [{ x, y: fn.f(x), series: fn.title }];
    if (withDerivative) rows.push({ x, y: fn.der(x), series: 'Derivative' });
    return rows;
  });
  return {
    title,
    width: 300,
    height: 200,
    data: { values },
    layer: [
      ...zeroLines,
      {
        mark: { type: 'line', color, strokeWidth: 2, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [-5, 5] }, axis: { values: [-4, -2, 0, 2, 4] } },
          y: { field: 'y', type: 'quantitative', title: withDerivative ? 'f(x) and f′(x)' : 'f(x)', scale: yScale(yLimits) },
          ...(withDerivative
            ? {
                strokeDash: {
                  field: 'series',
                  type: 'nominal',
                  sort: [fn.title, 'Derivative'],
                  scale: { domain: [fn.title, 'Derivative'], range: [[1, 0], [6, 4]] },
                  legend: { title: null, orient: 'top-left', fillColor: 'white', padding: 4, symbolStrokeColor: color },
                },
              }
            : {}),
        },
      },
    ],
  };
}

/**
 * The tutorial's `plot_activation_functions`: sigmoid, ReLU, tanh and leaky
 * ReLU on [-5, 5] in a 2×2 grid, drawn from the same `f` the layers use.
 */
export function activationsSpec(): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Common Activation Functions in Neural Networks', fontSize: 16 },
    config,
    columns: 2,
    concat: panels.map(({ name, color, yLimits }) => {
      const fn = activations[name];
      return panel(fn, color, `${fn.title}: ${fn.formula}`, yLimits, false);
    }),
  } as TopLevelSpec;
}

/**
 * The tutorial's `plot_activation_derivatives`: each activation (solid) with
 * its derivative (dashed), from the same `f` and `der` the layers use.
 */
export function activationDerivativesSpec(): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Activation Functions and Their Derivatives', fontSize: 16 },
    config,
    columns: 2,
    // Each panel has its own series names and legend.
    resolve: { scale: { strokeDash: 'independent' }, legend: { strokeDash: 'independent' } },
    concat: panels.map(({ name, color, derYLimits }) => {
      const fn = activations[name];
      return panel(fn, color, `${fn.title} and Its Derivative`, derYLimits, true);
    }),
  } as TopLevelSpec;
}
