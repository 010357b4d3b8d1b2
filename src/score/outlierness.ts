import { PAIR_MATRIX_SCALING, pairFeatureMatrix } from '../features/feature-matrix.js';
import type { PairFeatures } from '../features/pair-features.js';
import type { PairTiming } from '../features/pair-timing.js';
import { ALL_MODELS, type ModelName, runEnsemble } from '../models/ensemble.js';

export const MODEL_CHOICES = ['ensemble', ...ALL_MODELS] as const;
export type ModelChoice = (typeof MODEL_CHOICES)[number];

/** Fewer pairs than this and "outlier" means nothing: every pair gets 0. */
const MIN_ROWS = 8;

/**
 * 0–1 outlierness of every included pair against the others, from one model or the rank-averaged
 * ensemble (src/models/ensemble.ts). Seeded: the same data gives the same scores.
 */
export async function pairOutlierness(
  pairs: PairFeatures,
  include: Uint8Array,
  timing: readonly (PairTiming | undefined)[] | undefined,
  model: ModelChoice,
  seed: number,
  fitSampleSize?: number,
): Promise<Float64Array> {
  const out = new Float64Array(pairs.length);
  const rows = Int32Array.from(include.reduce<number[]>((acc, x, i) => (x ? (acc.push(i), acc) : acc), []));
  if (rows.length < MIN_ROWS) return out;
  const matrix = pairFeatureMatrix(pairs, rows, timing);
  const models: ModelName[] = model === 'ensemble' ? [...ALL_MODELS] : [model];
  const result = await runEnsemble(matrix, {
    models,
    seed,
    scale: PAIR_MATRIX_SCALING,
    ...(fitSampleSize !== undefined ? { fitSampleSize } : {}),
  });
  rows.forEach((row, k) => {
    out[row] = result.score[k] as number;
  });
  return out;
}
