/**
 * Seeded randomness for the whole project, on pure-rand's xoroshiro128+ (fast; passes BigCrush on its
 * upper bits). Determinism is what matters: the same seed always gives the same generated log, model
 * fit and permutation p-value. Two ways to start a stream, each kept because seeded outputs depend on it:
 * - `seededRng(seed)`: the generator seeded with the 32-bit seed as is (models, timing statistics);
 *   sub-streams by {@link deriveSeed}.
 * - `new Rng(seed)`: the seed spread by {@link mix32} and the state warmed up (the log generator, whose
 *   seeds are small consecutive numbers); sub-streams by {@link Rng.child}.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** FNV-1a over the text, from `basis` (the standard offset basis unless a seed is folded in). */
function fnv1a(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3 finaliser: spreads nearby seeds (1, 2, 3 …) over the whole 32-bit space. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit seed for sub-stream `stream` of `seed` (FNV-1a over the name with the seed folded into the
 * basis, then {@link mix32}). Every model derives its own stream this way, so adding a model to an
 * ensemble never shifts the random numbers another model sees.
 */
export function deriveSeed(seed: number, stream: string): number {
  return mix32(fnv1a(stream, 0x811c9dc5 ^ (seed | 0))) | 0;
}

/** A stream seeded with the 32-bit seed as is (no mixing, no warm-up). */
export function seededRng(seed: number): Rng {
  return new Rng(seed, xoroshiro128plus(seed | 0));
}

/** Uniform in [0, 1) with 32 bits of resolution: one generator step, enough for shuffles. */
export function uniformFloat64Fast(rng: Rng): number {
  return rng.uint32() / 4294967296;
}

/**
 * Seeded random source. In the log generator every actor gets its own child stream, derived from the
 * parent seed and a label, so one actor's draws never shift another's: that is what keeps the output
 * byte-identical for a seed and lets an actor be replayed (counted, then written).
 */
export class Rng {
  private readonly gen: RandomGenerator;
  private spare = Number.NaN;

  /** `generator` given: draw from it as is ({@link seededRng}); otherwise mix the seed and warm up. */
  constructor(
    readonly seed: number,
    generator?: RandomGenerator,
  ) {
    if (generator) {
      this.gen = generator;
      return;
    }
    this.gen = xoroshiro128plus(mix32(seed));
    // xoroshiro seeded from one 32-bit word starts with low-entropy state; warm it up.
    for (let i = 0; i < 16; i++) this.gen.next();
  }

  /** Independent stream named by `label`; the same label always yields the same stream. */
  child(label: string | number): Rng {
    return new Rng(mix32(this.seed ^ mix32(fnv1a(String(label)) + 0x9e3779b9)));
  }

  /** One raw generator step as an unsigned 32-bit integer. */
  uint32(): number {
    return this.gen.next() >>> 0;
  }

  /** Uniform in [0, 1) with 53 bits of resolution. */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform in (0, 1]: safe for logarithms and powers. */
  floatOpen(): number {
    return 1 - uniformFloat64(this.gen);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const v = this.spare;
      this.spare = Number.NaN;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.floatOpen()));
    const a = 2 * Math.PI * this.float();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /** Log-normal parameterised by its median, the natural way to say "typically N bytes". */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto (type I): heavy tail of large downloads. */
  pareto(xm: number, alpha: number): number {
    return xm / this.floatOpen() ** (1 / alpha);
  }

  exponential(mean: number): number {
    return -mean * Math.log(this.floatOpen());
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

/** Sampling from fixed weights by inverse CDF (binary search over the running sum). */
export class WeightedTable {
  private readonly cumulative: Float64Array;

  constructor(weights: readonly number[]) {
    if (weights.length === 0) throw new RangeError('WeightedTable needs at least one weight');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += Math.max(0, w);
      this.cumulative[i] = sum;
    });
    if (!(sum > 0)) throw new RangeError('WeightedTable needs a positive weight');
  }

  get size(): number {
    return this.cumulative.length;
  }

  sample(rng: Rng): number {
    const c = this.cumulative;
    const target = rng.float() * (c[c.length - 1] as number);
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((c[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Zipf weights 1/rank^s: a few destinations take most of the traffic. */
export function zipfWeights(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
}

/**
 * Draws subsets without replacement from 0..n-1 by partial Fisher–Yates on a persistent permutation:
 * O(n) once, then O(k) per draw (each draw is a uniform k-subset in random order).
 */
export class IndexSampler {
  private readonly perm: Uint32Array;
  constructor(
    readonly n: number,
    private readonly rng: Rng,
  ) {
    this.perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.perm[i] = i;
  }

  /** k distinct indices (k is clamped to n). The returned array is a fresh copy. */
  sample(k: number): Uint32Array {
    const n = this.n;
    const m = Math.min(k, n);
    const p = this.perm;
    for (let i = 0; i < m; i++) {
      const j = i + this.rng.below(n - i);
      const t = p[i] as number;
      p[i] = p[j] as number;
      p[j] = t;
    }
    return p.slice(0, m);
  }
}

/**
 * Up to `k` distinct row indices of 0..n-1, sorted ascending; all rows (0..n-1) when n <= k.
 * Sorting keeps the sampled rows in their original order, which makes results independent of the
 * draw order.
 */
export function sampleRows(n: number, k: number, rng: Rng): Uint32Array {
  if (n <= k) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  return new IndexSampler(n, rng).sample(k).sort();
}
