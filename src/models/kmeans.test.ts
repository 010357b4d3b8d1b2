import { kmeans as mlKmeans } from 'ml-kmeans';
import { describe, expect, it } from 'vitest';
import { fixtureMatrix, readFixture } from '../../test/fixtures/models/load.js';
import { seededRng } from '../math/random.js';
import { chooseK, kMeans, seedCompatKMeans, silhouetteScore } from './kmeans.js';
import { fromRows, toRowMajor } from './matrix.js';

describe('k-means against scikit-learn (k = 2, n_init = 10)', () => {
  // gauss3d: our runs reach a lower-inertia optimum than scikit-learn's (1167.227 < 1167.313)
  for (const name of ['gauss2d', 'gauss3d', 'correlated', 'seedlike', 'large', 'blobs']) {
    it(`${name}: inertia`, () => {
      const f = readFixture(name);
      const r = seedCompatKMeans(fixtureMatrix(f), { seed: 0 });
      const sk = f.kmeans2.inertia;
      expect(r.inertia).toBeLessThanOrEqual(sk * (1 + 1e-9));
      if (name !== 'gauss3d') {
        expect(Math.abs(r.inertia - sk) / sk).toBeLessThan(1e-9);
        expect([...r.sizes].sort((a, b) => a - b)).toEqual(f.kmeans2.sizes);
      }
    });
  }

  it('seed-compat: unscaled k = 2 puts the planted beacons in the minority cluster', () => {
    const f = readFixture('seedlike');
    const r = seedCompatKMeans(fixtureMatrix(f), { seed: 0 });
    expect(r.sizes[r.minorityCluster]).toBe(2);
    expect(r.labels[f.n - 1]).toBe(r.minorityCluster);
    expect(r.labels[f.n - 2]).toBe(r.minorityCluster);
    // distance to the majority centroid: the beacons are the farthest rows
    const far = Array.from(r.distanceToMajority)
      .map((d, i) => [d, i] as const)
      .sort((a, b) => b[0] - a[0]);
    expect(new Set([far[0]?.[1], far[1]?.[1]])).toEqual(new Set([f.n - 1, f.n - 2]));
  });

  it('the same inertia as running ml-kmeans directly', () => {
    const f = readFixture('blobs');
    const direct = mlKmeans(f.X, 3, { seed: 5, initialization: 'kmeans++' });
    const ours = kMeans(fixtureMatrix(f), { k: 3, seed: 5 });
    let inertia = 0;
    f.X.forEach((row, i) => {
      const c = direct.centroids[direct.clusters[i] as number] as number[];
      inertia += row.reduce((s, v, j) => s + (v - (c[j] as number)) ** 2, 0);
    });
    expect(Math.abs(ours.inertia - inertia) / inertia).toBeLessThan(1e-9);
  });
});

describe('choosing k by silhouette', () => {
  it('finds the three blobs, silhouette equal to scikit-learn’s for the same partition', () => {
    const f = readFixture('blobs');
    const r = chooseK(fixtureMatrix(f), { seed: 0 });
    expect(r.k).toBe(3);
    const s3 = r.silhouettes.find((s) => s.k === 3)?.silhouette as number;
    expect(Math.abs(s3 - (f.silhouette?.['3'] as number))).toBeLessThan(1e-9);
    expect(r.silhouettes.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('silhouette of a hand-made example', () => {
    // two clusters on a line: {0, 1} and {10}; singletons count 0
    const X = Float64Array.from([0, 1, 10]);
    const s = silhouetteScore(X, 3, 1, [0, 0, 1], 2);
    const a0 = 1;
    const b0 = 10;
    const a1 = 1;
    const b1 = 9;
    expect(s).toBeCloseTo(((b0 - a0) / b0 + (b1 - a1) / b1 + 0) / 3, 12);
  });

  it('samples large inputs (deterministic) and stops when k exceeds the distinct rows', () => {
    const rng = seededRng(2);
    const rows = Array.from({ length: 5000 }, (_, i) => [rng.normal() + (i % 2) * 6, rng.normal()]);
    const m = fromRows(['a', 'b'], rows);
    const a = chooseK(m, { seed: 1, sampleSize: 300, fitSampleSize: 1000 });
    const b = chooseK(m, { seed: 1, sampleSize: 300, fitSampleSize: 1000 });
    expect(a).toEqual(b);
    expect(a.k).toBe(2);
    const few = fromRows(['a'], [[1], [1], [2], [2], [3], [3]]);
    expect(chooseK(few).silhouettes.map((s) => s.k)).toEqual([2, 3]);
  });
});

describe('k-means outlier score', () => {
  it('scores far rows and small-cluster members high, deterministically', () => {
    const rng = seededRng(3);
    const rows: number[][] = [];
    for (let i = 0; i < 500; i++) rows.push([rng.normal(), rng.normal()]);
    for (let i = 0; i < 500; i++) rows.push([rng.normal() + 10, rng.normal()]);
    for (let i = 0; i < 5; i++) rows.push([5 + rng.normal() * 0.1, 30 + rng.normal() * 0.1]); // tiny cluster
    const m = fromRows(['a', 'b'], rows);
    const r = kMeans(m, { k: 3, seed: 1 });
    expect(r.k).toBe(3);
    const tiny = r.labels[1000] as number;
    expect(r.sizes[tiny]).toBe(5);
    for (let i = 1000; i < 1005; i++) expect(r.score[i]).toBeGreaterThan(0.9);
    const median = Array.from(r.score.subarray(0, 1000)).sort((a, b) => a - b)[500] as number;
    expect(median).toBeLessThan(0.4);
    for (const s of r.score) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    const again = kMeans(m, { k: 3, seed: 1 });
    expect(Array.from(again.score)).toEqual(Array.from(r.score));
    // every row is assigned to its nearest centroid
    const X = toRowMajor(m);
    for (let i = 0; i < rows.length; i += 97) {
      const x0 = X[2 * i] as number;
      const x1 = X[2 * i + 1] as number;
      const d = r.centroids.map((c) => (x0 - (c[0] as number)) ** 2 + (x1 - (c[1] as number)) ** 2);
      expect(r.labels[i]).toBe(d.indexOf(Math.min(...d)));
    }
  });

  it('reduces k when there are fewer distinct rows', () => {
    const r = kMeans(fromRows(['a'], [[1], [1], [1], [5]]), { k: 4, seed: 0 });
    expect(r.k).toBe(2);
    expect(r.inertia).toBe(0);
  });
});
