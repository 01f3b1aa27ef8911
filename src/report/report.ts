import type { TopLevelSpec } from 'vega-lite';
import { className, datasetTitle } from '../data/classes.js';
import type { Dataset } from '../data/dataset.js';
import { classificationReport, confusionMatrix, type ClassificationReport, type ConfusionMatrix } from '../metrics/confusion.js';
import type { Sequential } from '../model/sequential.js';
import { activationDerivativesSpec, activationsSpec } from '../plot/activations.js';
import { confusionSpec } from '../plot/confusion.js';
import { predictionsSpec, samplesSpec, type DigitPrediction } from '../plot/digits.js';
import { historySpec } from '../plot/history.js';
import { boundarySpec, boundaryTile } from '../plot/boundary.js';
import { activationHistogramsSpec, statsOverTimeSpec } from '../plot/stats.js';
import type { TrainingStats } from '../train/stats.js';
import { decisionGrid, extentOf, snapshotGrid, type BoundaryRecord } from '../metrics/decision-grid.js';
import { reluTest, reluTestSpec } from '../plot/relu-test.js';
import { renderSvg } from '../plot/render.js';
import type { Tile } from '../plot/tiles.js';
import { Rng } from '../rng.js';
import { evaluate } from '../train/evaluate.js';
import { VERSION } from '../version.js';
import { batchShape, convViews, featureMapsHtml, filtersHtml, firstLayerHtml, type ConvViews } from './conv-views.js';
import { matrixOperationsDemo, type MatrixOperationsDemo } from './matrix-ops.js';
import { escapeHtml, htmlPage } from './page.js';

/** What a run's history.json holds and the report reads. */
export interface RunHistory {
  settings: Record<string, unknown>;
  epochs: number;
  batchLoss: number[];
  trainLoss: number[];
  valAccuracy: number[];
  valLoss?: number[];
  testAccuracy?: number;
  testLoss?: number;
  seconds: number;
  imagesPerSecond: number;
  /** A network of the plane: its decision boundary after a few epochs. */
  boundary?: BoundaryRecord;
  /** With --stats: what happened inside the network. */
  stats?: TrainingStats;
}

/** Everything a report is made from. */
export interface ReportInput {
  history: RunHistory;
  model: Sequential;
  /** Its first images are drawn as "MNIST samples". */
  train: Dataset;
  /** Scored for the confusion matrix; ten of its images are drawn with their predictions. */
  test: Dataset;
  /** Picks the ten test images (the run's seed, so a report is reproducible). */
  seed: number;
  /** Turns a byte image (28×28 grey, or `shape` [channels, height, width]) into an image URL (a `data:` PNG in Node). */
  imageUrl: (pixels: Uint8Array, shape?: readonly number[]) => string;
  /** Turns a filter or feature-map tile into an image URL at its own size (a `data:` PNG in Node; the page enlarges it). */
  tileUrl: (tile: Tile) => string;
}

/** A chart of the report: a file-name-safe id, its title and its vega-lite spec. */
export interface Chart {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

/** The report's numbers and charts, before they are laid out as HTML. */
export interface ReportContent {
  charts: Chart[];
  demo: MatrixOperationsDemo;
  confusion: ConfusionMatrix;
  metrics: ClassificationReport;
  /** Null for a network without a convolution. */
  conv: ConvViews | null;
  input: ReportInput;
  /** The ten test examples drawn with their predictions (their rows in the test set). */
  picks: Uint32Array;
  predictions: DigitPrediction[];
  /** The (up to ten) misclassified test examples with the highest confidence, surest first, and their rows. */
  mistakes: DigitPrediction[];
  mistakeRows: Uint32Array;
}

/**
 * The training rows the samples section draws: the first ten, as the
 * tutorial does, except for an image folder, which is read class by class:
 * there, the first row of each class in turn, so the ten show the classes.
 */
function sampleRows(train: Dataset): number[] {
  const n = Math.min(10, train.count);
  if (train.shape === undefined) return Array.from({ length: n }, (_, i) => i);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < train.count; i++) byClass.set(train.y[i], [...(byClass.get(train.y[i]) ?? []), i]);
  const queues = [...byClass.keys()].sort((a, b) => a - b).map((c) => byClass.get(c) as number[]);
  const rows: number[] = [];
  for (let k = 0; rows.length < n; k++) for (const q of queues) if (k < q.length && rows.length < n) rows.push(q[k]);
  return rows;
}

