/**
 * K-means on ml-kmeans (k-means++ initialisation, seeded), the seed's k = 2 clustering, a silhouette
 * choice of k, and a k-means outlier score.
 *
 * Outlier score per row = 1 − (1 − distScore)(1 − sizeScore), a probabilistic OR of
 * - distScore: distance to the own centroid divided by the cluster's spread (median member distance;
 *   the global median distance when a cluster's is 0), min–max normalised over the rows;
 * - sizeScore: small-cluster membership, max(0, 1 − clusterShare / smallClusterFraction): 0 for clusters
 *   holding ≥ `smallClusterFraction` (default 10 %) of the rows, → 1 for tiny clusters.
 *
 * Fitting: ml-kmeans (k-means++, seeded) on a seeded sample of at most 10 000 rows, then Lloyd iterations
 * on all rows until no label changes or the total squared centroid shift is ≤ 1e-4 × the mean feature
 * variance (scikit-learn's `tol`), at most `maxIterations` (300); labels are finally re-assigned to the
 * final centroids (scikit-learn's last E-step). `nInit` runs with derived seeds keep the lowest inertia.
 */
import { kmeans as mlKmeans } from 'ml-kmeans';
import { deriveSeed, IndexSampler, sampleRows, seededRng } from '../math/random.js';
import { median } from '../math/robust.js';
import { minMaxNormalise } from '../math/stats.js';
import { columnVariances, type FeatureMatrix, nRows, selectRows, toRowArrays, toRowMajor } from './matrix.js';

export interface KMeansOptions {
  readonly k: number;
  readonly seed?: number;
  /** Independent k-means++ runs, the lowest inertia wins (default 1). */
  readonly nInit?: number;
  readonly maxIterations?: number;
  /** Clusters with a smaller share of the rows count as small (default 0.1). */
  readonly smallClusterFraction?: number;
  /** Rows the model is fitted on (a seeded sample); every row is scored. Default: all rows. */
  readonly fitRows?: ArrayLike<number>;
}

export interface KMeansResult {
  /** k actually used (lower than asked when the data has fewer distinct rows). */
  readonly k: number;
  readonly labels: Int32Array;
  /** One centroid per cluster, length d. */
  readonly centroids: Float64Array[];
  readonly sizes: Int32Array;
  /** Sum of squared distances to the assigned centroids. */
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Euclidean distance of each row to its centroid. */
  readonly distance: Float64Array;
  /** Median member distance per cluster. */
  readonly spread: Float64Array;
  /** Outlier score in 0..1 (see the module doc). */
  readonly score: Float64Array;
}

export interface SeedCompatKMeansResult {
  readonly labels: Int32Array;
  readonly centroids: Float64Array[];
  readonly sizes: Int32Array;
  readonly inertia: number;
  /** The smaller cluster (the seed's "outliers"); 1 when the sizes are equal. */
  readonly minorityCluster: number;
  readonly majorityCluster: number;
  /** Euclidean distance of every row to the majority centroid. */
  readonly distanceToMajority: Float64Array;
}

export interface ChooseKOptions {
  readonly kMin?: number;
  readonly kMax?: number;
  readonly seed?: number;
  /** Rows on which the silhouette is computed (default 2000). */
  readonly sampleSize?: number;
  /** Rows the candidate clusterings are fitted on (default 5000). */
  readonly fitSampleSize?: number;
}

export interface ChooseKResult {
  readonly k: number;
  readonly silhouettes: readonly { readonly k: number; readonly silhouette: number }[];
}

/** Number of distinct rows, counting only up to `limit`. */
function distinctRows(rows: number[][], limit: number): number {
  const seen = new Set<string>();
  for (const r of rows) {
    seen.add(r.join(','));
    if (seen.size >= limit) break;
  }
  return seen.size;
}

function assign(
  X: Float64Array,
  n: number,
  d: number,
  centroids: Float64Array[],
  labels: Int32Array,
  dist2: Float64Array,
): number {
  const k = centroids.length;
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const cen = centroids[c] as Float64Array;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = (X[o + j] as number) - (cen[j] as number);
        s += v * v;
      }
      if (s < bestD) {
        bestD = s;
        best = c;
      }
    }
    labels[i] = best;
    dist2[i] = bestD;
    inertia += bestD;
  }
  return inertia;
}

