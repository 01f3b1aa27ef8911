import type { TopLevelSpec } from 'vega-lite';
import { colors, config } from './theme.js';

/** One digit to draw: its image as a URL (a `data:` PNG) and what to write above it. */
export interface DigitImage {
  url: string;
  label: number;
}

/** A prediction to draw: the digit, the true label and the ten class probabilities. */
export interface DigitPrediction extends DigitImage {
  probabilities: readonly number[];
}

/** Displayed size of a 28×28 digit, in pixels. */
export const DIGIT_SIZE = 84;

function digitView(url: string, title: unknown) {
  return {
    title,
    width: DIGIT_SIZE,
    height: DIGIT_SIZE,
    view: { stroke: null },
    data: { values: [{ url }] },
    mark: { type: 'image', width: DIGIT_SIZE, height: DIGIT_SIZE, smooth: false },
    encoding: { url: { field: 'url', type: 'nominal' }, x: { value: DIGIT_SIZE / 2 }, y: { value: DIGIT_SIZE / 2 } },
  };
}

/** The tutorial's `visualize_mnist_samples`: digits in a row, each titled with its label. */
export function samplesSpec(samples: readonly DigitImage[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'MNIST Samples', fontSize: 16 },
    config: { ...config, concat: { spacing: 16 } },
    hconcat: samples.map((s) => digitView(s.url, { text: `Label: ${s.label}`, fontSize: 13, fontWeight: 'normal' })),
  } as TopLevelSpec;
}

/**
 * The tutorial's `visualize_predictions`: each digit titled "Pred: k" (green
 * when right, red when wrong; the true label beneath), over a bar chart of
 * its ten class probabilities titled with the confidence (the top probability).
 */
export function predictionsSpec(items: readonly DigitPrediction[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Model Predictions on Test Images', fontSize: 16 },
    config: { ...config, concat: { spacing: 18 } },
    // Two rows of five keep the digits and labels large enough to read.
    columns: 5,
    concat: items.map((item, i) => {
      const pred = item.probabilities.indexOf(Math.max(...item.probabilities));
      const right = pred === item.label;
      return {
        vconcat: [
          digitView(item.url, {
            text: `Pred: ${pred}`,
            subtitle: `true: ${item.label}`,
            color: right ? colors.green : colors.red,
            subtitleColor: colors.grey,
            fontSize: 13,
          }),
          {
            title: { text: `Confidence: ${item.probabilities[pred].toFixed(2)}`, fontSize: 11, fontWeight: 'normal' },
            width: DIGIT_SIZE,
            height: DIGIT_SIZE,
            data: { values: item.probabilities.map((p, k) => ({ digit: k, p })) },
            mark: { type: 'bar', color: colors.skyblue, clip: true },
            encoding: {
              x: { field: 'digit', type: 'ordinal', title: null, axis: { labelAngle: 0, labelFontSize: 8, ticks: false } },
              y: {
                field: 'p',
                type: 'quantitative',
                scale: { domain: [0, 1], nice: false },
                title: i % 5 === 0 ? 'probability' : null,
                axis: i % 5 === 0 ? { values: [0, 0.5, 1], labelFontSize: 9, titleFontSize: 10 } : { values: [0, 0.5, 1], labels: false, ticks: false },
              },
            },
          },
        ],
      };
    }),
  } as TopLevelSpec;
}
