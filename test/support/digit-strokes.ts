/**
 * Hand-drawn digits as scripted pen strokes, for driving the playground's pad
 * with the mouse: each digit 0–9 as the polylines and arcs a person draws
 * (pen down, move, pen up), in a box 1 tall and about 0.6 wide with y going
 * down, then placed on the 280 × 280 pad upright, slanted or scaled.
 *
 * They are written, not sampled from MNIST: a test that draws them checks that
 * a network trained on MNIST reads digits drawn on the pad the way a person
 * would draw them, through the pad → 28 × 28 conversion.
 */
import type { Page } from 'playwright-core';

/** A point in pad pixels (or, before {@link placeDigit}, in the digit's box). */
export interface Point {
  x: number;
  y: number;
}

/** One pen-down-to-pen-up stroke. */
export type Stroke = Point[];

/**
 * Points along an elliptic arc of centre (cx, cy) and radii rx, ry, from angle
 * a0 to a1 in degrees (0° points right and, y going down, 90° points down:
 * increasing angles turn clockwise on the screen).
 */
function arc(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number): Point[] {
  const steps = Math.max(2, Math.ceil(Math.abs(a1 - a0) / 8));
  return Array.from({ length: steps + 1 }, (_, i) => {
    const a = ((a0 + ((a1 - a0) * i) / steps) * Math.PI) / 180;
    return { x: cx + rx * Math.cos(a), y: cy + ry * Math.sin(a) };
  });
}

/** Points along a straight line (the end points included; the start only if `first`). */
function line(from: Point, to: Point, first = true): Point[] {
  const steps = Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / 0.05));
  const points: Point[] = [];
  for (let i = first ? 0 : 1; i <= steps; i++) points.push({ x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps });
  return points;
}

/** A quadratic Bézier curve from `a` to `b` pulled towards `c` (a stroke that bends a little, as a hand's does). */
function curve(a: Point, c: Point, b: Point): Point[] {
  return Array.from({ length: 13 }, (_, i) => {
    const t = i / 12;
    const u = 1 - t;
    return { x: u * u * a.x + 2 * u * t * c.x + t * t * b.x, y: u * u * a.y + 2 * u * t * c.y + t * t * b.y };
  });
}

const p = (x: number, y: number): Point => ({ x, y });

/**
 * The ten digits, each as its strokes in drawing order, in a box of height 1
 * (y from 0 at the top to 1 at the bottom), x from 0 to about 0.6.
 */
export const DIGIT_STROKES: readonly (readonly Stroke[])[] = [
  // 0: one oval, begun at the top and drawn anticlockwise, closing a little past its start.
  [arc(0.3, 0.5, 0.28, 0.49, -80, -80 - 375)],
  // 1: a single down-stroke, leaning a touch.
  [curve(p(0.34, 0), p(0.31, 0.5), p(0.27, 1))],
  // 2: a hook over the top, a diagonal down to the left, a base line to the right.
  [[...arc(0.3, 0.27, 0.25, 0.26, -165, 35), ...curve(p(0.5, 0.43), p(0.25, 0.72), p(0.03, 0.99)).slice(1), ...line(p(0.03, 0.99), p(0.6, 0.97), false)]],
  // 3: two bumps to the right, meeting in the middle.
  [[...arc(0.29, 0.25, 0.24, 0.24, -155, 95), ...arc(0.28, 0.74, 0.28, 0.26, -95, 155).slice(1)]],
  // 4: the open 4: down the left and across, then a long stroke down the right.
  [[...curve(p(0.14, 0), p(0.08, 0.3), p(0.03, 0.58)), ...line(p(0.03, 0.58), p(0.62, 0.57), false)], curve(p(0.46, 0.1), p(0.46, 0.55), p(0.44, 1))],
  // 5: down from the top left and round the belly, then the flag across the top.
  [[...line(p(0.12, 0.02), p(0.1, 0.44)), ...arc(0.28, 0.69, 0.29, 0.29, -125, 150).slice(1)], curve(p(0.12, 0.02), p(0.35, 0.0), p(0.58, 0.01))],
  // 6: down and to the left from the top right, bending into a loop at the bottom.
  [[...curve(p(0.48, 0), p(0.1, 0.28), p(0.06, 0.72)), ...arc(0.3, 0.73, 0.24, 0.25, 180, -170).slice(1)]],
  // 7: a bar across the top, then down to the bottom left.
  [[...line(p(0.02, 0.03), p(0.6, 0.01)), ...curve(p(0.6, 0.01), p(0.42, 0.45), p(0.26, 1)).slice(1)]],
  // 8: one stroke: the top loop's right half, across the middle to the bottom loop, round it and back up.
  [figureEight()],
  // 9: a loop at the top drawn anticlockwise from its right, then the stem down.
  [[...arc(0.3, 0.25, 0.25, 0.23, -15, -375), ...curve(p(0.54, 0.2), p(0.55, 0.6), p(0.48, 1)).slice(1)]],
];

