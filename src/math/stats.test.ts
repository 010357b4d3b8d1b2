import { describe, expect, it } from 'vitest';
import { deriveSeed, IndexSampler, sampleRows, seededRng } from './random.js';
import { selectInPlace } from './robust.js';
import {
  averageRanks,
  chi2Quantile,
  minMaxNormalise,
  rankNormalise,
  rocAuc,
  smallestMask,
  spearman,
} from './stats.js';

describe('stats', () => {
  it('chi-square quantiles match scipy.stats.chi2.ppf', () => {
    const cases: [number, number, number][] = [
      [0.5, 1, 0.454936423119572],
      [0.5, 2, 1.386294361119891],
      [0.5, 3, 2.3659738843753377],
      [0.5, 10, 9.34181776559197],
      [0.975, 1, 5.023886187314888],
      [0.975, 2, 7.377758908227871],
      [0.975, 3, 9.348403604496148],
      [0.975, 10, 20.483177350807388],
      [0.975, 25, 40.6464691202752],
      [0.001, 4, 0.09080403553897909],
      [0.999, 4, 18.46682695290317],
    ];
    for (const [p, df, want] of cases)
      expect(Math.abs(chi2Quantile(p, df) - want) / want).toBeLessThan(1e-10);
  });

  it('ranks average ties and normalise to 0..1', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(Array.from(rankNormalise([10, 20, 20, 5]))).toEqual([1 / 3, 2.5 / 3, 2.5 / 3, 0]);
    expect(Array.from(rankNormalise([7]))).toEqual([0]);
    expect(Array.from(minMaxNormalise([2, 4, 3]))).toEqual([0, 1, 0.5]);
    expect(Array.from(minMaxNormalise([2, 2]))).toEqual([0, 0]);
  });

  it('ROC AUC and Spearman', () => {
    expect(rocAuc([0.1, 0.2, 0.9, 0.8], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(spearman([1, 2, 3], [10, 20, 30])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('selection finds order statistics and exact-size masks', () => {
    const rng = seededRng(3);
    const v = Float64Array.from({ length: 1001 }, () => Math.floor(rng.float() * 50));
    const sorted = Float64Array.from(v).sort();
    for (const k of [0, 1, 500, 999, 1000]) expect(selectInPlace(Float64Array.from(v), k)).toBe(sorted[k]);
    const mask = smallestMask(v, 300);
    let count = 0;
    let maxIn = Number.NEGATIVE_INFINITY;
    let minOut = Number.POSITIVE_INFINITY;
    v.forEach((x, i) => {
      if (mask[i]) {
        count++;
        maxIn = Math.max(maxIn, x);
      } else minOut = Math.min(minOut, x);
    });
    expect(count).toBe(300);
    expect(maxIn).toBeLessThanOrEqual(minOut);
  });

  it('seeded sampling is deterministic and without replacement', () => {
    const a = new IndexSampler(1000, seededRng(7)).sample(100);
    const b = new IndexSampler(1000, seededRng(7)).sample(100);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(new Set(a).size).toBe(100);
    const s = sampleRows(50, 100, seededRng(1));
    expect(Array.from(s)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const t = sampleRows(10_000, 20, seededRng(1));
    expect(t.length).toBe(20);
    expect(Array.from(t)).toEqual(Array.from(t).sort((x, y) => x - y));
    expect(deriveSeed(1, 'iforest')).toBe(deriveSeed(1, 'iforest'));
    expect(deriveSeed(1, 'iforest')).not.toBe(deriveSeed(1, 'ocsvm'));
    expect(deriveSeed(1, 'iforest')).not.toBe(deriveSeed(2, 'iforest'));
  });
});
