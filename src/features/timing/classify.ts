/**
 * Strobe detection, the combined timing score and human-readable reasons.
 * Every threshold is in TIMING_THRESHOLDS; docs/SCORING-timing.md gives the reason for each.
 */
import type { GapStats } from './gaps.js';
import type { PeriodogramResult } from './periodogram.js';

export interface TimingThresholds {
  /** Fewer flows than this: no timing verdict (RITA's default unique_connection_threshold is 4). */
  minFlows: number;
  /**
   * A pair with at least this many flows per day of its span (whole day minimum) is a strobe
   * outright: 86 400 = one per second around the clock, RITA-style "very many connections".
   */
  strobeFlowsPerDay: number;
  /** ... or with a window of strobeWindowSeconds holding ≥ strobeRate flows per second. */
  strobeRate: number;
  strobeWindowSeconds: number;
  /** Gaps needed for full confidence; confidence = √min(1, gaps / this). */
  fullConfidenceGaps: number;
  /** MAD/median of the gaps at which the dispersion sub-score reaches 0 (Poisson gives 0.69). */
  dispersionZero: number;
  /** Share of gaps near the period or a multiple that scores 0 (Poisson gives ≈ 0.33)... */
  harmonicFloor: number;
  /** ... and the share that scores 1. */
  harmonicFull: number;
  /** Weights of the gap score: dispersion, harmonic share, symmetry (sum 1). */
  gapWeights: { dispersion: number; harmonic: number; skew: number };
  /** Periodogram p-value at or below which the period counts (with ACF confirmation). */
  alpha: number;
  /** The periodogram counts only with at least this many check-ins in its window. */
  spectralMinEvents: number;
  /** timingScore at or above which the pair is called periodic. */
  periodicScore: number;
  /** gapScore at or above which the period is read from the gaps (median gap). */
  gapPeriodicScore: number;
  /** Share of gaps at 2–4× the period above which missed check-ins are mentioned. */
  missedShare: number;
  /** Periodogram and gap period agree if within this relative difference. */
  periodAgreement: number;
  /**
   * With analyzeTiming's `periodogramWhen: 'needed'`, the periodogram is skipped when the gaps
   * alone reach this gapScore at full confidence (it could add at most (1 − gapScore)/2).
   */
  periodogramSkipGapScore: number;
  /**
   * Regularity evidence (decades, −log10 p under the Poisson null, see regularity.ts) at or above
   * which the check-ins are called periodic: 3 = less than one chance in a thousand for this pair.
   */
  regularEvidence: number;
}

export const TIMING_THRESHOLDS: Readonly<TimingThresholds> = Object.freeze({
  minFlows: 4,
  strobeFlowsPerDay: 86_400,
  strobeRate: 1,
  strobeWindowSeconds: 300,
  fullConfidenceGaps: 20,
  dispersionZero: 0.5,
  harmonicFloor: 0.35,
  harmonicFull: 0.8,
  gapWeights: Object.freeze({ dispersion: 0.4, harmonic: 0.4, skew: 0.2 }),
  alpha: 0.01,
  spectralMinEvents: 32,
  periodicScore: 0.6,
  gapPeriodicScore: 0.6,
  missedShare: 0.05,
  periodAgreement: 0.1,
  periodogramSkipGapScore: 0.9,
  regularEvidence: 3,
});

export interface StrobeResult {
  strobe: boolean;
  /** Most flows in any window of strobeWindowSeconds. */
  peakWindowFlows: number;
  /** peakWindowFlows / strobeWindowSeconds (flows per second), or flows/span for shorter pairs. */
  peakRate: number;
  /** Why it is a strobe ('count' | 'rate'), null if it is not. */
  by: 'count' | 'rate' | null;
}

/**
 * Strobe: flows ≥ strobeFlowsPerDay · max(1, span in days), or some window of strobeWindowSeconds with
 * ≥ strobeRate·strobeWindowSeconds flows (two pointers over sorted times, O(n)).
 * A pair shorter than the window is judged on its own span, but only once it holds a full window's
 * worth of flows, so five flows in two seconds are not a strobe.
 */
