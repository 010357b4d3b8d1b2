/**
 * Periodicity by periodogram, permutation significance and autocorrelation confirmation
 * (the BAYWATCH recipe: Hu et al./Tang et al., "BAYWATCH: robust beaconing detection", DSN 2016).
 *
 * Why a spectrum: the gap statistics see one gap at a time, so a beacon whose check-ins are buried
 * among other flows of the same pair (browsing to the same CDN IP) or that misses many check-ins
 * shows no regular gap at all; its check-ins still line up on a time grid, which the spectrum of the
 * binned counts finds. Why permutations: the maximum of a periodogram of N/2 frequencies is large
 * even for noise (≈ ln N times the mean), so a fixed threshold would be wrong for every size; the
 * shuffled series have the same counts but no time order, so they give the null distribution of the
 * maximum for exactly this series. Why the ACF: a single spectral line can come from a burst or from
 * leakage of low-frequency clustering; a real period also makes the autocorrelation peak at lag P
 * and dip at P/2.
 */
import { uniformFloat64Fast, seededRng, type Rng } from './rng.js';
import { autocorrelation, nextPowerOfTwo, realPowerSpectrum, twoRealPowerSpectra } from './fft.js';

export interface PeriodogramOptions {
  /** Bins per median gap. Default 4: the period sits at ¼ of the Nyquist frequency, with room for jitter. */
  binsPerGap: number;
  /** When the span is too long for maxBins, bins may widen down to this many per median gap. Default 3. */
  minBinsPerGap: number;
  /** Upper bound on the number of bins (memory and FFT size). Default 2^16. */
  maxBins: number;
  /** Narrowest bin in seconds. Default 1 s: many logs carry whole seconds, finer bins only add noise. */
  minBinSeconds: number;
  /** Longest period searched = window / minCycles. Default 3: fewer repeats are not a period. */
  minCycles: number;
  /** Fewer events than this → no periodogram (null). Default 8. */
  minEvents: number;
  /** Permutations for the p-value. Default 199: p can reach 0.005, so "p < 0.01" is reportable. */
  permutations: number;
  /**
   * Stop permuting once this many shuffles reach the observed maximum (Besag–Clifford sequential
   * p-value, p = h / done). Default 10: p is then ≥ ~0.05 anyway; saves work on non-periodic pairs.
   */
  earlyStopExceed: number;
  /** PRNG seed (xoroshiro128+ from pure-rand); same input + seed → same p-value. */
  seed: number;
  /**
   * A sub-harmonic f/m (m ≤ maxSubharmonic) with at least this share of the peak power replaces the
   * peak. Default 0.5: a sharp pulse train has equal power at every harmonic and the strongest line
   * may be 2f or 3f; the fundamental is the period we want to report.
   */
  subharmonicRatio: number;
  maxSubharmonic: number;
  /** The ACF peak is searched within lag·(1 ± acfTolerance). Default 0.1. */
  acfTolerance: number;
  /** Minimum ACF at the period (and minimum height above the ACF at P/2). Default 0.1. */
  acfMin: number;
  /**
   * The ACF must also exceed acfNoiseMultiple/√bins (≈ 3 standard errors of a white-noise ACF).
   * Default 3: with 93 bins (hourly beacon over a day) that is 0.31, with 10 000 bins it is acfMin.
   */
  acfNoiseMultiple: number;
}

export const PERIODOGRAM_DEFAULTS: Readonly<PeriodogramOptions> = Object.freeze({
  binsPerGap: 4,
  minBinsPerGap: 3,
  maxBins: 1 << 16,
  minBinSeconds: 1,
  minCycles: 3,
  minEvents: 8,
  permutations: 199,
  earlyStopExceed: 10,
  seed: 0x5eed,
  subharmonicRatio: 0.5,
  maxSubharmonic: 4,
  acfTolerance: 0.1,
  acfMin: 0.1,
  acfNoiseMultiple: 3,
});

export interface Binning {
  start: number;
  binSeconds: number;
  bins: number;
  /** True when the span needed more than maxBins bins and only [start, start + bins·binSeconds) is used. */
  windowed: boolean;
}

