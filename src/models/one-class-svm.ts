/**
 * One-class SVM (Schölkopf et al.; libsvm's ν formulation, as scikit-learn's `OneClassSVM`) with an RBF
 * kernel, trained by libsvm-js and scored in JavaScript.
 *
 * - Training: a seeded sample of at most `maxTrainRows` (10 000) rows, kept in their original order
 *   (all rows when n is smaller, so small inputs train exactly like scikit-learn).
 * - γ = 'scale' (default): 1 / (d · Var(X_train)) with the variance over all entries, as scikit-learn
 *   (1 when that variance is 0). ν = 0.05 by default; tolerance 1e-3, shrinking on (libsvm defaults).
 * - Scoring: decision(x) = Σ_i α_i exp(−γ‖x − sv_i‖²) − ρ (scikit-learn's `decision_function`; negative =
 *   outside the learned support). libsvm-js only exposes predicted labels, so the trained model is read
 *   back (support-vector indices + coefficients from libsvm's serialised model) and every row is scored
 *   with full-precision support vectors taken from the input. ρ is recomputed as libsvm does (mean of
 *   Σ_j α_j K(x_i, x_j) over the free support vectors) because the serialised model prints it with only 6
 *   significant digits; the printed value is the fallback when no support vector is free.
 * - Outlier score: −decision min–max normalised to 0..1.
 *
 * Loading: libsvm-js is CommonJS with an asm.js and a WebAssembly build. The WebAssembly build (≈2× faster)
 * is loaded once through `createRequire` (works under Node ESM and vitest). Its Emscripten glue would try
 * `fetch()` on a file path first (Node ≥ 18 has fetch) and log a warning, and it installs a process-wide
 * `unhandledRejection` handler that calls `process.exit(1)`; the loader hides `instantiateStreaming`
 * during the load and removes that handler again.
 */
import { createRequire } from 'node:module';
import { sampleRows, seededRng } from '../math/random.js';
import { minMaxNormalise } from '../math/stats.js';
import { type FeatureMatrix, nRows, toRowMajor } from './matrix.js';

interface LibsvmInstance {
  train(samples: number[][], labels: number[]): void;
  getSVIndices(): number[];
  serializeModel(): string;
  free(): void;
}

interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmInstance;
  readonly SVM_TYPES: { readonly ONE_CLASS: string };
  readonly KERNEL_TYPES: { readonly RBF: string };
}

let libsvmPromise: Promise<LibsvmClass> | null = null;

/** Loads libsvm-js (WebAssembly build) once; later calls share the same promise. */
export function loadLibsvm(): Promise<LibsvmClass> {
  if (libsvmPromise) return libsvmPromise;
  const require = createRequire(import.meta.url);
  const before = new Set(process.listeners('unhandledRejection'));
  const wasm = ((globalThis as { WebAssembly?: unknown }).WebAssembly ?? {}) as Record<string, unknown>;
  const streaming = wasm.instantiateStreaming;
  let hidden = false;
  try {
    try {
      wasm.instantiateStreaming = undefined;
      hidden = true;
    } catch {
      // read-only in some runtimes: the load still works, Emscripten just logs a fallback warning
    }
    libsvmPromise = Promise.resolve(require('libsvm-js/wasm') as Promise<LibsvmClass>).catch(
      (err: unknown) => {
        libsvmPromise = null; // let a later call retry
        throw err;
      },
    );
  } finally {
    if (hidden) wasm.instantiateStreaming = streaming;
    for (const l of process.listeners('unhandledRejection')) {
      if (!before.has(l)) process.removeListener('unhandledRejection', l);
    }
  }
  return libsvmPromise;
}

export interface OneClassSvmOptions {
  /** ν ∈ (0, 1]: upper bound on the training share outside the support (default 0.05). */
  readonly nu?: number;
  /** RBF γ, or 'scale' (default). */
  readonly gamma?: number | 'scale';
  readonly seed?: number;
  /** Training sample size (default 10 000). */
  readonly maxTrainRows?: number;
  /** libsvm stopping tolerance (default 1e-3). */
  readonly tolerance?: number;
  /** libsvm kernel cache in MB (default 200, as scikit-learn). */
  readonly cacheSizeMb?: number;
}

