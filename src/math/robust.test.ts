import { describe, expect, it } from 'vitest';
import { seededRng, uniformFloat64Fast } from './random.js';
import {
  bowleyFromQuartiles,
  bowleySkew,
  mad,
  median,
  multiSelectInPlace,
  quantile,
  quantileSorted,
  quantiles,
  selectInPlace,
  sortedCopy,
  summarize,
  summarizeSorted,
  trimmedCv,
  trimmedMean,
  trimmedStatsSorted,
} from './robust.js';

const f64 = (a: number[]) => Float64Array.from(a);

describe('median', () => {
  it('averages the two middle values for even n', () => {
    expect(median(f64([1, 2, 3, 4]))).toBe(2.5);
    expect(median(f64([4, 1, 3, 2]))).toBe(2.5);
  });
  it('takes the middle value for odd n', () => {
    expect(median(f64([3, 1, 2]))).toBe(2);
    expect(median(f64([7]))).toBe(7);
  });
  it('is NaN for no data and does not mutate its input', () => {
    expect(median(f64([]))).toBeNaN();
    const x = f64([3, 1, 2]);
    median(x);
    expect(Array.from(x)).toEqual([3, 1, 2]);
  });
});

describe('quantile (type 7, numpy linear)', () => {
  const x = f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  it('matches numpy.percentile on 1..10', () => {
    // np.percentile(range(1, 11), [10, 25, 50, 75, 90]) → 1.9, 3.25, 5.5, 7.75, 9.1
    expect(quantile(x, 0.1)).toBeCloseTo(1.9, 12);
    expect(quantile(x, 0.25)).toBeCloseTo(3.25, 12);
    expect(quantile(x, 0.5)).toBeCloseTo(5.5, 12);
    expect(quantile(x, 0.75)).toBeCloseTo(7.75, 12);
    expect(quantile(x, 0.9)).toBeCloseTo(9.1, 12);
  });
  it('interpolates between order statistics', () => {
    // h = 3·0.5 = 1.5 → 2 + 0.5·(4 − 2)
    expect(quantile(f64([8, 1, 4, 2]), 0.5)).toBe(3);
    expect(quantileSorted(f64([1, 2, 4, 8]), 1 / 3)).toBe(2);
  });
  it('clamps p to the extremes', () => {
    expect(quantile(x, 0)).toBe(1);
    expect(quantile(x, 1)).toBe(10);
    expect(quantile(x, -1)).toBe(1);
    expect(quantile(x, 2)).toBe(10);
  });
  it('gives the same values as sorting for many quantiles at once', () => {
    const rng = seededRng(7);
    const data = new Float64Array(1001);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(uniformFloat64Fast(rng) * 50); // many ties
    const s = sortedCopy(data);
    const ps = [0, 0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 0.999, 1];
    expect(quantiles(data, ps)).toEqual(ps.map((p) => quantileSorted(s, p)));
  });
});

describe('MAD (unscaled)', () => {
  it('is the median of absolute deviations from the median', () => {
    // median 2; |x − 2| = 1 1 0 0 2 4 7 → median 1
    expect(mad(f64([1, 1, 2, 2, 4, 6, 9]))).toBe(1);
    // median 2.5; |x − 2.5| = 1.5 .5 .5 1.5 → median 1
    expect(mad(f64([1, 2, 3, 4]))).toBe(1);
  });
  it('ignores a wild outlier', () => {
    expect(mad(f64([10, 10, 10, 11, 9, 1e9]))).toBe(0.5);
  });
  it('is 0 for constant data and accepts a given centre', () => {
    expect(mad(f64([5, 5, 5]))).toBe(0);
    expect(mad(f64([1, 2, 3]), 0)).toBe(2);
  });
});

describe('Bowley skewness', () => {
  it('uses (Q3 + Q1 − 2·Q2)/(Q3 − Q1)', () => {
    // type-7 quartiles of [1,2,3,7,8]: Q1 = 2, Q2 = 3, Q3 = 7 → (7 + 2 − 6)/5 = 0.6
    expect(bowleySkew(f64([1, 2, 3, 7, 8]))).toBeCloseTo(0.6, 12);
    expect(bowleyFromQuartiles({ q1: 2, q2: 3, q3: 7 })).toBeCloseTo(0.6, 12);
    expect(bowleyFromQuartiles({ q1: 10, q2: 20, q3: 40 })).toBeCloseTo(1 / 3, 12);
  });
  it('is 0 when symmetric, negative when left-skewed, 0 when there is no spread', () => {
    expect(bowleySkew(f64([1, 2, 3, 4, 5]))).toBe(0);
    // Q1 6, Q2 7, Q3 8: the low outlier 1 lies outside the quartiles and does not move it
    expect(bowleySkew(f64([1, 6, 7, 8, 9]))).toBe(0);
    // (8 + 2 − 14)/6
    expect(bowleyFromQuartiles({ q1: 2, q2: 7, q3: 8 })).toBeCloseTo(-4 / 6, 12);
    expect(bowleySkew(f64([4, 4, 4, 4]))).toBe(0);
  });
});

