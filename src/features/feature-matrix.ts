import { type FeatureMatrix, featureMatrix } from '../models/matrix.js';
import type { ScaleSpec } from '../models/scale.js';
import { NUMERIC_FEATURE_NAMES, PAIR_FEATURES, type PairFeatures } from './pair-features.js';
import type { PairTiming, PairTimingFeatures, TimingFeatureName } from './pair-timing.js';

/**
 * The per-pair matrix the outlier models see, and how each column is scaled (docs/SCORING.md):
 * the per-pair features declared `model` (pair-features.ts, in declaration order), log1p first
 * for heavy-tailed counts, then robust scaling (median/IQR) everywhere, so the outliers we hunt do
 * not set the scale; then the timing columns below.
 */
const PAIR_COLUMNS = NUMERIC_FEATURE_NAMES.filter((name) => 'model' in PAIR_FEATURES[name]);
const LOG_COLUMNS = PAIR_COLUMNS.filter(
  (name) => (PAIR_FEATURES[name] as { model?: string }).model === 'log1p',
);

/** The timing columns, each read from the pair's timing features (NaN: imputed by the models). */
const TIMING_COLUMNS: Record<string, (f: Partial<PairTimingFeatures>) => number> = {
  timing_score: (f) => f.timing_score ?? Number.NaN,
  // spread relative to the period: scale-free, so a 10 s and a 1 h beacon compare
  gap_mad_ratio: (f) => {
    const median = f.gap_median_s ?? Number.NaN;
    return median > 0 ? (f.gap_mad_s ?? Number.NaN) / median : Number.NaN;
  },
  rita_score: (f) => f.rita_score ?? Number.NaN,
};
/** The timing features the timing columns read (kept even for pairs that cannot reach a finding). */
export const MODEL_TIMING_FEATURES = [
  'timing_score',
  'gap_median_s',
  'gap_mad_s',
  'rita_score',
] as const satisfies readonly TimingFeatureName[];

export const PAIR_MATRIX_SCALING: ScaleSpec = {
  default: 'robust',
  columns: Object.fromEntries(LOG_COLUMNS.map((c) => [c, ['log1p', 'robust']])),
};

/** Rows = the included pairs (`rows` holds their indices into `pairs`). */
export function pairFeatureMatrix(
  pairs: PairFeatures,
  rows: Int32Array,
  timing?: readonly (PairTiming | undefined)[],
): FeatureMatrix {
  const columns: string[] = [...PAIR_COLUMNS];
  const data: Float64Array[] = PAIR_COLUMNS.map((name) =>
    Float64Array.from(rows, (i) => pairs.numeric[name][i] as number),
  );
  if (timing) {
    for (const [name, read] of Object.entries(TIMING_COLUMNS)) {
      columns.push(name);
      data.push(
        Float64Array.from(rows, (i) => {
          const f = timing[i]?.features;
          return f ? read(f) : Number.NaN; // imputed with the column median by the models
        }),
      );
    }
  }
  return featureMatrix(columns, data);
}
