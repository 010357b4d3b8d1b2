import { describe, expect, it } from 'vitest';
import {
  fmtBytes,
  fmtSeconds,
  histogram,
  niceByteStep,
  niceSecondsStep,
  niceStep,
  roundLabels,
} from '../src/report/page/format.js';

// The report page's pure helpers (src/report/page/format.ts), run in Node.
describe('round steps for axes and bins', () => {
  it('niceStep: the smallest of 1, 2, 5 × 10^k at or above x', () => {
    expect([0.07, 0.1, 0.11, 1.5, 2, 3, 7, 49, 51, 999].map(niceStep)).toEqual([
      0.1, 0.1, 0.2, 2, 2, 5, 10, 50, 100, 1000,
    ]);
  });

  it('niceByteStep prints round in KiB and MiB', () => {
    // 50,000 B was a tick that read "48.8 KiB"
    expect(fmtBytes(50_000)).toBe('48.8 KiB');
    expect(niceByteStep(40_000)).toBe(50 * 1024);
    expect(fmtBytes(niceByteStep(40_000))).toBe('50 KiB');
    expect(niceByteStep(300)).toBe(500);
    expect(fmtBytes(niceByteStep(600))).toBe('1 KiB');
    expect(fmtBytes(niceByteStep(3_000_000))).toBe('5 MiB');
    for (const x of [1, 17, 900, 5_000, 70_000, 600_000, 9e6]) {
      const label = fmtBytes(niceByteStep(x));
      expect(label, `${x}`).toMatch(/^[125]0* (B|KiB|MiB)$/);
      expect(niceByteStep(x)).toBeGreaterThanOrEqual(x);
    }
  });

  it('niceSecondsStep prints round in fmtSeconds', () => {
    expect(
      [0.3, 1, 7.94, 40, 100, 1000, 5000, 30_000, 200_000].map((x) => fmtSeconds(niceSecondsStep(x))),
    ).toEqual(['500 ms', '1 s', '10 s', '60 s', '2 min', '30 min', '2 h', '12 h', '5 d']);
  });

  it('histogram bins start on a multiple of a round width and count every value once', () => {
    const gaps = Array.from({ length: 500 }, (_, i) => 28.37 + ((i * 7919) % 300) / 100);
    gaps.push(900); // one missed check-in, beyond the 99th percentile
    const h = histogram(gaps, 40, niceSecondsStep);
    expect(h.width).toBe(0.1);
    expect(Math.abs(h.lo / h.width - Math.round(h.lo / h.width))).toBeLessThan(1e-9);
    expect(h.lo).toBeLessThanOrEqual(28.37);
    expect(h.counts.reduce((a, b) => a + b, 0) + h.over).toBe(gaps.length);
    expect(h.over).toBeGreaterThanOrEqual(1);
    expect(histogram([], 40, niceStep)).toEqual({ lo: 0, width: 1, counts: [0], over: 0, hi: 0 });
    expect(histogram([5, 5, 5], 40, niceStep).counts).toEqual([3]);
  });

  it('roundLabels labels only bins on a round multiple (and the overflow bin)', () => {
    const show = roundLabels(28.4, 0.1, 32, niceSecondsStep);
    const shown = Array.from({ length: 33 }, (_, k) => k).filter(show);
    const values = shown.filter((k) => k < 32).map((k) => Math.round((28.4 + k * 0.1) * 10) / 10);
    expect(values).toEqual([28.5, 29, 29.5, 30, 30.5, 31, 31.5]);
    expect(show(32)).toBe(true);
  });
});