/** Computes everything the report shows: metrics on the test set and each chart's spec. */
export function reportContent(input: ReportInput): ReportContent {
  const { model, train, test, history } = input;
  const classes = test.classes ?? train.classes;
  const title = datasetTitle(history.settings.data);
  const image = (data: Dataset, i: number): Uint8Array => data.x.subarray(i * data.features, (i + 1) * data.features);
  const evaluation = evaluate(model, test);
  const confusion = confusionMatrix(evaluation.predictions, test.y, model.outputUnits);
  const metrics = classificationReport(confusion);

  const tabular = test.values !== undefined;
  const samples = tabular ? [] : sampleRows(train).map((i) => ({ url: input.imageUrl(image(train, i), train.shape), label: train.y[i] }));
  // Ten random test images (or rows), as the tutorial's visualize_predictions.
  const picks = new Rng(input.seed).permutation(test.count).subarray(0, Math.min(10, test.count));
  /** Rows `rows` of the test set as the network takes them: a table's values, or pixels / 255. */
  const inputs = (rows: ArrayLike<number>): Float32Array => {
    const x = new Float32Array(rows.length * test.features);
    Array.from(rows).forEach((idx, r) =>
      tabular ? x.set((test.values as Float32Array).subarray(idx * test.features, (idx + 1) * test.features), r * test.features) : image(test, idx).forEach((v, j) => (x[r * test.features + j] = v / 255)),
    );
    return x;
  };
  const probs = model.predictProba({ data: inputs(picks), shape: [picks.length, test.features] });
  const predictions: DigitPrediction[] = Array.from(picks, (idx, r) => ({
    url: tabular ? '' : input.imageUrl(image(test, idx), test.shape),
    label: test.y[idx],
    probabilities: Array.from(probs.data.subarray(r * model.outputUnits, (r + 1) * model.outputUnits)),
  }));

  // Where it goes wrong: the misclassified test examples the network was surest of.
  const wrongRows = Array.from(evaluation.predictions.keys()).filter((i) => evaluation.predictions[i] !== test.y[i]);
  const wrongProbs = wrongRows.length === 0 ? new Float32Array(0) : model.predictProba({ data: inputs(wrongRows), shape: [wrongRows.length, test.features] }).data;
  const k = model.outputUnits;
  const confident = wrongRows
    .map((idx, r) => ({ idx, probabilities: Array.from(wrongProbs.subarray(r * k, (r + 1) * k)) }))
    .sort((a, b) => Math.max(...b.probabilities) - Math.max(...a.probabilities) || a.idx - b.idx)
    .slice(0, 10);
  const mistakes: DigitPrediction[] = confident.map((m) => ({ url: tabular ? '' : input.imageUrl(image(test, m.idx), test.shape), label: test.y[m.idx], probabilities: m.probabilities }));
  const mistakeRows = Uint32Array.from(confident, (m) => m.idx);

  // A table has no images: its samples and predictions are HTML tables of rows (reportHtml), not charts.
  // A network of the plane: its decision boundary as it trained (or, from an older run folder, as it ended).
  const plane = tabular && test.features === 2 && model.inputUnits === 2;
  const record = history.boundary;
  const grids = !plane ? [] : record !== undefined && record.snapshots.length > 0 ? record.snapshots.map((snap) => ({ epoch: snap.epoch, grid: snapshotGrid(record, snap) })) : [{ epoch: history.epochs, grid: decisionGrid(model, extentOf([train, test])) }];
  const boundaryPanels = grids.map(({ epoch, grid }) => ({ title: `Epoch ${epoch}`, url: input.tileUrl(boundaryTile(grid, model.outputUnits)) }));

  const inside = history.stats !== undefined && history.stats.steps.length > 0 ? history.stats : undefined;
  const charts: Chart[] = [
    { id: 'activation-functions', title: 'Common Activation Functions in Neural Networks', spec: activationsSpec() },
    { id: 'activation-derivatives', title: 'Activation Functions and Their Derivatives', spec: activationDerivativesSpec() },
    ...(tabular ? [] : [{ id: 'mnist-samples', title: `${title} Samples`, spec: samplesSpec(samples, classes, `${title} Samples`) }]),
    { id: 'relu-test', title: 'ReLU Forward Pass / ReLU Backward Pass', spec: reluTestSpec() },
    { id: 'training-history', title: 'Training Loss / Validation Accuracy', spec: historySpec(history) },
    ...(inside === undefined
      ? []
      : [
          ...(inside.layers.length === 0 ? [] : [{ id: 'activation-histograms', title: 'Activations: First and Last Record', spec: activationHistogramsSpec(inside) }]),
          { id: 'inside-over-time', title: 'Inside the Network While It Trains', spec: statsOverTimeSpec(inside) },
        ]),
    ...(grids.length === 0 ? [] : [{ id: 'decision-boundary', title: 'Decision Boundary', spec: boundarySpec(boundaryPanels, grids[0].grid.extent, test, classes, `Decision Boundary (${title}, test points)`) }]),
    ...(tabular ? [] : [{ id: 'predictions', title: 'Model Predictions on Test Images', spec: predictionsSpec(predictions, classes) }]),
    ...(tabular || mistakes.length === 0 ? [] : [{ id: 'mistakes', title: 'Where It Goes Wrong', spec: predictionsSpec(mistakes, classes, 'Where It Goes Wrong: the Surest Mistakes') }]),
    { id: 'confusion-matrix', title: 'Confusion Matrix', spec: confusionSpec(confusion, undefined, classes) },
  ];
  return { charts, demo: matrixOperationsDemo(), confusion, metrics, conv: tabular ? null : convViews(input, picks, predictions), input, picks, predictions, mistakes, mistakeRows };
}

