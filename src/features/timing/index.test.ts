/**
 * Property tests on generated series (seeded, so deterministic): the beacons the brief names must be
 * found with the right period and a high score; benign traffic with the same count must not.
 */
import { describe, expect, it } from 'vitest';
import { analyzeTiming } from './index.js';
import {
  browsingSeries,
  byteSeries,
  cobaltStrikeSeries,
  poissonSeries,
  sliverSeries,
  strobeSeries,
} from './synthetic.js';

const within = (value: number | null, expected: number, share: number) =>
  value !== null && Math.abs(value - expected) <= share * expected;

describe('beacons are periodic with the right period and a high score', () => {
  // Cobalt Strike shortens each sleep by U(0, jitter): mean gap = sleep·(1 − jitter/2).
  const cases = [
    { name: 'Cobalt Strike 60 s, 0 % jitter', jitter: 0 },
    { name: 'Cobalt Strike 60 s, 20 % jitter', jitter: 0.2 },
    { name: 'Cobalt Strike 60 s, 50 % jitter', jitter: 0.5 },
  ];
  for (const c of cases) {
    for (const seed of [1, 2]) {
      it(`${c.name}, 10 % missed check-ins, tasking bursts (seed ${seed})`, () => {
        const ts = cobaltStrikeSeries({
          sleep: 60,
          jitter: c.jitter,
          count: 1400,
          missRate: 0.1,
          bursts: 3,
          seed,
        });
        const f = analyzeTiming(ts, byteSeries(ts.length, 250, 4, seed));
        expect(f.periodic).toBe(true);
        expect(within(f.periodSeconds, 60 * (1 - c.jitter / 2), 0.1)).toBe(true);
        expect(f.timingScore).toBeGreaterThan(0.7);
        expect(f.strobe.strobe).toBe(false);
        expect(f.reasons[0]).toMatch(/^check-ins every \d+ s \(± \d+ %\), 1 \d{3} times over \d+ h$/);
      });
    }
  }
  for (const seed of [1, 2]) {
    it(`Sliver 60 s + U(0, 30) s, 10 % missed, bursts (seed ${seed})`, () => {
      const ts = sliverSeries({ count: 1100, missRate: 0.1, bursts: 3, seed });
      const f = analyzeTiming(ts);
      expect(f.periodic).toBe(true);
      expect(within(f.periodSeconds, 75, 0.1)).toBe(true);
      expect(f.timingScore).toBeGreaterThan(0.7);
      expect(f.components.spectral).toBe(1);
      expect(f.reasons.some((r) => /^period \d+ s found by periodogram \(p < 0\.01\)$/.test(r))).toBe(true);
    });
  }
  it('half the check-ins missed: the period is still the sleep, not twice it', () => {
    const ts = cobaltStrikeSeries({ sleep: 300, jitter: 0.2, count: 800, missRate: 0.5, seed: 3 });
    const f = analyzeTiming(ts);
    expect(f.periodic).toBe(true);
    expect(within(f.periodSeconds, 270, 0.1)).toBe(true);
    expect(f.gaps.multiples).toBeGreaterThan(0.3);
    expect(f.reasons.join('\n')).toMatch(/missed check-ins/);
  });
  it('refused connects retried 3× merge into single check-ins', () => {
    const ts = cobaltStrikeSeries({ sleep: 60, jitter: 0.3, count: 600, retries: 2, seed: 4 });
    const f = analyzeTiming(ts, new Float64Array(ts.length)); // refused: 0 bytes
    expect(f.flows).toBe(1800);
    expect(f.checkIns).toBe(600);
    expect(f.mergedFlows).toBe(1200);
    expect(within(f.periodSeconds, 51, 0.1)).toBe(true);
    expect(f.timingScore).toBeGreaterThan(0.7);
    expect(f.rita.ds?.score).toBe(1); // constant (zero) sizes
  });
  it('a 1-hour beacon over 24 h (24 points) is found from its gaps', () => {
    for (const seed of [1, 2, 3]) {
      const ts = cobaltStrikeSeries({ sleep: 3600, jitter: 0.1, count: 24, seed });
      const f = analyzeTiming(ts, undefined, {
        window: { start: ts[0] as number, end: (ts[0] as number) + 86_400 },
      });
      expect(f.periodic).toBe(true);
      expect(within(f.periodSeconds, 3420, 0.1)).toBe(true);
      expect(f.timingScore).toBeGreaterThan(0.7);
      expect(f.periodogram?.bins).toBeLessThan(200); // bins follow the gap, arrays stay tiny
      expect(f.rita.dur.coverage).toBeGreaterThan(0.85);
    }
  });
});

