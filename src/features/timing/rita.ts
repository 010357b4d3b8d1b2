/**
 * RITA-v5-style beacon sub-scores, so RITA users can read our numbers next to theirs.
 *
 * Source studied: activecm/rita `analysis/beacons.go` (v5) and `default_config.hjson`; no code copied.
 * RITA's beacon score = 0.25·ts + 0.25·ds + 0.25·hist + 0.25·dur by default. Where we differ (and why) is
 * marked "Differs from RITA" below and listed in docs/SCORING-timing.md.
 */
import { type RobustSummary, summarize } from '../../math/robust.js';

export interface RitaOptions {
  /**
   * Bowley skew counts only when Q3 − Q1 ≥ this (seconds for gaps, bytes for sizes); below it the
   * skew is taken as 0. RITA uses 10 (`den >= 10`): a spread that small is regular whatever its shape.
   */
  skewMinIqr: number;
  /** Histogram bins over the window when histBinSeconds is 0. RITA: 24 (hours of a one-day window). */
  histBins: number;
  /** If > 0, bins of this many seconds over the window instead (span-based; 3600 = real hours). */
  histBinSeconds: number;
  /** Cap on span-based bins (memory). Default 24·366. */
  maxHistBins: number;
  /** Bimodal fit groups bar heights in buckets of ⌈largest·modeSensitivity⌉. RITA default 0.05. */
  modeSensitivity: number;
  /** Bars that may fall outside the two modal buckets. RITA default 1. */
  bimodalOutlierRemoval: number;
  /** Bimodal fit only with at least this many non-empty bars. RITA default 11 (floor 6). */
  bimodalMinHours: number;
  /** Duration score only with at least this many non-empty bars. RITA default 6. */
  durMinHours: number;
  /** Longest run of consecutive non-empty bars that scores 1 for consistency. RITA default 12. */
  durIdealHours: number;
  /** RITA default 0.25 each; must sum to 1. */
  weights: { ts: number; ds: number; hist: number; dur: number };
}

export const RITA_DEFAULTS: Readonly<RitaOptions> = Object.freeze({
  skewMinIqr: 10,
  histBins: 24,
  histBinSeconds: 0,
  maxHistBins: 24 * 366,
  modeSensitivity: 0.05,
  bimodalOutlierRemoval: 1,
  bimodalMinHours: 11,
  durMinHours: 6,
  durIdealHours: 12,
  weights: Object.freeze({ ts: 0.25, ds: 0.25, hist: 0.25, dur: 0.25 }),
});

export interface RitaStatScore {
  /** mean(skewScore, madScore), 0–1. */
  score: number;
  /** Bowley skew used (0 if the spread was negligible). */
  skew: number;
  /** 1 − |skew|. */
  skewScore: number;
  /** Unscaled MAD (RITA's "MADM"). */
  mad: number;
  median: number;
  /** 1 − min(1, mad/median); see the per-kind rule for median 0. */
  madScore: number;
  n: number;
}

/**
 * RITA's statistical score from a robust summary:
 *   skew = (Q1 + Q3 − 2·Q2)/(Q3 − Q1) if Q3 − Q1 ≥ skewMinIqr and Q2 ∉ {Q1, Q3}, else 0
 *   skewScore = 1 − |skew|
 *   madScore = 1 − min(1, MAD/median) if median > 0, else `zeroMedianMadScore`
 *   score = (skewScore + madScore)/2
 * (Q2 = Q1 or Q3 means ≥ 25 % of the values equal the median: a strong mode, i.e. regular; RITA
 * zeroes the skew there rather than report the ±1 the formula gives.)
 * Differs from RITA: type-7 quartiles (RITA uses montanaflynn/stats' halves-median quartiles; the
 * values agree to within one order statistic), no rounding to 3 decimals, and the median-0 rule.
 */
export function ritaStatScore(
  s: Pick<RobustSummary, 'n' | 'q1' | 'median' | 'q3' | 'mad'>,
  zeroMedianMadScore: number,
  opts: Partial<RitaOptions> = {},
): RitaStatScore {
  const o = { ...RITA_DEFAULTS, ...opts };
  const den = s.q3 - s.q1;
  let skew = 0;
  if (den >= o.skewMinIqr && s.median !== s.q1 && s.median !== s.q3) {
    skew = (s.q1 + s.q3 - 2 * s.median) / den;
  }
  const skewScore = 1 - Math.abs(skew);
  let madScore = zeroMedianMadScore;
  if (s.median > 0) madScore = 1 - Math.min(1, s.mad / s.median);
  if (!(madScore >= 0)) madScore = 0;
  return {
    score: (skewScore + madScore) / 2,
    skew,
    skewScore,
    mad: s.mad,
    median: s.median,
    madScore,
    n: s.n,
  };
}

