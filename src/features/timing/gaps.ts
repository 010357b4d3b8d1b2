/**
 * Inter-arrival gaps of one host pair and their robust statistics.
 *
 * Input timestamps are epoch seconds, sorted ascending, finite.
 */
import { quantileInPlace, type RobustSummary, summarize } from '../../math/robust.js';

export interface CollapseOptions {
  /**
   * Flows that start less than this many seconds after the previous flow join its check-in.
   * Default 1 s: a refused TCP connect retried with SYNs 0.5 s apart, or a beacon that opens two
   * connections at once, is one check-in, not three gaps of 0.5 s that would drag the median down.
   */
  collapseGap: number;
  /**
   * A check-in never spans more than this many seconds from its first flow, so a chain of quick flows
   * cannot swallow minutes of traffic. Default 3 s (a retry sequence is over well before that).
   */
  collapseMaxSpan: number;
}

export const COLLAPSE_DEFAULTS: Readonly<CollapseOptions> = Object.freeze({
  collapseGap: 1,
  collapseMaxSpan: 3,
});

export interface Collapsed {
  /** Start time of each check-in (its first flow). */
  times: Float64Array;
  /** Flows merged into an earlier flow's check-in (= input length − times.length). */
  merged: number;
  /**
   * Check-ins cut by collapseMaxSpan while flows kept coming: many of these mean the "check-ins"
   * are slices of continuous traffic (a strobe), not bursts.
   */
  capped: number;
}

/**
 * Merge near-simultaneous flows into check-ins (O(n), one allocation). Chain rule: a flow joins the
 * current check-in if it starts < collapseGap after the previous flow and < collapseMaxSpan after
 * the check-in's first flow. collapseGap ≤ 0 disables merging (the input is returned as is).
 */
export function collapseCheckIns(ts: Float64Array, opts: Partial<CollapseOptions> = {}): Collapsed {
  const o = { ...COLLAPSE_DEFAULTS, ...opts };
  const n = ts.length;
  if (n === 0 || !(o.collapseGap > 0)) return { times: ts, merged: 0, capped: 0 };
  const out = new Float64Array(n);
  let m = 0;
  let capped = 0;
  let start = ts[0] as number;
  let prev = start;
  out[m++] = start;
  for (let i = 1; i < n; i++) {
    const t = ts[i] as number;
    if (t - prev < o.collapseGap) {
      if (t - start < o.collapseMaxSpan) {
        prev = t;
        continue;
      }
      capped++;
    }
    out[m++] = t;
    start = t;
    prev = t;
  }
  return { times: m === n ? out : out.slice(0, m), merged: n - m, capped };
}

/**
 * Burst grouping learned from the pair's own gaps. Malware that opens k connections per check-in
 * (a TLS retry, a POST then a GET, a burst of 4) shows two gap populations: short gaps inside a
 * burst and long gaps between bursts. When the sorted gaps have a clear break — the largest ratio
 * between neighbours is at least `breakRatio` and at least `minCycles` gaps lie above it — flows
 * closer than the break (geometric midpoint) join one check-in. Otherwise the fixed defaults apply.
 */
export interface BurstLearnOptions {
  /**
   * Ratio between neighbouring sorted gaps that counts as a break. 10: a burst's internal gaps
   * (connection set-up, < 1–5 s) are at least an order of magnitude below its cycle (minutes),
   * while the gaps of ordinary traffic form a continuum without a tenfold hole.
   */
  breakRatio: number;
  /** Gaps needed above the break: 3 cycles, the fewest that can show a schedule. */
  minCycles: number;
  /**
   * A burst may not last longer than this share of the shortest cycle gap above the break: half a
   * cycle, so two check-ins are never merged into one.
   */
  maxSpanShare: number;
}

export const BURST_LEARN_DEFAULTS: Readonly<BurstLearnOptions> = Object.freeze({
  breakRatio: 10,
  minCycles: 3,
  maxSpanShare: 0.5,
});

