/**
 * Periodicity by periodogram, permutation significance and autocorrelation confirmation
 * (the BAYWATCH recipe, "BAYWATCH: Robust Beaconing Detection to Identify Infected Hosts in
 * Large-Scale Enterprise Networks", DSN 2016).
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

import { type Rng, seededRng, uniformFloat64Fast } from '../../math/random.js';
import { autocorrelation, nextPowerOfTwo, realPowerSpectrum, twoRealPowerSpectra } from './fft.js';

export interface PeriodogramOptions {
  /**
   * Bins per typical gap (the caller passes the gaps' on-time period). Default 4: the period then
   * sits at ¼ of the Nyquist frequency, with room for jitter.
   */
  binsPerGap: number;
  /** When the span is too long for maxBins, bins may widen down to this many per typical gap. Default 3. */
  minBinsPerGap: number;
  /**
   * Upper bound on the number of bins (memory and FFT size). Default 2^14: the permutation test
   * runs ~100 FFTs of this size, ≈ 0.1 s at 2^14 and ≈ 0.4 s at 2^16; 16 384 bins at 4 per period
   * still hold 4 000 periods, far more than detection needs.
   */
  maxBins: number;
  /** Narrowest bin in seconds. Default 1 s: many logs carry whole seconds, finer bins only add noise. */
  minBinSeconds: number;
  /** Longest period searched = window / minCycles. Default 3: fewer repeats are not a period. */
  minCycles: number;
  /** Fewer events than this → no periodogram (null). Default 8. */
  minEvents: number;
  /**
   * Spectral smoothing scales, as relative half-widths of a moving average (k·(1 ± q)); 0 = raw.
   * Default [0, 0.05]. Why two: a clean beacon is one sharp line (raw is best), but jitter blurs the
   * line into a bump of relative half-width ≈ π·CV² of the gaps (≈ 11 % for Cobalt Strike at 50 %),
   * whose single highest ordinate is a lottery; the average over the bump is not. Each scale gets a
   * permutation p-value and the smallest wins, calibrated exactly by the min-p permutation method.
   */
  smoothing: readonly number[];
  /**
   * The ACF check runs on counts re-binned so that one candidate period spans about this many bins.
   * Default 8: fine bins spread a jittered check-in over dozens of lags and its ACF peak vanishes;
   * at ~8 bins per period a ±30 % jitter stays within a few lags.
   */
  acfBinsPerPeriod: number;
  /** Permutations when a candidate passes the ACF check. Default 199: p reaches 0.005 ("p < 0.01"). */
  permutations: number;
  /**
   * Permutations when no candidate passes the ACF check. Default 19: the line cannot count then,
   * whatever its p-value, so a coarse p (≥ 0.05) is reported and the time saved.
   */
  unconfirmedPermutations: number;
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
   * The ACF must also exceed acfNoiseMultiple standard errors (Bartlett's formula, which widens for
   * clustered traffic). Default 3: with 93 white bins that is 0.31, with 10 000 it is acfMin.
   */
  acfNoiseMultiple: number;
}

