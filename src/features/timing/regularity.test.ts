import { describe, expect, it } from 'vitest';
import { seededRng, uniformFloat64Fast } from '../../math/random.js';
import { learnCollapse } from './gaps.js';
import {
  log10BinomialTail,
  onTimeProbability,
  regularityEvidence,
  timestampResolution,
} from './regularity.js';
import { browsingSeries } from './synthetic.js';

const gapsOf = (xs: number[]) => Float64Array.from(xs);

describe('log10BinomialTail', () => {
  it('matches textbook binomial tails', () => {
    // P(X ≥ 5 | n = 10, p = 0.3) = 0.150268 (tables); P(X ≥ 9 | n = 9, p) = p^9
    expect(10 ** log10BinomialTail(5, 10, 0.3)).toBeCloseTo(0.150268, 5);
    expect(log10BinomialTail(9, 9, 0.01)).toBeCloseTo(-18, 6);
    expect(log10BinomialTail(0, 9, 0.5)).toBe(0);
    expect(log10BinomialTail(10, 9, 0.5)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('onTimeProbability', () => {
  it('is the exponential mass within ±ε·m of the multiples of m', () => {
    // μ = m = 1, ε = 0.1, one multiple: e^−0.9 − e^−1.1
    expect(onTimeProbability(0.1, 1, 1, 1)).toBeCloseTo(Math.exp(-0.9) - Math.exp(-1.1), 12);
    // four multiples add e^−(j−ε) − e^−(j+ε) for j = 1..4
    let q = 0;
    for (let j = 1; j <= 4; j++) q += Math.exp(-(j - 0.01)) - Math.exp(-(j + 0.01));
    expect(onTimeProbability(0.01, 60, 60, 4)).toBeCloseTo(q, 12);
  });
});

describe('regularityEvidence', () => {
  it('a clockwork beacon: 10 gaps of exactly 60 s give 9·(−log10 q(1 %)) − log10(5) decades', () => {
    const r = regularityEvidence(gapsOf(Array(10).fill(60)), 60);
    const q = onTimeProbability(0.01, 60, 60 / Math.LN2, 4);
    expect(r.evidence).toBeCloseTo(-9 * Math.log10(q) - Math.log10(5), 6);
    expect(r.evidence).toBeCloseTo(16.28, 2);
    expect(r.onTimeShare).toBe(1);
  });

  it('whole-second timestamps widen the narrowest window to ±2 s / period', () => {
    const precise = regularityEvidence(gapsOf(Array(10).fill(60)), 60);
    const coarse = regularityEvidence(gapsOf(Array(10).fill(60)), 60, { resolution: 1 });
    expect(coarse.tolerance).toBeCloseTo(2 / 60, 9);
    expect(coarse.evidence).toBeLessThan(precise.evidence);
  });

  it('few check-ins weigh less: 3 gaps cannot exceed a few decades', () => {
    expect(regularityEvidence(gapsOf([60, 60, 60]), 60).evidence).toBeLessThan(4.5);
    expect(regularityEvidence(gapsOf([60]), 60).evidence).toBe(0);
  });

  it('heavy-tailed human browsing is not regular', () => {
    for (const seed of [1, 2, 3]) {
      const ts = browsingSeries({ count: 1400, seed });
      const gaps = new Float64Array(ts.length - 1);
      for (let i = 1; i < ts.length; i++) gaps[i - 1] = (ts[i] as number) - (ts[i - 1] as number);
      const sorted = Float64Array.from(gaps).sort();
      expect(regularityEvidence(gaps, sorted[sorted.length >> 1] as number).evidence).toBeLessThan(3);
    }
  });

  it('is calibrated under its null: Poisson check-ins reach 3 decades in about 1 in 1000 pairs or fewer', () => {
    const rng = seededRng(7);
    let over = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const gaps = new Float64Array(30);
      for (let i = 0; i < gaps.length; i++) gaps[i] = -Math.log(1 - uniformFloat64Fast(rng)) * 60;
      const sorted = Float64Array.from(gaps).sort();
      const median = sorted[15] as number;
      if (regularityEvidence(gaps, median).evidence >= 3) over++;
    }
    expect(over / trials).toBeLessThanOrEqual(0.01);
  });

  it('holds up at 50 % jitter with missed check-ins', () => {
    const rng = seededRng(3);
    const gaps = new Float64Array(40);
    for (let i = 0; i < gaps.length; i++) {
      const missed = i % 9 === 4 ? 2 : 1;
      gaps[i] = missed * 60 * (1 - 0.5 * uniformFloat64Fast(rng));
    }
    const sorted = Float64Array.from(gaps).sort();
    expect(regularityEvidence(gaps, sorted[20] as number).evidence).toBeGreaterThan(3);
  });

  it('reads the timestamp resolution from the data', () => {
    expect(timestampResolution(Float64Array.from([1, 2, 3]))).toBe(1);
    expect(timestampResolution(Float64Array.from([1, 2.5]))).toBe(0.001);
  });
});

describe('learnCollapse', () => {
  it('learns the burst break of a beacon that opens 4 connections per check-in', () => {
    const ts: number[] = [];
    for (let k = 0; k < 8; k++) for (let j = 0; j < 4; j++) ts.push(k * 300 + j * 0.6);
    const o = learnCollapse(Float64Array.from(ts));
    expect(o.collapseGap).toBeGreaterThan(0.6);
    expect(o.collapseGap).toBeLessThan(300);
    expect(o.collapseMaxSpan).toBeGreaterThanOrEqual(149);
  });

  it('keeps the defaults when the gaps have no tenfold hole', () => {
    const ts = Float64Array.from([0, 50, 110, 170, 240, 300, 355]);
    expect(learnCollapse(ts).collapseGap).toBe(1);
  });
});
