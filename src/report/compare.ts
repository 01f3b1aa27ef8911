import { compareSpec, type ComparedRun } from '../plot/compare.js';
import { renderSvg } from '../plot/render.js';
import { boundarySpec, type BoundaryPanel } from '../plot/boundary.js';
import type { Dataset } from '../data/dataset.js';
import type { Extent } from '../metrics/decision-grid.js';
import { activationHistogramsSpec, statsOverTimeSpec } from '../plot/stats.js';
import type { TrainingStats } from '../train/stats.js';
import { VERSION } from '../version.js';
import { escapeHtml, htmlPage } from './page.js';

/** One compared configuration and how it did. */
export interface CompareResult extends ComparedRun {
  /** The optimizer and other settings that differ, as text. */
  settings: string;
  testAccuracy: number;
  seconds: number;
  /** With --stats: what happened inside the network. */
  stats?: TrainingStats;
}

/** A fraction as a percentage with two decimals (`93.10 %`), or – for none. */
export const pct = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(2)} %`);

/** A comparison on 2-D data: each run's final decision boundary as a panel (its picture's URL), over the test points. */
export interface ComparedPlane {
  panels: BoundaryPanel[];
  extent: Extent;
  test: Dataset;
  classes?: readonly string[];
}

/** The comparison as one self-contained HTML page (curves on shared axes and a results table) and the chart's SVG. */
export async function buildCompareReport(results: readonly CompareResult[], description: string, plane?: ComparedPlane): Promise<{ html: string; svg: string }> {
  const svg = await renderSvg(compareSpec(results));
  const rows = results
    .map((r) => {
      const best = Math.max(...r.valAccuracy);
      return `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.settings)}</td><td class="num">${r.trainLoss[r.trainLoss.length - 1].toFixed(4)}</td><td class="num">${pct(best)}</td><td class="num">${pct(r.valAccuracy[r.valAccuracy.length - 1])}</td><td class="num"><strong>${pct(r.testAccuracy)}</strong></td><td class="num">${r.seconds.toFixed(1)} s</td></tr>`;
    })
    .join('');
  // With --stats: each run's look inside, one after the other, so the runs can be compared layer by layer.
  const inside: string[] = [];
  for (const r of results) {
    if (r.stats === undefined || r.stats.steps.length === 0) continue;
    const histograms = r.stats.layers.length === 0 ? '' : `<figure class="chart" data-chart="inside-${escapeHtml(r.name)}-histograms">${await renderSvg(activationHistogramsSpec(r.stats))}</figure>`;
    inside.push(`<h3>Run: ${escapeHtml(r.name)}</h3>${histograms}<figure class="chart" data-chart="inside-${escapeHtml(r.name)}">${await renderSvg(statsOverTimeSpec(r.stats))}</figure>`);
  }
  const boundary = plane === undefined ? '' : await renderSvg(boundarySpec(plane.panels, plane.extent, plane.test, plane.classes, 'Decision Boundary at the End of Each Run (test points)'));
  const sections = [
    `<section id="curves" data-section="1"><h2>1. Curves</h2><figure class="chart" data-chart="compare">${svg}<figcaption>${escapeHtml(description)}</figcaption></figure></section>`,
    `<section id="results" data-section="2"><h2>2. Results</h2><table class="results"><thead><tr><th>run</th><th>settings</th><th>final train loss</th><th>best val accuracy</th><th>final val accuracy</th><th>test accuracy</th><th>time</th></tr></thead><tbody>${rows}</tbody></table></section>`,
    ...(plane === undefined
      ? []
      : [
          `<section id="decision-boundary" data-section="3"><h2>3. The decision boundaries</h2><figure class="chart" data-chart="decision-boundary">${boundary}<figcaption>The class each run's network predicts over the plane after its last epoch (paler where it is less sure), with the test points in their true class's colour on top. A network without a nonlinearity can only cut the plane with straight lines.</figcaption></figure></section>`,
        ]),
    ...(inside.length === 0
      ? []
      : [
          `<section id="inside" data-section="${plane === undefined ? 3 : 4}"><h2>${plane === undefined ? 3 : 4}. Inside the network</h2><p>Each run's activation layers at the first record (grey) and the last (blue), then its update-to-weight ratios (1e-3 dashed), gradient norms, activation deviations and dead or saturated units over the steps. A layer whose outputs shrink towards a constant, or whose update ratio sits orders of magnitude below the others, is barely learning.</p>${inside.join('')}</section>`,
        ]),
  ];
  return { html: htmlPage('scratchnet compare', `${results.length} runs on the same data and seed · scratchnet ${VERSION}`, sections), svg };
}
