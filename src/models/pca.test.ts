import { describe, expect, it } from 'vitest';
import { fixtureMatrix, maxAbsDiff, readFixture } from '../../test/fixtures/models/load.js';
import { fromRows } from './matrix.js';
import { componentsFor, fitPca, pcaOutliers, projectPca, reconstructionError } from './pca.js';

const SETS = ['gauss2d', 'gauss3d', 'correlated', 'seedlike', 'blobs', 'large'];

describe('PCA against scikit-learn', () => {
  for (const name of SETS) {
    it(`${name}: explained variance, components, projection`, () => {
      const f = readFixture(name);
      const m = fixtureMatrix(f);
      const model = fitPca(m);
      const scaleVar = Math.max(...f.pca.explained_variance);
      expect(maxAbsDiff(model.means, f.pca.mean)).toBeLessThan(
        1e-9 * Math.max(1, ...f.pca.mean.map(Math.abs)),
      );
      expect(maxAbsDiff(model.explainedVariance, f.pca.explained_variance) / scaleVar).toBeLessThan(1e-9);
      expect(maxAbsDiff(model.explainedVarianceRatio, f.pca.explained_variance_ratio)).toBeLessThan(1e-9);
      expect(maxAbsDiff(model.components, f.pca.components)).toBeLessThan(1e-6);
      if (f.pca.projected) {
        const z = projectPca(model, m, f.d);
        const rows = f.pca.projected;
        const ours = rows.map((_, i) => z.map((c) => c[i] as number));
        expect(maxAbsDiff(ours, rows) / Math.sqrt(scaleVar)).toBeLessThan(1e-6);
        // reconstruction error from k components = squared norm of the remaining coordinates
        const err = reconstructionError(model, m, 1);
        const want = rows.map((r) => r.slice(1).reduce((s, v) => s + v * v, 0));
        expect(maxAbsDiff(err, want) / scaleVar).toBeLessThan(1e-6);
      }
    });
  }
});

describe('PCA outliers', () => {
  it('projects to 2 or 3 components for the scatter', () => {
    const f = readFixture('gauss3d');
    const m = fixtureMatrix(f);
    const model = fitPca(m);
    expect(projectPca(model, m, 2)).toHaveLength(2);
    expect(projectPca(model, m, 3)).toHaveLength(3);
    expect(projectPca(model, m, 3)[0]).toHaveLength(f.n);
  });

  it('reconstruction error with all components is zero; scores are 0..1', () => {
    const f = readFixture('correlated');
    const m = fixtureMatrix(f);
    const model = fitPca(m);
    expect(Math.max(...reconstructionError(model, m, 3))).toBeLessThan(1e-9);
    const r = pcaOutliers(m);
    expect(r.nComponents).toBe(Math.min(componentsFor(model, 0.9), 2));
    expect(Math.min(...r.score)).toBe(0);
    expect(Math.max(...r.score)).toBe(1);
  });

  it('flags rows off a line', () => {
    const rows: number[][] = [];
    for (let i = 0; i < 100; i++) rows.push([i, 2 * i + 1]);
    rows.push([50, 0]);
    const r = pcaOutliers(fromRows(['a', 'b'], rows), { nComponents: 1 });
    expect(r.score[100]).toBe(1);
    expect(Math.max(...r.error.subarray(0, 100))).toBeLessThan(r.error[100] as number);
  });
});
