/**
 * Per-feature scaling, chosen per column by a spec object.
 *
 * Methods (numerically identical to scikit-learn on non-degenerate columns):
 * - `standard`: (x − mean) / std, population std (ddof = 0) like `StandardScaler`.
 * - `robust`: (x − median) / (Q3 − Q1), quantiles by linear interpolation like `RobustScaler`
 *   (`quantile_range=(25, 75)`, `unit_variance=False`).
 * - `log1p`: sign(x)·ln(1 + |x|) — equal to `np.log1p` for x ≥ 0 (counts, ratios) and still defined for
 *   negative values.
 * - `none`: unchanged.
 * Steps chain left to right, e.g. `['log1p', 'robust']` fits the robust scaler on the log values.
 *
 * Degenerate columns (differs from scikit-learn, which divides by 1 there): when the IQR is 0 the robust
 * scaler falls back to the population std, and when the std is also 0 (a constant column) to 1. Flow
 * features often have more than half of the pairs on one value (e.g. `distinct_byte_count` = 1), where
 * dividing raw counts by 1 would let that column dominate every distance.
 */

import { quantileSorted } from '../math/robust.js';
import { type FeatureMatrix, nRows } from './matrix.js';

export type ScaleMethod = 'none' | 'standard' | 'robust' | 'log1p';
export type ScaleSteps = ScaleMethod | readonly ScaleMethod[];

/** Which scaling every column gets: `columns[name]` if present, else `default` (itself 'none' by default). */
export interface ScaleSpec {
  readonly default?: ScaleSteps;
  readonly columns?: Readonly<Record<string, ScaleSteps>>;
}

/** One fitted step: `log1p`, or an affine (x − center) / scale. */
export type FittedStep =
  | { readonly kind: 'log1p' }
  | {
      readonly kind: 'affine';
      readonly method: 'standard' | 'robust';
      readonly center: number;
      readonly scale: number;
    };

/** Fitted parameters for one column, re-applicable to new rows with {@link applyScaling}. */
export interface ColumnScaling {
  readonly column: string;
  readonly steps: readonly FittedStep[];
}

export interface ScalingParams {
  readonly columns: readonly ColumnScaling[];
}

function stepsFor(spec: ScaleSpec, column: string): Exclude<ScaleMethod, 'none'>[] {
  const s = spec.columns?.[column] ?? spec.default ?? 'none';
  const list: readonly ScaleMethod[] = typeof s === 'string' ? [s] : s;
  const out: Exclude<ScaleMethod, 'none'>[] = [];
  for (const m of list) {
    if (m === 'none') continue;
    if (m !== 'standard' && m !== 'robust' && m !== 'log1p')
      throw new RangeError(`unknown scaling ${String(m)} for ${column}`);
    out.push(m);
  }
  return out;
}

/** sign(x)·log1p(|x|), element-wise into a new array. */
export function log1pSigned(col: ArrayLike<number>): Float64Array {
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const v = col[i] as number;
    out[i] = v >= 0 ? Math.log1p(v) : -Math.log1p(-v);
  }
  return out;
}

function meanStd(col: Float64Array): { mean: number; std: number } {
  const n = col.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += col[i] as number;
  const mean = n > 0 ? s / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = (col[i] as number) - mean;
    ss += v * v;
  }
  return { mean, std: n > 0 ? Math.sqrt(ss / n) : 0 };
}

/** Center/scale of the standard scaler (scale 1 for a constant column, as scikit-learn). */
export function fitStandard(col: Float64Array): { center: number; scale: number } {
  const { mean, std } = meanStd(col);
  return { center: mean, scale: std > 0 ? std : 1 };
}

/** Center/scale of the robust scaler: median and IQR (falling back to std, then 1; see the module doc). */
export function fitRobust(col: Float64Array): { center: number; scale: number } {
  const sorted = Float64Array.from(col).sort();
  const center = quantileSorted(sorted, 0.5);
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  if (iqr > 0) return { center: Number.isNaN(center) ? 0 : center, scale: iqr };
  const { std } = meanStd(col);
  return { center: Number.isNaN(center) ? 0 : center, scale: std > 0 ? std : 1 };
}

