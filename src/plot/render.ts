import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a vega-lite spec to a standalone SVG string, with vega's headless
 * renderer: no DOM, no canvas, no network (every spec carries its data inline).
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Library code never prints: vega-lite's notes about merged legends are not errors.
  const compiled = compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' }).logLevel(vega.Error);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
