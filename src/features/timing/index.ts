/**
 * Timing analysis of one host pair: gaps, periodogram, RITA-style sub-scores, strobe and a combined
 * 0–1 timing score with reasons. Pure: typed arrays in, a plain JSON-serialisable object out.
 *
 * Cost: expected O(n) in flows (quantiles by selection, no sorts), plus O(B log B · permutations) for
 * the periodogram with B ≤ 2^14 bins by default; allocations are a few typed arrays of n, never
 * per-flow objects. About 0.2–0.4 s of CPU for one pair with 10^6 flows.
 */

import { summarize } from '../../math/robust.js';
import {
  combineTiming,
  detectStrobe,
  type StrobeResult,
  TIMING_THRESHOLDS,
  type TimingComponents,
  type TimingThresholds,
  timingReasons,
} from './classify.js';
import {
  COLLAPSE_DEFAULTS,
  type CollapseOptions,
  collapseCheckIns,
  GAP_DEFAULTS,
  type GapStats,
  type GapStatsOptions,
  gapStatsFromSummary,
  interArrivalGaps,
  learnCollapse,
} from './gaps.js';
import { type PeriodogramOptions, type PeriodogramResult, periodogram } from './periodogram.js';
import { type Regularity, regularityEvidence, timestampResolution } from './regularity.js';
import {
  RITA_DEFAULTS,
  type RitaOptions,
  type RitaScores,
  ritaBeaconScore,
  ritaDataSizeScore,
  ritaDurationScore,
  ritaHistogram,
  ritaHistogramScore,
  ritaStatScore,
  ritaTimestampScore,
} from './rita.js';

export * from '../../math/robust.js';
export * from './classify.js';
export * from './fft.js';
export * from './gaps.js';
export * from './periodogram.js';
export * from './regularity.js';
export * from './rita.js';

export interface AnalyzeTimingOptions {
  /**
   * The dataset's time window (epoch seconds) for the RITA histogram and coverage. Default: the
   * pair's own first and last flow (coverage is then 1; pass the dataset window when you have it).
   */
  window?: { start: number; end: number };
  /** Check-in merging; `false` keeps every flow as its own event. */
  collapse?: Partial<CollapseOptions> | false;
  gaps?: Partial<GapStatsOptions>;
  /** `false` skips the periodogram (the most expensive step). */
  periodogram?: Partial<PeriodogramOptions> | false;
  /**
   * 'always' (default) runs the periodogram for every pair with enough flows. 'needed' skips it when
   * the gaps alone are conclusive (gapScore ≥ thresholds.periodogramSkipGapScore with 20+ gaps):
   * a clean heartbeat of 1 440 check-ins then costs ~0.1 ms instead of ~50 ms, for at most
   * (1 − gapScore)/2 of score. Use it when a hunt has thousands of regular pairs.
   */
  periodogramWhen?: 'always' | 'needed';
  rita?: Partial<RitaOptions>;
  thresholds?: Partial<TimingThresholds>;
}

export interface TimingFeatures {
  /** Flows given (finite timestamps). */
  flows: number;
  /** Events after merging near-simultaneous flows. */
  checkIns: number;
  /** Flows merged into an earlier flow's check-in. */
  mergedFlows: number;
  firstSeen: number;
  lastSeen: number;
  spanSeconds: number;
  strobe: StrobeResult;
  /** Statistics of the gaps between check-ins. */
  gaps: GapStats;
  /** How surprising the check-ins' regularity is under a Poisson null (see regularity.ts). */
  regularity: Regularity;
  /** The merge gap used for check-ins (seconds): the default or the pair's learned burst break. */
  collapseGap: number;
  periodogram: PeriodogramResult | null;
  /** RITA-style sub-scores and their weighted mean. */
  rita: RitaScores;
  /** Combined 0–1 timing score (see classify.combineTiming). */
  timingScore: number;
  components: TimingComponents;
  periodic: boolean;
  /**
   * Best period estimate in seconds: the gaps' on-time period (gaps.period) when the gaps are
   * regular, else the periodogram's confirmed period, else null.
   */
  periodSeconds: number | null;
  periodSource: 'gaps' | 'periodogram' | 'both' | null;
  reasons: string[];
}

/** Sorted, finite view of ts: the input itself when it already is (the normal case, no copy). */
function cleanTimestamps(ts: Float64Array): Float64Array {
  let sorted = true;
  let finite = true;
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i] as number;
    if (!Number.isFinite(t)) {
      finite = false;
      break;
    }
    if (t < prev) sorted = false;
    prev = t;
  }
  if (sorted && finite) return ts;
  const out = finite ? Float64Array.from(ts) : ts.filter((t) => Number.isFinite(t));
  out.sort();
  return out;
}

/**
 * Analyse one pair. `ts`: flow start times, epoch seconds (sorted ascending is expected; unsorted or
 * non-finite input is copied, cleaned and sorted, the input is never modified). `bytes`: per-flow
 * byte counts for the data-size score (only their distribution is used, so order does not matter);
 * omit to drop that sub-score.
 */
