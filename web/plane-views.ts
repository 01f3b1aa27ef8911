/**
 * The 2-D tab's pictures: the plane (the decision grid as a heat map of the
 * predicted class, the points on top), one small heat map per hidden unit,
 * and the class legend. All are canvases painted with putImageData; the
 * colours are the report's (CLASS_COLOURS and boundaryTile for the classes,
 * the diverging blue–white–red of its tiles for signed values).
 */
import { boundaryTile, CLASS_COLOURS, colourOf, type Dataset, type DecisionGrid, type Extent } from '../src/browser.js';

/** One class's colour (CLASS_COLOURS wraps around past ten classes). */
export const classColour = (c: number): string => CLASS_COLOURS[c % CLASS_COLOURS.length];

/** What {@link drawPlane} paints: the plane's extent, the grid (none before training) and the points. */
export interface PlanePicture {
  extent: Extent;
  classes: number;
  /** The decision grid (BOUNDARY_SIZE cells a side), or undefined for a blank plane. */
  grid?: Pick<DecisionGrid, 'size' | 'classes' | 'confidence'>;
  train: Dataset;
  test: Dataset;
}

/** A scratch canvas for the grid's own pixels, scaled up onto the plane (one per page). */
let gridCanvas: HTMLCanvasElement | undefined;

/**
 * Paints the plane on `canvas`: the grid as each cell's class colour over
 * white, paler where the network is less sure (boundaryTile), smoothed as it
 * is scaled up; faint axes with ticks at the whole numbers; then the points,
 * training points filled, test points as rings, in their true class's colour.
 */
export function drawPlane(canvas: HTMLCanvasElement, picture: PlanePicture): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { width, height } = canvas;
  const [x1Min, x1Max, x2Min, x2Max] = picture.extent;
  const px = (x1: number): number => ((x1 - x1Min) / (x1Max - x1Min)) * width;
  const py = (x2: number): number => ((x2Max - x2) / (x2Max - x2Min)) * height;
  const grid = picture.grid;
  if (grid === undefined) {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
  } else {
    const tile = boundaryTile({ extent: picture.extent, ...grid }, picture.classes);
    gridCanvas ??= document.createElement('canvas');
    gridCanvas.width = tile.width;
    gridCanvas.height = tile.height;
    const small = gridCanvas.getContext('2d');
    if (small === null) return;
    const image = small.createImageData(tile.width, tile.height);
    for (let i = 0, n = tile.width * tile.height; i < n; i++) {
      image.data.set(tile.rgb.subarray(3 * i, 3 * i + 3), 4 * i);
      image.data[4 * i + 3] = 255;
    }
    small.putImageData(image, 0, 0);
    // Smoothing turns the 50 × 50 cells into a soft picture; a boundary's course (straight or curved) survives it.
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(gridCanvas, 0, 0, width, height);
  }
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.18)';
  ctx.fillStyle = 'rgba(0, 0, 0, 0.55)';
  ctx.lineWidth = 1;
  ctx.font = '10px system-ui, sans-serif';
  ctx.beginPath();
  ctx.moveTo(px(0), 0);
  ctx.lineTo(px(0), height);
  ctx.moveTo(0, py(0));
  ctx.lineTo(width, py(0));
  ctx.stroke();
  for (let v = Math.ceil(x1Min); v <= x1Max; v++) {
    ctx.textAlign = 'center';
    ctx.fillText(String(v).replace('-', '−'), px(v), height - 4);
  }
  for (let v = Math.ceil(x2Min); v <= x2Max; v++) {
    if (v === 0) continue; // (x1's 0 already marks the corner of the axes' cross)
    ctx.textAlign = 'left';
    ctx.fillText(String(v).replace('-', '−'), 4, py(v) + 3);
  }
  const dots = (set: Dataset, ring: boolean): void => {
    const values = set.values as Float32Array;
    for (let i = 0; i < set.count; i++) {
      ctx.beginPath();
      ctx.arc(px(values[2 * i]), py(values[2 * i + 1]), ring ? 3.2 : 3, 0, 2 * Math.PI);
      if (ring) {
        ctx.fillStyle = '#fff';
        ctx.fill();
        ctx.lineWidth = 2;
        ctx.strokeStyle = classColour(set.y[i]);
      } else {
        ctx.fillStyle = classColour(set.y[i]);
        ctx.fill();
        ctx.lineWidth = 0.8;
        ctx.strokeStyle = 'rgba(0, 0, 0, 0.7)';
      }
      ctx.stroke();
    }
  };
  dots(picture.train, false);
  dots(picture.test, true);
}

/** The legend of the plane: a swatch per class, then how training and test points and certainty look. */
export function showLegend(list: HTMLElement, classNames: readonly string[]): void {
  const items = classNames.map((name, c) => `<li><span class="swatch" style="background: ${classColour(c)}"></span>class ${name}</li>`);
  items.push('<li><span class="dot"></span>training point</li>', '<li><span class="dot ring"></span>test point</li>', '<li><span class="swatch pale"></span>paler: less sure</li>');
  list.innerHTML = items.join('');
}

/** The small canvases of the network's units, one figure per column: the two inputs, then each hidden layer. */
export interface UnitMaps {
  /** The canvases of the hidden units, layer 1's first, in the order the worker posts their values. */
  hidden: HTMLCanvasElement[];
  /** The two inputs' maps (x1 and x2 themselves). */
  inputs: HTMLCanvasElement[];
}

/**
 * Lays out the network as columns of unit maps inside `container`: the
 * inputs x1 and x2, then each hidden layer's units (at most eight to a
 * column, more layers of columns for a wide layer), each a `size` × `size`
 * canvas with its accessible name.
 */
export function buildUnitMaps(container: HTMLElement, hidden: readonly number[], activationTitle: string, size: number): UnitMaps {
  container.textContent = '';
  const column = (title: string, units: number, label: (u: number) => string, kind: string): HTMLCanvasElement[] => {
    const figure = document.createElement('figure');
    figure.className = `plane-layer ${kind}`;
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    const cells = document.createElement('div');
    cells.className = 'unit-grid';
    cells.style.gridTemplateRows = `repeat(${Math.min(units, 8)}, auto)`;
    const canvases = Array.from({ length: units }, (_, u) => {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = size;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', label(u));
      canvas.title = label(u);
      cells.append(canvas);
      return canvas;
    });
    figure.append(caption, cells);
    container.append(figure);
    return canvases;
  };
  const inputs = column('Inputs', 2, (u) => `input x${u + 1}: its value over the plane`, 'inputs');
  const maps = hidden.flatMap((units, l) =>
    column(`Layer ${l + 1}: ${units} ${activationTitle}`, units, (u) => `hidden layer ${l + 1}, unit ${u + 1}: its activation over the plane (red positive, blue negative, white 0)`, 'hidden'),
  );
  return { hidden: maps, inputs };
}

/**
 * Paints `canvas` (size × size) with `values` (row-major, row 0 at the top)
 * on the diverging scale: white at 0, red at +max, blue at −max, with max
 * the largest |value| of this map, so a unit whose values are all small
 * still shows its shape; a map of zeros (a ReLU unit dead over the whole
 * plane) stays white and is marked data-silent.
 */
export function drawUnitMap(canvas: HTMLCanvasElement, values: ArrayLike<number>): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  const silent = max < 1e-6;
  const scale = { kind: 'diverging', max: silent ? 0 : max } as const;
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < values.length; i++) {
    image.data.set(colourOf(values[i], scale), 4 * i);
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  canvas.toggleAttribute('data-silent', silent);
}