/** An 8 as one stroke: x = w·sin 2t, y = −h·cos t (a figure of eight standing up), the bottom loop a little wider. */
function figureEight(): Point[] {
  const points: Point[] = [];
  for (let i = 0; i <= 64; i++) {
    const t = -0.35 + ((2 * Math.PI + 0.5) * i) / 64;
    const y = -Math.cos(t);
    const w = y < 0 ? 0.22 : 0.27;
    points.push({ x: 0.3 + w * Math.sin(2 * t), y: 0.5 + 0.5 * y });
  }
  return points;
}

/** How one of the test's thirty digits is drawn. */
export interface DigitStyle {
  name: string;
  /** The digit's height on the pad, in pad pixels. */
  height: number;
  /** The slant: positive leans the top to the right (as italics), in degrees. */
  slant: number;
}

/** The three ways each digit is drawn: upright, slanted right by 20°, and slanted left at 70 % of the size. */
export const DIGIT_STYLES: readonly DigitStyle[] = [
  { name: 'upright', height: 200, slant: 0 },
  { name: 'slanted right', height: 200, slant: 20 },
  { name: 'slanted left, small', height: 140, slant: -20 },
];

/**
 * `strokes` (in the digit's box) on a `side` × `side` pad: scaled to
 * `style.height`, slanted about the box's middle, centred on the pad.
 */
export function placeDigit(strokes: readonly Stroke[], style: DigitStyle, side = 280): Stroke[] {
  const shear = Math.tan((style.slant * Math.PI) / 180);
  const placed = strokes.map((s) => s.map(({ x, y }) => ({ x: (x - 0.3 + shear * (0.5 - y)) * style.height, y: (y - 0.5) * style.height })));
  // Centre the ink's bounding box on the pad (the slant moves it).
  const all = placed.flat();
  const mid = (v: number[]): number => (Math.min(...v) + Math.max(...v)) / 2;
  const dx = side / 2 - mid(all.map((q) => q.x));
  const dy = side / 2 - mid(all.map((q) => q.y));
  return placed.map((s) => s.map(({ x, y }) => ({ x: x + dx, y: y + dy })));
}

/**
 * Draws `strokes` (pad pixels) on the page's drawing pad with the mouse, as a
 * person would: pen down at each stroke's start, through its points, pen up;
 * then waits two animation frames, so that the page has read the pad.
 */
export async function drawOnPad(page: Page, strokes: readonly Stroke[], selector = '#pad'): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (box === null) throw new Error(`${selector} is not on the page`);
  for (const stroke of strokes) {
    await page.mouse.move(box.x + stroke[0].x, box.y + stroke[0].y);
    await page.mouse.down();
    for (const q of stroke.slice(1)) await page.mouse.move(box.x + q.x, box.y + q.y);
    await page.mouse.up();
  }
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}
