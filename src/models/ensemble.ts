/**
 * Runs the selected outlier models on one per-pair feature matrix and combines them by rank averaging.
 *
 * Pipeline: non-finite cells → column median (`imputeNonFinite`), scaling by `scale` (default: robust
 * scaling of every column; pass `false` to use the matrix as is), then each model on the scaled matrix
 * with its own seed derived from `seed` and the model name (so selecting more or fewer models never
 * changes another model's result). Each model's 0..1 score is turned into normalised ranks (ties share
 * their average rank, smallest 0, largest 1); the ensemble score is the mean of those ranks, in 0..1.
 * Deterministic for a given seed.
 */

import { deriveSeed, sampleRows, seededRng } from '../math/random.js';
import { rankNormalise } from '../math/stats.js';
import {
  type EllipticEnvelopeOptions,
  type EllipticEnvelopeResult,
  ellipticEnvelope,
} from './elliptic-envelope.js';
import {
  type IsolationForestOptions,
  type IsolationForestResult,
  isolationForest,
} from './isolation-forest.js';
import { type ChooseKResult, chooseK, type KMeansOptions, type KMeansResult, kMeans } from './kmeans.js';
import { type FeatureMatrix, nRows } from './matrix.js';
import { type OneClassSvmOptions, type OneClassSvmResult, oneClassSvm } from './one-class-svm.js';
import { type PcaOutlierOptions, type PcaOutlierResult, pcaOutliers } from './pca.js';
import { imputeNonFinite, type ScaleSpec, type ScalingParams, scaleMatrix } from './scale.js';

/**
 * Rows k-means, the elliptic envelope and PCA are fitted on when there are more (a seeded sample;
 * every row is still scored). What they estimate — centroids, a 12 × 12 covariance, principal axes
 * of the bulk of ordinary pairs — is settled to about 1/√20 000 ≈ 0.7 % of a spread by 20 000 rows,
 * far below what moves a rank, while their fit cost (FastMCD's C-steps, Lloyd iterations, the SVD)
 * grows with the rows fitted: a hunt of any size then pays a fixed fit plus a linear scoring pass.
 * The Isolation Forest already fits on ψ = 256-row subsamples and the OCSVM on ≤ 10 000 rows.
 */
export const MODEL_FIT_SAMPLE = 20_000;

export type ModelName = 'kmeans' | 'iforest' | 'elliptic' | 'ocsvm' | 'pca';
export const ALL_MODELS: readonly ModelName[] = ['kmeans', 'iforest', 'elliptic', 'ocsvm', 'pca'];

export interface EnsembleOptions {
  /** Models to run (default: all five). */
  readonly models?: readonly ModelName[];
  readonly seed?: number;
  /** Scaling before the models (default `{ default: 'robust' }`); `false` for none. */
  readonly scale?: ScaleSpec | false;
  /** Fit k-means, elliptic and PCA on at most this many seeded rows (default MODEL_FIT_SAMPLE). */
  readonly fitSampleSize?: number;
  /** `k: 'auto'` (default) chooses k by silhouette. */
  readonly kmeans?: Omit<KMeansOptions, 'k' | 'seed'> & { readonly k?: number | 'auto' };
  readonly iforest?: Omit<IsolationForestOptions, 'seed'>;
  readonly elliptic?: Omit<EllipticEnvelopeOptions, 'seed'>;
  readonly ocsvm?: Omit<OneClassSvmOptions, 'seed'>;
  readonly pca?: PcaOutlierOptions;
}

export interface ModelOutputs {
  readonly kmeans?: KMeansResult & { readonly chooseK?: ChooseKResult };
  readonly iforest?: IsolationForestResult;
  readonly elliptic?: EllipticEnvelopeResult;
  readonly ocsvm?: OneClassSvmResult;
  readonly pca?: PcaOutlierResult;
}

