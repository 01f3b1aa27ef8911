import { ConfigError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { Dataset } from './dataset.js';

/**
 * Seeded 2-D toy problems, the TensorFlow Playground's and CS231n's: points
 * (x1, x2) on the plane [−1, 1]², labelled by which region they fall in.
 * Small enough to train in a second and to draw whole, so a learner sees
 * what a hidden layer and a nonlinearity do to the decision boundary.
 */
export type ToyName = 'xor' | 'circles' | 'spiral' | 'moons' | 'gaussians';
export const TOY_NAMES: readonly ToyName[] = ['xor', 'circles', 'spiral', 'moons', 'gaussians'];

/** What each toy set is, its classes, and the noise it has when none is asked for. */
export const TOY_SETS: Record<ToyName, { title: string; classes: readonly string[]; noise: number; about: string }> = {
  xor: { title: 'XOR', classes: ['0', '1'], noise: 0.05, about: 'the four quadrants, opposite corners alike: no line separates them' },
  circles: { title: 'Circles', classes: ['0', '1'], noise: 0.05, about: 'a disc inside a ring: a closed boundary' },
  spiral: { title: 'Spiral', classes: ['0', '1', '2'], noise: 0.05, about: 'three interleaved spiral arms, as in CS231n: no line separates them' },
  moons: { title: 'Moons', classes: ['0', '1'], noise: 0.1, about: 'two interleaving half circles' },
  gaussians: { title: 'Gaussians', classes: ['0', '1'], noise: 0.1, about: 'two round clouds: a straight line separates them' },
};

/** The names of the two coordinates, as a table's columns. */
export const TOY_FEATURES: readonly string[] = ['x1', 'x2'];

/** Options of {@link toyDataset}. */
export interface ToyOptions {
  /** Points in all (default 1000), spread evenly over the classes. */
  count?: number;
  /** Standard deviation of the Gaussian jitter added to each coordinate, in units of the plane [−1, 1]² (default: the set's own, TOY_SETS). */
  noise?: number;
}

/**
 * `count` points of the toy problem `name`, drawn from `rng` (which it
 * advances): features are the coordinates (x1, x2) as a table's values,
 * labels the class of the region each point was drawn in. The rows come in
 * class order (shuffle or split them with the seeded generator).
 */
export function toyDataset(name: ToyName, rng: Rng, options: ToyOptions = {}): Dataset {
  const set = TOY_SETS[name];
  if (set === undefined) throw new ConfigError(`unknown toy data set "${String(name)}": expected one of ${TOY_NAMES.join(', ')}`);
  const count = options.count ?? 1000;
  const noise = options.noise ?? set.noise;
  const classes = set.classes.length;
  if (!Number.isInteger(count) || count < 2 * classes || count > 1_000_000) {
    throw new ConfigError(`${name}: expected a count of points from ${2 * classes} to 1000000, got ${count}`);
  }
  if (!(noise >= 0 && noise <= 1)) throw new ConfigError(`${name}: expected a noise level in [0, 1], got ${noise}`);
  const values = new Float32Array(count * 2);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    // Classes take turns, so each has count / classes points (± 1).
    const c = i % classes;
    const [x1, x2] = point(name, c, rng, Math.floor(i / classes) / Math.ceil(count / classes));
    values[2 * i] = x1 + noise * rng.normal();
    values[2 * i + 1] = x2 + noise * rng.normal();
    y[i] = c;
  }
  return { x: new Uint8Array(0), values, featureNames: TOY_FEATURES, labelName: 'class', y, count, features: 2, classes: set.classes };
}

/** One noiseless point of class `c`; `t` in [0, 1) is its place along the class (the spiral's arm). */
function point(name: ToyName, c: number, rng: Rng, t: number): [number, number] {
  switch (name) {
    case 'xor': {
      // A point in a quadrant, kept 0.05 off the axes so the classes do not touch: class 0 where x1·x2 > 0.
      const a = 0.05 + 0.95 * rng.uniform();
      const b = 0.05 + 0.95 * rng.uniform();
      const flip = rng.uniform() < 0.5 ? 1 : -1;
      return c === 0 ? [flip * a, flip * b] : [flip * a, -flip * b];
    }
    case 'circles': {
      // Class 0 in the disc of radius 0.5, class 1 in the ring from 0.7 to 1, both uniform by area.
      const r = c === 0 ? 0.5 * Math.sqrt(rng.uniform()) : Math.sqrt(0.49 + 0.51 * rng.uniform());
      const angle = 2 * Math.PI * rng.uniform();
      return [r * Math.cos(angle), r * Math.sin(angle)];
    }
    case 'spiral': {
      // Arm c turns from the centre out to radius 1 over 4 radians, the arms a third of a turn apart.
      const r = t;
      const angle = 4 * t + (2 * Math.PI * c) / 3;
      return [r * Math.sin(angle), r * Math.cos(angle)];
    }
    case 'moons': {
      // Two half circles of radius 0.5, the second turned over and pushed into the first; centred on the origin.
      const angle = Math.PI * rng.uniform();
      return c === 0 ? [0.5 * Math.cos(angle) - 0.25, 0.5 * Math.sin(angle) - 0.125] : [0.25 - 0.5 * Math.cos(angle), 0.125 - 0.5 * Math.sin(angle)];
    }
    case 'gaussians': {
      // Clouds of deviation 0.2 around (−0.4, −0.4) and (0.4, 0.4).
      const centre = c === 0 ? -0.4 : 0.4;
      return [centre + 0.2 * rng.normal(), centre + 0.2 * rng.normal()];
    }
  }
}