/** Collapse options for `ts` (sorted): the learned burst break when there is one, else the defaults. */
export function learnCollapse(
  ts: Float64Array,
  base: CollapseOptions = COLLAPSE_DEFAULTS,
  opts: Partial<BurstLearnOptions> = {},
): CollapseOptions {
  const o = { ...BURST_LEARN_DEFAULTS, ...opts };
  const gaps = interArrivalGaps(ts);
  const n = gaps.length;
  if (n < o.minCycles + 1) return base;
  gaps.sort();
  // gaps below a millisecond are the same instant; compare ratios from there
  const floor = 1e-3;
  let bestRatio = 0;
  let at = -1;
  for (let i = 0; i + o.minCycles < n; i++) {
    const lo = Math.max(floor, gaps[i] as number);
    const hi = gaps[i + 1] as number;
    const ratio = hi / lo;
    if (ratio > bestRatio) {
      bestRatio = ratio;
      at = i;
    }
  }
  if (at < 0 || bestRatio < o.breakRatio) return base;
  const below = Math.max(floor, gaps[at] as number);
  const above = gaps[at + 1] as number;
  const gap = Math.sqrt(below * above);
  if (gap <= base.collapseGap) return base;
  return { collapseGap: gap, collapseMaxSpan: Math.max(base.collapseMaxSpan, o.maxSpanShare * above) };
}

/** Gaps between consecutive timestamps: gᵢ = tᵢ₊₁ − tᵢ (length n − 1; empty for n < 2). */
export function interArrivalGaps(ts: Float64Array): Float64Array {
  const n = ts.length;
  if (n < 2) return new Float64Array(0);
  const g = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) g[i - 1] = (ts[i] as number) - (ts[i - 1] as number);
  return g;
}

export interface GapStatsOptions {
  /**
   * Half-width of the "on time" window, as a share of the median gap. Default 0.25: Cobalt Strike
   * at 50 % jitter spreads gaps over ±33 % of their median, and ±25 % still holds 3 in 4 of them,
   * while exponential (Poisson) gaps put only ~18 % there.
   */
  tolerance: number;
  /**
   * Largest multiple k of the median counted as a missed-check-in gap (k·median ± tolerance·median).
   * Default 4: three missed check-ins in a row; beyond that a gap is an outage, not jitter.
   */
  maxMultiple: number;
  /** Share trimmed at each end for the trimmed mean / CV. Default 0.1. */
  trimAlpha: number;
  /**
   * Bowley skew is reported as 0 when Q3 − Q1 < this share of the median. Default 0.05: with an
   * almost constant gap (60 s ± 50 ms of network noise) the quartiles sit in the noise and their
   * skew is random; a spread that small is perfectly regular whatever its shape.
   */
  skewMinIqrRel: number;
}

export const GAP_DEFAULTS: Readonly<GapStatsOptions> = Object.freeze({
  tolerance: 0.25,
  maxMultiple: 4,
  trimAlpha: 0.1,
  skewMinIqrRel: 0.05,
});

export interface GapStats {
  /** Number of gaps. */
  count: number;
  median: number;
  /**
   * Median of the on-time cluster: the gaps within [½, 1½] × median. Equals the median for a plain
   * jittered beacon; with many missed check-ins (a third to a half of the gaps at 2× or more) the
   * plain median drifts towards 2× the period and this does not. The shares and spread use it.
   */
  period: number;
  /** Unscaled MAD of the on-time cluster. */
  periodMad: number;
  /** Unscaled median absolute deviation. */
  mad: number;
  /** mad / median (RITA's MADM ratio); NaN when the median is 0. */
  madOverMedian: number;
  /** Bowley skewness of the gaps (0 when the spread is negligible, see skewMinIqrRel). */
  bowley: number;
  /** Bowley skewness without the negligible-spread guard. */
  bowleyRaw: number;
  min: number;
  p10: number;
  q1: number;
  q3: number;
  p90: number;
  max: number;
  mean: number;
  trimmedMean: number;
  /** Trimmed standard deviation / trimmed mean. */
  trimmedCv: number;
  /**
   * 2·periodMad / period: the "± x %" of a check-in. For uniform jitter (Cobalt Strike, Sliver)
   * the MAD is a quarter of the jitter range, so this is the half-width of that range; for normal
   * jitter it covers ~80 %. Missed check-ins and bursts lie outside the cluster and do not widen it.
   */
  spread: number;
  /** Share of gaps within period·(1 ± tolerance). */
  withinTolerance: number;
  /** Share of gaps within k·period ± tolerance·period for some k in 1..maxMultiple. */
  withinToleranceOrMultiple: number;
  /** Share of gaps near k·period for k ≥ 2 only (likely missed check-ins). */
  multiples: number;
  tolerance: number;
}

