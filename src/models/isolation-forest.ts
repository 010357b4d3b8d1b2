/**
 * Isolation Forest, as in Liu, Ting & Zhou, "Isolation Forest" (ICDM 2008).
 *
 * - t = 100 iTrees, each grown on ψ = 256 rows drawn without replacement (ψ = n when n < 256).
 * - Height limit l = ceil(log2 ψ). A node becomes external when it reaches l, holds ≤ 1 row, or all
 *   its rows are identical. Otherwise a split attribute q is drawn uniformly among the attributes that
 *   are not constant in the node (the paper's "randomly select q", re-drawn until a split is possible)
 *   and a split value p uniformly in [min q, max q); rows with x_q < p go left.
 * - Path length h(x) = e + c(size) at the external node reached after e edges, with
 *   c(n) = 2H(n − 1) − 2(n − 1)/n, H(i) ≈ ln(i) + 0.5772156649, c(1) = c(0) = 0 and c(2) = 1 (the exact
 *   value, as scikit-learn).
 * - Anomaly score s(x, ψ) = 2^(−E[h(x)] / c(ψ)) ∈ (0, 1]; ≈ 1 anomalous, ≤ 0.5 normal.
 * Seeded: the same seed and data always give the same trees and scores.
 */

import { IndexSampler, seededRng } from '../math/random.js';
import { type FeatureMatrix, nRows, toRowMajor } from './matrix.js';

/** Euler–Mascheroni constant (the paper prints 0.5772156649; full precision matches scikit-learn to 1e-15). */
export const EULER_GAMMA = 0.5772156649015329;

/** H(i) ≈ ln(i) + γ (the paper's approximation of the harmonic number). */
export function harmonicApprox(i: number): number {
  return Math.log(i) + EULER_GAMMA;
}

/** c(n): average path length of an unsuccessful BST search among n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * harmonicApprox(n - 1) - (2 * (n - 1)) / n;
}

export interface IsolationForestOptions {
  /** Number of trees t (default 100). */
  readonly nTrees?: number;
  /** Subsample size ψ (default 256; clamped to n). */
  readonly sampleSize?: number;
  /** Height limit (default ceil(log2 ψ)). */
  readonly heightLimit?: number;
  readonly seed?: number;
}

/** A fitted forest: all trees in flat arrays, tree t owning nodes [t·nodesPerTree, (t+1)·nodesPerTree). */
export interface IsolationForestModel {
  readonly columns: readonly string[];
  readonly nTrees: number;
  readonly sampleSize: number;
  readonly heightLimit: number;
  readonly nodesPerTree: number;
  /** Split attribute per node, −1 for an external node. */
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  /** Node index (within the tree) of the left child; the right child is always `left + 1`. */
  readonly left: Int32Array;
  /** For external nodes: depth + c(size), the path length of a point ending there. */
  readonly leafPath: Float64Array;
  /** c(ψ), the normaliser of the score. */
  readonly cPsi: number;
}

export interface IsolationForestResult {
  readonly model: IsolationForestModel;
  /** E[h(x)] per row. */
  readonly pathLength: Float64Array;
  /** s(x, ψ) per row, in (0, 1]. */
  readonly score: Float64Array;
}

