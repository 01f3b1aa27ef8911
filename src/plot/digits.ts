import type { TopLevelSpec } from 'vega-lite';
import { className } from '../data/classes.js';
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

/** One font size for a row of titles over 84-pixel images, small enough for the longest ("Label: 7" at 13 px, "Pred: T-shirt/top" at 10). */
const titleSize = (titles: readonly string[]): number => {
  const longest = Math.max(0, ...titles.map((t) => t.length));
  return longest <= 12 ? 13 : longest <= 15 ? 11 : 10;
};

/** The tutorial's `visualize_mnist_samples`: images in a row, each titled with its label (its class name when `classes` has one). */
export function samplesSpec(samples: readonly DigitImage[], classes?: readonly string[], title = 'MNIST Samples'): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 16 },
    config: { ...config, concat: { spacing: 16 } },
    hconcat: ((titles) => samples.map((s, i) => digitView(s.url, { text: titles[i], fontSize: titleSize(titles), fontWeight: 'normal' })))(
      samples.map((s) => (classes === undefined ? `Label: ${s.label}` : className(classes, s.label))),
    ),
  } as TopLevelSpec;
}

/**
 * The tutorial's `visualize_predictions`: each digit titled "Pred: k" (green
 * when right, red when wrong; the true label beneath; class names when
 * `classes` has them), over a bar chart of its class probabilities (by
 * label) titled with the confidence (the top probability).
 */
export function predictionsSpec(items: readonly DigitPrediction[], classes?: readonly string[], title = 'Model Predictions on Test Images'): TopLevelSpec {
  const predicted = items.map((item) => item.probabilities.indexOf(Math.max(...item.probabilities)));
  const fontSize = titleSize(predicted.map((p) => `Pred: ${className(classes, p)}`));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 16 },
    config: { ...config, concat: { spacing: 18 } },
    // Two rows of five keep the digits and labels large enough to read.
    columns: 5,
    concat: items.map((item, i) => {
      const pred = predicted[i];
      const right = pred === item.label;
      return {
        vconcat: [
          digitView(item.url, {
            text: `Pred: ${className(classes, pred)}`,
            subtitle: `true: ${className(classes, item.label)}`,
            color: right ? colors.green : colors.red,
            subtitleColor: colors.grey,
            fontSize,
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