/** Robust statistics of a gap array (expected O(n), no sort; the input is not modified). */
export function gapStats(
  gaps: Float64Array,
  opts: Partial<GapStatsOptions> = {},
  scratch?: Float64Array,
): GapStats {
  const o = { ...GAP_DEFAULTS, ...opts };
  return gapStatsFromSummary(gaps, summarize(gaps, o.trimAlpha, scratch), o, scratch);
}

/**
 * Same as gapStats, from the robust summary the caller already has. `scratch` (length ≥ gaps)
 * avoids an allocation for the on-time cluster.
 */
export function gapStatsFromSummary(
  gaps: Float64Array,
  s: RobustSummary,
  opts: Partial<GapStatsOptions> = {},
  scratch?: Float64Array,
): GapStats {
  const o = { ...GAP_DEFAULTS, ...opts };
  const n = gaps.length;
  const med = s.median;
  // on-time cluster: gaps within [½, 1½] × median
  let period = med;
  let periodMad = s.mad;
  if (n > 0 && med > 0) {
    const buf = scratch && scratch.length >= n ? scratch : new Float64Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const g = gaps[i] as number;
      if (g >= 0.5 * med && g <= 1.5 * med) buf[m++] = g;
    }
    if (m > 0) {
      const cluster = buf.subarray(0, m);
      period = quantileInPlace(cluster, 0.5);
      for (let i = 0; i < m; i++) cluster[i] = Math.abs((cluster[i] as number) - period);
      periodMad = quantileInPlace(cluster, 0.5);
    }
  }
  let within = 0;
  let withinMult = 0;
  if (n > 0 && period > 0) {
    const tol = o.tolerance * period;
    const kMax = Math.max(1, Math.floor(o.maxMultiple));
    for (let i = 0; i < n; i++) {
      const g = gaps[i] as number;
      // nearest multiple of the period, then a fixed-width window around it
      let k = Math.round(g / period);
      if (k < 1) k = 1;
      if (k > kMax) continue;
      if (Math.abs(g - k * period) <= tol) {
        withinMult++;
        if (k === 1) within++;
      }
    }
  } else if (n > 0) {
    // median 0 (most flows simultaneous, collapsing off): "on time" means gap exactly 0
    for (let i = 0; i < n; i++) if (gaps[i] === 0) within++;
    withinMult = within;
  }
  const iqr = s.q3 - s.q1;
  const negligible = !(iqr >= o.skewMinIqrRel * med) || !(iqr > 0);
  return {
    count: n,
    median: med,
    period,
    periodMad,
    mad: s.mad,
    madOverMedian: med > 0 ? s.mad / med : Number.NaN,
    bowley: n === 0 ? Number.NaN : negligible ? 0 : s.bowley,
    bowleyRaw: s.bowley,
    min: s.min,
    p10: s.p10,
    q1: s.q1,
    q3: s.q3,
    p90: s.p90,
    max: s.max,
    mean: s.mean,
    trimmedMean: s.trimmed.mean,
    trimmedCv: s.trimmed.cv,
    spread: period > 0 ? (2 * periodMad) / period : Number.NaN,
    withinTolerance: n > 0 ? within / n : Number.NaN,
    withinToleranceOrMultiple: n > 0 ? withinMult / n : Number.NaN,
    multiples: n > 0 ? (withinMult - within) / n : Number.NaN,
    tolerance: o.tolerance,
  };
}