/** Grows the forest on the rows of `m`. */
export function fitIsolationForest(
  m: FeatureMatrix,
  options: IsolationForestOptions = {},
): IsolationForestModel {
  const n = nRows(m);
  const d = m.data.length;
  const nTrees = options.nTrees ?? 100;
  const psi = Math.max(1, Math.min(options.sampleSize ?? 256, n));
  const heightLimit = options.heightLimit ?? (psi > 1 ? Math.ceil(Math.log2(psi)) : 0);
  // A binary tree of depth ≤ l has at most 2^(l+1) − 1 nodes; splits are proper (both sides non-empty,
  // up to the measure-zero draw p = min), so never more than ~2ψ are used: cap by 4ψ + 1.
  const nodesPerTree = Math.min(2 ** (heightLimit + 1) - 1, 4 * psi + 1);
  const total = nTrees * nodesPerTree;
  const feature = new Int32Array(total).fill(-1);
  const threshold = new Float64Array(total);
  const left = new Int32Array(total);
  const leafPath = new Float64Array(total);
  const model = {
    columns: [...m.columns],
    nTrees,
    sampleSize: psi,
    heightLimit,
    nodesPerTree,
    feature,
    threshold,
    left,
    leafPath,
    cPsi: averagePathLength(psi),
  };
  if (n === 0 || d === 0) return model;

  const X = toRowMajor(m);
  const rng = seededRng(options.seed ?? 0);
  const sampler = new IndexSampler(n, rng);
  const lo = new Float64Array(d);
  const hi = new Float64Array(d);
  const candidates = new Int32Array(d);

  for (let t = 0; t < nTrees; t++) {
    const base = t * nodesPerTree;
    const idx = sampler.sample(psi);
    let nextNode = 1;
    // explicit stack of (node, start, end, depth) over idx[start, end)
    const stack: number[] = [0, 0, psi, 0];
    while (stack.length > 0) {
      const depth = stack.pop() as number;
      const end = stack.pop() as number;
      const start = stack.pop() as number;
      const node = stack.pop() as number;
      const size = end - start;
      const g = base + node;
      if (depth >= heightLimit || size <= 1 || nextNode + 2 > nodesPerTree) {
        leafPath[g] = depth + averagePathLength(size);
        continue;
      }
      lo.fill(Number.POSITIVE_INFINITY);
      hi.fill(Number.NEGATIVE_INFINITY);
      for (let r = start; r < end; r++) {
        const o = (idx[r] as number) * d;
        for (let j = 0; j < d; j++) {
          const v = X[o + j] as number;
          if (v < (lo[j] as number)) lo[j] = v;
          if (v > (hi[j] as number)) hi[j] = v;
        }
      }
      let nc = 0;
      for (let j = 0; j < d; j++) if ((hi[j] as number) > (lo[j] as number)) candidates[nc++] = j;
      if (nc === 0) {
        // all rows identical
        leafPath[g] = depth + averagePathLength(size);
        continue;
      }
      const q = candidates[rng.below(nc)] as number;
      const qlo = lo[q] as number;
      const p = qlo + rng.float() * ((hi[q] as number) - qlo);
      // partition idx[start, end) so that the rows with x_q < p come first
      let i = start;
      let j = end - 1;
      while (i <= j) {
        if ((X[(idx[i] as number) * d + q] as number) < p) i++;
        else {
          const tmp = idx[i] as number;
          idx[i] = idx[j] as number;
          idx[j] = tmp;
          j--;
        }
      }
      const l = nextNode;
      nextNode += 2;
      feature[g] = q;
      threshold[g] = p;
      left[g] = l;
      stack.push(l + 1, i, end, depth + 1, l, start, i, depth + 1);
    }
  }
  return model;
}

/** E[h(x)] over the trees, per row of `m` (same columns as the fit). */
export function pathLengths(model: IsolationForestModel, m: FeatureMatrix): Float64Array {
  const n = nRows(m);
  const d = m.data.length;
  if (d !== model.columns.length)
    throw new RangeError(`pathLengths: ${d} columns, model has ${model.columns.length}`);
  const X = toRowMajor(m);
  const out = new Float64Array(n);
  const { feature, threshold, left, leafPath, nodesPerTree, nTrees } = model;
  // Tree-major: one tree (≈10 kB) stays in cache while all rows run through it.
  for (let t = 0, base = 0; t < nTrees; t++, base += nodesPerTree) {
    for (let i = 0, o = 0; i < n; i++, o += d) {
      let node = base;
      let q = feature[node] as number;
      while (q >= 0) {
        node = base + (left[node] as number) + ((X[o + q] as number) < (threshold[node] as number) ? 0 : 1);
        q = feature[node] as number;
      }
      out[i] = (out[i] as number) + (leafPath[node] as number);
    }
  }
  if (nTrees > 0) for (let i = 0; i < n; i++) out[i] = (out[i] as number) / nTrees;
  return out;
}

/** s(x, ψ) = 2^(−E[h(x)]/c(ψ)) per row (0.5 everywhere when ψ < 2). */
export function isolationScores(model: IsolationForestModel, pathLength: Float64Array): Float64Array {
  const out = new Float64Array(pathLength.length);
  const c = model.cPsi;
  for (let i = 0; i < out.length; i++) out[i] = c > 0 ? 2 ** (-(pathLength[i] as number) / c) : 0.5;
  return out;
}

/** Fits on all rows of `m` and scores them. */
export function isolationForest(
  m: FeatureMatrix,
  options: IsolationForestOptions = {},
): IsolationForestResult {
  const model = fitIsolationForest(m, options);
  const pathLength = pathLengths(model, m);
  return { model, pathLength, score: isolationScores(model, pathLength) };
}