export interface OneClassSvmModel {
  readonly columns: readonly string[];
  readonly gamma: number;
  readonly nu: number;
  readonly rho: number;
  /** Support vectors, row-major nSV × d. */
  readonly supportVectors: Float64Array;
  /** α_i per support vector. */
  readonly coefficients: Float64Array;
  /** Row indices (into the input) of the support vectors. */
  readonly supportRows: Uint32Array;
  /** Row indices (into the input) of the training sample. */
  readonly trainRows: Uint32Array;
}

export interface OneClassSvmResult {
  readonly model: OneClassSvmModel;
  /** scikit-learn `decision_function` per row. */
  readonly decision: Float64Array;
  readonly isOutlier: Uint8Array;
  /** −decision min–max normalised to 0..1. */
  readonly score: Float64Array;
}

function parseModel(text: string): { rho: number; coef: number[] } {
  const lines = text.split('\n');
  let rho = Number.NaN;
  const coef: number[] = [];
  let inSv = false;
  for (const line of lines) {
    if (inSv) {
      const t = line.trim();
      if (t === '') continue;
      coef.push(Number(t.split(/\s+/)[0]));
    } else if (line.startsWith('rho ')) rho = Number(line.slice(4));
    else if (line.trim() === 'SV') inSv = true;
  }
  return { rho, coef };
}

/** Kernel terms below e^−36.8 ≈ 1e-16 (α ≤ 1) are skipped: far rows then cost no exp() per support vector. */
const NEGLIGIBLE = 36.8;

/**
 * Σ_i α_i K(x, sv_i) for every row of X (row-major, n × d): squared differences summed in blocks of four
 * (this loop is most of the model's run time: 100 000 rows × ~500 support vectors).
 */
function kernelSums(
  X: Float64Array,
  n: number,
  d: number,
  sv: Float64Array,
  coef: Float64Array,
  gamma: number,
): Float64Array {
  const nSv = coef.length;
  const out = new Float64Array(n);
  const x = new Float64Array(d);
  const d4 = d - (d % 4);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) x[j] = X[o + j] as number;
    let sum = 0;
    for (let s = 0, so = 0; s < nSv; s++, so += d) {
      let d2 = 0;
      let j = 0;
      for (; j < d4; j += 4) {
        const a = (x[j] as number) - (sv[so + j] as number);
        const b = (x[j + 1] as number) - (sv[so + j + 1] as number);
        const c = (x[j + 2] as number) - (sv[so + j + 2] as number);
        const e = (x[j + 3] as number) - (sv[so + j + 3] as number);
        d2 += a * a + b * b + c * c + e * e;
      }
      for (; j < d; j++) {
        const a = (x[j] as number) - (sv[so + j] as number);
        d2 += a * a;
      }
      const t = gamma * d2;
      if (t < NEGLIGIBLE) sum += (coef[s] as number) * Math.exp(-t);
    }
    out[i] = sum;
  }
  return out;
}

/** scikit-learn's gamma='scale' on the given rows: 1 / (d · Var(all entries)). */
export function scaleGamma(X: Float64Array, d: number): number {
  const N = X.length;
  if (N === 0 || d === 0) return 1;
  let s = 0;
  for (let i = 0; i < N; i++) s += X[i] as number;
  const mean = s / N;
  let ss = 0;
  for (let i = 0; i < N; i++) ss += ((X[i] as number) - mean) ** 2;
  const v = ss / N;
  return v > 0 ? 1 / (d * v) : 1;
}

/** decision(x) for (new) rows with the same columns as the fit. */
export function oneClassSvmDecision(model: OneClassSvmModel, m: FeatureMatrix): Float64Array {
  const d = model.columns.length;
  if (m.data.length !== d)
    throw new RangeError(`oneClassSvmDecision: ${m.data.length} columns, model has ${d}`);
  const n = nRows(m);
  const sums = kernelSums(toRowMajor(m), n, d, model.supportVectors, model.coefficients, model.gamma);
  for (let i = 0; i < n; i++) sums[i] = (sums[i] as number) - model.rho;
  return sums;
}

