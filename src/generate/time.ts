import type { Rng } from '../math/random.js';

/**
 * Relative user activity per UTC hour of day: quiet nights, a morning ramp, busy office hours.
 * Browsing follows it; machine heartbeats (NTP, telemetry, beacons) deliberately do not.
 */
const HOURLY = [
  0.08, 0.06, 0.05, 0.05, 0.05, 0.07, 0.15, 0.35, 0.7, 0.95, 1, 1, 0.9, 0.95, 1, 1, 0.95, 0.8, 0.55, 0.4, 0.3,
  0.22, 0.15, 0.1,
];
/** Weekends are much quieter than weekdays. */
const WEEKEND = 0.35;

function activityAt(epochSeconds: number): number {
  const d = new Date(epochSeconds * 1000);
  const day = d.getUTCDay();
  return (HOURLY[d.getUTCHours()] as number) * (day === 0 || day === 6 ? WEEKEND : 1);
}

/**
 * Maps a uniform u ∈ [0, 1) to a time in the window whose density follows the diurnal profile
 * (inverse CDF of a piecewise-constant intensity with one piece per clock hour).
 */
export class ActivityClock {
  private readonly edges: Float64Array;
  private readonly cumulative: Float64Array;
  private readonly rates: Float64Array;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    const edges = [start];
    for (let t = Math.floor(start / 3600) * 3600 + 3600; t < end; t += 3600) edges.push(t);
    edges.push(end);
    const pieces = edges.length - 1;
    this.edges = Float64Array.from(edges);
    this.rates = new Float64Array(pieces);
    this.cumulative = new Float64Array(pieces + 1);
    for (let i = 0; i < pieces; i++) {
      const a = edges[i] as number;
      const b = edges[i + 1] as number;
      this.rates[i] = activityAt(a);
      this.cumulative[i + 1] = (this.cumulative[i] as number) + (this.rates[i] as number) * (b - a);
    }
  }

  at(u: number): number {
    const c = this.cumulative;
    const target = u * (c[c.length - 1] as number);
    let lo = 0;
    let hi = this.rates.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((c[mid] as number) <= target) lo = mid;
      else hi = mid - 1;
    }
    const t = (this.edges[lo] as number) + (target - (c[lo] as number)) / (this.rates[lo] as number);
    return Math.min(t, this.end - 1e-6);
  }
}

/**
 * Next of n sorted uniforms in [0, 1), drawn one at a time in O(1) memory: given the previous
 * value and the k draws still to come, the next order statistic is 1 − (1 − t)·V^(1/k). This is
 * what lets a host emit an exact number of flows in time order without holding them.
 */
export function nextSortedUniform(previous: number, remaining: number, rng: Rng): number {
  const t = 1 - (1 - previous) * rng.floatOpen() ** (1 / remaining);
  return Math.min(t, 1 - Number.EPSILON);
}
