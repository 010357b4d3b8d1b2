/**
 * How surprising a pair's check-in regularity is under a null model of ordinary traffic.
 *
 * Null model: the pair's gaps are exponential with the same median as the observed gaps
 * (μ = median / ln 2). Matching the median, not the mean, keeps heavy-tailed human traffic (short
 * gaps inside sessions, long idle gaps between them, whose mean is far above their median) from
 * looking regular merely because it is not Poisson. A beacon puts most gaps within ±ε of its period m (or of
 * a small multiple of m, a missed check-in). Under the null, one gap lands in that window with
 *   q(ε) = Σ_{j=1..J} [exp(−(j−ε)m/μ) − exp(−(j+ε)m/μ)],
 * and the count of such gaps among k is Binomial(k, q). The evidence is −log10 of the smallest
 * upper-tail probability over the candidate windows ε (the sorted deviations of the gaps, no smaller
 * than the timestamps' resolution allows), Bonferroni-corrected for the windows tried. The gap that
 * defines the median is not counted (it is on time by construction).
 *
 * Few check-ins weigh less through the statistics: 3 gaps can give at most ~4 decades, 10 gaps ~15.
 */
import betainc from '@stdlib/math-base-special-betainc';

export interface RegularityOptions {
  /**
   * Timestamp resolution in seconds: whole-second logs (nfdump CSV) cannot show gaps closer than
   * ±1 s, so no window is narrower than 2·resolution/period.
   */
  resolution: number;
  /**
   * Narrowest window as a share of the period: scheduler and network jitter of a real beacon are a
   * few ms to tens of ms, so a 1 % window is the tightest claim worth making.
   */
  minTolerance: number;
  /**
   * Widest window: ±50 % of the period is Cobalt Strike's largest jitter; beyond that "on time"
   * means nothing.
   */
  maxTolerance: number;
  /** Multiples of the period that count as on time (missed check-ins); 4 as in GAP_DEFAULTS. */
  maxMultiple: number;
  /** At least this share of the gaps must be on time for a window to be considered. */
  minOnTimeShare: number;
}

export const REGULARITY_DEFAULTS: Readonly<RegularityOptions> = Object.freeze({
  resolution: 0.001,
  minTolerance: 0.01,
  maxTolerance: 0.5,
  maxMultiple: 4,
  minOnTimeShare: 0.5,
});

export interface Regularity {
  /** −log10 of the Bonferroni-corrected tail probability; 0 when there is nothing to test. */
  evidence: number;
  /** The window (share of the period) at which the evidence is strongest. */
  tolerance: number;
  /** Share of gaps on time within that window. */
  onTimeShare: number;
  /** Gaps tested. */
  gaps: number;
}

const NONE: Regularity = Object.freeze({ evidence: 0, tolerance: Number.NaN, onTimeShare: 0, gaps: 0 });

/** log10 P(X ≥ j) for X ~ Binomial(n, p), accurate far into the tail (regularized beta). */
export function log10BinomialTail(j: number, n: number, p: number): number {
  if (j <= 0) return 0;
  if (j > n || p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return 0;
  // P(X ≥ j) = I_p(j, n − j + 1)
  const tail = betainc(p, j, n - j + 1);
  return tail > 0 ? Math.log10(tail) : -324;
}

/** Probability that an exponential gap (mean μ) lies within ±ε·m of some j·m, j = 1..J. */
export function onTimeProbability(eps: number, period: number, meanGap: number, maxMultiple: number): number {
  let q = 0;
  for (let j = 1; j <= maxMultiple; j++) {
    const lo = Math.max(0, (j - eps) * period);
    const hi = (j + eps) * period;
    q += Math.exp(-lo / meanGap) - Math.exp(-hi / meanGap);
  }
  return Math.min(1, q);
}

/**
 * Regularity evidence of check-in gaps around `period` (the on-time cluster's median, seconds).
 * Pure; `gaps` is not modified.
 */
export function regularityEvidence(
  gaps: Float64Array,
  period: number,
  opts: Partial<RegularityOptions> = {},
): Regularity {
  const o = { ...REGULARITY_DEFAULTS, ...opts };
  const k = gaps.length;
  if (k < 2 || !(period > 0)) return NONE;
  const sorted = Float64Array.from(gaps).sort();
  const median =
    k % 2 ? (sorted[(k - 1) / 2] as number) : ((sorted[k / 2 - 1] as number) + (sorted[k / 2] as number)) / 2;
  const meanGap = median / Math.LN2;
  if (!(meanGap > 0)) return NONE;
  // relative deviation of each gap from its nearest multiple of the period
  const dev = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const g = gaps[i] as number;
    const j = Math.min(o.maxMultiple, Math.max(1, Math.round(g / period)));
    dev[i] = Math.abs(g - j * period) / period;
  }
  dev.sort();
  const floor = Math.max(o.minTolerance, (2 * o.resolution) / period);
  // the median gap is on time by construction: test the other k − 1
  const n = k - 1;
  const first = Math.max(1, Math.ceil(o.minOnTimeShare * n));
  const candidates = n - first + 1;
  let best = 0;
  let bestEps = Number.NaN;
  let bestShare = 0;
  for (let count = first; count <= n; count++) {
    // `count` gaps besides the median lie within the count-th smallest deviation (index count)
    const d = dev[count] as number;
    if (d > o.maxTolerance) break;
    // coarse clocks (whole seconds on a 2 s beacon) cannot be judged finer than ±maxTolerance
    const eps = Math.min(o.maxTolerance, Math.max(floor, d));
    const q = onTimeProbability(eps, period, meanGap, o.maxMultiple);
    const ev = -log10BinomialTail(count, n, q) - Math.log10(candidates);
    if (ev > best) {
      best = ev;
      bestEps = eps;
      bestShare = (count + 1) / k;
    }
  }
  return { evidence: best, tolerance: bestEps, onTimeShare: bestShare, gaps: k };
}

/** Timestamp resolution of a series: 1 s when every timestamp is whole, else the default. */
export function timestampResolution(ts: Float64Array): number {
  for (let i = 0; i < ts.length; i++) if (!Number.isInteger(ts[i])) return REGULARITY_DEFAULTS.resolution;
  return ts.length > 0 ? 1 : REGULARITY_DEFAULTS.resolution;
}
