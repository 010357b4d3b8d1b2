import { describe, expect, it } from 'vitest';
import {
  ritaBeaconScore,
  ritaDataSizeScore,
  ritaDurationScore,
  ritaHistogram,
  ritaHistogramScore,
  ritaStatScore,
  ritaTimestampScore,
} from './rita.js';

const f64 = (a: number[]) => Float64Array.from(a);

describe('ritaStatScore', () => {
  it('averages 1 − |Bowley| and 1 − MAD/median', () => {
    // skew (10 + 40 − 40)/30 = 1/3 → 2/3; MAD score 1 − 5/20 = 0.75 → (2/3 + 3/4)/2
    const s = ritaStatScore({ n: 9, q1: 10, median: 20, q3: 40, mad: 5 }, 1);
    expect(s.skew).toBeCloseTo(1 / 3, 12);
    expect(s.skewScore).toBeCloseTo(2 / 3, 12);
    expect(s.madScore).toBe(0.75);
    expect(s.score).toBeCloseTo((2 / 3 + 0.75) / 2, 12);
  });
  it('zeroes the skew like RITA: IQR < 10, or the median on a quartile', () => {
    expect(ritaStatScore({ n: 9, q1: 55, median: 56, q3: 60, mad: 1 }, 1).skew).toBe(0); // IQR 5
    expect(ritaStatScore({ n: 9, q1: 20, median: 20, q3: 60, mad: 1 }, 1).skew).toBe(0); // Q2 = Q1
    expect(ritaStatScore({ n: 9, q1: 20, median: 60, q3: 60, mad: 1 }, 1).skew).toBe(0); // Q2 = Q3
  });
  it('caps the MAD ratio at 1 and uses the given score for median 0', () => {
    expect(ritaStatScore({ n: 9, q1: 1, median: 10, q3: 100, mad: 30 }, 1).madScore).toBe(0);
    expect(ritaStatScore({ n: 9, q1: 0, median: 0, q3: 0, mad: 0 }, 1).madScore).toBe(1);
    expect(ritaStatScore({ n: 9, q1: 0, median: 0, q3: 0, mad: 0 }, 0).madScore).toBe(0);
  });
});

describe('timestamp and data-size scores', () => {
  it('a perfect beacon scores 1', () => {
    expect(ritaTimestampScore(f64([60, 60, 60, 60, 60]))?.score).toBe(1);
    expect(ritaDataSizeScore(f64([512, 512, 512, 512]))?.score).toBe(1);
  });
  it('drops zero gaps and needs 3 non-zero ones', () => {
    expect(ritaTimestampScore(f64([0, 0, 60, 60]))).toBeNull();
    expect(ritaTimestampScore(f64([0, 0, 60, 60, 60]))?.n).toBe(3);
  });
  it('gaps 10..90: symmetric, MAD 20 of median 50 → (1 + 0.6)/2', () => {
    const s = ritaTimestampScore(f64([10, 20, 30, 40, 50, 60, 70, 80, 90]));
    expect(s?.skew).toBe(0);
    expect(s?.madScore).toBeCloseTo(0.6, 12);
    expect(s?.score).toBeCloseTo(0.8, 12);
  });
  it('zero-byte flows (refused C2) count as uniform sizes, unlike RITA', () => {
    expect(ritaDataSizeScore(f64([0, 0, 0, 0, 0, 1500]))?.score).toBe(1);
    expect(ritaDataSizeScore(f64([0, 0]))).toBeNull();
  });
});

describe('histogram, duration, overall', () => {
  it('bins flows like RITA ([1,5,23,25,42,45] over 0..50 in 5 bins → 2,0,2,0,2)', () => {
    const h = ritaHistogram(f64([1, 5, 23, 25, 42, 45]), 0, 50, { histBins: 5 });
    expect(h.counts).toEqual([2, 0, 2, 0, 2]);
    expect(h.binSeconds).toBe(10);
    expect(h.totalBars).toBe(3);
    expect(h.longestRun).toBe(2); // last and first bin, wrapping around
  });
  it('puts flows outside the window into the first/last bin', () => {
    expect(ritaHistogram(f64([-5, 50, 60]), 0, 50, { histBins: 5 }).counts).toEqual([1, 0, 0, 0, 2]);
  });
  it('span-based bins: one per histBinSeconds', () => {
    const h = ritaHistogram(f64([0, 3599, 3600, 7300]), 0, 3 * 3600, { histBinSeconds: 3600 });
    expect(h.counts).toEqual([2, 1, 1]);
  });
  it('CV score of [2,0,2,0,2] = 1 − 0.9798/1.2', () => {
    const h = ritaHistogram(f64([1, 5, 23, 25, 42, 45]), 0, 50, { histBins: 5 });
    const s = ritaHistogramScore(h);
    expect(s.cv).toBeCloseTo(Math.sqrt(0.96) / 1.2, 12);
    expect(s.cvScore).toBeCloseTo(1 - Math.sqrt(0.96) / 1.2, 12);
    expect(s.bimodalScore).toBe(0); // 3 bars < 11
    expect(s.score).toBe(s.cvScore);
  });
  it('flat hours score 1; two flat levels score 1 by bimodal fit', () => {
    const flat = { counts: new Array(24).fill(10), binSeconds: 3600, totalBars: 24, longestRun: 24 };
    expect(ritaHistogramScore(flat).score).toBe(1);
    const two = {
      counts: [...new Array(12).fill(10), ...new Array(12).fill(30)],
      binSeconds: 3600,
      totalBars: 24,
      longestRun: 24,
    };
    const s = ritaHistogramScore(two);
    expect(s.cvScore).toBeCloseTo(0.5, 12); // mean 20, sd 10
    expect(s.bimodalScore).toBe(1); // (12 + 12)/(24 − 1) capped at 1
    expect(s.score).toBe(1);
  });
  it('duration = max(coverage, consistency) once enough hours are seen', () => {
    const d = ritaDurationScore(0, 43_200, 0, 86_400, { totalBars: 8, longestRun: 8 });
    expect(d.coverage).toBe(0.5);
    expect(d.consistency).toBeCloseTo(8 / 12, 12);
    expect(d.score).toBeCloseTo(8 / 12, 12);
    expect(ritaDurationScore(0, 43_200, 0, 86_400, { totalBars: 5, longestRun: 5 }).score).toBe(0);
  });
  it('overall score: weighted mean, renormalised when a part is missing', () => {
    expect(ritaBeaconScore({ ts: 1, ds: 0.5, hist: 0.5, dur: 1 })).toBe(0.75);
    expect(ritaBeaconScore({ ts: 1, ds: null, hist: 0.5, dur: 0 })).toBe(0.5);
  });
});
