/** The page's read-outs: the 28 × 28 input, the probability bars, the hidden activations, the weights and the confusion matrix. */
import { Activation, Dense, type Sequential } from '../src/browser.js';

const SIDE = 28;

/** Paints `pixels` (bytes 0–255, row-major) into a `width`-wide grey image on `canvas` (CSS scales it up, pixelated). */
export function drawGrey(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, width = SIDE): void {
  const height = Math.ceil(pixels.length / width);
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < pixels.length; i++) {
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = pixels[i];
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** Builds the ten rows of probability bars inside `list` once; {@link showProbabilities} updates them. */
export function buildBars(list: HTMLElement): void {
  list.innerHTML = Array.from(
    { length: 10 },
    (_, k) =>
      `<li data-digit="${k}"><span class="digit">${k}</span><span class="track"><span class="fill"></span></span><span class="pct">–</span><span class="mark"></span></li>`,
  ).join('');
}

/** Shows the probabilities of the ten digits; the top class is bold and marked "◀ top", not told by colour alone. */
export function showProbabilities(list: HTMLElement, probs: ArrayLike<number> | undefined): void {
  let top = -1;
  if (probs !== undefined) for (let k = 0; k < 10; k++) if (top < 0 || probs[k] > probs[top]) top = k;
  list.querySelectorAll<HTMLElement>('li').forEach((li, k) => {
    const p = probs?.[k];
    (li.querySelector('.fill') as HTMLElement).style.width = p === undefined ? '0' : `${(100 * p).toFixed(1)}%`;
    (li.querySelector('.pct') as HTMLElement).textContent = p === undefined ? '–' : `${(100 * p).toFixed(1)} %`;
    (li.querySelector('.mark') as HTMLElement).textContent = k === top ? '◀ top' : '';
    li.classList.toggle('top', k === top);
  });
}

/** The output of each hidden activation layer for one input row, as a strip of cells (brighter = larger). */
export function showActivations(container: HTMLElement, model: Sequential | undefined, outputs: readonly Float32Array[]): void {
  if (model === undefined || outputs.length === 0) {
    container.textContent = 'Draw a digit to see the hidden layers light up.';
    return;
  }
  container.textContent = '';
  outputs.forEach((values, i) => {
    const row = document.createElement('div');
    row.className = 'activation-row';
    const label = document.createElement('span');
    label.textContent = `hidden ${i + 1} (${values.length})`;
    const canvas = document.createElement('canvas');
    canvas.className = 'pixels';
    const max = Math.max(1e-6, ...Array.from(values, Math.abs));
    const cols = Math.min(values.length, 64);
    drawGrey(canvas, Array.from(values, (v) => Math.round((255 * Math.abs(v)) / max)), cols);
    canvas.style.width = `${cols * 6}px`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `activations of hidden layer ${i + 1}`);
    row.append(label, canvas);
    container.append(row);
  });
}

/** Indices of the activation layers (their outputs are the hidden activations). */
export function activationLayers(model: Sequential): number[] {
  return model.layers.flatMap((layer, i) => (layer instanceof Activation ? [i] : []));
}

/**
 * The first Dense layer's weights as 28 × 28 tiles, one per hidden unit (up to
 * 64): the pattern each unit responds to. Mid-grey is 0, white positive,
 * black negative, each tile scaled to its own largest |w|.
 */
export function showWeights(canvas: HTMLCanvasElement, note: HTMLElement, model: Sequential): void {
  const dense = model.layers.find((l): l is Dense => l instanceof Dense);
  if (dense === undefined || dense.inputUnits !== SIDE * SIDE) {
    canvas.hidden = true;
    note.textContent = 'This model has no first Dense layer over 28 × 28 pixels.';
    return;
  }
  const units = dense.outputUnits;
  const tiles = Math.min(units, 64);
  const cols = 8;
  const rows = Math.ceil(tiles / cols);
  const gap = 2;
  canvas.hidden = false;
  canvas.width = cols * (SIDE + gap) - gap;
  canvas.height = rows * (SIDE + gap) - gap;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const w = dense.weight.value;
  for (let j = 0; j < tiles; j++) {
    let max = 1e-12;
    for (let p = 0; p < SIDE * SIDE; p++) max = Math.max(max, Math.abs(w[p * units + j]));
    const image = ctx.createImageData(SIDE, SIDE);
    for (let p = 0; p < SIDE * SIDE; p++) {
      const v = Math.round(127.5 + (127.5 * w[p * units + j]) / max);
      image.data[4 * p] = image.data[4 * p + 1] = image.data[4 * p + 2] = v;
      image.data[4 * p + 3] = 255;
    }
    ctx.putImageData(image, (j % cols) * (SIDE + gap), Math.floor(j / cols) * (SIDE + gap));
  }
  note.textContent = `The first ${tiles} of ${units} units of layer 0 (Dense ${dense.inputUnits} → ${units}): mid-grey is 0, white positive, black negative.`;
}

/** The confusion matrix as a table: rows the true digit, columns the prediction; the diagonal (correct) is bold. */
export function showConfusion(table: HTMLTableElement, counts: readonly number[], caption: string): void {
  const max = Math.max(1, ...counts.filter((_, i) => i % 11 !== 0));
  const head = `<tr><th scope="col">true ↓ / predicted →</th>${Array.from({ length: 10 }, (_, p) => `<th scope="col">${p}</th>`).join('')}</tr>`;
  const body = Array.from({ length: 10 }, (_, t) => {
    const cells = Array.from({ length: 10 }, (_, p) => {
      const c = counts[t * 10 + p];
      if (t === p) return `<td class="hit"><b>${c}</b></td>`;
      // Off-diagonal errors shaded by count (the number is always printed, so colour is not the only signal).
      const alpha = c === 0 ? 0 : 0.15 + (0.85 * c) / max;
      return `<td style="background: rgba(214, 69, 65, ${alpha.toFixed(2)})">${c}</td>`;
    }).join('');
    return `<tr><th scope="row">${t}</th>${cells}</tr>`;
  }).join('');
  table.innerHTML = `<caption>${caption}</caption>${head}${body}`;
}
