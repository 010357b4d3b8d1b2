/**
 * Robust covariance by FastMCD (Rousseeuw & Van Driessen, "A Fast Algorithm for the Minimum Covariance
 * Determinant Estimator", Technometrics 1999) and an elliptic envelope on its Mahalanobis distances
 * (scikit-learn's `MinCovDet` + `EllipticEnvelope`).
 *
 * Raw MCD with h = ceil((n + p + 1)/2) rows by default (`supportFraction` f gives h = floor(f·n), as
 * scikit-learn):
 * - Starts: random (p+1)-subsets J; while cov(J) is singular another random row is added (paper §3.2).
 *   Mean/cov of J give distances; the h closest rows start the C-steps.
 * - C-step: Mahalanobis distances to the current (T, S), keep the h smallest, recompute T, S (the
 *   determinant never increases).
 * - n ≤ 600: 500 starts × 2 C-steps, the 10 lowest determinants are iterated to convergence.
 *   n > 600 (nested extension): a random merged set of min(n, 1500) rows is split into k = min(5, ⌊m/300⌋)
 *   subsets; each runs ⌊500/k⌋ starts × 2 C-steps (h scaled to the subset) and keeps its 10 best; the
 *   10k candidates get 2 C-steps on the merged set and the 10 best are iterated to convergence on the
 *   full data. Above 20 000 rows those 10 get 2 full-data C-steps each and only the best is iterated to
 *   convergence (the paper allows m_full < 10 for large n; this keeps 100 000 rows × 10 features at about
 *   a second instead of three).
 * On the scikit-learn fixtures these (p+1)-subset starts reach raw h-subsets with a lower determinant than
 * scikit-learn's random h-subset starts on two of five data sets (so the estimates differ there by design;
 * see elliptic-envelope.test.ts).
 * Then, as scikit-learn: consistency correction c = median(d²_raw) / χ²_p(0.5) (distances divided by c);
 * reweighting on the rows with d² < χ²_p(0.975): location = their mean, covariance = their (biased, /n)
 * covariance; final distances are the squared Mahalanobis distances to that estimate.
 *
 * Degenerate data (documented deviations, both only where scikit-learn would be singular):
 * - constant columns (zero variance over all rows) are dropped before fitting (`droppedColumns`); they
 *   carry no information about outlyingness;
 * - when a covariance is numerically singular (an "exact fit": more than h rows on a hyperplane, e.g.
 *   most pairs sharing one value of a feature) a ridge λ·I (λ = `regularization`, default 1e-4, in units
 *   of each feature's overall variance, raised ×10 until positive definite) is added, so rows off the
 *   hyperplane get large but finite distances instead of the pseudo-inverse ignoring that direction.
 *   `regularized` reports the largest λ used on the final estimate (0 when none was needed).
 * Internally the features are standardised by their overall mean/std (MCD is affine equivariant, so the
 * results are unchanged; it only improves conditioning); the reported location/covariance are in the
 * original units.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { IndexSampler, type Rng, seededRng } from '../math/random.js';
import { quantileSorted } from '../math/robust.js';
import { chi2Quantile, minMaxNormalise, smallestMask } from '../math/stats.js';
import { type FeatureMatrix, nRows, selectRows } from './matrix.js';

export interface McdOptions {
  /** Fraction of rows in the raw support; default (n + p + 1)/2 rows. */
  readonly supportFraction?: number;
  readonly seed?: number;
  /** Ridge added to singular covariances (in standardised units). Default 1e-4. */
  readonly regularization?: number;
  /** Random (p+1)-subset starts (default 500). */
  readonly nTrials?: number;
}

