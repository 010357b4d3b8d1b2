import { describe, expect, it } from 'vitest';
import {
  combineTiming,
  detectStrobe,
  formatCount,
  formatDuration,
  formatP,
  formatSeconds,
  TIMING_THRESHOLDS,
  timingReasons,
} from './classify.js';
import { type GapStats, gapStats } from './gaps.js';
import type { PeriodogramResult } from './periodogram.js';
import { cobaltStrikeSeries, strobeSeries } from './synthetic.js';

const f64 = (a: number[]) => Float64Array.from(a);

function pg(over: Partial<PeriodogramResult>): PeriodogramResult {
  return {
    periodSeconds: 60,
    power: 50,
    scale: 'raw',
    pValue: 0.005,
    acf: 0.5,
    acfValley: -0.2,
    acfThreshold: 0.1,
    confirmed: true,
    maxPower: 50,
    permutationsRun: 199,
    binSeconds: 15,
    bins: 5000,
    fftSize: 8192,
    windowed: false,
    events: 1000,
    ...over,
  };
}

describe('strobe', () => {
  it('2 connections per second for 10 minutes is a strobe (rate)', () => {
    const s = detectStrobe(strobeSeries({ rate: 2, duration: 600 }));
    expect(s.strobe).toBe(true);
    expect(s.by).toBe('rate');
    expect(s.peakRate).toBeGreaterThan(1.9);
  });
  it('a beacon every 60 s is not; one a day of flows per day of span is (count)', () => {
    expect(detectStrobe(cobaltStrikeSeries({ sleep: 60, jitter: 0, count: 1000 })).strobe).toBe(false);
    const ts = new Float64Array(90_000);
    for (let i = 0; i < ts.length; i++) ts[i] = i * 0.95; // 1.05/s over 23.75 h
    expect(detectStrobe(ts)).toMatchObject({ strobe: true, by: 'count' });
    expect(detectStrobe(ts, { strobeFlowsPerDay: 1e9, strobeRate: 2 }).strobe).toBe(false);
  });
  it('five flows in two seconds are not a strobe', () => {
    expect(detectStrobe(f64([0, 0.5, 1, 1.5, 2])).strobe).toBe(false);
  });
});

describe('combineTiming', () => {
  const g = (over: Partial<GapStats>): GapStats => ({ ...gapStats(f64([60, 60, 60])), ...over });
  it('implements the documented formula', () => {
    // dispersion 1 − 0.1/0.5 = 0.8; harmonic (0.8 − 0.35)/(0.8 − 0.35) = 1; skew 1 − 0.2 = 0.8
    const gs = g({ count: 20, madOverMedian: 0.1, withinToleranceOrMultiple: 0.8, bowley: 0.2, period: 60 });
    const v = combineTiming(gs, null);
    expect(v.components.dispersion).toBeCloseTo(0.8, 12);
    expect(v.components.harmonic).toBeCloseTo(1, 12);
    expect(v.components.skew).toBeCloseTo(0.8, 12);
    expect(v.components.gapScore).toBeCloseTo(0.4 * 0.8 + 0.4 * 1 + 0.2 * 0.8, 12);
    expect(v.components.confidence).toBe(1);
    expect(v.timingScore).toBeCloseTo(0.88, 12);
    expect(v).toMatchObject({ periodic: true, periodSeconds: 60, periodSource: 'gaps' });
  });
  it('a confirmed periodogram line lifts irregular gaps half-way', () => {
    const gs = g({ count: 100, madOverMedian: 0.7, withinToleranceOrMultiple: 0.3, bowley: 0.3, period: 20 });
    const v = combineTiming(gs, pg({ periodSeconds: 600 }));
    expect(v.components.gapScore).toBeCloseTo(0.14, 12);
    expect(v.components.spectral).toBe(1);
    expect(v.timingScore).toBeCloseTo((0.14 + 1) / 2, 12);
    expect(v).toMatchObject({ periodSeconds: 600, periodSource: 'periodogram' });
  });
  it('the periodogram needs p ≤ alpha, ACF confirmation and enough events', () => {
    const gs = g({ count: 100, madOverMedian: 0.7, withinToleranceOrMultiple: 0.3, bowley: 0.3 });
    expect(combineTiming(gs, pg({ pValue: 0.05 })).components.spectral).toBe(0);
    expect(combineTiming(gs, pg({ confirmed: false })).components.spectral).toBe(0);
    expect(combineTiming(gs, pg({ events: 20 })).components.spectral).toBe(0);
  });
  it('few gaps lower the confidence: √(gaps/20)', () => {
    const v = combineTiming(g({ count: 5 }), null);
    expect(v.components.confidence).toBeCloseTo(0.5, 12);
    expect(v.timingScore).toBeCloseTo(0.5, 12);
    expect(v.periodic).toBe(false);
  });
  it('defaults are documented numbers', () => {
    expect(TIMING_THRESHOLDS).toMatchObject({ minFlows: 4, strobeRate: 1, alpha: 0.01, periodicScore: 0.6 });
  });
});

describe('formatting and reasons', () => {
  it('formats counts, seconds, durations and p-values', () => {
    expect(formatCount(1402)).toBe('1 402');
    expect(formatCount(1234567)).toBe('1 234 567');
    expect(formatCount(12)).toBe('12');
    expect(formatSeconds(60)).toBe('60 s');
    expect(formatSeconds(3600)).toBe('3 600 s');
    expect(formatSeconds(2.5)).toBe('2.5 s');
    expect(formatSeconds(0.5)).toBe('0.5 s');
    expect(formatDuration(23 * 3600)).toBe('23 h');
    expect(formatDuration(600)).toBe('10 min');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(3.5 * 86400)).toBe('3.5 d');
    expect(formatP(0.005)).toBe('p < 0.01');
    expect(formatP(0.01)).toBe('p = 0.01');
    expect(formatP(0.0004)).toBe('p < 0.001');
  });
  it('writes the brief’s reasons', () => {
    const gaps = g60();
    const verdict = combineTiming(gaps, pg({ periodSeconds: 60.2 }));
    const reasons = timingReasons({
      flows: 1402,
      checkIns: 1402,
      merged: 0,
      collapseGap: 1,
      spanSeconds: 23 * 3600,
      gaps,
      periodogram: pg({ periodSeconds: 60.2 }),
      strobe: { strobe: false, peakWindowFlows: 5, peakRate: 0.02, by: null },
      verdict,
    });
    expect(reasons).toContain('check-ins every 60 s (± 18 %), 1 402 times over 23 h');
    expect(reasons).toContain('period 60 s found by periodogram (p < 0.01)');
  });
  it('says when there are too few flows', () => {
    const gaps = gapStats(f64([5]));
    const reasons = timingReasons({
      flows: 2,
      checkIns: 2,
      merged: 0,
      collapseGap: 1,
      spanSeconds: 5,
      gaps,
      periodogram: null,
      strobe: { strobe: false, peakWindowFlows: 2, peakRate: 0, by: null },
      verdict: combineTiming(gaps, null),
    });
    expect(reasons).toEqual(['only 2 flows: too few for timing analysis']);
  });
});

/** Gaps around 60 s whose on-time MAD is 5.4 s: ± 2·5.4/60 = 18 %. */
function g60(): GapStats {
  const gaps: number[] = [];
  for (let i = 0; i < 100; i++) gaps.push(54.6, 60, 65.4);
  return gapStats(Float64Array.from(gaps));
}