/** Trains on a seeded sample of the rows of `m` and scores all rows. */
export async function oneClassSvm(
  m: FeatureMatrix,
  options: OneClassSvmOptions = {},
): Promise<OneClassSvmResult> {
  const n = nRows(m);
  const d = m.data.length;
  const nu = options.nu ?? 0.05;
  if (!(nu > 0 && nu <= 1)) throw new RangeError('oneClassSvm: nu must be in (0, 1]');
  const X = toRowMajor(m);
  const trainRows = sampleRows(n, options.maxTrainRows ?? 10_000, seededRng(options.seed ?? 0));
  const nTrain = trainRows.length;
  const Xt = new Float64Array(nTrain * d);
  for (let r = 0; r < nTrain; r++)
    Xt.set(X.subarray((trainRows[r] as number) * d, (trainRows[r] as number) * d + d), r * d);
  const gamma = options.gamma === undefined || options.gamma === 'scale' ? scaleGamma(Xt, d) : options.gamma;
  const empty: OneClassSvmModel = {
    columns: [...m.columns],
    gamma,
    nu,
    rho: 0,
    supportVectors: new Float64Array(0),
    coefficients: new Float64Array(0),
    supportRows: new Uint32Array(0),
    trainRows,
  };
  if (n === 0 || d === 0) {
    return {
      model: empty,
      decision: new Float64Array(n),
      isOutlier: new Uint8Array(n),
      score: new Float64Array(n),
    };
  }

  const SVM = await loadLibsvm();
  const svm = new SVM({
    type: SVM.SVM_TYPES.ONE_CLASS,
    kernel: SVM.KERNEL_TYPES.RBF,
    nu,
    gamma,
    tolerance: options.tolerance ?? 1e-3,
    cacheSize: options.cacheSizeMb ?? 200,
    shrinking: true,
    quiet: true,
  });
  let svIdx: number[];
  let parsed: { rho: number; coef: number[] };
  try {
    const samples: number[][] = new Array(nTrain);
    for (let r = 0; r < nTrain; r++) samples[r] = Array.from(Xt.subarray(r * d, r * d + d));
    svm.train(samples, new Array<number>(nTrain).fill(1));
    svIdx = svm.getSVIndices();
    parsed = parseModel(svm.serializeModel());
  } finally {
    svm.free();
  }
  if (parsed.coef.length !== svIdx.length) throw new Error('oneClassSvm: could not read the libsvm model');
  const nSv = svIdx.length;
  const sv = new Float64Array(nSv * d);
  svIdx.forEach((t, s) => {
    sv.set(Xt.subarray(t * d, t * d + d), s * d);
  });
  const coefficients = Float64Array.from(parsed.coef);

  // ρ as libsvm computes it: the mean gradient over the free support vectors
  const free: number[] = [];
  coefficients.forEach((a, s) => {
    if (a > 1e-12 && a < 1 - 1e-12) free.push(s);
  });
  let rho = parsed.rho;
  if (free.length > 0) {
    const Xf = new Float64Array(free.length * d);
    free.forEach((s, r) => {
      Xf.set(sv.subarray(s * d, s * d + d), r * d);
    });
    const g = kernelSums(Xf, free.length, d, sv, coefficients, gamma);
    let sum = 0;
    for (const v of g) sum += v;
    const exact = sum / free.length;
    // sanity check against the 6-digit printed value
    if (
      Number.isFinite(exact) &&
      (!Number.isFinite(rho) || Math.abs(exact - rho) <= 1e-5 * Math.max(1, Math.abs(rho)) + 1e-9)
    )
      rho = exact;
  }
  const model: OneClassSvmModel = {
    ...empty,
    rho,
    supportVectors: sv,
    coefficients,
    supportRows: Uint32Array.from(svIdx, (t) => trainRows[t] as number),
  };
  const sums = kernelSums(X, n, d, sv, coefficients, gamma);
  const decision = new Float64Array(n);
  const isOutlier = new Uint8Array(n);
  const neg = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = (sums[i] as number) - rho;
    decision[i] = v;
    isOutlier[i] = v < 0 ? 1 : 0;
    neg[i] = -v;
  }
  return { model, decision, isOutlier, score: minMaxNormalise(neg) };
}