export function detectStrobe(ts: Float64Array, opts: Partial<TimingThresholds> = {}): StrobeResult {
  const o = { ...TIMING_THRESHOLDS, ...opts };
  const n = ts.length;
  const w = o.strobeWindowSeconds;
  const need = o.strobeRate * w;
  let best = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const t = ts[i] as number;
    while ((ts[j] as number) <= t - w) j++;
    const c = i - j + 1;
    if (c > best) best = c;
  }
  const span = n > 1 ? (ts[n - 1] as number) - (ts[0] as number) : 0;
  const peakRate = span >= w || span <= 0 ? best / w : best / span;
  if (n >= o.strobeFlowsPerDay * Math.max(1, span / 86_400))
    return { strobe: true, peakWindowFlows: best, peakRate, by: 'count' };
  if (n > 0 && best >= need) return { strobe: true, peakWindowFlows: best, peakRate, by: 'rate' };
  return { strobe: false, peakWindowFlows: best, peakRate, by: null };
}

export interface TimingComponents {
  /** 1 − (MAD/median)/dispersionZero, clamped to 0–1. */
  dispersion: number;
  /** (withinToleranceOrMultiple − floor)/(full − floor), clamped. */
  harmonic: number;
  /** 1 − |Bowley skew|. */
  skew: number;
  /** Weighted mean of the three above. */
  gapScore: number;
  /** 1 if the periodogram is significant (p ≤ alpha), ACF-confirmed and has ≥ spectralMinEvents, else 0. */
  spectral: number;
  /** √min(1, gaps/fullConfidenceGaps). */
  confidence: number;
}

export interface TimingVerdict {
  /** 0–1. */
  timingScore: number;
  components: TimingComponents;
  periodic: boolean;
  periodSeconds: number | null;
  periodSource: 'gaps' | 'periodogram' | 'both' | null;
}

/** Clamp to [0, 1]; NaN → 0. */
// biome-ignore lint/complexity/useMathMinMax: Math.max would let NaN through; a NaN ratio must score 0
const clamp01 = (v: number): number => (v > 1 ? 1 : v > 0 ? v : 0);

/**
 * timingScore = confidence · max(gapScore, (gapScore + spectral)/2), where
 *   gapScore = wd·dispersion + wh·harmonic + ws·skew (robust gap regularity), and
 *   spectral = 1 for a significant, ACF-confirmed periodogram line.
 * The max() lets either channel carry the score: regular gaps alone reach 1; a beacon whose gaps
 * are scrambled by other traffic still gets half-way from the periodogram, the rest from whatever
 * regularity its gaps keep. Confidence keeps a handful of flows from scoring like a day of beacons.
 */
export function combineTiming(
  gaps: GapStats,
  pg: PeriodogramResult | null,
  opts: Partial<TimingThresholds> = {},
): TimingVerdict {
  const o = { ...TIMING_THRESHOLDS, ...opts };
  const madm = gaps.madOverMedian;
  const dispersion = Number.isFinite(madm) ? clamp01(1 - madm / o.dispersionZero) : 0;
  const share = gaps.withinToleranceOrMultiple;
  const harmonic = Number.isFinite(share)
    ? clamp01((share - o.harmonicFloor) / Math.max(1e-9, o.harmonicFull - o.harmonicFloor))
    : 0;
  const skew = Number.isFinite(gaps.bowley) ? clamp01(1 - Math.abs(gaps.bowley)) : 0;
  const w = o.gapWeights;
  const wSum = w.dispersion + w.harmonic + w.skew;
  const gapScore =
    gaps.count > 0 ? (w.dispersion * dispersion + w.harmonic * harmonic + w.skew * skew) / wSum : 0;
  const spectral = pg && pg.pValue <= o.alpha && pg.confirmed && pg.events >= o.spectralMinEvents ? 1 : 0;
  const confidence = Math.sqrt(clamp01(gaps.count / Math.max(1, o.fullConfidenceGaps)));
  const timingScore = confidence * Math.max(gapScore, (gapScore + spectral) / 2);

  let periodSeconds: number | null = null;
  let periodSource: TimingVerdict['periodSource'] = null;
  const gapOk = gapScore >= o.gapPeriodicScore && gaps.period > 0;
  const agree =
    spectral > 0 &&
    pg !== null &&
    Math.abs(pg.periodSeconds - gaps.period) <= o.periodAgreement * gaps.period;
  if (gapOk) {
    // regular gaps are the better estimate: a jittered line in the spectrum is broad, and the
    // on-time cluster already keeps missed check-ins from doubling the period
    periodSeconds = gaps.period;
    periodSource = agree ? 'both' : 'gaps';
  } else if (spectral && pg) {
    periodSeconds = pg.periodSeconds;
    periodSource = 'periodogram';
  }
  return {
    timingScore,
    components: { dispersion, harmonic, skew, gapScore, spectral, confidence },
    periodic: periodSeconds !== null && timingScore >= o.periodicScore,
    periodSeconds,
    periodSource,
  };
}