/**
 * Bin width from the median gap and the span: binsPerGap bins per gap; if that needs more than
 * maxBins, widen bins up to gap/minBinsPerGap; if still too many, keep that width and analyse the
 * first maxBins bins only (a window of tens of thousands of periods is plenty).
 */
export function chooseBinning(
  first: number,
  last: number,
  medianGap: number,
  opts: Partial<PeriodogramOptions> = {},
): Binning {
  const o = { ...PERIODOGRAM_DEFAULTS, ...opts };
  const span = Math.max(0, last - first);
  const maxBins = Math.max(8, Math.floor(o.maxBins));
  let b = medianGap > 0 ? Math.max(o.minBinSeconds, medianGap / o.binsPerGap) : 0;
  if (!(b > 0)) b = Math.max(o.minBinSeconds, span / (maxBins - 1));
  let bins = Math.floor(span / b) + 1;
  let windowed = false;
  if (bins > maxBins) {
    const cover = span / (maxBins - 1);
    const widest = medianGap > 0 ? Math.max(o.minBinSeconds, medianGap / o.minBinsPerGap) : cover;
    if (cover <= widest) {
      b = cover;
      bins = Math.min(maxBins, Math.floor(span / b) + 1);
    } else {
      b = widest;
      bins = maxBins;
      windowed = true;
    }
  }
  return { start: first, binSeconds: b, bins, windowed };
}

/** Event counts per bin; events outside [start, start + bins·binSeconds) are ignored. */
export function binCounts(ts: Float64Array, binning: Binning): Float64Array {
  const { start, binSeconds, bins } = binning;
  const counts = new Float64Array(bins);
  for (let i = 0; i < ts.length; i++) {
    const k = Math.floor(((ts[i] as number) - start) / binSeconds);
    if (k >= 0 && k < bins) counts[k] = (counts[k] as number) + 1;
  }
  return counts;
}

export interface SpectrumPeak {
  /** FFT index of the chosen peak (after the sub-harmonic check) in the padded spectrum. */
  index: number;
  /** Interpolated index (parabolic vertex), used for the period. */
  refinedIndex: number;
  /** Normalised power at the chosen peak (white noise has mean 1). */
  power: number;
  /** Largest normalised power in the searched band (the test statistic). */
  maxPower: number;
  periodSeconds: number;
}

export interface PeriodogramResult {
  /** Strongest period in seconds (the fundamental, see subharmonicRatio). */
  periodSeconds: number;
  /** Normalised power of that line: |X_k|² / Σx², 1 = white-noise level. */
  power: number;
  /** Permutation p-value of the band maximum: (1 + exceed)/(1 + done), or exceed/done if stopped early. */
  pValue: number;
  /** Autocorrelation at the best lag within period·(1 ± acfTolerance). */
  acf: number;
  /** ACF at half the period (the trough a real period makes). */
  acfValley: number;
  /** ACF threshold used (max(acfMin, acfNoiseMultiple/√bins)). */
  acfThreshold: number;
  /** ACF is a local peak near the period, ≥ threshold, and ≥ acfMin above the P/2 trough. */
  confirmed: boolean;
  maxPower: number;
  permutationsRun: number;
  exceed: number;
  binSeconds: number;
  bins: number;
  fftSize: number;
  windowed: boolean;
  /** Events inside the analysed window. */
  events: number;
}

/** Mean-removed copy and its sum of squares. */
function center(counts: Float64Array): { x: Float64Array; ss: number } {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i] as number;
  const mean = sum / counts.length;
  const x = new Float64Array(counts.length);
  let ss = 0;
  for (let i = 0; i < counts.length; i++) {
    const v = (counts[i] as number) - mean;
    x[i] = v;
    ss += v * v;
  }
  return { x, ss };
}

/** Searched FFT-index band: periods from 2 bins up to bins/minCycles. */
export function searchBand(bins: number, fftSize: number, minCycles: number): [number, number] {
  const kMin = Math.max(1, Math.ceil((minCycles * fftSize) / bins));
  const kMax = fftSize >>> 1;
  return [kMin, kMax];
}

