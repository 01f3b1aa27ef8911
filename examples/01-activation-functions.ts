// Listing 1: plot_activation_functions() and plot_activation_derivatives().
//
// Each activation travels with its derivative (`f` and `der`), and the plots
// and the layers use the same definitions. Run:
//   npx tsx examples/01-activation-functions.ts [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activations, activationDerivativesSpec, activationsSpec, renderSvg } from 'scratchnet';
// NOTE: the chart specs and the SVG renderer are not in the public API yet;
// these two imports reach into the sources (they are what the report uses).

const outDir = process.argv[2] ?? 'examples/out';
mkdirSync(outDir, { recursive: true });

// Sigmoid, ReLU, Tanh, Leaky ReLU — in the tutorial's plotting order.
for (const fn of Object.values(activations)) {
  console.log(`${fn.title}: ${fn.formula}`);
  // A few points of f(x) and f'(x), the curves the plots draw on [-5, 5].
  for (const x of [-2, -1, 0, 1, 2]) {
    console.log(`  x = ${String(x).padStart(2)}   f(x) = ${fn.f(x).toFixed(4).padStart(7)}   f'(x) = ${fn.der(x).toFixed(4)}`);
  }
}

// The two figures of the tutorial, as SVG files.
for (const [file, spec] of [
  ['activation-functions.svg', activationsSpec()],
  ['activation-derivatives.svg', activationDerivativesSpec()],
] as const) {
  const path = join(outDir, file);
  writeFileSync(path, await renderSvg(spec));
  console.log(`Wrote ${path}`);
}
