import { renderSvg } from '../plot/render.js';
import { sweepSpec, type SweepAxis } from '../plot/sweep.js';
import { VERSION } from '../version.js';
import { pct } from './compare.js';
import { escapeHtml, htmlPage } from './page.js';

/** One run of a sweep: its folder's name (beside the page), its value of each axis, and how it did. */
export interface SweepRun {
  name: string;
  values: readonly [string, string];
  trainLoss: readonly number[];
  valAccuracy: readonly number[];
  /** NaN without a test set. */
  testAccuracy: number;
  seconds: number;
}

/** The figure a cell is judged by: the best validation accuracy over the run's epochs, or, with no validation set at all, the test accuracy. */
export function sweepMetric(runs: readonly SweepRun[]): { key: 'bestValAccuracy' | 'testAccuracy'; title: string; legend: string; of(run: SweepRun): number } {
  const validated = runs.some((r) => r.valAccuracy.some((v) => !Number.isNaN(v)));
  return validated
    ? { key: 'bestValAccuracy', title: 'Best Validation Accuracy', legend: 'best val accuracy', of: (r) => Math.max(...r.valAccuracy) }
    : { key: 'testAccuracy', title: 'Test Accuracy (no validation set)', legend: 'test accuracy', of: (r) => r.testAccuracy };
}

/** A link to a run folder beside the page (`./` first: a name such as `init=normal:0.01` must not read as a URL scheme). */
const folderHref = (name: string, file = ''): string => escapeHtml(`./${encodeURI(name)}/${file}`);

/**
 * The sweep as one self-contained HTML page (the heat map and a table of
 * every run, linking to its folder and, with `reports`, its report) and the
 * heat map's SVG.
 */
export async function buildSweepReport(axes: readonly [SweepAxis, SweepAxis], runs: readonly SweepRun[], description: string, options: { reports: boolean }): Promise<{ html: string; svg: string }> {
  const metric = sweepMetric(runs);
  const svg = await renderSvg(sweepSpec(axes, runs.map((r) => ({ at: r.values, value: metric.of(r), label: pct(metric.of(r)) })), metric));
  const best = Math.max(...runs.map((r) => metric.of(r)).filter((v) => !Number.isNaN(v)));
  const rows = runs
    .map((r) => {
      const bestVal = Math.max(...r.valAccuracy);
      const mark = (v: number, key: typeof metric.key) => (metric.key === key && v === best ? `<strong>${pct(v)}</strong>` : pct(v));
      const links = `<a href="${folderHref(r.name)}">${escapeHtml(r.name)}/</a>${options.reports ? ` · <a href="${folderHref(r.name, 'report.html')}">report</a>` : ''}`;
      return `<tr>${r.values.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}<td class="num">${r.trainLoss[r.trainLoss.length - 1].toFixed(4)}</td><td class="num">${mark(bestVal, 'bestValAccuracy')}</td><td class="num">${pct(r.valAccuracy[r.valAccuracy.length - 1])}</td><td class="num">${mark(r.testAccuracy, 'testAccuracy')}</td><td class="num">${r.seconds.toFixed(1)} s</td><td>${links}</td></tr>`;
    })
    .join('');
  const head = `${axes.map((a) => `<th>${escapeHtml(a.setting)}</th>`).join('')}<th>final train loss</th><th>best val accuracy</th><th>final val accuracy</th><th>test accuracy</th><th>time</th><th>run folder</th>`;
  const sections = [
    `<section id="heat-map" data-section="1"><h2>1. Heat map</h2><figure class="chart" data-chart="sweep">${svg}<figcaption>${escapeHtml(description)}</figcaption></figure></section>`,
    `<section id="runs" data-section="2"><h2>2. Runs</h2><table class="results"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></section>`,
  ];
  const subtitle = `${axes[0].setting} × ${axes[1].setting}: ${runs.length} runs on the same data and seed · scratchnet ${VERSION}`;
  return { html: htmlPage('scratchnet sweep', subtitle, sections), svg };
}
