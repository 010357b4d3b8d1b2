/**
 * Ranks, normalisation, exact-size masks, the chi-square quantile, and evaluation helpers (ROC AUC,
 * Spearman). Quantiles and selection live in robust.ts.
 */
import { selectInPlace } from './robust.js';

/**
 * Mask of the `h` smallest values (exactly h set). Ties at the cut are taken in index order, so the
 * result is deterministic. `scratch` (length >= n) avoids an allocation in hot loops.
 */
export function smallestMask(
  values: Float64Array,
  h: number,
  out?: Uint8Array,
  scratch?: Float64Array,
): Uint8Array {
  const n = values.length;
  const mask = out ?? new Uint8Array(n);
  if (h >= n) {
    mask.fill(1, 0, n);
    return mask;
  }
  mask.fill(0, 0, n);
  if (h <= 0) return mask;
  const tmp = scratch ? scratch.subarray(0, n) : new Float64Array(n);
  tmp.set(values);
  const cut = selectInPlace(tmp, h - 1);
  let taken = 0;
  for (let i = 0; i < n; i++) {
    if ((values[i] as number) < cut) {
      mask[i] = 1;
      taken++;
    }
  }
  for (let i = 0; i < n && taken < h; i++) {
    if (values[i] === cut) {
      mask[i] = 1;
      taken++;
    }
  }
  return mask;
}

/** Indices 0..n-1 sorted by value ascending (stable on ties). */
export function argsort(values: ArrayLike<number>): Uint32Array {
  const n = values.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx.sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
}

/** Fractional ranks (1-based, ties get their average rank). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const idx = argsort(values);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    const v = values[idx[i] as number] as number;
    while (j + 1 < n && values[idx[j + 1] as number] === v) j++;
    const r = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[idx[t] as number] = r;
    i = j + 1;
  }
  return ranks;
}

/** Ranks mapped to [0, 1]: the smallest value gets 0, the largest 1, ties share their average. */
export function rankNormalise(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const r = averageRanks(values);
  if (n <= 1) return new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = ((r[i] as number) - 1) / (n - 1);
  return r;
}

/** Linear map of the values onto [0, 1] (all zeros when constant). */
export function minMaxNormalise(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float64Array(n);
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return out;
  for (let i = 0; i < n; i++) out[i] = ((values[i] as number) - lo) / span;
  return out;
}

/** ROC AUC of `scores` for the rows flagged in `positive` (Mann–Whitney U, ties count one half). */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<number | boolean>): number {
  const r = averageRanks(scores);
  let nPos = 0;
  let sumPos = 0;
  for (let i = 0; i < scores.length; i++) {
    if (positive[i]) {
      nPos++;
      sumPos += r[i] as number;
    }
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Spearman rank correlation. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const n = ra.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += ra[i] as number;
    mb += rb[i] as number;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = (ra[i] as number) - ma;
    const y = (rb[i] as number) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

// ---------------------------------------------------------------------------------------------------
// Chi-square distribution (regularised incomplete gamma, Numerical Recipes §6.2)

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnPre = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let i = 0; i < 1000; i++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return sum * Math.exp(lnPre);
  }
  // continued fraction for Q(a, x) (modified Lentz)
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return 1 - Math.exp(lnPre) * h;
}

/** Chi-square CDF with `df` degrees of freedom. */
export function chi2Cdf(x: number, df: number): number {
  return gammaP(df / 2, x / 2);
}

/** Chi-square quantile (inverse CDF) with `df` degrees of freedom, by bisection to full precision. */
export function chi2Quantile(p: number, df: number): number {
  if (!(p > 0)) return 0;
  if (!(p < 1)) return Number.POSITIVE_INFINITY;
  let lo = 0;
  let hi = Math.max(1, df);
  while (chi2Cdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (chi2Cdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