export const PERIODOGRAM_DEFAULTS: Readonly<PeriodogramOptions> = Object.freeze({
  binsPerGap: 4,
  minBinsPerGap: 3,
  maxBins: 1 << 14,
  minBinSeconds: 1,
  minCycles: 3,
  minEvents: 8,
  smoothing: Object.freeze([0, 0.05]),
  acfBinsPerPeriod: 8,
  permutations: 199,
  unconfirmedPermutations: 19,
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
  /**
   * True when the span needed more than maxBins bins and only the most recent bins·binSeconds are
   * used (what a hunt asks is whether the C2 is talking now).
   */
  windowed: boolean;
}

/**
 * Bin width from the typical gap and the span: binsPerGap bins per gap; if that needs more than
 * maxBins, widen bins up to gap/minBinsPerGap; if still too many, keep that width and analyse the
 * last maxBins bins only (thousands of periods are plenty).
 */
export function chooseBinning(
  first: number,
  last: number,
  typicalGap: number,
  opts: Partial<PeriodogramOptions> = {},
): Binning {
  const o = { ...PERIODOGRAM_DEFAULTS, ...opts };
  const span = Math.max(0, last - first);
  const maxBins = Math.max(8, Math.floor(o.maxBins));
  let b = typicalGap > 0 ? Math.max(o.minBinSeconds, typicalGap / o.binsPerGap) : 0;
  if (!(b > 0)) b = Math.max(o.minBinSeconds, span / (maxBins - 1));
  let bins = Math.floor(span / b) + 1;
  let windowed = false;
  if (bins > maxBins) {
    const cover = span / (maxBins - 1);
    const widest = typicalGap > 0 ? Math.max(o.minBinSeconds, typicalGap / o.minBinsPerGap) : cover;
    if (cover <= widest) {
      b = cover;
      bins = Math.min(maxBins, Math.floor(span / b) + 1);
    } else {
      b = widest;
      bins = maxBins;
      windowed = true;
      return { start: last - (bins - 1) * b - b / 2, binSeconds: b, bins, windowed };
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
  /** Spectrum value at the chosen peak. */
  power: number;
  /** Largest value in the searched band (the test statistic of this scale). */
  maxPower: number;
  periodSeconds: number;
}

export interface PeriodogramResult {
  /** Strongest period in seconds (the fundamental, see subharmonicRatio). */
  periodSeconds: number;
  /** Normalised periodogram ordinate at the period: |X_k|² / Σx² (white noise has mean 1). */
  power: number;
  /** Spectrum scale that gave the smallest p-value: 'raw' or 'smoothed ±5 %'. */
  scale: string;
  /** Min-p permutation p-value over the scales: share of the N + 1 series (observed included) whose
   * smallest per-scale p is ≤ the observed one; never 0, resolution 1/(N + 1). */
  pValue: number;
  /** Autocorrelation at the best lag within period·(1 ± acfTolerance). */
  acf: number;
  /** ACF at half the period (the trough a real period makes). */
  acfValley: number;
  /** ACF threshold used: max(acfMin, acfNoiseMultiple · Bartlett standard error). */
  acfThreshold: number;
  /**
   * ACF (on counts re-binned to ~acfBinsPerPeriod bins per period) is a local peak near the period,
   * ≥ threshold, ≥ acfMin above a negative P/2 trough, and repeats at 2P (see confirmByAcf).
   */
  confirmed: boolean;
  /** Largest raw normalised power in the band. */
  maxPower: number;
  permutationsRun: number;
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

/**
 * Normalised periodogram of a series: mean removed, zero-padded to fftSize, |X_k|² / Σ(x − x̄)² for
 * k = 0..fftSize/2. White noise has mean 1 at every k, whatever the series' scale or length.
 */
export function normalisedPeriodogram(series: Float64Array, fftSize: number): Float64Array {
  const { x, ss } = center(series);
  const p = realPowerSpectrum(x, fftSize);
  if (ss > 0) for (let k = 0; k < p.length; k++) p[k] = (p[k] as number) / ss;
  return p;
}

/** Searched FFT-index band: periods from 2 bins up to bins/minCycles. */
export function searchBand(bins: number, fftSize: number, minCycles: number): [number, number] {
  const kMin = Math.max(1, Math.ceil((minCycles * fftSize) / bins));
  const kMax = fftSize >>> 1;
  return [kMin, kMax];
}

/**
 * Constant-Q smoothing, standardised: with m = 2h + 1 ordinates around k (h = round(q·k), ≥ 1),
 * out[k] = (mean of p over the m ordinates − 1) · √(m / padding). Under white noise each normalised
 * ordinate has mean 1 and variance 1, and zero padding by `padding` makes neighbours correlated, so
 * out[k] is roughly a z-score at every k: without the √m factor the narrow low-frequency windows
 * would own the band maximum. q = 0 copies p unchanged. `prefix` is scratch of length p.length + 1.
 */
export function smoothSpectrum(
  p: Float64Array,
  q: number,
  out: Float64Array,
  prefix: Float64Array,
  padding = 1,
): void {
  const n = p.length;
  if (!(q > 0)) {
    out.set(p);
    return;
  }
  prefix[0] = 0;
  for (let k = 0; k < n; k++) prefix[k + 1] = (prefix[k] as number) + (p[k] as number);
  const { lo, hi, scale } = smoothingTables(n, q, padding);
  for (let k = 0; k < n; k++) {
    const a = lo[k] as number;
    const b = hi[k] as number;
    out[k] = (((prefix[b + 1] as number) - (prefix[a] as number)) / (b - a + 1) - 1) * (scale[k] as number);
  }
}

interface SmoothingTables {
  lo: Int32Array;
  hi: Int32Array;
  scale: Float64Array;
}
const smoothingCache = new Map<string, SmoothingTables>();

/** Window bounds and √(m/padding) per ordinate; they depend only on (length, q, padding): cached. */
function smoothingTables(n: number, q: number, padding: number): SmoothingTables {
  const key = `${n}:${q}:${padding}`;
  let t = smoothingCache.get(key);
  if (t) return t;
  const pad = Math.max(1, padding);
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const scale = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const h = Math.max(1, Math.round(q * k));
    const a = Math.max(0, k - h);
    const b = Math.min(n - 1, k + h);
    lo[k] = a;
    hi[k] = b;
    scale[k] = Math.sqrt((b - a + 1) / pad);
  }
  t = { lo, hi, scale };
  if (smoothingCache.size > 16) smoothingCache.clear();
  smoothingCache.set(key, t);
  return t;
}

function bandMax(power: Float64Array, kMin: number, kMax: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let k = kMin; k <= kMax; k++) {
    const p = power[k] as number;
    if (p > m) m = p;
  }
  return m;
}

/**
 * Strongest line of a spectrum within [kMin, kMax], moved to a sub-harmonic when that carries
 * ≥ subharmonicRatio of its power, with a parabolic refinement of the index.
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

/** Name of a smoothing scale for reports: 'raw' or 'smoothed ±5 %'. */
export function scaleName(q: number): string {
  return q > 0 ? `smoothed ±${Math.round(q * 100)} %` : 'raw';
}

/** Scale q of spectrum p: p itself for q = 0, else the standardised smoothing written into out. */
export function applyScale(
  q: number,
  p: Float64Array,
  out: Float64Array,
  prefix: Float64Array,
  padding: number,
): Float64Array {
  if (!(q > 0)) return p;
  smoothSpectrum(p, q, out, prefix, padding);
  return out;
}

/**
 * Band maxima of the permuted series' spectra, one row per permutation, one column per scale
 * (normalised by ss like the observed spectrum). Shuffling keeps every count and destroys only the
 * order in time, which is what periodicity is.
 */
export function permutationMaxima(
  x: Float64Array,
  ss: number,
  fftSize: number,
  kMin: number,
  kMax: number,
  scales: readonly number[],
  permutations: number,
  seed: number,
  padding = 1,
): Float64Array[] {
  const total = Math.max(0, Math.floor(permutations));
  const rows: Float64Array[] = [];
  if (total === 0 || !(ss > 0)) return rows;
  const permuter = new Permuter(x, seededRng(seed));
  const px = new Float64Array(x.length);
  const py = new Float64Array(x.length);
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const half = (fftSize >>> 1) + 1;
  const sx = new Float64Array(half);
  const sy = new Float64Array(half);
  const sm = new Float64Array(half);
  const prefix = new Float64Array(half + 1);
  const inv = 1 / ss;
  const row = (spec: Float64Array): Float64Array => {
    for (let k = 0; k < half; k++) spec[k] = (spec[k] as number) * inv;
    const r = new Float64Array(scales.length);
    for (let s = 0; s < scales.length; s++) {
      r[s] = bandMax(applyScale(scales[s] as number, spec, sm, prefix, padding), kMin, kMax);
    }
    return r;
  };
  while (rows.length < total) {
    permuter.next(px);
    const pair = rows.length + 1 < total;
    if (pair) permuter.next(py);
    twoRealPowerSpectra(px, pair ? py : EMPTY, fftSize, re, im, sx, sy);
    rows.push(row(sx));
    if (pair) rows.push(row(sy));
  }
  return rows;
}

const EMPTY = new Float64Array(0);

/**
 * Random permutations of a binned series, written into a buffer. A uniform permutation of the
 * values is the same as putting each value that differs from the background (the empty-bin value)
 * at a uniformly random free position, so when at most half the bins are non-empty only those are
 * drawn (rejection on a mark array, < 2 tries each): ~4× fewer random numbers than Fisher–Yates for
 * a beacon binned at 4 bins per period. Denser series are shuffled with Fisher–Yates.
 */
export class Permuter {
  private readonly n: number;
  private readonly background: number;
  private readonly values: Float64Array;
  private readonly taken: Uint8Array;
  private readonly dense: Float64Array | null;
  private readonly rng: Rng;
  constructor(x: Float64Array, rng: Rng) {
    this.rng = rng;
    this.n = x.length;
    // the empty-bin value is the smallest (counts are mean-removed, so it is −mean)
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < x.length; i++) if ((x[i] as number) < min) min = x[i] as number;
    this.background = min;
    let m = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== min) m++;
    this.values = new Float64Array(m);
    let j = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== min) this.values[j++] = x[i] as number;
    this.taken = new Uint8Array(x.length);
    this.dense = 2 * m > x.length ? Float64Array.from(x) : null;
  }

  /** Writes one random permutation into out[0..n). */
  next(out: Float64Array): void {
    const n = this.n;
    if (this.dense) {
      shuffleInPlace(this.dense, this.rng);
      out.set(this.dense);
      return;
    }
    out.fill(this.background, 0, n);
    const taken = this.taken;
    taken.fill(0);
    const v = this.values;
    for (let i = 0; i < v.length; i++) {
      let p = Math.floor(uniformFloat64Fast(this.rng) * n);
      while (taken[p] === 1) p = Math.floor(uniformFloat64Fast(this.rng) * n);
      taken[p] = 1;
      out[p] = v[i] as number;
    }
  }
}