interface RawFit {
  k: number;
  labels: Int32Array;
  centroids: Float64Array[];
  dist2: Float64Array;
  inertia: number;
  iterations: number;
  converged: boolean;
}

/**
 * Lloyd iterations on all rows from the given centroids (an empty cluster keeps its centroid, as
 * ml-kmeans); stops when no label changes or the total squared centroid shift is ≤ `tol`.
 */
function lloyd(
  X: Float64Array,
  n: number,
  d: number,
  centroids: Float64Array[],
  maxIterations: number,
  tol: number,
) {
  const k = centroids.length;
  const labels = new Int32Array(n).fill(-1);
  const next = new Int32Array(n);
  const dist2 = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    assign(X, n, d, centroids, next, dist2);
    iterations++;
    let changed = 0;
    for (let i = 0; i < n; i++) if (next[i] !== labels[i]) changed++;
    labels.set(next);
    if (changed === 0) {
      converged = true;
      break;
    }
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i] as number;
      counts[c] = (counts[c] as number) + 1;
      const o = i * d;
      const so = c * d;
      for (let j = 0; j < d; j++) sums[so + j] = (sums[so + j] as number) + (X[o + j] as number);
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      const cnt = counts[c] as number;
      if (cnt === 0) continue;
      const cen = centroids[c] as Float64Array;
      for (let j = 0; j < d; j++) {
        const v = (sums[c * d + j] as number) / cnt;
        shift += (v - (cen[j] as number)) ** 2;
        cen[j] = v;
      }
    }
    if (shift <= tol) {
      converged = true;
      break;
    }
  }
  const inertia = assign(X, n, d, centroids, labels, dist2);
  return { labels, dist2, inertia, iterations, converged };
}

/**
 * k-means: ml-kmeans (k-means++ with the seed, then Lloyd) on a seeded sample of at most `initSample` rows
 * (all rows when n is smaller), then Lloyd iterations on all rows from those centroids (typed arrays; a
 * no-op beyond the final assignment when the sample is the whole input). ml-kmeans' k-means++ copies the
 * data into an ml-matrix and walks number[][] rows, ~0.1 s per initialisation and ~10 ms per iteration
 * at 100 000 × 10 — too slow for n_init = 10 on large inputs, hence the sample.
 */
function fitRaw(
  m: FeatureMatrix,
  k: number,
  seed: number,
  nInit: number,
  maxIterations: number,
  initSample = 10_000,
): RawFit {
  const n = nRows(m);
  const d = m.data.length;
  const X = toRowMajor(m);
  const sampleIdx = sampleRows(n, initSample, seededRng(deriveSeed(seed, 'kmeans-init-sample')));
  const rows = toRowArrays(m, sampleIdx);
  const kk = Math.max(1, Math.min(k, distinctRows(rows, k)));
  let meanVar = 0;
  for (const v of columnVariances(m)) meanVar += v / Math.max(1, d);
  // scikit-learn's tol = 1e-4 × mean feature variance on the total squared centroid shift
  const tol = 1e-4 * meanVar;
  let best: RawFit | null = null;
  for (let run = 0; run < Math.max(1, nInit); run++) {
    const runSeed = nInit > 1 ? deriveSeed(seed, `kmeans-run-${run}`) >>> 0 : seed >>> 0;
    const res = mlKmeans(rows, kk, {
      initialization: 'kmeans++',
      seed: runSeed,
      maxIterations,
      tolerance: Math.max(tol / kk, Number.MIN_VALUE),
    });
    const centroids = res.centroids.map((c) => Float64Array.from(c));
    const fin = lloyd(X, n, d, centroids, maxIterations, tol);
    if (best === null || fin.inertia < best.inertia) {
      best = {
        k: kk,
        labels: fin.labels,
        centroids,
        dist2: fin.dist2,
        inertia: fin.inertia,
        iterations: res.iterations + fin.iterations,
        converged: fin.converged,
      };
    }
  }
  return best as RawFit;
}

/** Every row of `m` assigned to the nearest centroid of `fit`. */
function assignAll(m: FeatureMatrix, fit: RawFit): RawFit {
  const n = nRows(m);
  const labels = new Int32Array(n);
  const dist2 = new Float64Array(n);
  const inertia = assign(toRowMajor(m), n, m.data.length, fit.centroids, labels, dist2);
  return { ...fit, labels, dist2, inertia };
}