export interface McdModel {
  /** Input columns. */
  readonly columns: readonly string[];
  /** Columns the estimate is over (constant ones removed). */
  readonly used: readonly string[];
  readonly droppedColumns: readonly string[];
  /** h, the size of the raw support. */
  readonly nSupport: number;
  readonly rawLocation: Float64Array;
  readonly rawCovariance: Float64Array[];
  readonly rawSupport: Uint8Array;
  /** Consistency correction factor median(d²_raw)/χ²_p(0.5). */
  readonly correction: number;
  readonly location: Float64Array;
  readonly covariance: Float64Array[];
  /** Rows used by the reweighted estimate. */
  readonly support: Uint8Array;
  /** Ridge λ added to the final covariance (standardised units), 0 when it was positive definite. */
  readonly regularized: number;
  /** Squared Mahalanobis distances of the training rows to the final estimate. */
  readonly dist: Float64Array;
  /** @internal standardisation and Cholesky factor of the final estimate (standardised units). */
  readonly internal: {
    readonly usedIndex: Int32Array;
    readonly center: Float64Array;
    readonly std: Float64Array;
    readonly mu: Float64Array;
    readonly chol: Float64Array;
  };
}

export interface EllipticEnvelopeOptions extends McdOptions {
  /** Expected share of outliers; sets the threshold like scikit-learn (default 0.1). */
  readonly contamination?: number;
  /** Rows the model is fitted on (a seeded sample); every row is scored. Default: all rows. */
  readonly fitRows?: ArrayLike<number>;
}

export interface EllipticEnvelopeResult {
  readonly mcd: McdModel;
  /** Squared Mahalanobis distance per row (scikit-learn `mahalanobis`, = −score_samples). */
  readonly dist: Float64Array;
  /** scikit-learn's `offset_` = percentile(−dist, 100·contamination). */
  readonly offset: number;
  /** Squared-distance cut: rows with dist > threshold (= −offset) are outliers. */
  readonly threshold: number;
  /** scikit-learn `decision_function` = −dist − offset (negative = outlier). */
  readonly decision: Float64Array;
  readonly isOutlier: Uint8Array;
  /** sqrt(dist) min–max normalised to 0..1. */
  readonly score: Float64Array;
}

// ---------------------------------------------------------------------------------------------------
// small dense linear algebra on row-major p×p Float64Arrays

interface Estimate {
  readonly mu: Float64Array;
  readonly cov: Float64Array;
  /** Lower Cholesky factor of cov (+ ridge). */
  readonly chol: Float64Array;
  readonly logdet: number;
  readonly ridge: number;
  /** Row indices (into the full data) of the support, when it is an h-subset. */
  readonly support: Uint32Array | null;
}

/** In-place Cholesky into `L`; false when a pivot is not clearly positive. */
function choleskyInto(a: Float64Array, p: number, L: Float64Array, ridge: number): boolean {
  L.fill(0);
  for (let j = 0; j < p; j++) {
    let s = (a[j * p + j] as number) + ridge;
    for (let k = 0; k < j; k++) s -= (L[j * p + k] as number) ** 2;
    if (!(s > 1e-10)) return false;
    const ljj = Math.sqrt(s);
    L[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let t = a[i * p + j] as number;
      for (let k = 0; k < j; k++) t -= (L[i * p + k] as number) * (L[j * p + k] as number);
      L[i * p + j] = t / ljj;
    }
  }
  return true;
}

function factor(
  cov: Float64Array,
  p: number,
  baseRidge: number,
): { chol: Float64Array; logdet: number; ridge: number } {
  const L = new Float64Array(p * p);
  let ridge = 0;
  while (!choleskyInto(cov, p, L, ridge)) {
    ridge = ridge === 0 ? baseRidge : ridge * 10;
    if (ridge > 1e6) throw new Error('FastMCD: covariance could not be regularised');
  }
  let logdet = 0;
  for (let j = 0; j < p; j++) logdet += 2 * Math.log(L[j * p + j] as number);
  return { chol: L, logdet, ridge };
}

/**
 * Mean and biased covariance of the given rows of X (row-major n × p). The centred rows are gathered
 * column-major into a scratch buffer so each covariance entry is one contiguous dot product.
 */