// ---- formatting -------------------------------------------------------------------------------

/** 1402 → "1 402" (space as thousands separator, as in the findings' reasons). */
export function formatCount(n: number): string {
  const s = String(Math.round(n));
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Seconds for a period: "60 s", "2.5 s", "3600 s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '? s';
  if (s >= 10) return `${formatCount(s)} s`;
  if (s >= 1) return `${Number(s.toFixed(1))} s`;
  return `${Number(s.toPrecision(2))} s`;
}

/** A duration in the largest sensible unit: "45 s", "10 min", "23 h", "3.5 d". */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`;
  return `${Number((s / 86400).toFixed(1))} d`;
}

/** "p < 0.01", "p = 0.03". */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'p = ?';
  if (p < 0.001) return 'p < 0.001';
  if (p < 0.01) return 'p < 0.01';
  return `p = ${Number(p.toPrecision(2))}`;
}

export interface ReasonInput {
  flows: number;
  checkIns: number;
  merged: number;
  /** The collapse gap used (seconds), for the merge reason. */
  collapseGap: number;
  spanSeconds: number;
  gaps: GapStats;
  periodogram: PeriodogramResult | null;
  strobe: StrobeResult;
  verdict: TimingVerdict;
}

/** Human reasons, most telling first. */
export function timingReasons(r: ReasonInput, opts: Partial<TimingThresholds> = {}): string[] {
  const o = { ...TIMING_THRESHOLDS, ...opts };
  const out: string[] = [];
  if (r.flows < o.minFlows) {
    out.push(`only ${formatCount(r.flows)} flow${r.flows === 1 ? '' : 's'}: too few for timing analysis`);
    return out;
  }
  if (r.strobe.strobe) {
    out.push(
      r.strobe.by === 'count'
        ? `strobe: ${formatCount(r.flows)} connections over ${formatDuration(r.spanSeconds)}`
        : `strobe: up to ${Number(r.strobe.peakRate.toPrecision(2))} connections per second sustained ` +
            `(${formatCount(r.strobe.peakWindowFlows)} in ${formatDuration(o.strobeWindowSeconds)})`,
    );
  }
  const v = r.verdict;
  const g = r.gaps;
  if (v.periodSource === 'gaps' || v.periodSource === 'both') {
    const pm = Number.isFinite(g.spread) ? ` (± ${Math.round(g.spread * 100)} %)` : '';
    out.push(
      `check-ins every ${formatSeconds(g.period)}${pm}, ${formatCount(r.checkIns)} times over ${formatDuration(r.spanSeconds)}`,
    );
    if (g.multiples >= o.missedShare) {
      out.push(`${Math.round(g.multiples * 100)} % of gaps are 2–4 periods long (missed check-ins)`);
    }
  }
  const pg = r.periodogram;
  if (pg && v.components.spectral > 0) {
    out.push(`period ${formatSeconds(pg.periodSeconds)} found by periodogram (${formatP(pg.pValue)})`);
  } else if (pg && pg.pValue <= o.alpha && !pg.confirmed && v.periodSource === null && !r.strobe.strobe) {
    out.push(
      `periodogram line at ${formatSeconds(pg.periodSeconds)} (${formatP(pg.pValue)}) not confirmed by autocorrelation`,
    );
  }
  if (!v.periodic && !r.strobe.strobe && g.count > 0) {
    out.push(
      `irregular timing: median gap ${formatSeconds(g.median)}, MAD/median ${Number(g.madOverMedian.toFixed(2))}`,
    );
  }
  if (r.merged > 0) {
    out.push(
      `${formatCount(r.merged)} flows within ${formatSeconds(r.collapseGap)} of another merged into their check-ins`,
    );
  }
  return out;
}
