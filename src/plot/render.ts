import type { TopLevelSpec } from 'vega-lite';

/**
 * vega and vega-lite, loaded on the first render rather than with the
 * package: they take ~200 ms to import and most of the heap of a training
 * script that never draws.
 */
let renderer: Promise<[typeof import('vega'), typeof import('vega-lite')]> | null = null;

/**
 * Renders a vega-lite spec to a standalone SVG string, with vega's headless
 * renderer: no DOM, no canvas, no network (every spec carries its data inline).
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  renderer ??= Promise.all([import('vega'), import('vega-lite')]);
  const [vega, { compile }] = await renderer;
  // Library code never prints: vega-lite's notes about merged legends are not errors.
  const compiled = compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' }).logLevel(vega.Error);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
