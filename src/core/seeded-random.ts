/**
 * A seeded source of random choices (pure-rand's Mersenne Twister): the same seed gives the
 * same choices, so a run with faults can be repeated exactly with `--seed N`. Mersenne Twister
 * rather than xoroshiro128+: the latter's first draws from neighbouring seeds (1, 2, 3 …) are
 * nearly equal, and those first draws are exactly what short runs use.
 */
import { randomInt } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { mersenne } from 'pure-rand/generator/mersenne';
import { MAX_SEED } from './fault-values.js';

export { MAX_SEED };

export interface SeededRandom {
  readonly seed: number;
  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number;
  /** True with probability `p` (0–1). */
  chance(p: number): boolean;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T;
}

/**
 * A fresh seed, for runs where none was given (it is printed, so the run can be repeated), up to
 * `max` (fast-check's seeds are 31-bit: `FUZZ_MAX_SEED`).
 */
export function randomSeed(max = MAX_SEED): number {
  return randomInt(0, max);
}

export function seededRandom(seed: number): SeededRandom {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED)
    throw new RangeError(`a seed is a whole number from 0 to ${MAX_SEED}`);
  // pure-rand seeds with a 32-bit integer; `| 0` maps 0…2^32-1 onto it one to one.
  const rng = mersenne(seed | 0);
  const int = (min: number, max: number) => (min === max ? min : uniformInt(rng, min, max));
  return {
    seed,
    int,
    chance: (p) => p >= 1 || (p > 0 && uniformFloat64(rng) < p),
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(0, i);
        const swap = items[i];
        items[i] = items[j];
        items[j] = swap;
      }
      return items;
    },
  };
}
