/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * A self-contained report page: inline CSS, no script, no external URL; the
 * sections are HTML strings (charts as inline SVG). `title` and `subtitle`
 * are plain text.
 */
export function htmlPage(title: string, subtitle: string, sections: readonly string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #f6f7f9; }
  header { background: #1f3b57; color: white; padding: 20px 32px; }
  header h1 { margin: 0 0 6px; font-size: 24px; }
  header p { margin: 0; opacity: 0.9; }
  main { max-width: 1280px; margin: 0 auto; padding: 8px 24px 48px; }
  section { background: white; border: 1px solid #dde1e6; border-radius: 6px; margin: 20px 0; padding: 8px 24px 20px; }
  h2 { font-size: 20px; border-bottom: 1px solid #eee; padding-bottom: 6px; }
  h3 { font-size: 13px; margin: 0 0 4px; font-weight: normal; color: #444; }
  figure { margin: 12px 0; overflow-x: auto; }
  figure svg { max-width: 100%; height: auto; }
  figcaption { color: #555; font-size: 13px; margin-top: 6px; }
  table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
  th, td { border: 1px solid #dde1e6; padding: 4px 8px; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  table.matrix td { font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; text-align: right; border: none; padding: 1px 6px; }
  table.matrix { border-left: 2px solid #444; border-right: 2px solid #444; }
  .matrices { display: flex; flex-wrap: wrap; gap: 12px 28px; }
  .shape { font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; margin: 0 0 2px; color: #1f77b4; }
  .side-by-side { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
  table.settings th { font-weight: normal; color: #555; }
  .tile-grid { display: grid; gap: 3px; justify-content: start; align-content: start; }
  img.tile { display: block; border: 1px solid #c8ccd2; image-rendering: crisp-edges; image-rendering: pixelated; }
  .filter { display: flex; flex-direction: column; align-items: center; font-size: 11px; color: #555; margin-right: 4px; }
  .filter-tiles { display: flex; gap: 2px; }
  .maps-layer { margin: 16px 0 8px; }
  .maps-layer figcaption { margin: 0 0 6px; color: #333; }
  .maps-digits { display: flex; flex-wrap: wrap; gap: 12px 40px; }
  .digit-title { font-size: 13px; margin: 0 0 4px; }
  .wrong { color: #d62728; }
  p.caption { color: #555; font-size: 13px; margin-top: 6px; }
  .legend { display: inline-flex; flex-direction: column; vertical-align: middle; margin-left: 10px; font-size: 11px; color: #555; }
  .legend .bar { display: block; width: 120px; height: 10px; border: 1px solid #c8ccd2; }
  .legend.diverging .bar { background: linear-gradient(to right, rgb(33, 102, 172), white, rgb(178, 24, 43)); }
  .legend.grey .bar { background: linear-gradient(to right, black, white); }
  .legend .ends { display: flex; justify-content: space-between; width: 122px; }
  .legend-line { font-size: 12px; color: #555; margin: 10px 0 0; }
  .legend-line .legend { margin: 0 8px 0 0; }
</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header>
<main>
${sections.join('\n')}
</main>
</body>
</html>
`;
}