describe('trimmed mean / CV', () => {
  it('drops ⌊α·n⌋ values at each end', () => {
    // [2..9]: mean 5.5, population variance 42/8 = 5.25
    const t = trimmedStatsSorted(f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 0.1);
    expect(t.n).toBe(8);
    expect(t.mean).toBe(5.5);
    expect(t.sd).toBeCloseTo(Math.sqrt(5.25), 12);
    expect(t.cv).toBeCloseTo(Math.sqrt(5.25) / 5.5, 12);
  });
  it('removes a missed check-in that ruins the plain CV', () => {
    const gaps = f64([60, 60, 60, 60, 60, 60, 60, 60, 60, 600]);
    expect(trimmedMean(gaps)).toBe(60);
    expect(trimmedCv(gaps)).toBe(0);
  });
  it('α = 0 is the plain mean', () => {
    expect(trimmedMean(f64([1, 2, 3, 10]), 0)).toBe(4);
  });
});

describe('selection', () => {
  it('selectInPlace finds every order statistic of data with ties', () => {
    const rng = seededRng(3);
    const data = new Float64Array(500);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(uniformFloat64Fast(rng) * 40);
    const s = sortedCopy(data);
    for (const k of [0, 1, 17, 249, 250, 498, 499]) {
      const work = Float64Array.from(data);
      expect(selectInPlace(work, k)).toBe(s[k]);
      for (let i = 0; i < k; i++) expect(work[i]).toBeLessThanOrEqual(work[k] as number);
      for (let i = k + 1; i < work.length; i++) expect(work[i]).toBeGreaterThanOrEqual(work[k] as number);
    }
  });
  it('multiSelectInPlace places several order statistics at once', () => {
    const rng = seededRng(4);
    const data = new Float64Array(2000);
    for (let i = 0; i < data.length; i++) data[i] = uniformFloat64Fast(rng);
    const s = sortedCopy(data);
    const ks = [0, 5, 199, 200, 1000, 1800, 1999];
    const work = Float64Array.from(data);
    multiSelectInPlace(work, ks);
    for (const k of ks) expect(work[k]).toBe(s[k]);
  });
  it('summarize (selection) equals summarizeSorted (sort)', () => {
    const rng = seededRng(5);
    for (const n of [1, 2, 3, 10, 101, 5000]) {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = Math.round(100 * -Math.log(1 - uniformFloat64Fast(rng)));
      const a = summarize(data, 0.1);
      const b = summarizeSorted(sortedCopy(data), 0.1);
      expect(a.n).toBe(b.n);
      for (const key of ['min', 'max', 'p10', 'q1', 'median', 'q3', 'p90', 'mad', 'bowley'] as const) {
        expect(a[key]).toBe(b[key]);
      }
      expect(a.mean).toBeCloseTo(b.mean, 9);
      expect(a.trimmed.mean).toBeCloseTo(b.trimmed.mean, 9);
      expect(a.trimmed.sd).toBeCloseTo(b.trimmed.sd, 9);
    }
  });
});

describe('quantileSorted', () => {
  it('quantiles interpolate like numpy.percentile', () => {
    const s = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6]).sort();
    // np.percentile([3,1,4,1,5,9,2,6], [10,25,50,75,90])
    expect(quantileSorted(s, 0.1)).toBeCloseTo(1.0, 14);
    expect(quantileSorted(s, 0.25)).toBeCloseTo(1.75, 14);
    expect(quantileSorted(s, 0.5)).toBeCloseTo(3.5, 14);
    expect(quantileSorted(s, 0.75)).toBeCloseTo(5.25, 14);
    expect(quantileSorted(s, 0.9)).toBeCloseTo(6.9, 12);
    expect(median([5, 1, 3])).toBe(3);
  });
});