function matrixTable(values: number[][]): string {
  const body = values.map((r) => `<tr>${r.map((v) => `<td>${v.toFixed(4)}</td>`).join('')}</tr>`).join('');
  return `<table class="matrix">${body}</table>`;
}

function percent(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(2)} %`;
}

/** A setting as text: `sgd (lr 0.1)`-like `name: sgd, lr: 0.1` for objects, `64, 32` for lists. */
function settingValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(settingValue).join(', ');
  if (typeof v === 'object' && v !== null) return Object.entries(v).map(([k, x]) => `${k}: ${settingValue(x)}`).join(', ');
  return String(v);
}

/** The body of the "Inside the network" section: the two figures and how to read them. */
function insideHtml(stats: TrainingStats, figure: (id: string, caption: string) => string): string {
  const last = (values: readonly number[] | undefined): number | undefined => values?.[values.length - 1];
  const lines = [
    ...stats.layers.flatMap((l) => {
      const dead = last(l.dead);
      const saturated = last(l.saturated);
      return dead !== undefined ? [`layer ${l.layer} (${l.title}): ${(100 * dead).toFixed(1)} % of units dead`] : saturated !== undefined ? [`layer ${l.layer} (${l.title}): ${(100 * saturated).toFixed(1)} % of outputs saturated`] : [];
    }),
    ...stats.params.map((p) => `layer ${p.layer} (${p.title.replace(' -> ', ' → ')}) update/weight ratio ${(last(p.updateRatio) ?? NaN).toExponential(1)}`),
  ];
  return `<p>Recorded every ${stats.every} training step${stats.every === 1 ? '' : 's'} (${stats.steps.length} records, the first before any update), on the training batch of that step.</p>
    ${stats.layers.length === 0 ? '' : figure('activation-histograms', 'Each activation layer’s outputs at the first record (grey) and the last (blue). Outputs piled at 0 after a ReLU are dead units; outputs piled at ±1 after tanh (0 and 1 after sigmoid) are saturated: there the derivative is nearly 0 and little gradient flows back to the layers before.')}
    ${figure('inside-over-time', 'Left: each weight’s update-to-weight ratio ‖ΔW‖ / ‖W‖ per step — around 1e-3 (dashed) is the rule of thumb; far below, the layer barely learns (learning rate too low, or its gradient vanishes); far above, it is pushed around (rate too high). Then each weight’s gradient norm, each activation layer’s output deviation (shrinking to 0 layer after layer is the vanishing signal of a too-small init), and the fraction of dead or saturated units.')}
    <p class="caption">At the last record: ${lines.map((l) => escapeHtml(l)).join('; ')}.</p>`;
}

/** The report as one self-contained HTML page (inline SVG and CSS, no script, no external URL). */
export async function buildReport(input: ReportInput): Promise<{ html: string; svgs: Map<string, string> }> {
  const content = reportContent(input);
  const svgs = new Map<string, string>();
  for (const chart of content.charts) svgs.set(chart.id, await renderSvg(chart.spec));
  return { html: reportHtml(content, svgs), svgs };
}

/** Lays out the report's sections, in the tutorial's order, around the rendered charts. */
export function reportHtml(content: ReportContent, svgs: ReadonlyMap<string, string>): string {
  const { demo, confusion, metrics, conv, input } = content;
  const tabular = input.test.values !== undefined;
  const names = input.test.classes ?? input.train.classes;
  /** A table's rows `rows` of `data` as an HTML table: its features, and the label (with prediction and confidence when given). */
  const rowsTable = (data: Dataset, rows: ArrayLike<number>, predicted?: readonly DigitPrediction[]): string => {
    const features = data.featureNames ?? Array.from({ length: data.features }, (_, j) => `x${j}`);
    const head = `<tr><th>row</th>${features.map((f) => `<th>${escapeHtml(f)}</th>`).join('')}<th>label</th>${predicted === undefined ? '' : '<th>predicted</th><th>confidence</th>'}</tr>`;
    const body = Array.from(rows, (row, i) => {
      const cells = features.map((_, j) => `<td class="num">${Number((data.values as Float32Array)[row * data.features + j].toPrecision(6))}</td>`).join('');
      const p = predicted?.[i];
      const top = p === undefined ? -1 : p.probabilities.indexOf(Math.max(...p.probabilities));
      const verdict = p === undefined ? '' : `<td${top === data.y[row] ? '' : ' class="wrong"'}>${escapeHtml(className(names, top))}</td><td class="num">${p.probabilities[top].toFixed(2)}</td>`;
      return `<tr><td class="num">${row}</td>${cells}<td>${escapeHtml(className(names, data.y[row]))}</td>${verdict}</tr>`;
    }).join('');
    return `<table class="rows"><thead>${head}</thead><tbody>${body}</tbody></table>`;
  };
  const { history, model } = input;
  const figure = (id: string, caption: string): string =>
    `<figure class="chart" id="chart-${id}" data-chart="${id}">${svgs.get(id) ?? ''}<figcaption>${caption}</figcaption></figure>`;
  // Sections are numbered in the order they appear (a network without convolutions has no filters or feature maps).
  let count = 0;
  const section = (id: string, title: string, body: string): string => {
    const n = ++count;
    return `<section id="${id}" data-section="${n}"><h2>${n}. ${escapeHtml(title)}</h2>${body}</section>`;
  };

  // An MLP on images: its first layer's units as pictures (a network with no hidden layer: one template per class).
  const weights = tabular ? null : firstLayerHtml(model, input.train.shape ?? [1, 28, 28], input.tileUrl, names);
  const weightsTitle = model.layers.filter((l) => l.config().kind === 'dense').length === 1 ? 'What the weights learnt: a template per class' : 'What the first layer learnt';
  const relu = reluTest();
  const trace = Array.from({ length: confusion.classes }, (_, c) => confusion.counts[c * confusion.classes + c]).reduce((a, b) => a + b, 0);
  const summary = model.summaryRows();
  const total = summary.reduce((n, row) => n + row.params, 0);
  const layerRows = summary.map(
    (row, i) => `<tr><td>${i}</td><td>${escapeHtml(row.title.replace(' -> ', ' → '))}</td><td>${batchShape(row.shape)}</td><td class="num">${row.params.toLocaleString('en-US')}</td></tr>`,
  );
  // The MLP's shape settings say nothing about a CNN's network (its layers are in the table beside them).
  const cnn = history.settings.arch !== undefined && history.settings.arch !== 'mlp';
  const mlpOnly = new Set(['hidden', 'activation', 'dropout', 'batchNorm']);
  const settings = Object.entries(history.settings)
    .filter(([k]) => !(cnn && mlpOnly.has(k)))
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(settingValue(v))}</td></tr>`)
    .join('');
  const classes = input.test.classes ?? input.train.classes;
  const perClass = metrics.perClass
    .map((m, c) => `<tr><td>${classes === undefined ? c : `${c} ${escapeHtml(className(classes, c))}`}</td><td class="num">${m.precision.toFixed(4)}</td><td class="num">${m.recall.toFixed(4)}</td><td class="num">${m.f1.toFixed(4)}</td><td class="num">${m.support}</td></tr>`)
    .join('');

  const sections = [
    section('activation-functions', 'Activation functions', figure('activation-functions', 'Sigmoid, ReLU, tanh and leaky ReLU on [−5, 5], drawn from the same definitions the layers use (src/layers/activations.ts).')),
    section('activation-derivatives', 'Activation functions and their derivatives', figure('activation-derivatives', 'Each function (solid) with its derivative (dashed). ReLU’s derivative is 0 where the input is ≤ 0: those units pass no gradient back.')),
    section(
      'matrix-operations',
      'Matrix operations in a forward pass',
      `<p>A batch of 3 examples with 4 features through Dense(4, 5) → ReLU → Dense(5, 2) → softmax, computed by scratchnet’s layers (the tutorial’s <code>demonstrate_matrix_operations</code>).</p>
      <div class="matrices">${demo.steps
        .map((s) => `<div class="matrix-step" data-name="${s.name}"><h3>${escapeHtml(s.caption)}</h3><p class="shape">${s.name}: (${s.shape.join(', ')}${s.shape.length === 1 ? ',' : ''})</p>${matrixTable(s.values)}</div>`)
        .join('')}</div>
      <p class="sums">Sum of probabilities for each example (should be 1): <strong>${demo.rowSums.map((v) => v.toFixed(6)).join(', ')}</strong></p>`,
    ),
    tabular
      ? section('mnist-samples', 'Table samples', `${rowsTable(input.train, Array.from({ length: Math.min(10, input.train.count) }, (_, i) => i))}<p class="caption">The first ${Math.min(10, input.train.count)} training rows as read (before the network's Standardize layer scales them), with their labels.</p>`)
      : section('mnist-samples', `${datasetTitle(history.settings.data)} samples`, figure('mnist-samples', input.train.shape === undefined ? `The first ${Math.min(10, input.train.count)} training images with their labels.` : 'Training images with their labels, the first of each class in turn (the folder is read class by class).')),
    section(
      'relu-test',
      'The ReLU layer test',
      `${figure('relu-test', 'ReLU’s forward pass against the identity, and its backward pass (with dL/doutput = 1) against the identity’s gradient.')}
      <table class="small"><tr><th>input</th>${relu.input.map((v) => `<td>${v}</td>`).join('')}</tr><tr><th>ReLU output</th>${relu.output.map((v) => `<td>${v}</td>`).join('')}</tr><tr><th>dL/dinput</th>${relu.gradInput.map((v) => `<td>${v}</td>`).join('')}</tr></table>`,
    ),
    section(
      'training-history',
      'Training',
      `${figure('training-history', `Loss of each of the ${history.batchLoss.length} training batches, and accuracy on the whole validation set after each of the ${history.epochs} epochs.`)}
      <p>Final validation accuracy <strong>${percent(history.valAccuracy[history.valAccuracy.length - 1])}</strong>; test accuracy <strong>${percent(history.testAccuracy)}</strong>; ${history.seconds.toFixed(1)} s in all, ${Math.round(history.imagesPerSecond).toLocaleString('en-US')} training images/s.</p>`,
    ),
    ...(history.stats === undefined || !content.charts.some((c) => c.id === 'inside-over-time')
      ? []
      : [section('inside', 'Inside the network', insideHtml(history.stats, figure))]),
    ...(content.charts.some((c) => c.id === 'decision-boundary')
      ? [
          section(
            'decision-boundary',
            'The decision boundary',
            figure('decision-boundary', 'The class the network predicts at each point of the plane (paler where it is less sure), after the epochs shown, with the test points in their true class’s colour on top. A network without a nonlinearity (--activation linear) can only cut the plane with straight lines.'),
          ),
        ]
      : []),
    tabular
      ? section('predictions', 'Predictions on test rows', `${rowsTable(input.test, content.picks, content.predictions)}<p class="caption">Ten random test rows, their label, the network's prediction (red when wrong) and its probability (the confidence).</p>`)
      : section('predictions', 'Predictions on test images', figure('predictions', 'Ten random test images: “Pred: k” is green when right and red when wrong; the bars are the ten class probabilities, the title their maximum (the confidence).')),
    section(
      'mistakes',
      'Where it goes wrong',
      content.mistakes.length === 0
        ? '<p>No test example is misclassified.</p>'
        : tabular
          ? `${rowsTable(input.test, content.mistakeRows, content.mistakes)}<p class="caption">The misclassified test rows the network was surest of (of ${input.test.count - trace} ${input.test.count - trace === 1 ? 'mistake' : 'mistakes'} in all): a high confidence on a wrong class is worth a look at the row and its label.</p>`
          : figure('mistakes', `The misclassified test images the network was surest of (of ${input.test.count - trace} ${input.test.count - trace === 1 ? 'mistake' : 'mistakes'} in all), surest first: some are mislabelled or ambiguous, others show what the network has not learnt.`),
    ),
    ...(weights === null ? [] : [section('first-layer', weightsTitle, weights)]),
    ...(conv === null
      ? []
      : [section('filters', 'What the first convolution learnt: its filters', filtersHtml(conv)), section('feature-maps', 'Feature maps: what each layer sees of two test digits', featureMapsHtml(conv))]),
    section(
      'confusion-matrix',
      'Confusion matrix and per-class metrics',
      `<div class="side-by-side">${figure('confusion-matrix', 'Counts of (true label, prediction) on the test set; colour on a log scale.')}
      <div><table class="metrics" data-total="${metrics.total}" data-trace="${trace}"><thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>
      <tbody>${perClass}</tbody>
      <tfoot><tr><th>macro avg</th><td class="num">${metrics.macro.precision.toFixed(4)}</td><td class="num">${metrics.macro.recall.toFixed(4)}</td><td class="num">${metrics.macro.f1.toFixed(4)}</td><td class="num">${metrics.total}</td></tr>
      <tr><th>accuracy</th><td colspan="4" class="num">${metrics.accuracy.toFixed(4)} (${trace} of ${metrics.total})</td></tr></tfoot></table></div></div>`,
    ),
    section(
      'network',
      'The network and the run’s settings',
      `<div class="side-by-side"><table class="summary"><thead><tr><th>layer</th><th>kind</th><th>output shape</th><th>parameters</th></tr></thead>
      <tbody>${layerRows.join('')}</tbody><tfoot><tr><th colspan="3">total</th><td class="num">${total.toLocaleString('en-US')}</td></tr></tfoot></table>
      <table class="settings"><tbody>${settings}</tbody></table></div>`,
    ),
  ];

  const subtitle = `${model.summary().length} layers, ${total.toLocaleString('en-US')} parameters · ${history.epochs} epoch${history.epochs === 1 ? '' : 's'} · test accuracy ${percent(history.testAccuracy)} · scratchnet ${VERSION}`;
  return htmlPage('scratchnet report', subtitle, sections);
}

