/**
 * Principal component analysis on ml-pca, for the report's 2-D/3-D scatter and as an outlier model
 * (squared reconstruction error from the leading components).
 *
 * The covariance (ddof = 1, as scikit-learn's `explained_variance_`) is accumulated here in one pass over
 * the typed columns and eigendecomposed by ml-pca (`isCovarianceMatrix`), which is much faster than an SVD
 * of the n × d data for n ≫ d; projection and reconstruction are plain loops.
 *
 * Sign convention (eigenvectors are defined up to sign): each component is flipped so that its
 * largest-magnitude loading is positive (the fixture script normalises scikit-learn's components the same
 * way).
 */
import { PCA } from 'ml-pca';
import { minMaxNormalise } from '../math/stats.js';
import { type FeatureMatrix, nRows, selectRows } from './matrix.js';

export interface PcaModel {
  readonly columns: readonly string[];
  readonly means: Float64Array;
  /** Unit eigenvectors, largest variance first; `components[k][j]` = loading of feature j. */
  readonly components: Float64Array[];
  /** Eigenvalues (variance along each component, ddof = 1). */
  readonly explainedVariance: Float64Array;
  readonly explainedVarianceRatio: Float64Array;
}

export interface PcaOutlierOptions {
  /** Components kept for the reconstruction; default: the fewest reaching `varianceToKeep`, at most d − 1. */
  readonly nComponents?: number;
  /** Default 0.9. */
  readonly varianceToKeep?: number;
  /** Rows the model is fitted on (a seeded sample); every row is scored. Default: all rows. */
  readonly fitRows?: ArrayLike<number>;
}

export interface PcaOutlierResult {
  readonly model: PcaModel;
  readonly nComponents: number;
  /** Squared reconstruction error per row (in the units of the input features). */
  readonly error: Float64Array;
  /** The error min–max normalised to 0..1. */
  readonly score: Float64Array;
}

/** Fits PCA on the rows of `m` (centred, not scaled: scale first with scale.ts if wanted). */
export function fitPca(m: FeatureMatrix): PcaModel {
  const n = nRows(m);
  const d = m.data.length;
  const means = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const col = m.data[j] as Float64Array;
    let s = 0;
    for (let i = 0; i < n; i++) s += col[i] as number;
    means[j] = n > 0 ? s / n : 0;
  }
  const cov: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const centred = m.data.map((col, j) => {
    const out = new Float64Array(n);
    const mu = means[j] as number;
    for (let i = 0; i < n; i++) out[i] = (col[i] as number) - mu;
    return out;
  });
  for (let a = 0; a < d; a++) {
    const ca = centred[a] as Float64Array;
    for (let b = 0; b <= a; b++) {
      const cb = centred[b] as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++) s += (ca[i] as number) * (cb[i] as number);
      const v = n > 1 ? s / (n - 1) : 0;
      (cov[a] as number[])[b] = v;
      (cov[b] as number[])[a] = v;
    }
  }
  if (d === 0) {
    return {
      columns: [],
      means,
      components: [],
      explainedVariance: new Float64Array(0),
      explainedVarianceRatio: new Float64Array(0),
    };
  }
  const pca = new PCA(cov, { isCovarianceMatrix: true });
  const U = pca.getEigenvectors();
  const eig = pca.getEigenvalues();
  // order by eigenvalue, descending (ml-pca already does; keep it robust)
  const order = eig.map((v, k) => [v, k] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  const components: Float64Array[] = [];
  const explainedVariance = new Float64Array(d);
  let total = 0;
  order.forEach(([v, k], r) => {
    const vec = Float64Array.from(U.getColumn(k));
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(vec[j] as number) > Math.abs(vec[big] as number)) big = j;
    if ((vec[big] as number) < 0) for (let j = 0; j < d; j++) vec[j] = -(vec[j] as number);
    components.push(vec);
    const ev = Math.max(0, v);
    explainedVariance[r] = ev;
    total += ev;
  });
  const explainedVarianceRatio = explainedVariance.map((v) => (total > 0 ? v / total : 0));
  return { columns: [...m.columns], means, components, explainedVariance, explainedVarianceRatio };
}

/** Coordinates of the rows on the first `nComponents` components (column-major: one array per component). */
export function projectPca(model: PcaModel, m: FeatureMatrix, nComponents = 2): Float64Array[] {
  const n = nRows(m);
  const d = model.means.length;
  if (m.data.length !== d) throw new RangeError(`projectPca: ${m.data.length} columns, model has ${d}`);
  const k = Math.min(nComponents, model.components.length);
  const out: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const w = model.components[c] as Float64Array;
    const z = new Float64Array(n);
    for (let j = 0; j < d; j++) {
      const col = m.data[j] as Float64Array;
      const mu = model.means[j] as number;
      const wj = w[j] as number;
      if (wj === 0) continue;
      for (let i = 0; i < n; i++) z[i] = (z[i] as number) + ((col[i] as number) - mu) * wj;
    }
    out.push(z);
  }
  return out;
}

/**
 * Squared reconstruction error from the first `nComponents` components:
 * ‖x − μ‖² − Σ_k ((x − μ)·w_k)² (orthonormal components).
 */
export function reconstructionError(model: PcaModel, m: FeatureMatrix, nComponents: number): Float64Array {
  const n = nRows(m);
  const d = model.means.length;
  const z = projectPca(model, m, nComponents);
  const err = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    const col = m.data[j] as Float64Array;
    const mu = model.means[j] as number;
    for (let i = 0; i < n; i++) err[i] = (err[i] as number) + ((col[i] as number) - mu) ** 2;
  }
  for (const zc of z) for (let i = 0; i < n; i++) err[i] = (err[i] as number) - (zc[i] as number) ** 2;
  for (let i = 0; i < n; i++) if ((err[i] as number) < 0) err[i] = 0; // rounding
  return err;
}

/** Number of leading components whose cumulative explained-variance ratio reaches `fraction`. */
export function componentsFor(model: PcaModel, fraction: number): number {
  let cum = 0;
  const r = model.explainedVarianceRatio;
  for (let k = 0; k < r.length; k++) {
    cum += r[k] as number;
    if (cum >= fraction - 1e-12) return k + 1;
  }
  return r.length;
}

/** Fits PCA and scores every row by its reconstruction error. */
export function pcaOutliers(m: FeatureMatrix, options: PcaOutlierOptions = {}): PcaOutlierResult {
  const model = fitPca(options.fitRows ? selectRows(m, options.fitRows) : m);
  const d = model.components.length;
  const k =
    options.nComponents !== undefined
      ? Math.max(0, Math.min(options.nComponents, d))
      : Math.max(0, Math.min(componentsFor(model, options.varianceToKeep ?? 0.9), d - 1));
  const error = reconstructionError(model, m, k);
  return { model, nComponents: k, error, score: minMaxNormalise(error) };
}