describe('benign traffic is not periodic', () => {
  for (const seed of [1, 2, 3]) {
    it(`Poisson, 1 400 flows (seed ${seed})`, () => {
      const f = analyzeTiming(poissonSeries({ meanGap: 60, count: 1400, seed }));
      expect(f.periodic).toBe(false);
      expect(f.components.spectral).toBe(0);
      expect(f.timingScore).toBeLessThan(0.3);
      expect(f.reasons.join('\n')).toMatch(/irregular timing/);
    });
    it(`heavy-tailed human browsing, 1 400 flows (seed ${seed})`, () => {
      const f = analyzeTiming(browsingSeries({ count: 1400, seed }));
      expect(f.periodic).toBe(false);
      expect(f.components.spectral).toBe(0);
      expect(f.timingScore).toBeLessThan(0.3);
    });
  }
  it('Poisson with only 24 points', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const f = analyzeTiming(poissonSeries({ meanGap: 3600, count: 24, seed }));
      expect(f.periodic).toBe(false);
      expect(f.timingScore).toBeLessThan(0.3);
    }
  });
});

describe('strobes and edge cases', () => {
  it('2 connections per second for 10 minutes is a strobe', () => {
    const f = analyzeTiming(strobeSeries({ rate: 2, duration: 600 }));
    expect(f.strobe).toMatchObject({ strobe: true, by: 'rate' });
    expect(f.mergedFlows).toBe(0); // strobes are not merged into fake 3-s check-ins
    expect(f.reasons[0]).toMatch(/^strobe: up to 2 connections per second sustained/);
  });
  it('too few flows: score 0, one reason, no crash', () => {
    for (const n of [0, 1, 2, 3]) {
      const ts = Float64Array.from({ length: n }, (_, i) => 1000 + 60 * i);
      const f = analyzeTiming(ts, new Float64Array(n));
      expect(f.flows).toBe(n);
      expect(f.timingScore).toBe(0);
      expect(f.periodic).toBe(false);
      expect(f.periodogram).toBeNull();
      expect(f.reasons[0]).toMatch(/too few for timing analysis/);
      expect(() => JSON.stringify(f)).not.toThrow();
    }
  });
  it('unsorted input and non-finite timestamps are cleaned, not trusted', () => {
    const ts = cobaltStrikeSeries({ sleep: 60, jitter: 0.2, count: 200, seed: 5 });
    const shuffled = Float64Array.from(ts).reverse();
    const withNaN = Float64Array.from([...ts, Number.NaN, Number.POSITIVE_INFINITY]);
    const a = analyzeTiming(ts);
    expect(analyzeTiming(shuffled)).toEqual(a);
    expect(analyzeTiming(withNaN)).toEqual(a);
    expect(Array.from(shuffled.subarray(0, 2))).toEqual([ts[199], ts[198]]); // input untouched
  });
  it('identical timestamps (no span) do not crash', () => {
    const f = analyzeTiming(new Float64Array(10).fill(1_700_000_000));
    expect(f.spanSeconds).toBe(0);
    expect(f.timingScore).toBeLessThan(0.5);
    expect(() => JSON.stringify(f)).not.toThrow();
  });
  it('is deterministic', () => {
    const ts = poissonSeries({ meanGap: 30, count: 800, seed: 6 });
    expect(JSON.stringify(analyzeTiming(ts))).toBe(JSON.stringify(analyzeTiming(ts)));
  });
  it("periodogramWhen 'needed' skips the periodogram only for conclusive gaps", () => {
    const clean = cobaltStrikeSeries({ sleep: 60, jitter: 0.05, count: 500, seed: 8 });
    const a = analyzeTiming(clean, undefined, { periodogramWhen: 'needed' });
    expect(a.periodogram).toBeNull();
    expect(a.periodic).toBe(true);
    expect(a.timingScore).toBeGreaterThan(0.9);
    const jittered = cobaltStrikeSeries({ sleep: 60, jitter: 0.5, count: 500, seed: 8 });
    expect(analyzeTiming(jittered, undefined, { periodogramWhen: 'needed' }).periodogram).not.toBeNull();
  });
  it('options reach the modules', () => {
    const ts = cobaltStrikeSeries({ sleep: 60, jitter: 0.2, count: 300, retries: 1, seed: 7 });
    const f = analyzeTiming(ts, undefined, { collapse: false, periodogram: false, rita: { histBins: 12 } });
    expect(f.mergedFlows).toBe(0);
    expect(f.periodogram).toBeNull();
    expect(f.rita.histogram.counts.length).toBe(12);
  });
});
