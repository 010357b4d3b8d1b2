/**
 * The feature matrix every model in `src/models` consumes.
 *
 * Layout: **column-major** — one `Float64Array` per feature, all of the same length `n` (the number of
 * rows, i.e. host pairs). `columns[j]` names `data[j]`. Per-feature work (scaling, statistics) runs
 * straight down a column; models that walk rows (isolation forest, MCD, SVM) convert once with
 * {@link toRowMajor} into a flat `n × d` row-major `Float64Array`.
 *
 * Models require finite values: run `imputeNonFinite` (scale.ts) first when the features may hold
 * NaN/Infinity (the ensemble does).
 */
export interface FeatureMatrix {
  readonly columns: readonly string[];
  readonly data: readonly Float64Array[];
}

/** Builds a matrix, checking that there is one column of equal length per name. */
export function featureMatrix(columns: readonly string[], data: readonly Float64Array[]): FeatureMatrix {
  if (columns.length !== data.length) {
    throw new RangeError(`featureMatrix: ${columns.length} column names for ${data.length} columns`);
  }
  const n = data[0]?.length ?? 0;
  for (let j = 0; j < data.length; j++) {
    if ((data[j] as Float64Array).length !== n) {
      throw new RangeError(`featureMatrix: column ${columns[j]} has ${data[j]?.length} rows, expected ${n}`);
    }
  }
  return { columns: [...columns], data: [...data] };
}

/** Number of rows (0 for a matrix without columns). */
export function nRows(m: FeatureMatrix): number {
  return m.data[0]?.length ?? 0;
}

/** Builds a column-major matrix from row arrays (tests, small inputs). */
export function fromRows(columns: readonly string[], rows: readonly ArrayLike<number>[]): FeatureMatrix {
  const d = columns.length;
  const n = rows.length;
  const data: Float64Array[] = [];
  for (let j = 0; j < d; j++) data.push(new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const r = rows[i] as ArrayLike<number>;
    if (r.length !== d) throw new RangeError(`fromRows: row ${i} has ${r.length} values, expected ${d}`);
    for (let j = 0; j < d; j++) (data[j] as Float64Array)[i] = r[j] as number;
  }
  return { columns: [...columns], data };
}

/** Flat row-major copy: element (i, j) at `i * d + j`. */
export function toRowMajor(m: FeatureMatrix): Float64Array {
  const n = nRows(m);
  const d = m.data.length;
  const out = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const col = m.data[j] as Float64Array;
    for (let i = 0, o = j; i < n; i++, o += d) out[o] = col[i] as number;
  }
  return out;
}

/** Row arrays as `number[][]` (for libraries that want them, e.g. ml-kmeans). */
export function toRowArrays(m: FeatureMatrix, rowIndex?: ArrayLike<number>): number[][] {
  const d = m.data.length;
  const n = rowIndex ? rowIndex.length : nRows(m);
  const out: number[][] = new Array(n);
  for (let r = 0; r < n; r++) {
    const i = rowIndex ? (rowIndex[r] as number) : r;
    const row = new Array<number>(d);
    for (let j = 0; j < d; j++) row[j] = (m.data[j] as Float64Array)[i] as number;
    out[r] = row;
  }
  return out;
}

/** A copy holding only the given rows, in the given order (a model's fitting sample). */
export function selectRows(m: FeatureMatrix, rowIndex: ArrayLike<number>): FeatureMatrix {
  const k = rowIndex.length;
  const data = m.data.map((col) => {
    const out = new Float64Array(k);
    for (let r = 0; r < k; r++) out[r] = col[rowIndex[r] as number] as number;
    return out;
  });
  return { columns: [...m.columns], data };
}

/** Column means. */
export function columnMeans(m: FeatureMatrix): Float64Array {
  const n = nRows(m);
  const out = new Float64Array(m.data.length);
  for (let j = 0; j < m.data.length; j++) {
    const col = m.data[j] as Float64Array;
    let s = 0;
    for (let i = 0; i < n; i++) s += col[i] as number;
    out[j] = n > 0 ? s / n : 0;
  }
  return out;
}

/** Column variances with `ddof` (0 = population, as numpy/scikit-learn scalers; 1 = sample). */
export function columnVariances(m: FeatureMatrix, ddof = 0, means = columnMeans(m)): Float64Array {
  const n = nRows(m);
  const out = new Float64Array(m.data.length);
  for (let j = 0; j < m.data.length; j++) {
    const col = m.data[j] as Float64Array;
    const mu = means[j] as number;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = (col[i] as number) - mu;
      s += v * v;
    }
    out[j] = n - ddof > 0 ? s / (n - ddof) : 0;
  }
  return out;
}