function applyStep(step: FittedStep, col: Float64Array): Float64Array {
  if (step.kind === 'log1p') return log1pSigned(col);
  const out = new Float64Array(col.length);
  const c = step.center;
  const inv = 1 / step.scale;
  for (let i = 0; i < col.length; i++) out[i] = ((col[i] as number) - c) * inv;
  return out;
}

/** Fits the spec on `m` and returns the scaled matrix together with the fitted parameters. */
export function scaleMatrix(
  m: FeatureMatrix,
  spec: ScaleSpec,
): { matrix: FeatureMatrix; params: ScalingParams } {
  const outCols: Float64Array[] = [];
  const params: ColumnScaling[] = [];
  m.columns.forEach((name, j) => {
    let col = m.data[j] as Float64Array;
    const fitted: FittedStep[] = [];
    for (const method of stepsFor(spec, name)) {
      let step: FittedStep;
      if (method === 'log1p') step = { kind: 'log1p' };
      else if (method === 'standard') step = { kind: 'affine', method, ...fitStandard(col) };
      else step = { kind: 'affine', method, ...fitRobust(col) };
      fitted.push(step);
      col = applyStep(step, col);
    }
    // Always hand out a fresh array so callers may mutate the result.
    outCols.push(fitted.length === 0 ? Float64Array.from(col) : col);
    params.push({ column: name, steps: fitted });
  });
  return { matrix: { columns: [...m.columns], data: outCols }, params: { columns: params } };
}

/** Applies fitted parameters to (new) rows with the same column names. */
export function applyScaling(params: ScalingParams, m: FeatureMatrix): FeatureMatrix {
  const data = params.columns.map((p) => {
    const j = m.columns.indexOf(p.column);
    if (j < 0) throw new RangeError(`applyScaling: no column ${p.column}`);
    let col = m.data[j] as Float64Array;
    for (const step of p.steps) col = applyStep(step, col);
    return p.steps.length === 0 ? Float64Array.from(col) : col;
  });
  return { columns: params.columns.map((p) => p.column), data };
}

/** Scikit-learn `StandardScaler().fit_transform` of one column. */
export function standardScale(col: Float64Array): Float64Array {
  return applyStep({ kind: 'affine', method: 'standard', ...fitStandard(col) }, col);
}

/** Scikit-learn `RobustScaler().fit_transform` of one column (with the degenerate-IQR fallback). */
export function robustScale(col: Float64Array): Float64Array {
  return applyStep({ kind: 'affine', method: 'robust', ...fitRobust(col) }, col);
}

/**
 * Replaces NaN and ±Infinity by the median of the column's finite values (0 when it has none).
 * Returns the input matrix itself when every value is finite. `replaced` counts the cells per column.
 */
export function imputeNonFinite(m: FeatureMatrix): {
  matrix: FeatureMatrix;
  replaced: Record<string, number>;
} {
  const replaced: Record<string, number> = {};
  let any = false;
  const n = nRows(m);
  const data = m.data.map((col, j) => {
    let bad = 0;
    for (let i = 0; i < n; i++) if (!Number.isFinite(col[i] as number)) bad++;
    if (bad === 0) return col;
    any = true;
    replaced[m.columns[j] as string] = bad;
    const finite = new Float64Array(n - bad);
    for (let i = 0, k = 0; i < n; i++) {
      const v = col[i] as number;
      if (Number.isFinite(v)) finite[k++] = v;
    }
    finite.sort();
    const fill = finite.length > 0 ? quantileSorted(finite, 0.5) : 0;
    const out = Float64Array.from(col);
    for (let i = 0; i < n; i++) if (!Number.isFinite(out[i] as number)) out[i] = fill;
    return out;
  });
  return { matrix: any ? { columns: [...m.columns], data } : m, replaced };
}