/**
 * Min-p permutation test over several statistics (Westfall & Young): each series' per-scale p is its
 * rank among all N + 1 values of that scale; the test statistic is the smallest per-scale p; the
 * p-value is the share of the N + 1 series whose statistic is ≤ the observed one. Exact under
 * exchangeability, for any number of scales, with no multiple-testing penalty beyond what the
 * data show. Returns the overall p and the per-scale p of the observed series.
 */
export function minPValue(
  observed: ArrayLike<number>,
  perms: readonly Float64Array[],
): { pValue: number; perScale: number[] } {
  const S = observed.length;
  const N = perms.length;
  if (N === 0) return { pValue: Number.NaN, perScale: new Array<number>(S).fill(Number.NaN) };
  const all = [observed, ...perms];
  const minP = new Float64Array(N + 1).fill(1);
  const perScale: number[] = [];
  const col = new Float64Array(N + 1);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i <= N; i++) col[i] = (all[i] as ArrayLike<number>)[s] as number;
    const sorted = Float64Array.from(col).sort();
    for (let i = 0; i <= N; i++) {
      // p = share of values ≥ this one = (N + 1 − (index of first value ≥ it)) / (N + 1)
      const v = col[i] as number;
      let lo = 0;
      let hi = N + 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((sorted[mid] as number) < v) lo = mid + 1;
        else hi = mid;
      }
      const p = (N + 1 - lo) / (N + 1);
      if (p < (minP[i] as number)) minP[i] = p;
      if (i === 0) perScale.push(p);
    }
  }
  const obs = minP[0] as number;
  let count = 0;
  for (let i = 0; i <= N; i++) if ((minP[i] as number) <= obs) count++;
  return { pValue: count / (N + 1), perScale };
}

