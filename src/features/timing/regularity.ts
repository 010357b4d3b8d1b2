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
 * upper-tail probability over the candidate windows ε (the deviation that puts 50 %, 60 %, … 100 %
 * of the gaps on time, no smaller than the timestamps' resolution allows), Bonferroni-corrected for
 * the windows tried. The gap that
 * defines the median is not counted (it is on time by construction).
 *
 * Few check-ins weigh less through the statistics: 3 gaps can give at most ~4 decades, 10 gaps ~15.
 */
import { log10BinomialTail } from '../../math/binomial.js';

export { log10BinomialTail };

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
  /**
   * The on-time share must be at least this multiple of the null's: with thousands of gaps a
   * binomial test detects any small misfit of the null (the period is estimated from the same
   * gaps), while a schedule is a large effect — a jittered beacon puts 2–3× chance on time.
   */
  minLift: number;
}

export const REGULARITY_DEFAULTS: Readonly<RegularityOptions> = Object.freeze({
  resolution: 0.001,
  minTolerance: 0.01,
  maxTolerance: 0.5,
  maxMultiple: 4,
  minOnTimeShare: 0.5,
  minLift: 1.5,
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

/**
 * On-time shares tried: from half the gaps (a beacon missing or bursting half the time) to all of
 * them. A fixed ladder keeps the cost O(1) per pair and the multiple-testing price at log10(7).
 */
const ON_TIME_LADDER = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1] as const;

const NONE: Regularity = Object.freeze({ evidence: 0, tolerance: Number.NaN, onTimeShare: 0, gaps: 0 });

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
  // the median gap is on time by construction: test the other k − 1, at a fixed ladder of on-time
  // shares (Bonferroni over the ladder's rungs that apply)
  const n = k - 1;
  const counts = [
    ...new Set(ON_TIME_LADDER.filter((x) => x >= o.minOnTimeShare).map((x) => Math.ceil(x * n))),
  ].filter((c) => c >= 1);
  const penalty = Math.log10(Math.max(1, counts.length));
  let best = 0;
  let bestEps = Number.NaN;
  let bestShare = 0;
  for (const count of counts) {
    // `count` gaps besides the median lie within the count-th smallest deviation (index count)
    const d = dev[count] as number;
    if (d > o.maxTolerance) break;
    // coarse clocks (whole seconds on a 2 s beacon) cannot be judged finer than ±maxTolerance
    const eps = Math.min(o.maxTolerance, Math.max(floor, d));
    const q = onTimeProbability(eps, period, meanGap, o.maxMultiple);
    // a large effect: minLift × chance, or half the way from chance to every gap on time where
    // a coarse clock makes chance itself large
    if (count / n < Math.min(o.minLift * q, (1 + q) / 2)) continue;
    const ev = -log10BinomialTail(count, n, q) - penalty;
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