/**
 * Timestamp score: ritaStatScore of the inter-arrival gaps, zero gaps dropped (simultaneous flows
 * are one event, as in RITA). Needs ≥ 3 non-zero gaps, else null (RITA: not scored).
 * Differs from RITA: RITA truncates timestamps to whole seconds and uses 1 as the MAD score when
 * the median gap is < 1 s; we keep fractional seconds, so the formula applies for any median > 0.
 */
export function ritaTimestampScore(
  gaps: Float64Array,
  opts: Partial<RitaOptions> = {},
): RitaStatScore | null {
  let nz = 0;
  for (let i = 0; i < gaps.length; i++) if ((gaps[i] as number) > 0) nz++;
  if (nz < 3) return null;
  let values = gaps;
  if (nz !== gaps.length) {
    values = new Float64Array(nz);
    let j = 0;
    for (let i = 0; i < gaps.length; i++) if ((gaps[i] as number) > 0) values[j++] = gaps[i] as number;
  }
  return ritaStatScore(summarize(values), 1, opts);
}

/**
 * Data-size score: ritaStatScore of the per-flow byte counts. Needs ≥ 3 flows, else null.
 * Median 0 (at least half the flows carry no payload, e.g. refused connections) implies MAD 0:
 * the majority size is constant, so madScore = 1.
 * Differs from RITA: RITA gives madScore 0 when the median is < 1 byte, which hides beacons to a
 * dead or refusing C2 (all-zero flows), a case the brief asks us to keep.
 */
export function ritaDataSizeScore(
  bytes: Float64Array,
  opts: Partial<RitaOptions> = {},
  scratch?: Float64Array,
): RitaStatScore | null {
  if (bytes.length < 3) return null;
  return ritaStatScore(summarize(bytes, 0.1, scratch), 1, opts);
}

export interface RitaHistogram {
  /** Flows per bin over [windowStart, windowEnd]. */
  counts: number[];
  binSeconds: number;
  /** Non-empty bins ("hours seen"). */
  totalBars: number;
  /** Longest run of consecutive non-empty bins, wrapping from the last bin to the first, ≤ bins. */
  longestRun: number;
}

/**
 * Connection histogram: `histBins` equal bins over the window (or `histBinSeconds`-wide bins).
 * As in RITA, a flow before the window counts in the first bin and one at/after its end in the last.
 */
export function ritaHistogram(
  ts: Float64Array,
  windowStart: number,
  windowEnd: number,
  opts: Partial<RitaOptions> = {},
): RitaHistogram {
  const o = { ...RITA_DEFAULTS, ...opts };
  const span = windowEnd - windowStart;
  let bins = Math.max(1, Math.floor(o.histBins));
  let step = span / bins;
  if (o.histBinSeconds > 0 && span > 0) {
    bins = Math.min(Math.max(1, Math.ceil(span / o.histBinSeconds)), Math.max(1, Math.floor(o.maxHistBins)));
    step = Math.max(o.histBinSeconds, span / bins);
  }
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < ts.length; i++) {
    let k = step > 0 ? Math.floor(((ts[i] as number) - windowStart) / step) : 0;
    if (k < 0) k = 0;
    else if (k >= bins) k = bins - 1;
    counts[k] = (counts[k] as number) + 1;
  }
  let totalBars = 0;
  for (const c of counts) if (c > 0) totalBars++;
  let longestRun = 0;
  let run = 0;
  for (let i = 0; i < 2 * bins; i++) {
    if ((counts[i % bins] as number) > 0) {
      run++;
      if (run > longestRun) longestRun = run;
    } else run = 0;
  }
  return { counts, binSeconds: step, totalBars, longestRun: Math.min(longestRun, bins) };
}

export interface RitaHistogramScore {
  /** max(cvScore, bimodalScore). */
  score: number;
  /** 1 − CV of the bin counts (population SD / mean, zeros included), 0 when CV > 1. */
  cvScore: number;
  /** Share of non-empty bars in the two most common height buckets, 0 below bimodalMinHours. */
  bimodalScore: number;
  cv: number;
}

