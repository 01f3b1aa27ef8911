import type { TopLevelSpec } from 'vega-lite';
import type { ConfusionMatrix } from '../metrics/confusion.js';
import { config, range } from './theme.js';

/**
 * The confusion matrix as a heat map: rows are true labels, columns predicted
 * ones; each cell shows its count, coloured on a log scale so the few
 * mistakes stay visible next to the large diagonal.
 */
export function confusionSpec(matrix: ConfusionMatrix, title = 'Confusion Matrix', classes?: readonly string[]): TopLevelSpec {
  const k = matrix.classes;
  // Class names on the axes where there are names: "Coat" rather than 4.
  const names = classes === undefined ? undefined : `${JSON.stringify(range(k).map((c) => classes[c] ?? String(c)))}[datum.value]`;
  const total = matrix.counts.reduce((a, b) => a + b, 0);
  const cells = range(k * k).map((i) => ({ truth: Math.floor(i / k), predicted: i % k, count: matrix.counts[i] }));
  const max = Math.max(1, ...matrix.counts);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title: { text: title, subtitle: `${total} test images; rows: true label, columns: prediction`, subtitleFontSize: 11 },
    width: 40 * k,
    height: 40 * k,
    data: { values: cells },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', title: 'Predicted label', axis: names === undefined ? { labelAngle: 0, orient: 'top' } : { labelAngle: -40, orient: 'top', labelAlign: 'left', labelExpr: names } },
      y: { field: 'truth', type: 'ordinal', title: 'True label', axis: names === undefined ? {} : { labelExpr: names } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'count',
            type: 'quantitative',
            // symlog keeps 0 defined and spreads the small counts apart.
            scale: { type: 'symlog', scheme: 'blues', domain: [0, max] },
            legend: { title: 'count', gradientLength: 200, values: [0, 10, 100, 1000, 10000, 100000].filter((v) => v <= max) },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${Math.sqrt(max)}`, value: 'white' }, value: '#222222' },
        },
      },
    ],
  } as TopLevelSpec;
}
