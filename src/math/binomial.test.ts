import { describe, expect, it } from 'vitest';
import { log10BinomialTail, logChoose, logGamma } from './binomial.js';

describe('logGamma (Lanczos) against exact values', () => {
  it('matches factorials and Γ(½) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 11);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // ln 170! = 706.5730622457874 (reference: Stirling series / tables)
    expect(logGamma(171)).toBeCloseTo(706.5730622457874, 8);
    expect(logChoose(10, 3)).toBeCloseTo(Math.log(120), 11);
  });
});

describe('log10BinomialTail against reference tails', () => {
  it('matches binomial tables on both sides of the mean', () => {
    // P(X ≥ 5 | 10, 0.3) = 0.1502683; P(X ≥ 2 | 10, 0.1) = 0.2639011; P(X ≥ 1 | 10, 0.5) = 1 − 2^−10
    expect(10 ** log10BinomialTail(5, 10, 0.3)).toBeCloseTo(0.1502683, 7);
    expect(10 ** log10BinomialTail(2, 10, 0.1)).toBeCloseTo(0.2639011, 7);
    expect(10 ** log10BinomialTail(1, 10, 0.5)).toBeCloseTo(1 - 2 ** -10, 12);
    expect(10 ** log10BinomialTail(3, 10, 0.5)).toBeCloseTo(0.9453125, 12);
  });
  it('stays exact far in the tail where the probability underflows', () => {
    expect(log10BinomialTail(9, 9, 0.01)).toBeCloseTo(-18, 9);
    expect(log10BinomialTail(400, 400, 0.01)).toBeCloseTo(-800, 6);
    // P(X ≥ 60 | 100, 0.1) = 2.19e-34 (direct summation of the 41 terms in doubles)
    expect(log10BinomialTail(60, 100, 0.1)).toBeCloseTo(-33.6593695, 6);
  });
  it('edge cases', () => {
    expect(log10BinomialTail(0, 5, 0.5)).toBe(0);
    expect(log10BinomialTail(6, 5, 0.5)).toBe(Number.NEGATIVE_INFINITY);
    expect(log10BinomialTail(3, 5, 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(log10BinomialTail(3, 5, 1)).toBe(0);
  });
});