/**
 * Histogram score = max(cvScore, bimodalScore):
 *   cvScore = 1 − CV if CV ≤ 1 else 0, CV = σ/μ of all bin counts (flat = constant-rate beacon);
 *   bimodalScore = (bars in the largest + second-largest height bucket) / max(bars − outliers, 1),
 *   capped at 1, only with ≥ bimodalMinHours bars; bucket = ⌊count/w⌋·w, w = ⌈max·modeSensitivity⌉
 *   (a beacon that runs at two rates, e.g. work hours and nights, still scores).
 */
export function ritaHistogramScore(h: RitaHistogram, opts: Partial<RitaOptions> = {}): RitaHistogramScore {
  const o = { ...RITA_DEFAULTS, ...opts };
  const c = h.counts;
  let total = 0;
  let largest = 0;
  for (const v of c) {
    total += v;
    if (v > largest) largest = v;
  }
  if (c.length === 0 || total <= 0) return { score: 0, cvScore: 0, bimodalScore: 0, cv: Number.NaN };
  const mean = total / c.length;
  let ss = 0;
  for (const v of c) ss += (v - mean) * (v - mean);
  const cv = Math.sqrt(ss / c.length) / mean;
  const cvScore = cv > 1 ? 0 : 1 - cv;
  let bimodalScore = 0;
  const minHours = o.bimodalMinHours < 6 ? 11 : o.bimodalMinHours; // RITA's floor: 1–2 bars are trivially "bimodal"
  if (h.totalBars >= minHours) {
    const w = Math.max(1, Math.ceil(largest * o.modeSensitivity));
    const buckets = new Map<number, number>();
    for (const v of c) {
      if (v <= 0) continue;
      const b = Math.floor(v / w) * w;
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
    }
    let first = 0;
    let second = 0;
    for (const n of buckets.values()) {
      if (n > first) {
        second = first;
        first = n;
      } else if (n > second) second = n;
    }
    bimodalScore = Math.min(1, (first + second) / Math.max(h.totalBars - o.bimodalOutlierRemoval, 1));
  }
  return { score: Math.max(cvScore, bimodalScore), cvScore, bimodalScore, cv };
}

export interface RitaDurationScore {
  /** max(coverage, consistency) when ≥ durMinHours bars are non-empty, else 0. */
  score: number;
  /** (last − first)/(windowEnd − windowStart), ≤ 1. */
  coverage: number;
  /** longestRun / durIdealHours, ≤ 1. */
  consistency: number;
}

/**
 * Duration score = max(coverage, consistency) if totalBars ≥ durMinHours else 0, with
 *   coverage = min(1, (last − first)/(windowEnd − windowStart)) — how much of the window the pair spans;
 *   consistency = min(1, longestRun/durIdealHours) — how long it was active without a silent bin.
 * Differs from RITA: no rounding up to 3 decimals; a zero-length window gives coverage 1 (RITA errors).
 */
export function ritaDurationScore(
  first: number,
  last: number,
  windowStart: number,
  windowEnd: number,
  h: Pick<RitaHistogram, 'totalBars' | 'longestRun'>,
  opts: Partial<RitaOptions> = {},
): RitaDurationScore {
  const o = { ...RITA_DEFAULTS, ...opts };
  const w = windowEnd - windowStart;
  const coverage = w > 0 ? Math.min(1, Math.max(0, (last - first) / w)) : 1;
  const consistency = Math.min(1, h.longestRun / Math.max(1, o.durIdealHours));
  const score = h.totalBars >= o.durMinHours ? Math.max(coverage, consistency) : 0;
  return { score, coverage, consistency };
}

export interface RitaScores {
  /** Weighted mean of the available sub-scores. */
  score: number;
  ts: RitaStatScore | null;
  ds: RitaStatScore | null;
  hist: RitaHistogramScore;
  dur: RitaDurationScore;
  histogram: RitaHistogram;
}

/**
 * score = Σ wᵢ·scoreᵢ / Σ wᵢ over the sub-scores that exist.
 * Differs from RITA: a missing sub-score (no byte counts given, < 3 non-zero gaps) drops out and
 * the weights are renormalised; RITA does not score such a pair at all.
 */
export function ritaBeaconScore(
  parts: { ts: number | null; ds: number | null; hist: number | null; dur: number | null },
  weights: RitaOptions['weights'] = RITA_DEFAULTS.weights,
): number {
  let num = 0;
  let den = 0;
  for (const key of ['ts', 'ds', 'hist', 'dur'] as const) {
    const v = parts[key];
    if (v === null || !Number.isFinite(v)) continue;
    num += weights[key] * v;
    den += weights[key];
  }
  return den > 0 ? num / den : 0;
}
