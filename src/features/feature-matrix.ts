import { type FeatureMatrix, featureMatrix } from '../models/matrix.js';
import type { ScaleSpec } from '../models/scale.js';
import type { NumericPairFeature, PairFeatures } from './pair-features.js';
import type { PairTiming } from './pair-timing.js';

/**
 * The per-pair matrix the outlier models see, and how each column is scaled (docs/SCORING.md):
 * counts are heavy-tailed, so log1p first; then robust scaling (median/IQR) everywhere, so the
 * outliers we hunt do not set the scale.
 */
const PAIR_COLUMNS: readonly NumericPairFeature[] = [
  'avgcount',
  't_bytecount',
  'distinct_byte_count',
  'orig_mode_share',
  'orig_distinct_sizes',
  'failed_share',
  'zero_byte_share',
  'duration_total',
  'prevalence',
];
const TIMING_COLUMNS = ['timing_score', 'gap_mad_ratio', 'rita_score'] as const;
/** The timing features (PairTiming.features) the timing columns are read from. */
export const MODEL_TIMING_FEATURES = ['timing_score', 'gap_median_s', 'gap_mad_s', 'rita_score'] as const;
const LOG_COLUMNS = new Set(['t_bytecount', 'distinct_byte_count', 'orig_distinct_sizes', 'duration_total']);

export const PAIR_MATRIX_SCALING: ScaleSpec = {
  default: 'robust',
  columns: Object.fromEntries([...LOG_COLUMNS].map((c) => [c, ['log1p', 'robust']])),
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
    for (const name of TIMING_COLUMNS) {
      columns.push(name);
      data.push(
        Float64Array.from(rows, (i) => {
          const f = timing[i]?.features;
          if (!f) return Number.NaN; // imputed with the column median by the models
          if (name === 'gap_mad_ratio') {
            const median = f.gap_median_s ?? Number.NaN;
            return median > 0 ? (f.gap_mad_s ?? Number.NaN) / median : Number.NaN;
          }
          return f[name] ?? Number.NaN;
        }),
      );
    }
  }
  return featureMatrix(columns, data);
}
