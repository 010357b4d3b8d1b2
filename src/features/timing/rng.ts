/**
 * Seeded randomness for the permutation test (and the tests' series generators), from pure-rand.
 * xoroshiro128+ is fast and passes BigCrush on its upper bits; determinism is what matters here:
 * the same pair and seed always give the same p-value.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export type Rng = RandomGenerator;

export function seededRng(seed: number): Rng {
  return xoroshiro128plus(seed | 0);
}

/** Uniform in [0, 1) with 32 bits of resolution (one generator step; enough for shuffles). */
export function uniformFloat64Fast(rng: Rng): number {
  return (rng.next() >>> 0) / 4294967296;
}
