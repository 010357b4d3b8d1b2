import { describe, expect, it } from 'vitest';
import { fixtureMatrix, readFixture } from '../../test/fixtures/models/load.js';
import { deriveSeed, seededRng } from '../math/random.js';
import { rankNormalise, rocAuc } from '../math/stats.js';
import { ALL_MODELS, runEnsemble } from './ensemble.js';
import { isolationForest } from './isolation-forest.js';
import { fromRows, nRows } from './matrix.js';
import { scaleMatrix } from './scale.js';

/** Correlated features; the first nOut rows break the correlation of f1 and f4 (+5 / −5). */
function synthetic(n: number, d: number, nOut: number, seed: number) {
  const rng = seededRng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const z = rng.normal() * 2;
    const r = Array.from({ length: d }, (_, j) => z * (1 + (j % 3)) + rng.normal() * 0.5);
    if (i < nOut) {
      r[1] = (r[1] as number) + 5;
      r[4] = (r[4] as number) - 5;
    }
    rows.push(r);
  }
  return {
    m: fromRows(
      Array.from({ length: d }, (_, j) => `f${j}`),
      rows,
    ),
    outlier: rows.map((_, i) => (i < nOut ? 1 : 0)),
  };
}

describe('ensemble', () => {
  it('runs every model, scores 0..1 and finds the planted outliers', async () => {
    const { m, outlier } = synthetic(2000, 5, 20, 1);
    const r = await runEnsemble(m, { seed: 7 });
    expect(r.models).toEqual(ALL_MODELS);
    expect(r.score).toHaveLength(2000);
    for (const s of r.score) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    // the combination beats its weaker members (k-means ≈ 0.90, isolation forest ≈ 0.94 here)
    const auc = rocAuc(r.score, outlier);
    expect(auc).toBeGreaterThan(0.98);
    expect(auc).toBeGreaterThan(
      Math.min(...ALL_MODELS.map((name) => rocAuc(r.scores[name] as Float64Array, outlier))),
    );
    for (const name of ALL_MODELS) expect(r.scores[name]).toHaveLength(2000);
    expect(r.outputs.kmeans?.chooseK?.k).toBeGreaterThanOrEqual(2);
  });

  it('is the mean of the per-model normalised ranks', async () => {
    const f = readFixture('gauss3d');
    const r = await runEnsemble(fixtureMatrix(f), { seed: 1, models: ['iforest', 'pca'] });
    const a = rankNormalise(r.scores.iforest as Float64Array);
    const b = rankNormalise(r.scores.pca as Float64Array);
    r.score.forEach((s, i) => {
      expect(s).toBeCloseTo(((a[i] as number) + (b[i] as number)) / 2, 14);
    });
  });

  it('is deterministic for a seed, and a model’s result does not depend on the others selected', async () => {
    const f = readFixture('correlated');
    const m = fixtureMatrix(f);
    const a = await runEnsemble(m, { seed: 3 });
    const b = await runEnsemble(m, { seed: 3 });
    expect(Array.from(a.score)).toEqual(Array.from(b.score));
    const alone = await runEnsemble(m, { seed: 3, models: ['iforest'] });
    expect(Array.from(alone.scores.iforest as Float64Array)).toEqual(
      Array.from(a.scores.iforest as Float64Array),
    );
    // the same as calling the model directly on the robust-scaled matrix with the derived seed
    const direct = isolationForest(scaleMatrix(m, { default: 'robust' }).matrix, {
      seed: deriveSeed(3, 'iforest'),
    });
    expect(Array.from(direct.score)).toEqual(Array.from(a.scores.iforest as Float64Array));
    const other = await runEnsemble(m, { seed: 4 });
    expect(Array.from(other.score)).not.toEqual(Array.from(a.score));
  });

  it('imputes non-finite cells, honours scale: false and fixed k', async () => {
    const m = fromRows(
      ['a', 'b'],
      Array.from({ length: 60 }, (_, i) => [
        i === 5 ? Number.NaN : (i * 7) % 11,
        i === 9 ? Number.POSITIVE_INFINITY : (i * 5) % 13,
      ]),
    );
    const r = await runEnsemble(m, {
      seed: 0,
      scale: false,
      kmeans: { k: 2 },
      models: ['kmeans', 'elliptic', 'ocsvm'],
    });
    expect(r.imputed).toEqual({ a: 1, b: 1 });
    expect(r.scaling).toBeNull();
    expect(r.outputs.kmeans?.k).toBe(2);
    for (const s of r.score) expect(Number.isFinite(s)).toBe(true);
  });

  it('handles tiny inputs', async () => {
    for (const rows of [
      [[1, 2, 3]],
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ],
      [
        [1, 2, 3, 4, 5],
        [2, 1, 0, 3, 3],
        [5, 5, 5, 1, 2],
        [0, 1, 0, 1, 0],
      ],
    ]) {
      const m = fromRows(
        (rows[0] as number[]).map((_, j) => `c${j}`),
        rows,
      );
      const r = await runEnsemble(m, { seed: 1 });
      expect(r.score).toHaveLength(rows.length);
      for (const s of r.score) expect(s >= 0 && s <= 1).toBe(true);
    }
  });

  it('handles empty input and rejects unknown models', async () => {
    const r = await runEnsemble(fromRows(['a'], []), { seed: 0 });
    expect(nRows(r.scaled)).toBe(0);
    expect(r.score).toHaveLength(0);
    await expect(runEnsemble(fromRows(['a'], [[1]]), { models: ['lof' as never] })).rejects.toThrow(
      /unknown model/,
    );
  });
});

describe('ensemble fitted on a seeded sample (MODEL_FIT_SAMPLE)', () => {
  it('is the full fit exactly when the sample covers every row', async () => {
    const { m } = synthetic(1500, 5, 15, 3);
    const full = await runEnsemble(m, { seed: 5 });
    const covering = await runEnsemble(m, { seed: 5, fitSampleSize: 1500 });
    expect(Array.from(covering.score)).toEqual(Array.from(full.score));
  });

  it('fitted on 10 % of the rows, scores every row and ranks the same outliers on top', async () => {
    const { m, outlier } = synthetic(6000, 5, 30, 4);
    const full = await runEnsemble(m, { seed: 5, fitSampleSize: Number.POSITIVE_INFINITY });
    const sampled = await runEnsemble(m, { seed: 5, fitSampleSize: 600 });
    expect(sampled.score).toHaveLength(6000);
    // the sample changes the fitted shape a little, not what is an outlier
    expect(rocAuc(sampled.score, outlier)).toBeGreaterThanOrEqual(rocAuc(full.score, outlier) - 0.005);
    const top = (s: Float64Array) =>
      new Set(
        Array.from(s, (v, i) => [v, i] as const)
          .sort((a, b) => b[0] - a[0])
          .slice(0, 30)
          .map(([, i]) => i),
      );
    const a = top(full.score);
    const shared = [...top(sampled.score)].filter((i) => a.has(i)).length;
    expect(shared).toBeGreaterThanOrEqual(27);
    // seeded: the same seed draws the same sample and gives the same scores
    const again = await runEnsemble(m, { seed: 5, fitSampleSize: 600 });
    expect(Array.from(again.score)).toEqual(Array.from(sampled.score));
  });
});