function bandMax(power: Float64Array, kMin: number, kMax: number): number {
  let m = 0;
  for (let k = kMin; k <= kMax; k++) {
    const p = power[k] as number;
    if (p > m) m = p;
  }
  return m;
}

/**
 * Strongest line of a normalised spectrum within [kMin, kMax], moved to a sub-harmonic when that
 * carries ≥ subharmonicRatio of its power, with a parabolic refinement of the index.
 */
export function strongestPeak(
  power: Float64Array,
  kMin: number,
  kMax: number,
  fftSize: number,
  bins: number,
  binSeconds: number,
  opts: Partial<PeriodogramOptions> = {},
): SpectrumPeak | null {
  const o = { ...PERIODOGRAM_DEFAULTS, ...opts };
  if (kMax < kMin) return null;
  let best = kMin;
  for (let k = kMin + 1; k <= kMax; k++) if ((power[k] as number) > (power[best] as number)) best = k;
  const maxPower = power[best] as number;
  let chosen = best;
  const radius = Math.max(1, Math.round(fftSize / bins)); // one natural frequency bin in padded units
  for (let m = Math.floor(o.maxSubharmonic); m >= 2; m--) {
    const c = best / m;
    const lo = Math.max(kMin, Math.floor(c - radius));
    const hi = Math.min(kMax, Math.ceil(c + radius));
    if (hi < lo) continue;
    let arg = lo;
    for (let k = lo + 1; k <= hi; k++) if ((power[k] as number) > (power[arg] as number)) arg = k;
    if ((power[arg] as number) >= o.subharmonicRatio * maxPower) {
      chosen = arg;
      break;
    }
  }
  let refined = chosen;
  if (chosen > kMin && chosen < kMax) {
    const a = power[chosen - 1] as number;
    const b = power[chosen] as number;
    const c = power[chosen + 1] as number;
    const den = a - 2 * b + c;
    if (den < 0) {
      const d = (0.5 * (a - c)) / den;
      if (Math.abs(d) <= 0.5) refined = chosen + d;
    }
  }
  return {
    index: chosen,
    refinedIndex: refined,
    power: power[chosen] as number,
    maxPower,
    periodSeconds: (fftSize * binSeconds) / refined,
  };
}

/** Fisher–Yates shuffle in place (32-bit uniforms: bias < n/2³², irrelevant for n ≤ 2^16). */
export function shuffleInPlace(a: Float64Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(uniformFloat64Fast(rng) * (i + 1));
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
}

/**
 * Permutation p-value of the band maximum of the normalised periodogram of x (mean-removed).
 * Shuffling keeps every count and destroys only the order in time, which is what periodicity is.
 */
export function permutationPValue(
  x: Float64Array,
  ss: number,
  observedMax: number,
  fftSize: number,
  kMin: number,
  kMax: number,
  opts: Partial<PeriodogramOptions> = {},
): { pValue: number; done: number; exceed: number } {
  const o = { ...PERIODOGRAM_DEFAULTS, ...opts };
  const total = Math.max(0, Math.floor(o.permutations));
  if (total === 0 || !(ss > 0)) return { pValue: Number.NaN, done: 0, exceed: 0 };
  const rng = seededRng(o.seed);
  const px = Float64Array.from(x);
  const py = Float64Array.from(x);
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const half = (fftSize >>> 1) + 1;
  const sx = new Float64Array(half);
  const sy = new Float64Array(half);
  const threshold = observedMax * ss; // compare un-normalised powers
  let done = 0;
  let exceed = 0;
  while (done < total) {
    shuffleInPlace(px, rng);
    const pair = done + 1 < total;
    if (pair) shuffleInPlace(py, rng);
    twoRealPowerSpectra(px, pair ? py : EMPTY, fftSize, re, im, sx, sy);
    done++;
    if (bandMax(sx, kMin, kMax) >= threshold) exceed++;
    if (pair) {
      done++;
      if (bandMax(sy, kMin, kMax) >= threshold) exceed++;
    }
    if (exceed >= o.earlyStopExceed) return { pValue: exceed / done, done, exceed };
  }
  return { pValue: (exceed + 1) / (done + 1), done, exceed };
}

const EMPTY = new Float64Array(0);

