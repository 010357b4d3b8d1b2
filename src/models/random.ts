/**
 * Seeded randomness for the models: xoroshiro128+ from pure-rand, 53-bit uniform doubles.
 * Every model takes a `seed` and derives its own stream with {@link deriveSeed}, so adding a model to an
 * ensemble never shifts the random numbers another model sees.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

export function createRng(seed: number): Rng {
  const g = xoroshiro128plus(seed | 0);
  let spare: number | null = null;
  const float = (): number => uniformFloat64(g);
  return {
    float,
    int: (n: number): number => Math.floor(float() * n),
    normal: (): number => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = float();
      const v = float();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** A 32-bit seed for sub-stream `stream` of `seed` (FNV-1a over the name, then a murmur3 finaliser). */
export function deriveSeed(seed: number, stream: string): number {
  let h = (0x811c9dc5 ^ (seed | 0)) >>> 0;
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h | 0;
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
      const j = i + this.rng.int(n - i);
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