/** K-means with k-means++ initialisation and the outlier score described in the module doc. */
export function kMeans(m: FeatureMatrix, options: KMeansOptions): KMeansResult {
  const n = nRows(m);
  if (n === 0) throw new RangeError('kMeans: no rows');
  const sampled = options.fitRows !== undefined && options.fitRows.length < n;
  const fitted = fitRaw(
    sampled ? selectRows(m, options.fitRows as ArrayLike<number>) : m,
    options.k,
    options.seed ?? 0,
    options.nInit ?? 1,
    options.maxIterations ?? 300,
  );
  // fitted on a sample: every row goes to its nearest fitted centroid
  const fit = sampled ? assignAll(m, fitted) : fitted;
  const { k, labels, centroids, dist2 } = fit;
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[labels[i] as number] = (sizes[labels[i] as number] as number) + 1;
  const distance = dist2.map(Math.sqrt);
  const perCluster: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) (perCluster[labels[i] as number] as number[]).push(distance[i] as number);
  const globalSpread = median(distance);
  const spread = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const list = perCluster[c] as number[];
    const s = list.length > 0 ? median(list) : 0;
    spread[c] = s > 0 ? s : globalSpread > 0 ? globalSpread : 1;
  }
  const rel = new Float64Array(n);
  for (let i = 0; i < n; i++) rel[i] = (distance[i] as number) / (spread[labels[i] as number] as number);
  const distScore = minMaxNormalise(rel);
  const small = options.smallClusterFraction ?? 0.1;
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const share = (sizes[labels[i] as number] as number) / n;
    const sizeScore = small > 0 ? Math.max(0, 1 - share / small) : 0;
    score[i] = 1 - (1 - (distScore[i] as number)) * (1 - sizeScore);
  }
  return {
    k,
    labels,
    centroids,
    sizes,
    inertia: fit.inertia,
    iterations: fit.iterations,
    converged: fit.converged,
    distance,
    spread,
    score,
  };
}

/**
 * The seed's clustering: `KMeans(n_clusters=2)` on the UNSCALED features it is given (the seed used
 * avgcount, t_bytecount, distinct_byte_count), k-means++ with scikit-learn's n_init = 10.
 */
export function seedCompatKMeans(
  m: FeatureMatrix,
  options: { seed?: number; nInit?: number } = {},
): SeedCompatKMeansResult {
  const n = nRows(m);
  if (n === 0) throw new RangeError('seedCompatKMeans: no rows');
  const fit = fitRaw(m, 2, options.seed ?? 0, options.nInit ?? 10, 300);
  const sizes = new Int32Array(2);
  for (let i = 0; i < n; i++) sizes[fit.labels[i] as number] = (sizes[fit.labels[i] as number] as number) + 1;
  const minorityCluster = (sizes[0] as number) < (sizes[1] as number) ? 0 : 1;
  const majorityCluster = 1 - minorityCluster;
  const centroids =
    fit.centroids.length === 2
      ? fit.centroids
      : [fit.centroids[0] as Float64Array, fit.centroids[0] as Float64Array];
  const maj = centroids[majorityCluster] as Float64Array;
  const distanceToMajority = new Float64Array(n);
  for (let j = 0; j < m.data.length; j++) {
    const col = m.data[j] as Float64Array;
    const c = maj[j] as number;
    for (let i = 0; i < n; i++)
      distanceToMajority[i] = (distanceToMajority[i] as number) + ((col[i] as number) - c) ** 2;
  }
  for (let i = 0; i < n; i++) distanceToMajority[i] = Math.sqrt(distanceToMajority[i] as number);
  return {
    labels: fit.labels,
    centroids,
    sizes,
    inertia: fit.inertia,
    minorityCluster,
    majorityCluster,
    distanceToMajority,
  };
}

/** Condensed Euclidean distance matrix of a row-major sample: pair (i < j) at i·n − i(i+1)/2 + j − i − 1. */
export function pairwiseDistances(X: Float64Array, n: number, d: number): Float64Array {
  const D = new Float64Array((n * (n - 1)) / 2);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const v = (X[oi + t] as number) - (X[oj + t] as number);
        s += v * v;
      }
      D[o++] = Math.sqrt(s);
    }
  }
  return D;
}