export interface AcfCheck {
  acf: number;
  valley: number;
  /** Best ACF within 2·lag·(1 ± tol) minus the ACF at 1.5·lag (NaN when 2·lag does not fit). */
  secondProminence: number;
  threshold: number;
  confirmed: boolean;
  lag: number;
}

/** Index of the largest r within [lo, hi]. */
function argmaxRange(r: Float64Array, lo: number, hi: number): number {
  let best = lo;
  for (let l = lo + 1; l <= hi; l++) if ((r[l] as number) > (r[best] as number)) best = l;
  return best;
}

/**
 * Confirm a period (in bins, may be fractional) on the autocorrelation r of the series (from
 * fft.autocorrelation, computed up to ≥ 2.2·lag when possible): the best r within lag·(1 ± tol)
 * must be a local maximum, reach the threshold and stand acfMin above r at lag/2, which must be
 * negative (a periodic process is below its mean rate halfway between check-ins; bursty traffic is
 * above it at short lags, and slow clustering decays monotonically); and, when 2·lag fits, the
 * best r near 2·lag must stand above r at 1.5·lag (a period repeats; a chance bump of clustered
 * traffic does not).
 */
export function confirmByAcf(
  r: Float64Array,
  bins: number,
  lagBins: number,
  opts: Partial<PeriodogramOptions> = {},
): AcfCheck {
  const o = { ...PERIODOGRAM_DEFAULTS, ...opts };
  const lo = Math.max(1, Math.min(Math.floor(lagBins * (1 - o.acfTolerance)), Math.round(lagBins) - 1));
  const hi = Math.max(Math.ceil(lagBins * (1 + o.acfTolerance)), Math.round(lagBins) + 1);
  // Bartlett's standard error of r at lag ≥ lo for a series whose ACF vanishes from there on:
  // √((1 + 2·Σ_{j<lo} r_j²)/n). Clustered traffic has large r_j at short lags, which widens it.
  let sum2 = 0;
  for (let j = 1; j < lo && j < r.length; j++) sum2 += (r[j] as number) * (r[j] as number);
  const threshold = Math.max(o.acfMin, o.acfNoiseMultiple * Math.sqrt((1 + 2 * sum2) / Math.max(1, bins)));
  const none = {
    acf: Number.NaN,
    valley: Number.NaN,
    secondProminence: Number.NaN,
    threshold,
    confirmed: false,
    lag: Number.NaN,
  };
  if (!(lagBins >= 2) || hi >= r.length) return none;
  const best = argmaxRange(r, lo, hi);
  const acf = r[best] as number;
  const left = r[best - 1] as number;
  const right = best + 1 < r.length ? (r[best + 1] as number) : Number.NEGATIVE_INFINITY;
  const isPeak = acf >= left && acf >= right;
  const vLag = Math.max(1, Math.round(lagBins / 2));
  const valley = vLag < best ? (r[vLag] as number) : Number.NaN;
  let secondProminence = Number.NaN;
  const lo2 = Math.max(hi + 1, Math.floor(2 * lagBins * (1 - o.acfTolerance)));
  const hi2 = Math.ceil(2 * lagBins * (1 + o.acfTolerance));
  const v2 = Math.round(1.5 * lagBins);
  if (hi2 < r.length && hi2 < bins / 2 && v2 > best && v2 < lo2) {
    secondProminence = (r[argmaxRange(r, lo2, hi2)] as number) - (r[v2] as number);
  }
  const confirmed =
    isPeak && acf >= threshold && valley < 0 && acf - valley >= o.acfMin && !(secondProminence <= 0); // NaN (2·lag does not fit) passes
  return { acf, valley, secondProminence, threshold, confirmed, lag: best };
}