export interface EnsembleResult {
  /** Rank-averaged outlierness per row, 0..1 (higher = more anomalous). */
  readonly score: Float64Array;
  readonly models: readonly ModelName[];
  /** Each model's own 0..1 score per row. */
  readonly scores: Readonly<Partial<Record<ModelName, Float64Array>>>;
  /** Each model's normalised rank per row (what the ensemble averages). */
  readonly ranks: Readonly<Partial<Record<ModelName, Float64Array>>>;
  readonly outputs: ModelOutputs;
  /** The matrix the models saw (after imputation and scaling) and the fitted scaling. */
  readonly scaled: FeatureMatrix;
  readonly scaling: ScalingParams | null;
  /** Non-finite cells replaced per column. */
  readonly imputed: Readonly<Record<string, number>>;
  /** Wall time per model in milliseconds (informational; not deterministic). */
  readonly timingsMs: Readonly<Partial<Record<ModelName, number>>>;
}

/** Runs the models and rank-averages their scores. */
export async function runEnsemble(m: FeatureMatrix, options: EnsembleOptions = {}): Promise<EnsembleResult> {
  const seed = options.seed ?? 0;
  const models = [...new Set(options.models ?? ALL_MODELS)];
  for (const name of models) {
    if (!ALL_MODELS.includes(name)) throw new RangeError(`runEnsemble: unknown model ${String(name)}`);
  }
  const n = nRows(m);
  const { matrix: clean, replaced } = imputeNonFinite(m);
  let scaled = clean;
  let scaling: ScalingParams | null = null;
  if (options.scale !== false) {
    const r = scaleMatrix(clean, options.scale ?? { default: 'robust' });
    scaled = r.matrix;
    scaling = r.params;
  }
  const fitSample = options.fitSampleSize ?? MODEL_FIT_SAMPLE;
  const fitRows =
    n > fitSample ? { fitRows: sampleRows(n, fitSample, seededRng(deriveSeed(seed, 'fit-sample'))) } : {};
  const scores: Partial<Record<ModelName, Float64Array>> = {};
  const ranks: Partial<Record<ModelName, Float64Array>> = {};
  const outputs: {
    kmeans?: KMeansResult & { chooseK?: ChooseKResult };
    iforest?: IsolationForestResult;
    elliptic?: EllipticEnvelopeResult;
    ocsvm?: OneClassSvmResult;
    pca?: PcaOutlierResult;
  } = {};
  const timingsMs: Partial<Record<ModelName, number>> = {};

  for (const name of models) {
    const t0 = performance.now();
    const s = deriveSeed(seed, name);
    if (n === 0) {
      scores[name] = new Float64Array(0);
    } else if (name === 'kmeans') {
      const { k: kOpt = 'auto', ...rest } = options.kmeans ?? {};
      let chosen: ChooseKResult | undefined;
      let k: number;
      if (kOpt === 'auto') {
        chosen = chooseK(scaled, { seed: s });
        k = chosen.k;
      } else k = kOpt;
      const r = kMeans(scaled, { ...rest, k, seed: s >>> 0, ...fitRows });
      outputs.kmeans = chosen ? { ...r, chooseK: chosen } : r;
      scores.kmeans = r.score;
    } else if (name === 'iforest') {
      const r = isolationForest(scaled, { ...options.iforest, seed: s });
      outputs.iforest = r;
      scores.iforest = r.score;
    } else if (name === 'elliptic') {
      const r = ellipticEnvelope(scaled, { ...options.elliptic, seed: s, ...fitRows });
      outputs.elliptic = r;
      scores.elliptic = r.score;
    } else if (name === 'ocsvm') {
      const r = await oneClassSvm(scaled, { ...options.ocsvm, seed: s });
      outputs.ocsvm = r;
      scores.ocsvm = r.score;
    } else {
      const r = pcaOutliers(scaled, { ...options.pca, ...fitRows });
      outputs.pca = r;
      scores.pca = r.score;
    }
    timingsMs[name] = performance.now() - t0;
  }

  const score = new Float64Array(n);
  for (const name of models) {
    const r = rankNormalise(scores[name] as Float64Array);
    ranks[name] = r;
    for (let i = 0; i < n; i++) score[i] = (score[i] as number) + (r[i] as number);
  }
  if (models.length > 0) for (let i = 0; i < n; i++) score[i] = (score[i] as number) / models.length;
  return { score, models, scores, ranks, outputs, scaled, scaling, imputed: replaced, timingsMs };
}
