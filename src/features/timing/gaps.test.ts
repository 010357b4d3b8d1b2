import { describe, expect, it } from 'vitest';
import { collapseCheckIns, gapStats, interArrivalGaps } from './gaps.js';

const f64 = (a: number[]) => Float64Array.from(a);

describe('interArrivalGaps', () => {
  it('differences consecutive timestamps', () => {
    expect(Array.from(interArrivalGaps(f64([0, 1, 3, 6])))).toEqual([1, 2, 3]);
    expect(interArrivalGaps(f64([5])).length).toBe(0);
    expect(interArrivalGaps(f64([])).length).toBe(0);
  });
});

describe('collapseCheckIns', () => {
  it('merges a refused connect retried with SYNs 0.5 s apart into one check-in', () => {
    const ts = f64([0, 0.5, 1.0, 60, 60.5, 61.0, 120]);
    const c = collapseCheckIns(ts);
    expect(Array.from(c.times)).toEqual([0, 60, 120]);
    expect(c.merged).toBe(4);
  });
  it('keeps flows ≥ collapseGap apart', () => {
    const c = collapseCheckIns(f64([0, 1, 2, 3.5]));
    expect(Array.from(c.times)).toEqual([0, 1, 2, 3.5]);
    expect(c.merged).toBe(0);
  });
  it('never lets a check-in span more than collapseMaxSpan', () => {
    // chain 0, .9, 1.8, 2.7 joins; 3.6 is 3.6 s after the check-in's first flow → new check-in
    const c = collapseCheckIns(f64([0, 0.9, 1.8, 2.7, 3.6, 4.5]));
    expect(Array.from(c.times)).toEqual([0, 3.6]);
  });
  it('is disabled by collapseGap 0', () => {
    const ts = f64([0, 0.1, 0.2]);
    const c = collapseCheckIns(ts, { collapseGap: 0 });
    expect(c.times).toBe(ts);
    expect(c.merged).toBe(0);
  });
});

describe('gapStats', () => {
  it('a perfect beacon with one missed check-in', () => {
    const s = gapStats(f64([10, 10, 10, 10, 20]));
    expect(s.count).toBe(5);
    expect(s.median).toBe(10);
    expect(s.period).toBe(10);
    expect(s.mad).toBe(0);
    expect(s.madOverMedian).toBe(0);
    expect(s.bowley).toBe(0); // no spread
    expect(s.withinTolerance).toBe(0.8);
    expect(s.withinToleranceOrMultiple).toBe(1);
    expect(s.multiples).toBeCloseTo(0.2, 12);
    expect(s.spread).toBe(0);
  });
  it('finds the period from the on-time cluster when half the check-ins are missed', () => {
    // 5 on-time gaps, 4 double, 1 triple: median = (100 + 200)/2 = 150, cluster [75, 225] → median 100
    const s = gapStats(f64([100, 100, 100, 100, 100, 200, 200, 200, 200, 300]));
    expect(s.median).toBe(150);
    expect(s.period).toBe(100);
    expect(s.withinTolerance).toBe(0.5);
    expect(s.withinToleranceOrMultiple).toBe(1);
    expect(s.multiples).toBe(0.5);
  });
  it('spread = 2·MAD/period of the on-time cluster', () => {
    // period 100, |dev| = 10 0 10 → MAD 10 → ± 20 %
    const s = gapStats(f64([90, 100, 110]));
    expect(s.period).toBe(100);
    expect(s.periodMad).toBe(10);
    expect(s.spread).toBeCloseTo(0.2, 12);
  });
  it('counts gaps within ±tolerance of the period', () => {
    // median 100; ±25 % → [75, 125]: 80, 100, 120 in; 60, 140 out (140 is not near 200 either)
    const s = gapStats(f64([60, 80, 100, 120, 140]), { tolerance: 0.25 });
    expect(s.withinTolerance).toBeCloseTo(0.6, 12);
    expect(s.withinToleranceOrMultiple).toBeCloseTo(0.6, 12);
  });
  it('reports quartiles, Bowley skew and trimmed CV', () => {
    // quartiles of 1..9 ×10: Q1 30, Q2 50, Q3 70 → symmetric
    const s = gapStats(f64([10, 20, 30, 40, 50, 60, 70, 80, 90]));
    expect(s.q1).toBe(30);
    expect(s.q3).toBe(70);
    expect(s.bowley).toBe(0);
    expect(s.trimmedMean).toBe(50);
    // right-skewed: Q1 2, Q2 3, Q3 7 (×10 to clear the negligible-spread guard) → 0.6
    expect(gapStats(f64([10, 20, 30, 70, 80])).bowley).toBeCloseTo(0.6, 12);
  });
  it('treats the skew of a negligible spread as 0', () => {
    // 60 s ± 50 ms of network noise: IQR ≪ 5 % of the median
    const s = gapStats(f64([59.95, 60.0, 60.0, 60.04, 60.05, 59.99]));
    expect(s.bowleyRaw).not.toBe(0);
    expect(s.bowley).toBe(0);
  });
  it('handles no gaps and zero gaps', () => {
    const e = gapStats(f64([]));
    expect(e.count).toBe(0);
    expect(e.median).toBeNaN();
    expect(e.withinTolerance).toBeNaN();
    const z = gapStats(f64([0, 0, 0, 5]));
    expect(z.median).toBe(0);
    expect(z.withinTolerance).toBe(0.75);
    expect(z.madOverMedian).toBeNaN();
  });
});