/** Mean silhouette from a condensed distance matrix (see {@link silhouetteScore}). */
export function silhouetteFromDistances(
  D: Float64Array,
  n: number,
  labels: ArrayLike<number>,
  k: number,
): number {
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[labels[i] as number] = (sizes[labels[i] as number] as number) + 1;
  let present = 0;
  for (let c = 0; c < k; c++) if ((sizes[c] as number) > 0) present++;
  if (present < 2) return Number.NaN;
  const sums = new Float64Array(n * k);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const ik = i * k;
    const li = labels[i] as number;
    for (let j = i + 1; j < n; j++) {
      const dist = D[o++] as number;
      const lj = labels[j] as number;
      sums[ik + lj] = (sums[ik + lj] as number) + dist;
      sums[j * k + li] = (sums[j * k + li] as number) + dist;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i] as number;
    const own = sizes[li] as number;
    if (own <= 1) continue;
    const a = (sums[i * k + li] as number) / (own - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c === li || (sizes[c] as number) === 0) continue;
      b = Math.min(b, (sums[i * k + c] as number) / (sizes[c] as number));
    }
    const den = Math.max(a, b);
    total += den > 0 ? (b - a) / den : 0;
  }
  return total / n;
}

/**
 * Mean silhouette coefficient (Euclidean) of a labelled row-major sample; rows of singleton clusters
 * count 0, as scikit-learn. NaN when fewer than 2 clusters are present.
 */
export function silhouetteScore(
  X: Float64Array,
  n: number,
  d: number,
  labels: ArrayLike<number>,
  k: number,
): number {
  return silhouetteFromDistances(pairwiseDistances(X, n, d), n, labels, k);
}

/**
 * Picks k in [kMin, kMax] (default 2..8) by the mean silhouette: each k is fitted on a seeded sample of
 * at most `fitSampleSize` rows, the silhouette computed on a seeded sample of at most `sampleSize` of
 * those. Ties go to the smaller k.
 */
export function chooseK(m: FeatureMatrix, options: ChooseKOptions = {}): ChooseKResult {
  const n = nRows(m);
  const seed = options.seed ?? 0;
  const kMin = Math.max(2, options.kMin ?? 2);
  const kMax = options.kMax ?? 8;
  const fitIdx = sampleRows(n, options.fitSampleSize ?? 5000, seededRng(deriveSeed(seed, 'choosek-fit')));
  const fitRows = {
    columns: m.columns,
    data: m.data.map((c) => (fitIdx.length === n ? c : Float64Array.from(fitIdx, (i) => c[i] as number))),
  };
  const nFit = fitIdx.length;
  const silIdx =
    nFit <= (options.sampleSize ?? 2000)
      ? Uint32Array.from({ length: nFit }, (_, i) => i)
      : new IndexSampler(nFit, seededRng(deriveSeed(seed, 'choosek-silhouette')))
          .sample(options.sampleSize ?? 2000)
          .sort();
  const d = m.data.length;
  const Xs = new Float64Array(silIdx.length * d);
  for (let r = 0; r < silIdx.length; r++) {
    for (let j = 0; j < d; j++)
      Xs[r * d + j] = (fitRows.data[j] as Float64Array)[silIdx[r] as number] as number;
  }
  const D = pairwiseDistances(Xs, silIdx.length, d);
  const silhouettes: { k: number; silhouette: number }[] = [];
  let bestK = kMin;
  let bestS = Number.NEGATIVE_INFINITY;
  for (let k = kMin; k <= kMax; k++) {
    if (k > nFit) break;
    const fit = fitRaw(fitRows, k, deriveSeed(seed, `choosek-${k}`) >>> 0, 1, 300);
    if (fit.k < k) break; // fewer distinct rows than k
    const labels = Int32Array.from(silIdx, (i) => fit.labels[i] as number);
    const s = silhouetteFromDistances(D, silIdx.length, labels, k);
    silhouettes.push({ k, silhouette: s });
    if (s > bestS) {
      bestS = s;
      bestK = k;
    }
  }
  return { k: bestK, silhouettes };
}
