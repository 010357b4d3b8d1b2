import { MODEL_TIMING_FEATURES } from './feature-matrix.js';
import type { PairSeries } from './pair-features.js';
import { type AnalyzeTimingOptions, analyzeTiming, type TimingFeatures } from './timing/index.js';

/**
 * The timing features a finding lists (its `features`, beside the per-pair ones) and what each
 * means; the table in docs/FEATURES.md is made from this.
 */
export const TIMING_FEATURES = {
  check_ins: 'check-ins after merging flows of one burst',
  burst_gap_s: 'flows closer than this many seconds are one check-in (learned from the pair)',
  regularity_evidence: 'decades of evidence that the check-ins are regular (−log10 p under a Poisson null)',
  on_time_share: 'share of check-ins on the schedule, within the tolerance',
  on_time_tolerance: 'the tolerance, as a share of the period',
  gap_median_s: 'median gap between check-ins, seconds',
  gap_mad_s: 'median absolute deviation of the gaps, seconds',
  gap_bowley: "Bowley's skew of the gaps (−1…1)",
  period_s: 'best period estimate, seconds',
  periodogram_p: "the periodogram's permutation-test p-value",
  periodogram_confirmed: '1 when autocorrelation confirms the periodogram line',
  timing_score: '0–1 regularity of the check-ins (the models read it)',
  rita_score: 'RITA-style beacon score (0–1), the mean of the four below',
  rita_ts_score: "RITA's timestamp sub-score",
  rita_ds_score: "RITA's data-size sub-score",
  rita_hist_score: "RITA's hourly-histogram sub-score",
  rita_dur_score: "RITA's duration/coverage sub-score",
  strobe_peak_rate: 'highest flows per second in any strobe window',
} as const;

export type TimingFeatureName = keyof typeof TIMING_FEATURES;
/** Every timing feature of a pair; null where the analysis has no value. */
export type PairTimingFeatures = Record<TimingFeatureName, number | null>;

/** What the timing analysis says about one pair, reduced to what scoring and the findings need. */
export interface PairTiming {
  /** 0–1: how regular the check-ins are (the RITA-like gap score, kept for the models). */
  score: number;
  /** The timing analysis calls the pair periodic (gaps or a confirmed periodogram). */
  periodic: boolean;
  strobe: boolean;
  /** −log10 p of the check-ins' regularity under a Poisson null (features/timing/regularity.ts). */
  regularity: number;
  /** −log10 p of a significant, autocorrelation-confirmed periodogram line; 0 otherwise. */
  spectral: number;
  checkIns: number;
  /** Most flows in any strobe window (features/timing/classify.ts detectStrobe). */
  strobePeakFlows: number;
  /** Best period estimate (seconds), null when not periodic. */
  periodSeconds: number | null;
  reasons: string[];
  /** All of them, or only the models' (MODEL_TIMING_FEATURES) for a pair that cannot reach a finding. */
  features: Partial<PairTimingFeatures>;
}

const round = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;

/** Shared by every pair whose timing is kept without words (see timingOfSeries). */
const NO_REASONS: string[] = [];
Object.freeze(NO_REASONS);

/**
 * Timing analysis of one pair's sorted flows, reduced to what scoring and the findings need.
 * `window` is the dataset's time range, so coverage is measured against the whole hunt.
 * `couldMatter` false: the pair's score cannot reach a finding whatever its timing (the bound of
 * score-pairs' scoreUpperBound), so the periodogram is not run and, unless the pair strobes (the
 * one timing channel that bound leaves open), only the numbers the channels, the models and the
 * context read are kept — no reasons, no per-pair feature record beyond the models' columns. Most
 * pairs of a large hunt are such pairs; their full records would be most of the heap.
 */
export function timingOfSeries(
  series: PairSeries,
  window?: { start: number; end: number },
  couldMatter = true,
): PairTiming {
  const periodogram = couldMatter;
  // The periodogram only when the gaps alone are inconclusive: it costs ~50 ms a pair, and a hunt
  // has thousands of pairs whose gaps already settle the question.
  const options: AnalyzeTimingOptions = {
    periodogramWhen: 'needed',
    ...(periodogram ? {} : { periodogram: false }),
    ...(window ? { window } : {}),
  };
  const full = pairTimingOf(analyzeTiming(series.ts, series.sizes, options));
  if (!couldMatter && !full.strobe) {
    const features: Partial<PairTimingFeatures> = {};
    for (const name of MODEL_TIMING_FEATURES) features[name] = full.features[name] ?? null;
    return { ...full, reasons: NO_REASONS, features };
  }
  return full;
}

/** The whole timing analysis reduced to what scoring and the findings need. */
export function pairTimingOf(t: TimingFeatures): PairTiming {
  const pg = t.periodogram;
  return {
    score: t.timingScore,
    periodic: t.periodic,
    strobe: t.strobe.strobe,
    regularity: t.regularity.evidence,
    spectral: pg && t.components.spectral > 0 ? -Math.log10(Math.max(pg.pValue, 1e-12)) : 0,
    checkIns: t.checkIns,
    strobePeakFlows: t.strobe.peakWindowFlows,
    periodSeconds: t.periodSeconds,
    reasons: t.reasons,
    features: {
      check_ins: t.checkIns,
      burst_gap_s: round(t.collapseGap),
      regularity_evidence: round(t.regularity.evidence, 2),
      on_time_share: round(t.regularity.onTimeShare),
      on_time_tolerance: round(t.regularity.tolerance, 4),
      gap_median_s: round(t.gaps.median),
      gap_mad_s: round(t.gaps.mad),
      gap_bowley: round(t.gaps.bowley),
      period_s: round(t.periodSeconds),
      periodogram_p: round(t.periodogram?.pValue ?? null, 4),
      periodogram_confirmed: t.periodogram ? (t.periodogram.confirmed ? 1 : 0) : null,
      timing_score: round(t.timingScore),
      rita_score: round(t.rita.score),
      rita_ts_score: round(t.rita.ts?.score ?? null),
      rita_ds_score: round(t.rita.ds?.score ?? null),
      rita_hist_score: round(t.rita.hist.score),
      rita_dur_score: round(t.rita.dur.score),
      strobe_peak_rate: round(t.strobe.peakRate),
    },
  };
}