function meanCov(
  X: Float64Array,
  p: number,
  rows: ArrayLike<number>,
  count = rows.length,
): { mu: Float64Array; cov: Float64Array } {
  const mu = new Float64Array(p);
  for (let r = 0; r < count; r++) {
    const o = (rows[r] as number) * p;
    for (let j = 0; j < p; j++) mu[j] = (mu[j] as number) + (X[o + j] as number);
  }
  for (let j = 0; j < p; j++) mu[j] = (mu[j] as number) / count;
  const C = new Float64Array(p * count);
  for (let r = 0; r < count; r++) {
    const o = (rows[r] as number) * p;
    for (let j = 0; j < p; j++) C[j * count + r] = (X[o + j] as number) - (mu[j] as number);
  }
  const cov = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    const oa = a * count;
    for (let b = 0; b <= a; b++) {
      const ob = b * count;
      let s = 0;
      for (let r = 0; r < count; r++) s += (C[oa + r] as number) * (C[ob + r] as number);
      const v = s / count;
      cov[a * p + b] = v;
      cov[b * p + a] = v;
    }
  }
  return { mu, cov };
}

/** Squared Mahalanobis distances of rows (or all rows when `rows` is null) via forward substitution. */
function mahalanobisInto(
  X: Float64Array,
  p: number,
  rows: Uint32Array | null,
  count: number,
  mu: Float64Array,
  L: Float64Array,
  out: Float64Array,
): Float64Array {
  const z = new Float64Array(p);
  for (let r = 0; r < count; r++) {
    const o = (rows ? (rows[r] as number) : r) * p;
    let s = 0;
    for (let i = 0; i < p; i++) {
      let t = (X[o + i] as number) - (mu[i] as number);
      const li = i * p;
      for (let k = 0; k < i; k++) t -= (L[li + k] as number) * (z[k] as number);
      const zi = t / (L[li + i] as number);
      z[i] = zi;
      s += zi * zi;
    }
    out[r] = s;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// FastMCD

interface Ctx {
  readonly X: Float64Array;
  readonly p: number;
  readonly ridge: number;
  readonly scratchD: Float64Array;
  readonly scratchS: Float64Array;
  readonly mask: Uint8Array;
}

function estimateFrom(ctx: Ctx, rows: ArrayLike<number>, count: number, keepSupport: boolean): Estimate {
  const { mu, cov } = meanCov(ctx.X, ctx.p, rows, count);
  const f = factor(cov, ctx.p, ctx.ridge);
  const support = keepSupport ? Uint32Array.from({ length: count }, (_, i) => rows[i] as number) : null;
  return { mu, cov, chol: f.chol, logdet: f.logdet, ridge: f.ridge, support };
}

/** The h rows of `set` closest to `est`, as an estimate. */
function cStep(ctx: Ctx, set: Uint32Array, h: number, est: Estimate): Estimate {
  const m = set.length;
  const d = mahalanobisInto(ctx.X, ctx.p, set, m, est.mu, est.chol, ctx.scratchD.subarray(0, m));
  const mask = smallestMask(d, h, ctx.mask.subarray(0, m), ctx.scratchS);
  const sel = new Uint32Array(h);
  for (let r = 0, k = 0; r < m; r++) if (mask[r]) sel[k++] = set[r] as number;
  return estimateFrom(ctx, sel, h, true);
}

/**
 * C-steps until the determinant stops decreasing by more than a factor 1 − 1e-6 (log-det decrease below
 * 1e-6; on large inputs the last steps only shave ~1e-7 off it), or `maxSteps`.
 */
function iterate(ctx: Ctx, set: Uint32Array, h: number, start: Estimate, maxSteps: number): Estimate {
  let cur = start;
  for (let s = 0; s < maxSteps; s++) {
    const next = cStep(ctx, set, h, cur);
    if (cur.support !== null && next.logdet > cur.logdet - 1e-6) {
      return next.logdet < cur.logdet ? next : cur;
    }
    cur = next;
  }
  return cur;
}

/** A random (p+1)-subset of `set`, grown until its covariance is non-singular (paper §3.2). */
function randomStart(ctx: Ctx, set: Uint32Array, sampler: IndexSampler): Estimate {
  const p = ctx.p;
  const m = set.length;
  const order = sampler.sample(m);
  let size = Math.min(p + 1, m);
  const rows = new Uint32Array(m);
  for (let i = 0; i < m; i++) rows[i] = set[order[i] as number] as number;
  for (;;) {
    const { mu, cov } = meanCov(ctx.X, p, rows, size);
    const L = new Float64Array(p * p);
    if (choleskyInto(cov, p, L, 0) || size >= m) {
      const f = factor(cov, p, ctx.ridge);
      return { mu, cov, chol: f.chol, logdet: f.logdet, ridge: f.ridge, support: null };
    }
    // one row at a time as in the paper, then doubling so that degenerate data stays O(m·p²·log m)
    size = Math.min(m, size < 2 * (p + 1) ? size + 1 : size * 2);
  }
}

function bestOf(cands: Estimate[], k: number): Estimate[] {
  return [...cands].sort((a, b) => a.logdet - b.logdet).slice(0, k);
}

function runStarts(
  ctx: Ctx,
  set: Uint32Array,
  h: number,
  nStarts: number,
  keep: number,
  rng: Rng,
): Estimate[] {
  const sampler = new IndexSampler(set.length, rng);
  const cands: Estimate[] = [];
  for (let t = 0; t < nStarts; t++) {
    const start = randomStart(ctx, set, sampler);
    let est = cStep(ctx, set, h, start);
    est = cStep(ctx, set, h, est);
    cands.push(est);
  }
  return bestOf(cands, keep);
}

/** Above this many rows only the best full-data candidate (after 2 C-steps each) is iterated. */
const FULL_ITERATION_MAX_ROWS = 20_000;

function fastMcdRaw(ctx: Ctx, n: number, h: number, nTrials: number, rng: Rng): Estimate {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  if (n <= 600) {
    const best = runStarts(ctx, all, h, nTrials, 10, rng);
    return bestOf(
      best.map((e) => iterate(ctx, all, h, e, 100)),
      1,
    )[0] as Estimate;
  }
  const nMerged = Math.min(n, 1500);
  const merged = new IndexSampler(n, rng).sample(nMerged);
  const k = Math.max(1, Math.min(5, Math.floor(nMerged / 300)));
  const nSub = Math.floor(nMerged / k);
  const hSub = Math.ceil((nSub * h) / n);
  const perSub = Math.floor(nTrials / k);
  let cands: Estimate[] = [];
  for (let s = 0; s < k; s++) {
    const sub = merged.slice(s * nSub, (s + 1) * nSub);
    cands.push(...runStarts(ctx, sub, hSub, perSub, 10, rng));
  }
  const hMerged = Math.ceil((nMerged * h) / n);
  cands = bestOf(
    cands.map((e) => cStep(ctx, merged, hMerged, cStep(ctx, merged, hMerged, e))),
    10,
  );
  if (n <= FULL_ITERATION_MAX_ROWS) {
    // paper: every candidate iterated to convergence on the full data
    return bestOf(
      cands.map((e) => iterate(ctx, all, h, e, 100)),
      1,
    )[0] as Estimate;
  }
  cands = cands.map((e) => cStep(ctx, all, h, cStep(ctx, all, h, e)));
  return iterate(ctx, all, h, bestOf(cands, 1)[0] as Estimate, 100);
}

function toOriginal(mu: Float64Array, cov: Float64Array, center: Float64Array, std: Float64Array, p: number) {
  const loc = new Float64Array(p);
  const c: Float64Array[] = [];
  for (let a = 0; a < p; a++) {
    loc[a] = (mu[a] as number) * (std[a] as number) + (center[a] as number);
    c.push(new Float64Array(p));
  }
  // exactly symmetric (ml-matrix's Cholesky checks symmetry bit for bit)
  for (let a = 0; a < p; a++) {
    for (let b = 0; b <= a; b++) {
      const v = (cov[a * p + b] as number) * (std[a] as number) * (std[b] as number);
      (c[a] as Float64Array)[b] = v;
      (c[b] as Float64Array)[a] = v;
    }
  }
  return { loc, cov: c };
}

/** Standardised row-major copy of the used columns. */
function standardise(
  m: FeatureMatrix,
  usedIndex: Int32Array,
  center: Float64Array,
  std: Float64Array,
): Float64Array {
  const n = nRows(m);
  const p = usedIndex.length;
  const X = new Float64Array(n * p);
  for (let a = 0; a < p; a++) {
    const col = m.data[usedIndex[a] as number] as Float64Array;
    const c = center[a] as number;
    const s = std[a] as number;
    for (let i = 0, o = a; i < n; i++, o += p) X[o] = ((col[i] as number) - c) / s;
  }
  return X;
}

/** Robust location/covariance of the rows of `m` by FastMCD, corrected and reweighted. */
export function fastMcd(m: FeatureMatrix, options: McdOptions = {}): McdModel {
  const n = nRows(m);
  const regularization = options.regularization ?? 1e-4;
  const rng = seededRng(options.seed ?? 0);
  // drop constant columns; standardise the rest
  const used: number[] = [];
  const centers: number[] = [];
  const stds: number[] = [];
  m.data.forEach((col, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += col[i] as number;
    const mean = n > 0 ? s / n : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += ((col[i] as number) - mean) ** 2;
    const std = n > 0 ? Math.sqrt(ss / n) : 0;
    if (std > 0 && std > 1e-12 * Math.abs(mean)) {
      used.push(j);
      centers.push(mean);
      stds.push(std);
    }
  });
  const usedIndex = Int32Array.from(used);
  const center = Float64Array.from(centers);
  const std = Float64Array.from(stds);
  const p = used.length;
  const usedNames = used.map((j) => m.columns[j] as string);
  const droppedColumns = m.columns.filter((_, j) => !used.includes(j));
  const h =
    options.supportFraction !== undefined
      ? Math.max(1, Math.min(n, Math.floor(options.supportFraction * n)))
      : Math.min(n, Math.ceil(0.5 * (n + p + 1)));

  if (p === 0 || n < 2) {
    const zeros = new Float64Array(p);
    return {
      columns: [...m.columns],
      used: usedNames,
      droppedColumns,
      nSupport: h,
      rawLocation: zeros,
      rawCovariance: [],
      rawSupport: new Uint8Array(n).fill(1),
      correction: 1,
      location: zeros,
      covariance: [],
      support: new Uint8Array(n).fill(1),
      regularized: 0,
      dist: new Float64Array(n),
      internal: { usedIndex, center, std, mu: zeros, chol: new Float64Array(0) },
    };
  }

  const X = standardise(m, usedIndex, center, std);
  const ctx: Ctx = {
    X,
    p,
    ridge: regularization,
    scratchD: new Float64Array(n),
    scratchS: new Float64Array(n),
    mask: new Uint8Array(n),
  };

  let raw: Estimate;
  if (p === 1) {
    // scikit-learn's exact univariate MCD: the shortest half
    const sorted = Float64Array.from(X).sort();
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i + h < n; i++) best = Math.min(best, (sorted[i + h] as number) - (sorted[i] as number));
    let sum = 0;
    let cnt = 0;
    for (let i = 0; i + h < n; i++) {
      if ((sorted[i + h] as number) - (sorted[i] as number) === best) {
        sum += 0.5 * ((sorted[i + h] as number) + (sorted[i] as number));
        cnt++;
      }
    }
    const loc = cnt > 0 ? sum / cnt : quantileSorted(sorted, 0.5);
    const absDev = new Float64Array(n);
    for (let i = 0; i < n; i++) absDev[i] = Math.abs((X[i] as number) - loc);
    const mask = smallestMask(absDev, h);
    const sel = new Uint32Array(h);
    for (let i = 0, k = 0; i < n; i++) if (mask[i]) sel[k++] = i;
    const est = estimateFrom(ctx, sel, h, true);
    // location is the shortest-half midpoint, not the support mean (as scikit-learn)
    raw = { ...est, mu: Float64Array.of(loc) };
  } else {
    raw = fastMcdRaw(ctx, n, h, options.nTrials ?? 500, rng);
  }

  // raw distances, consistency correction, reweighting
  const d2 = mahalanobisInto(X, p, null, n, raw.mu, raw.chol, new Float64Array(n));
  const med = quantileSorted(Float64Array.from(d2).sort(), 0.5);
  const correction = med > 0 ? med / chi2Quantile(0.5, p) : 1;
  const cut = chi2Quantile(0.975, p);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if ((d2[i] as number) / correction < cut) keep.push(i);
  const rw = keep.length > p ? estimateFrom(ctx, keep, keep.length, false) : raw;
  const dist = mahalanobisInto(X, p, null, n, rw.mu, rw.chol, new Float64Array(n));

  const rawSupport = new Uint8Array(n);
  if (raw.support) for (const i of raw.support) rawSupport[i] = 1;
  const support = new Uint8Array(n);
  if (keep.length > p) for (const i of keep) support[i] = 1;
  else support.set(rawSupport);
  const rawOrig = toOriginal(raw.mu, raw.cov, center, std, p);
  const fin = toOriginal(rw.mu, rw.cov, center, std, p);
  return {
    columns: [...m.columns],
    used: usedNames,
    droppedColumns,
    nSupport: h,
    rawLocation: rawOrig.loc,
    rawCovariance: rawOrig.cov,
    rawSupport,
    correction,
    location: fin.loc,
    covariance: fin.cov,
    support,
    regularized: rw.ridge,
    dist,
    internal: { usedIndex, center, std, mu: rw.mu, chol: rw.chol },
  };
}

/** Squared Mahalanobis distances of (new) rows to a fitted MCD model (same columns as the fit). */
export function mcdMahalanobis(model: McdModel, m: FeatureMatrix): Float64Array {
  const n = nRows(m);
  const { usedIndex, center, std, mu, chol } = model.internal;
  const p = usedIndex.length;
  if (p === 0) return new Float64Array(n);
  if (m.data.length !== model.columns.length)
    throw new RangeError('mcdMahalanobis: column count differs from the fit');
  return mahalanobisInto(standardise(m, usedIndex, center, std), p, null, n, mu, chol, new Float64Array(n));
}

/**
 * Squared Mahalanobis distances to a given location/covariance (original units), via ml-matrix's
 * Cholesky decomposition. For checks and ad-hoc use; throws when the covariance is not positive definite.
 */
export function mahalanobis(
  location: ArrayLike<number>,
  covariance: readonly ArrayLike<number>[],
  m: FeatureMatrix,
): Float64Array {
  const p = location.length;
  const S = new Matrix(covariance.map((r) => Array.from(r)));
  const chol = new CholeskyDecomposition(S.add(S.transpose()).div(2));
  if (!chol.isPositiveDefinite()) throw new RangeError('mahalanobis: covariance is not positive definite');
  const L = chol.lowerTriangularMatrix;
  const Lf = new Float64Array(p * p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) Lf[a * p + b] = L.get(a, b);
  const n = nRows(m);
  const X = new Float64Array(n * p);
  for (let a = 0; a < p; a++) {
    const col = m.data[a] as Float64Array;
    for (let i = 0; i < n; i++) X[i * p + a] = col[i] as number;
  }
  return mahalanobisInto(X, p, null, n, Float64Array.from(location), Lf, new Float64Array(n));
}

/** scikit-learn `EllipticEnvelope(contamination).fit(X)` on the rows of `m`, scoring the same rows. */
export function ellipticEnvelope(
  m: FeatureMatrix,
  options: EllipticEnvelopeOptions = {},
): EllipticEnvelopeResult {
  const contamination = options.contamination ?? 0.1;
  if (!(contamination > 0 && contamination <= 0.5)) throw new RangeError('contamination must be in (0, 0.5]');
  const sampled = options.fitRows !== undefined && options.fitRows.length < nRows(m);
  const mcd = fastMcd(sampled ? selectRows(m, options.fitRows as ArrayLike<number>) : m, options);
  const dist = sampled ? mcdMahalanobis(mcd, m) : mcd.dist;
  const n = dist.length;
  const neg = new Float64Array(n);
  for (let i = 0; i < n; i++) neg[i] = -(dist[i] as number);
  neg.sort();
  const offset = quantileSorted(neg, contamination);
  const decision = new Float64Array(n);
  const isOutlier = new Uint8Array(n);
  const root = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = -(dist[i] as number) - offset;
    decision[i] = v;
    isOutlier[i] = v < 0 ? 1 : 0;
    root[i] = Math.sqrt(dist[i] as number);
  }
  return { mcd, dist, offset, threshold: -offset, decision, isOutlier, score: minMaxNormalise(root) };
}