/**
 * Full periodogram analysis of event times (sorted; check-ins after collapsing, ideally).
 * `typicalGap` (seconds; the gaps' on-time period) sets the bin width; NaN/0 derives it from the span.
 * Steps: bin → mean-remove → |FFT|² / Σx² → per scale, the strongest line (fundamental) → ACF check
 * of each candidate → permutations (full count only if some candidate is confirmed) → min-p.
 * The reported period is the candidate of the scale with the smallest p (ties: a confirmed
 * candidate first, then the sharper scale). Returns null when there are too few events or no span.
 */
export function periodogram(
  ts: Float64Array,
  typicalGap: number,
  opts: Partial<PeriodogramOptions> = {},
): PeriodogramResult | null {
  const o = { ...PERIODOGRAM_DEFAULTS, ...opts };
  const n = ts.length;
  if (n < o.minEvents) return null;
  const first = ts[0] as number;
  const last = ts[n - 1] as number;
  if (!(last > first)) return null;
  const binning = chooseBinning(first, last, typicalGap, o);
  if (binning.bins < 8) return null;
  const counts = binCounts(ts, binning);
  let events = 0;
  for (let i = 0; i < counts.length; i++) events += counts[i] as number;
  if (events < o.minEvents) return null;
  const { x, ss } = center(counts);
  if (!(ss > 0)) return null;
  const fftSize = nextPowerOfTwo(binning.bins);
  const [kMin, kMax] = searchBand(binning.bins, fftSize, o.minCycles);
  if (kMax < kMin) return null;
  const raw = realPowerSpectrum(x, fftSize);
  for (let k = 0; k < raw.length; k++) raw[k] = (raw[k] as number) / ss;
  const scales = o.smoothing.length > 0 ? o.smoothing : [0];
  const prefix = new Float64Array(raw.length + 1);
  const padding = fftSize / binning.bins;
  const acfCache = new Map<number, Float64Array>();
  const cands = scales.map((q) => {
    const spec = applyScale(q, raw, new Float64Array(raw.length), prefix, padding);
    const peak = strongestPeak(
      spec,
      kMin,
      kMax,
      fftSize,
      binning.bins,
      binning.binSeconds,
      o,
    ) as SpectrumPeak; // kMax ≥ kMin checked above
    const lagBins = peak.periodSeconds / binning.binSeconds;
    const factor = Math.max(1, Math.floor(lagBins / Math.max(2, o.acfBinsPerPeriod)));
    let r = acfCache.get(factor);
    const coarseBins = Math.floor(binning.bins / factor);
    if (!r) {
      r = autocorrelation(
        center(rebin(counts, factor)).x,
        Math.ceil(((2 * lagBins) / factor) * (1 + o.acfTolerance)) + 2,
      );
      acfCache.set(factor, r);
    }
    const acf = confirmByAcf(r, coarseBins, lagBins / factor, o);
    return { q, peak, acf };
  });
  const anyConfirmed = cands.some((c) => c.acf.confirmed);
  const perms = permutationMaxima(
    x,
    ss,
    fftSize,
    kMin,
    kMax,
    scales,
    anyConfirmed ? o.permutations : o.unconfirmedPermutations,
    o.seed,
    padding,
  );
  const { pValue, perScale } = minPValue(
    cands.map((c) => c.peak.maxPower),
    perms,
  );
  let c = cands[0] as (typeof cands)[number];
  let pc = perScale[0] as number;
  for (let s = 1; s < cands.length; s++) {
    const cs = cands[s] as (typeof cands)[number];
    const ps = perScale[s] as number;
    if (ps < pc || (ps === pc && cs.acf.confirmed && !c.acf.confirmed)) {
      c = cs;
      pc = ps;
    }
  }
  return {
    periodSeconds: c.peak.periodSeconds,
    power: raw[c.peak.index] as number,
    scale: scaleName(c.q),
    pValue,
    acf: c.acf.acf,
    acfValley: c.acf.valley,
    acfThreshold: c.acf.threshold,
    confirmed: c.acf.confirmed,
    maxPower: bandMax(raw, kMin, kMax),
    permutationsRun: perms.length,
    binSeconds: binning.binSeconds,
    bins: binning.bins,
    fftSize,
    windowed: binning.windowed,
    events,
  };
}

/** Sums of `factor` consecutive bins (a trailing partial group is dropped). */
export function rebin(counts: Float64Array, factor: number): Float64Array {
  if (factor <= 1) return counts;
  const m = Math.floor(counts.length / factor);
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = i * factor; j < (i + 1) * factor; j++) s += counts[j] as number;
    out[i] = s;
  }
  return out;
}
