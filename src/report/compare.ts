import { compareSpec, type ComparedRun } from '../plot/compare.js';
import { renderSvg } from '../plot/render.js';
import { VERSION } from '../version.js';
import { escapeHtml, htmlPage } from './page.js';

/** One compared configuration and how it did. */
export interface CompareResult extends ComparedRun {
  /** The optimizer and other settings that differ, as text. */
  settings: string;
  testAccuracy: number;
  seconds: number;
}

const pct = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(2)} %`);

/** The comparison as one self-contained HTML page (curves on shared axes and a results table) and the chart's SVG. */
export async function buildCompareReport(results: readonly CompareResult[], description: string): Promise<{ html: string; svg: string }> {
  const svg = await renderSvg(compareSpec(results));
  const rows = results
    .map((r) => {
      const best = Math.max(...r.valAccuracy);
      return `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.settings)}</td><td class="num">${r.trainLoss[r.trainLoss.length - 1].toFixed(4)}</td><td class="num">${pct(best)}</td><td class="num">${pct(r.valAccuracy[r.valAccuracy.length - 1])}</td><td class="num"><strong>${pct(r.testAccuracy)}</strong></td><td class="num">${r.seconds.toFixed(1)} s</td></tr>`;
    })
    .join('');
  const sections = [
    `<section id="curves" data-section="1"><h2>1. Curves</h2><figure class="chart" data-chart="compare">${svg}<figcaption>${escapeHtml(description)}</figcaption></figure></section>`,
    `<section id="results" data-section="2"><h2>2. Results</h2><table class="results"><thead><tr><th>run</th><th>settings</th><th>final train loss</th><th>best val accuracy</th><th>final val accuracy</th><th>test accuracy</th><th>time</th></tr></thead><tbody>${rows}</tbody></table></section>`,
  ];
  return { html: htmlPage('scratchnet compare', `${results.length} runs on the same data and seed · scratchnet ${VERSION}`, sections), svg };
}