export interface AcfCheck {
  acf: number;
  valley: number;
  threshold: number;
  confirmed: boolean;
  lag: number;
}

/**
 * Confirm a period (in bins, may be fractional) on the autocorrelation of x: the best ACF within
 * lag·(1 ± tol) must be a local maximum, reach the threshold, and stand acfMin above the ACF at
 * lag/2 (a real period makes a trough halfway; slow clustering instead decays monotonically).
 */
export function confirmByAcf(x: Float64Array, lagBins: number, opts: Partial<PeriodogramOptions> = {}): AcfCheck {
  const o = { ...PERIODOGRAM_DEFAULTS, ...opts };
  const n = x.length;
  const threshold = Math.max(o.acfMin, o.acfNoiseMultiple / Math.sqrt(Math.max(1, n)));
  const lo = Math.max(1, Math.min(Math.floor(lagBins * (1 - o.acfTolerance)), Math.round(lagBins) - 1));
  const hi = Math.max(Math.ceil(lagBins * (1 + o.acfTolerance)), Math.round(lagBins) + 1);
  const none = { acf: Number.NaN, valley: Number.NaN, threshold, confirmed: false, lag: Number.NaN };
  if (!(lagBins >= 2) || hi >= n) return none;
  const r = autocorrelation(x, hi + 1);
  let best = lo;
  for (let l = lo + 1; l <= hi; l++) if ((r[l] as number) > (r[best] as number)) best = l;
  const acf = r[best] as number;
  const left = r[best - 1] as number;
  const right = best + 1 < r.length ? (r[best + 1] as number) : Number.NEGATIVE_INFINITY;
  const isPeak = acf >= left && acf >= right;
  const vLag = Math.max(1, Math.round(lagBins / 2));
  const valley = vLag < best ? (r[vLag] as number) : Number.NaN;
  const confirmed = isPeak && acf >= threshold && valley === valley && acf - valley >= o.acfMin;
  return { acf, valley, threshold, confirmed, lag: best };
}

/**
 * Full periodogram analysis of event times (sorted; check-ins after collapsing, ideally).
 * `medianGap` sets the bin width; pass NaN/0 to derive bins from the span alone.
 * Returns null when there are too few events or no span.
 */
export function periodogram(
  ts: Float64Array,
  medianGap: number,
  opts: Partial<PeriodogramOptions> = {},
): PeriodogramResult | null {
  const o = { ...PERIODOGRAM_DEFAULTS, ...opts };
  const n = ts.length;
  if (n < o.minEvents) return null;
  const first = ts[0] as number;
  const last = ts[n - 1] as number;
  if (!(last > first)) return null;
  const binning = chooseBinning(first, last, medianGap, o);
  if (binning.bins < 8) return null;
  const counts = binCounts(ts, binning);
  let events = 0;
  for (let i = 0; i < counts.length; i++) events += counts[i] as number;
  if (events < o.minEvents) return null;
  const { x, ss } = center(counts);
  if (!(ss > 0)) return null;
  const fftSize = nextPowerOfTwo(binning.bins);
  const [kMin, kMax] = searchBand(binning.bins, fftSize, o.minCycles);
  const raw = realPowerSpectrum(x, fftSize);
  const power = new Float64Array(raw.length);
  for (let k = 0; k < raw.length; k++) power[k] = (raw[k] as number) / ss;
  const peak = strongestPeak(power, kMin, kMax, fftSize, binning.bins, binning.binSeconds, o);
  if (!peak) return null;
  const perm = permutationPValue(x, ss, peak.maxPower, fftSize, kMin, kMax, o);
  const acf = confirmByAcf(x, peak.periodSeconds / binning.binSeconds, o);
  return {
    periodSeconds: peak.periodSeconds,
    power: peak.power,
    pValue: perm.pValue,
    acf: acf.acf,
    acfValley: acf.valley,
    acfThreshold: acf.threshold,
    confirmed: acf.confirmed,
    maxPower: peak.maxPower,
    permutationsRun: perm.done,
    exceed: perm.exceed,
    binSeconds: binning.binSeconds,
    bins: binning.bins,
    fftSize,
    windowed: binning.windowed,
    events,
  };
}
