/**
 * The 2-D tab's points, made the same way by the page (to show them before
 * any training) and by its worker (to train on them), so that what the
 * learner sees is what the network learns from. One seeded generator draws
 * the points, then splits off the test share; the worker goes on with it to
 * initialise the network and shuffle, as `scratchnet train --dataset spiral`
 * does with its run's generator.
 */
import { extentOf, Rng, subset, toyDataset, type Dataset, type Extent } from '../src/browser.js';
import type { PlaneSettings } from './protocol.js';

/** Points drawn per run: few enough to draw every one of them, enough to outline a spiral's arms. */
export const PLANE_POINTS = 1000;

/** The share of the points held out to test on (as the CLI's `--test-split` default). */
export const TEST_SHARE = 0.2;

/** Cells per side of the decision grid the worker posts (2,500 predictions a frame). */
export const BOUNDARY_SIZE = 50;

/** Cells per side of each hidden unit's map (small tiles: 24 × 24 show a unit's shape). */
export const UNIT_SIZE = 24;

/** A run's points, the square of the plane they are drawn on, and the generator, where the worker continues it. */
export interface PlaneData {
  train: Dataset;
  test: Dataset;
  extent: Extent;
  rng: Rng;
}

/**
 * The points of `settings.dataset` with its noise, from `new Rng(seed)`:
 * PLANE_POINTS of them, TEST_SHARE of which (a seeded choice) are the test
 * points. The extent is a square around the origin holding every point with
 * a margin, at least [−1.2, 1.2]², so the axes stay put as the noise changes
 * unless points would fall off.
 */
export function planeData(settings: Pick<PlaneSettings, 'dataset' | 'noise' | 'seed'>): PlaneData {
  const rng = new Rng(settings.seed);
  const data = toyDataset(settings.dataset, rng, { count: PLANE_POINTS, noise: settings.noise });
  const order = rng.permutation(data.count);
  const nTest = Math.floor(data.count * TEST_SHARE);
  const test = subset(data, order.subarray(0, nTest).slice().sort());
  const train = subset(data, order.subarray(nTest).slice().sort());
  const reach = Math.max(...extentOf([data], 0).map(Math.abs));
  const half = Math.max(1.2, Math.ceil(10 * 1.08 * reach) / 10);
  return { train, test, extent: [-half, half, -half, half], rng };
}
