import { describe, expect, it } from 'vitest';
import { fixtureMatrix, MODEL_FIXTURES, readFixture, topK } from '../../test/fixtures/models/load.js';
import { rocAuc, spearman } from '../math/stats.js';
import {
  averagePathLength,
  EULER_GAMMA,
  fitIsolationForest,
  isolationForest,
  pathLengths,
} from './isolation-forest.js';
import { fromRows } from './matrix.js';

describe('c(n)', () => {
  it('matches hand-computed values', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // c(3) = 2(ln 2 + γ) − 4/3
    expect(averagePathLength(3)).toBeCloseTo(2 * (Math.LN2 + EULER_GAMMA) - 4 / 3, 14);
    // c(256) = 2(ln 255 + 0.5772156649) − 2·255/256 ≈ 10.2447
    expect(Math.abs(averagePathLength(256) - 10.2447)).toBeLessThan(1e-4);
    expect(averagePathLength(256)).toBeCloseTo(2 * (Math.log(255) + 0.5772156649) - (2 * 255) / 256, 9);
  });

  it('matches scikit-learn _average_path_length', () => {
    const f = readFixture<{ n: number[]; c: number[] }>('iforest-c');
    f.n.forEach((n, i) => {
      const want = f.c[i] as number;
      expect(Math.abs(averagePathLength(n) - want)).toBeLessThanOrEqual(1e-14 * Math.max(1, want));
    });
  });
});

describe('isolation forest on the fixtures', () => {
  for (const name of MODEL_FIXTURES) {
    it(`${name}: planted outliers rank like scikit-learn's`, () => {
      const f = readFixture(name);
      const iso = f.iforest as NonNullable<typeof f.iforest>;
      const r = isolationForest(fixtureMatrix(f), { seed: 0 });
      const auc = rocAuc(r.score, f.outlier);
      expect(auc).toBeGreaterThan(iso.auc - 0.02);
      expect(spearman(r.score, iso.score)).toBeGreaterThan(0.9);
      const nOut = f.outlier.filter((v) => v === 1).length;
      if (iso.auc === 1) {
        // all planted outliers within the top scores (a little slack for the forest's randomness)
        const top = topK(r.score, nOut + 2);
        f.outlier.forEach((v, i) => {
          if (v === 1) expect(top.has(i)).toBe(true);
        });
      }
      for (const s of r.score) {
        expect(s).toBeGreaterThan(0);
        expect(s).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe('isolation forest structure', () => {
  const f = readFixture('gauss3d');
  const m = fixtureMatrix(f);

  it('uses ψ = min(256, n) and height limit ceil(log2 ψ)', () => {
    const model = fitIsolationForest(m, { seed: 1 });
    expect(model.nTrees).toBe(100);
    expect(model.sampleSize).toBe(210);
    expect(model.heightLimit).toBe(8);
    expect(model.cPsi).toBeCloseTo(averagePathLength(210), 14);
    const big = fromRows(
      ['a'],
      Array.from({ length: 1000 }, (_, i) => [i]),
    );
    const mb = fitIsolationForest(big, { seed: 1, nTrees: 5 });
    expect(mb.sampleSize).toBe(256);
    expect(mb.heightLimit).toBe(8);
    // every path is bounded by the height limit plus c(ψ) of the largest possible external node
    const h = pathLengths(mb, big);
    expect(Math.max(...h)).toBeLessThanOrEqual(8 + averagePathLength(256));
  });

  it('is deterministic for a seed', () => {
    const a = isolationForest(m, { seed: 42 });
    const b = isolationForest(m, { seed: 42 });
    const c = isolationForest(m, { seed: 43 });
    expect(Array.from(a.score)).toEqual(Array.from(b.score));
    expect(Array.from(a.score)).not.toEqual(Array.from(c.score));
  });

  it('handles identical rows and constant columns', () => {
    const same = fromRows(
      ['a', 'b'],
      Array.from({ length: 50 }, () => [1, 2]),
    );
    const r = isolationForest(same, { seed: 0 });
    // one external node of size 50 at the root: h = c(50)
    expect(r.pathLength[0]).toBeCloseTo(averagePathLength(50), 12);
    expect(new Set(r.score).size).toBe(1);
    const rows = Array.from({ length: 200 }, (_, i) => [7, i % 20]);
    rows.push([7, 500]);
    const c = isolationForest(fromRows(['const', 'x'], rows), { seed: 0 });
    expect(topK(c.score, 1).has(200)).toBe(true);
  });

  it('scores empty input', () => {
    const r = isolationForest(fromRows(['a'], []), { seed: 0 });
    expect(r.score).toHaveLength(0);
  });
});
