/**
 * Seeded synthetic flow-time series for tests and benchmarks: C2 beacons as the implants schedule
 * them, and benign traffic shapes that must not look like beacons. Deterministic for a given seed.
 */
import { type Rng, seededRng, uniformFloat64Fast } from '../../math/random.js';

export interface BeaconNoise {
  /** Probability that a check-in is missed (laptop asleep, network down). */
  missRate?: number;
  /** Number of tasking bursts: after a random check-in, extra flows a few seconds apart. */
  bursts?: number;
  /** Flows per burst (default 8). */
  burstSize?: number;
  /** Each check-in is a refused connect retried this many extra times, 0.5 s apart. */
  retries?: number;
}

export interface SeriesOptions extends BeaconNoise {
  seed?: number;
  start?: number;
  /** Number of scheduled check-ins / events. */
  count: number;
}

const u = (rng: Rng): number => uniformFloat64Fast(rng);

/** Post-process scheduled check-ins: misses, retries, bursts; returns sorted times. */
function decorate(scheduled: number[], rng: Rng, noise: BeaconNoise): Float64Array {
  const out: number[] = [];
  const missRate = noise.missRate ?? 0;
  for (const t of scheduled) {
    if (u(rng) < missRate) continue;
    out.push(t);
    for (let r = 1; r <= (noise.retries ?? 0); r++) out.push(t + 0.5 * r);
  }
  const bursts = noise.bursts ?? 0;
  const size = noise.burstSize ?? 8;
  for (let b = 0; b < bursts && scheduled.length > 0; b++) {
    let t = scheduled[Math.floor(u(rng) * scheduled.length)] as number;
    for (let k = 0; k < size; k++) {
      t += 1 + 4 * u(rng);
      out.push(t);
    }
  }
  const a = Float64Array.from(out);
  a.sort();
  return a;
}

/**
 * Cobalt Strike: each sleep is shortened by a random share up to `jitter` (0–0.99):
 * gap = sleep·(1 − U(0, jitter)), mean sleep·(1 − jitter/2).
 */
export function cobaltStrikeSeries(o: SeriesOptions & { sleep: number; jitter: number }): Float64Array {
  const rng = seededRng(o.seed ?? 1);
  const s: number[] = [];
  let t = o.start ?? 1_700_000_000;
  for (let i = 0; i < o.count; i++) {
    s.push(t);
    t += o.sleep * (1 - o.jitter * u(rng));
  }
  return decorate(s, rng, o);
}

/** Sliver: gap = sleep + U(0, jitterSeconds) (default 60 s + up to 30 s, mean 75 s). */
export function sliverSeries(o: SeriesOptions & { sleep?: number; jitterSeconds?: number }): Float64Array {
  const rng = seededRng(o.seed ?? 2);
  const s: number[] = [];
  let t = o.start ?? 1_700_000_000;
  for (let i = 0; i < o.count; i++) {
    s.push(t);
    t += (o.sleep ?? 60) + (o.jitterSeconds ?? 30) * u(rng);
  }
  return decorate(s, rng, o);
}

/** Poisson process: exponential gaps with the given mean. */
export function poissonSeries(o: SeriesOptions & { meanGap: number }): Float64Array {
  const rng = seededRng(o.seed ?? 3);
  const a = new Float64Array(o.count);
  let t = o.start ?? 1_700_000_000;
  for (let i = 0; i < o.count; i++) {
    a[i] = t;
    t += -o.meanGap * Math.log(1 - u(rng));
  }
  return a;
}

/**
 * Human browsing: sessions separated by Pareto idle times (heavy tail, α = 1.2, from `minIdle` s),
 * each a geometric number of requests (mean 12) with log-normal think times (median 3 s, σ = 1.2).
 */
export function browsingSeries(o: SeriesOptions & { minIdle?: number }): Float64Array {
  const rng = seededRng(o.seed ?? 4);
  const a = new Float64Array(o.count);
  let t = o.start ?? 1_700_000_000;
  let i = 0;
  const normal = (): number => {
    const r = Math.sqrt(-2 * Math.log(1 - u(rng)));
    return r * Math.cos(2 * Math.PI * u(rng));
  };
  while (i < o.count) {
    let inSession = 1 + Math.floor(Math.log(1 - u(rng)) / Math.log(1 - 1 / 12));
    while (inSession-- > 0 && i < o.count) {
      a[i++] = t;
      t += 3 * Math.exp(1.2 * normal());
    }
    t += (o.minIdle ?? 60) / (1 - u(rng)) ** (1 / 1.2);
  }
  return a;
}

/** Constant-rate strobe: `rate` flows per second for `duration` seconds, ±10 % timing noise. */
export function strobeSeries(o: {
  rate: number;
  duration: number;
  seed?: number;
  start?: number;
}): Float64Array {
  const rng = seededRng(o.seed ?? 5);
  const n = Math.floor(o.rate * o.duration);
  const a = new Float64Array(n);
  const start = o.start ?? 1_700_000_000;
  for (let i = 0; i < n; i++) a[i] = start + i / o.rate + ((u(rng) - 0.5) * 0.1) / o.rate;
  a.sort();
  return a;
}

/** Per-flow byte counts: `base` ± `spread` uniform, rounded (constant when spread is 0). */
export function byteSeries(n: number, base: number, spread = 0, seed = 6): Float64Array {
  const rng = seededRng(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.round(base + spread * (2 * u(rng) - 1));
  return a;
}
