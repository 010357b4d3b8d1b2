import { describe, expect, it } from 'vitest';
import { fixtureMatrix, MODEL_FIXTURES, readFixture, topK } from '../../test/fixtures/models/load.js';
import { seededRng } from '../math/random.js';
import { rocAuc, spearman } from '../math/stats.js';
import { fromRows } from './matrix.js';
import { loadLibsvm, oneClassSvm, oneClassSvmDecision, scaleGamma } from './one-class-svm.js';

describe('one-class SVM against scikit-learn', () => {
  for (const name of MODEL_FIXTURES) {
    it(`${name}: decision function with the same gamma`, async () => {
      const f = readFixture(name);
      const sk = f.ocsvm as NonNullable<typeof f.ocsvm>;
      const r = await oneClassSvm(fixtureMatrix(f), { gamma: sk.gamma, nu: sk.nu });
      expect(r.model.coefficients.length).toBe(sk.n_support);
      const scale = Math.max(...sk.decision.map(Math.abs));
      let maxDiff = 0;
      sk.decision.forEach((v, i) => {
        maxDiff = Math.max(maxDiff, Math.abs((r.decision[i] as number) - v));
      });
      // same libsvm solver (tolerance 1e-3); versions differ slightly in the approximate optimum
      expect(maxDiff / scale).toBeLessThan(5e-3);
      expect(Math.abs(r.model.rho - sk.rho) / sk.rho).toBeLessThan(1e-3);
      expect(spearman(r.decision, sk.decision)).toBeGreaterThan(0.999);
      expect(Math.abs(rocAuc(r.score, f.outlier) - sk.auc)).toBeLessThan(0.01);
    });
  }

  it("gamma='scale' is 1 / (d · Var(X))", async () => {
    for (const name of ['gauss2d', 'seedlike']) {
      const f = readFixture(name);
      const r = await oneClassSvm(fixtureMatrix(f));
      expect(Math.abs(r.model.gamma / (f.ocsvm?.gamma as number) - 1)).toBeLessThan(1e-12);
    }
  });

  it('seedlike: the planted beacons get the top scores', async () => {
    const f = readFixture('seedlike');
    const r = await oneClassSvm(fixtureMatrix(f), { gamma: f.ocsvm?.gamma });
    const top = topK(r.score, 2);
    f.outlier.forEach((v, i) => {
      if (v === 1) expect(top.has(i)).toBe(true);
    });
    expect(r.isOutlier[f.n - 1]).toBe(1);
  });
});

describe('one-class SVM sampling and loading', () => {
  it('trains on a seeded sample and scores every row, deterministically', async () => {
    const rng = seededRng(1);
    const rows = Array.from({ length: 3000 }, () => [rng.normal(), rng.normal(), rng.normal()]);
    rows.push([8, 8, 8]);
    const m = fromRows(['a', 'b', 'c'], rows);
    const a = await oneClassSvm(m, { maxTrainRows: 500, seed: 3 });
    const b = await oneClassSvm(m, { maxTrainRows: 500, seed: 3 });
    const c = await oneClassSvm(m, { maxTrainRows: 500, seed: 4 });
    expect(a.model.trainRows).toHaveLength(500);
    expect(a.decision).toHaveLength(3001);
    expect(Array.from(a.decision)).toEqual(Array.from(b.decision));
    expect(Array.from(a.model.trainRows)).not.toEqual(Array.from(c.model.trainRows));
    // [8, 8, 8] is outside the support (when it is in the training sample it becomes a bounded support
    // vector and its own kernel term lifts its decision value, so it need not be the single top score)
    expect(a.isOutlier[3000]).toBe(1);
    expect(a.score[3000]).toBeGreaterThan(0.5);
    // the fitted model re-scores rows identically
    expect(Array.from(oneClassSvmDecision(a.model, m))).toEqual(Array.from(a.decision));
    // about ν of the training rows fall outside
    let out = 0;
    for (const i of a.model.trainRows) out += a.isOutlier[i] as number;
    expect(out / 500).toBeLessThan(0.1);
  });

  it('scaleGamma falls back to 1 for constant data', () => {
    expect(scaleGamma(Float64Array.from([2, 2, 2, 2]), 2)).toBe(1);
  });

  it('loading leaves no process-wide unhandledRejection handler behind', async () => {
    await loadLibsvm();
    const src = process.listeners('unhandledRejection').map(String).join('\n');
    expect(src).not.toMatch(/process\["exit"\]\(1\)/);
  });
});