export function analyzeTiming(
  ts: Float64Array,
  bytes?: Float64Array,
  opts: AnalyzeTimingOptions = {},
): TimingFeatures {
  const th = { ...TIMING_THRESHOLDS, ...opts.thresholds };
  const gapOpts = { ...GAP_DEFAULTS, ...opts.gaps };
  const ritaOpts = { ...RITA_DEFAULTS, ...opts.rita };
  const t = cleanTimestamps(ts);
  const n = t.length;
  const first = n > 0 ? (t[0] as number) : Number.NaN;
  const last = n > 0 ? (t[n - 1] as number) : Number.NaN;
  const span = n > 1 ? last - first : 0;

  const strobe = detectStrobe(t, th);

  // Without explicit options the burst break is learned from the pair's own gaps.
  const collapseOpts =
    opts.collapse === false
      ? { collapseGap: 0 }
      : opts.collapse
        ? { ...COLLAPSE_DEFAULTS, ...opts.collapse }
        : learnCollapse(t);
  const collapsed = collapseCheckIns(t, collapseOpts);
  // A strobe whose "check-ins" are mostly slices cut by the span limit is continuous traffic:
  // chaining it would invent a regular multi-second beacon, so its flows stay separate. A strobe
  // of real bursts (a refused connect retried 3× every 2 s) keeps its check-ins.
  const sliced = strobe.strobe && collapsed.capped * 2 > collapsed.times.length;
  const { times, merged } = sliced ? { times: t, merged: 0 } : collapsed;

  const gaps = interArrivalGaps(times);
  const scratch = new Float64Array(Math.max(gaps.length, bytes?.length ?? 0));
  const gapSummary = summarize(gaps, gapOpts.trimAlpha, scratch);
  const gapStats = gapStatsFromSummary(gaps, gapSummary, gapOpts, scratch);
  const regularity =
    n >= th.minFlows
      ? regularityEvidence(gaps, gapStats.period, { resolution: timestampResolution(t) })
      : { evidence: 0, tolerance: Number.NaN, onTimeShare: 0, gaps: gaps.length };

  // RITA drops zero gaps (flows in the same whole second); our check-ins already merge flows < 1 s
  // apart, the fractional-time version of that, so the check-in gaps' summary is reused.
  const ritaTs =
    gapSummary.n >= 3 && gapSummary.min > 0
      ? ritaStatScore(gapSummary, 1, ritaOpts)
      : ritaTimestampScore(gaps, ritaOpts);
  const ritaDs = bytes && bytes.length >= 3 ? ritaDataSizeScore(bytes, ritaOpts, scratch) : null;
  const wStart = opts.window?.start ?? first;
  const wEnd = opts.window?.end ?? last;
  const histogram = ritaHistogram(t, wStart, wEnd, ritaOpts);
  const hist = ritaHistogramScore(histogram, ritaOpts);
  const dur = ritaDurationScore(first, last, wStart, wEnd, histogram, ritaOpts);
  const rita: RitaScores = {
    score: ritaBeaconScore(
      {
        ts: ritaTs?.score ?? null,
        ds: ritaDs?.score ?? null,
        hist: n > 0 ? hist.score : null,
        dur: n > 0 ? dur.score : null,
      },
      ritaOpts.weights,
    ),
    ts: ritaTs,
    ds: ritaDs,
    hist,
    dur,
    histogram,
  };

  const gapsConclusive = (): boolean => {
    const c = combineTiming(gapStats, null, th).components;
    return c.confidence >= 1 && c.gapScore >= th.periodogramSkipGapScore;
  };
  // 'needed' also skips pairs with too few check-ins for the spectral channel to count at all.
  const pgUseless = () => times.length < th.spectralMinEvents || gapsConclusive();
  const pg =
    opts.periodogram === false || n < th.minFlows || (opts.periodogramWhen === 'needed' && pgUseless())
      ? null
      : periodogram(
          times,
          gapStats.period > 0 ? gapStats.period : gapStats.median, // bins: the on-time period resists missed check-ins
          opts.periodogram ?? {},
        );

  let verdict = combineTiming(gapStats, pg, th);
  if (regularity.evidence >= th.regularEvidence && gapStats.period > 0) {
    // gaps this regular are a schedule whatever the score's ramps say: few check-ins weigh less
    // through the null model's probability, not through a flat confidence ramp
    verdict = {
      ...verdict,
      periodic: true,
      periodSeconds: verdict.periodSeconds ?? gapStats.period,
      periodSource: verdict.periodSource ?? 'gaps',
    };
  }
  if (n < th.minFlows)
    verdict = { ...verdict, timingScore: 0, periodic: false, periodSeconds: null, periodSource: null };

  const reasons = timingReasons(
    {
      flows: n,
      checkIns: times.length,
      merged,
      collapseGap: opts.collapse === false ? 0 : collapseOpts.collapseGap,
      spanSeconds: span,
      gaps: gapStats,
      periodogram: pg,
      strobe,
      verdict,
    },
    th,
  );

  return {
    flows: n,
    checkIns: times.length,
    mergedFlows: merged,
    firstSeen: first,
    lastSeen: last,
    spanSeconds: span,
    strobe,
    gaps: gapStats,
    regularity,
    collapseGap: opts.collapse === false ? 0 : collapseOpts.collapseGap,
    periodogram: pg,
    rita,
    timingScore: verdict.timingScore,
    components: verdict.components,
    periodic: verdict.periodic,
    periodSeconds: verdict.periodSeconds,
    periodSource: verdict.periodSource,
    reasons,
  };
}
