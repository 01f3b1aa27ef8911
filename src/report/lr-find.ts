import { formatLr, lrFindSpec } from '../plot/lr-find.js';
import { renderSvg } from '../plot/render.js';
import type { LrFindResult } from '../train/lr-find.js';
import { VERSION } from '../version.js';
import { escapeHtml, htmlPage } from './page.js';

/**
 * What to do with a range test's result, in one sentence: the suggested
 * rate and how to train with it (`trainCommand` is the `scratchnet train …`
 * line without its --lr), or why there is no suggestion.
 */
export function lrFindAdvice(result: Pick<LrFindResult, 'suggestedLr' | 'minLossLr' | 'stoppedEarly'>, trainCommand: string): string {
  const min = Number.isFinite(result.minLossLr) ? ` The smoothed loss was lowest at ${formatLr(result.minLossLr)}${result.stoppedEarly ? ', and the run stopped soon after, when the loss diverged' : ''}.` : '';
  if (!Number.isFinite(result.suggestedLr)) {
    return `No suggestion: the smoothed loss never fell, so even the first rate may be too large; try a smaller --start-lr.${min}`;
  }
  return `Suggested learning rate: ${formatLr(result.suggestedLr)}, where the smoothed loss falls fastest.${min} Train with it: ${trainCommand} --lr ${formatLr(result.suggestedLr)}`;
}

/** The range test as one self-contained HTML page (the chart and what to do with it) and the chart's SVG. */
export async function buildLrFindReport(result: LrFindResult, description: string, trainCommand: string): Promise<{ html: string; svg: string }> {
  const svg = await renderSvg(lrFindSpec(result));
  const advice = lrFindAdvice(result, trainCommand);
  const sections = [
    `<section id="curve" data-section="1"><h2>1. Loss against learning rate</h2><figure class="chart" data-chart="lr-find">${svg}<figcaption>${escapeHtml(description)}</figcaption></figure><p class="advice">${escapeHtml(advice)}</p></section>`,
    `<section id="how" data-section="2"><h2>2. How to read it</h2><p>Each step trained on one more mini-batch with a larger learning rate, growing exponentially from ${escapeHtml(formatLr(result.lrs[0] ?? NaN))}. Where the loss is flat the rate is too small to move the weights; where it falls fastest (the red rule) training makes the most progress per step; past the minimum the rate is too large and the loss diverges. The suggestion is a starting point: a rate somewhat below the minimum usually trains well, and the weights here were put back as they were, so this run trained nothing.</p></section>`,
  ];
  return { html: htmlPage('scratchnet lr-find', `a learning-rate range test over ${result.steps} steps · scratchnet ${VERSION}`, sections), svg };
}
