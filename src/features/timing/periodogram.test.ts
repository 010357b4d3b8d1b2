import { describe, expect, it } from 'vitest';
import { seededRng } from '../../math/random.js';
import { autocorrelation } from './fft.js';
import {
  binCounts,
  chooseBinning,
  confirmByAcf,
  minPValue,
  normalisedPeriodogram,
  Permuter,
  periodogram,
  searchBand,
  smoothSpectrum,
  strongestPeak,
} from './periodogram.js';
import { cobaltStrikeSeries, poissonSeries } from './synthetic.js';

describe('binning', () => {
  it('uses 4 bins per median gap when the span allows', () => {
    const b = chooseBinning(0, 86_400, 60);
    expect(b.binSeconds).toBe(15);
    expect(b.bins).toBe(5761);
    expect(b.windowed).toBe(false);
  });
  it('widens bins to cover the span, down to 3 per gap', () => {
    // 4 per gap would need 129 600/15 + 1 = 8 641 bins > 8 192; 129 600/8 191 = 15.8 s ≤ 60/3
    const b = chooseBinning(0, 129_600, 60, { maxBins: 8192 });
    expect(b.bins).toBe(8192);
    expect(b.binSeconds).toBeCloseTo(129_600 / 8191, 9);
    expect(b.windowed).toBe(false);
  });
  it('keeps the most recent window when the span is too long', () => {
    const b = chooseBinning(0, 10_000_000, 60, { maxBins: 1024 });
    expect(b).toMatchObject({ binSeconds: 20, bins: 1024, windowed: true });
    const counts = binCounts(Float64Array.from([0, 10_000_000 - 25, 10_000_000]), b);
    expect(counts[1023]).toBe(1);
    expect(counts[1022]).toBe(1);
    expect(counts.reduce((s, v) => s + v, 0)).toBe(2); // the first flow is outside the window
  });
  it('never goes below minBinSeconds', () => {
    expect(chooseBinning(0, 100, 0.5).binSeconds).toBe(1);
  });
  it('counts events per bin', () => {
    const c = binCounts(Float64Array.from([0, 0.5, 1, 2.9, 3]), {
      start: 0,
      binSeconds: 1,
      bins: 4,
      windowed: false,
    });
    expect(Array.from(c)).toEqual([2, 1, 1, 1]);
  });
});

describe('spectrum helpers', () => {
  it('searchBand spans periods from 2 bins to bins/minCycles', () => {
    expect(searchBand(1000, 1024, 3)).toEqual([4, 512]);
  });
  it('smoothing a white (flat, mean 1) spectrum gives z = 0', () => {
    const p = new Float64Array(200).fill(1);
    const out = new Float64Array(200);
    smoothSpectrum(p, 0.05, out, new Float64Array(201));
    for (const v of out) expect(v).toBeCloseTo(0, 12);
    smoothSpectrum(p, 0, out, new Float64Array(201));
    expect(out[10]).toBe(1);
  });
  it('strongestPeak reports the fundamental of a pulse train, not a harmonic', () => {
    // one event every 16 bins over 1024 bins: equal lines at 64, 128, 192, ... of a 1024-point FFT
    const x = new Float64Array(1024);
    for (let i = 0; i < 1024; i += 16) x[i] = 1;
    const p = normalisedPeriodogram(x, 1024);
    const [kMin, kMax] = searchBand(1024, 1024, 3);
    const peak = strongestPeak(p, kMin, kMax, 1024, 1024, 1);
    expect(peak?.index).toBe(64);
    expect(peak?.periodSeconds).toBeCloseTo(16, 6);
  });
});

describe('min-p permutation test', () => {
  it('matches a hand-computed example', () => {
    // scale 0: obs 5 among {5,4,3,1} → p 1/4; perms 4 → 2/4, 3 → 3/4, 1 → 1
    // scale 1: obs 1 among {1,2,3,0} → p 3/4; perms 2 → 2/4, 3 → 1/4, 0 → 1
    // min p: obs 1/4, perms 1/2, 1/4, 1 → two of four series ≤ 1/4 → p = 0.5
    const r = minPValue(
      [5, 1],
      [Float64Array.from([4, 2]), Float64Array.from([3, 3]), Float64Array.from([1, 0])],
    );
    expect(r.perScale).toEqual([0.25, 0.75]);
    expect(r.pValue).toBe(0.5);
  });
  it('gives 1/(N + 1) when the observed series tops every scale', () => {
    const perms = Array.from({ length: 99 }, (_, i) => Float64Array.from([i, i]));
    expect(minPValue([1000, 1000], perms).pValue).toBeCloseTo(0.01, 12);
  });
  it('Permuter keeps the values and spreads them uniformly', () => {
    const x = new Float64Array(64).fill(-0.25);
    x[3] = 0.75;
    x[40] = 1.75;
    const p = new Permuter(x, seededRng(1));
    const out = new Float64Array(64);
    const hits = new Float64Array(64);
    const sortedX = Array.from(x).sort();
    for (let r = 0; r < 6400; r++) {
      p.next(out);
      if (r < 20) expect(Array.from(out).sort()).toEqual(sortedX);
      hits[out.indexOf(0.75)] = (hits[out.indexOf(0.75)] as number) + 1;
    }
    // chi-square of 6400 draws over 64 cells (63 d.f.): 99.9 % quantile ≈ 103
    const chi = hits.reduce((s, h) => s + (h - 100) ** 2 / 100, 0);
    expect(chi).toBeLessThan(103);
  });
});

describe('ACF confirmation', () => {
  it('accepts a periodic ACF and rejects a monotone decay', () => {
    const x = new Float64Array(400);
    for (let i = 0; i < 400; i += 8) x[i] = 1;
    const mean = 50 / 400;
    const r = autocorrelation(
      x.map((v) => v - mean),
      40,
    );
    const ok = confirmByAcf(r, 400, 8);
    expect(ok.confirmed).toBe(true);
    expect(ok.lag).toBe(8);
    expect(ok.acf).toBeGreaterThan(0.9);
    // clustered traffic: ACF decays without a trough
    const decay = Float64Array.from({ length: 41 }, (_, l) => 0.97 ** l);
    expect(confirmByAcf(decay, 400, 8).confirmed).toBe(false);
  });
});

describe('periodogram', () => {
  it('finds a 20 %-jitter beacon with p < 0.01 and confirms it', () => {
    const ts = cobaltStrikeSeries({ sleep: 300, jitter: 0.2, count: 300, seed: 42 });
    const r = periodogram(ts, 270);
    expect(r).not.toBeNull();
    expect(Math.abs((r?.periodSeconds ?? 0) - 270) / 270).toBeLessThan(0.05);
    expect(r?.pValue).toBeLessThan(0.01);
    expect(r?.confirmed).toBe(true);
  });
  it('finds no confirmed, significant period in Poisson traffic', () => {
    for (const seed of [1, 2, 3]) {
      const ts = poissonSeries({ meanGap: 270, count: 300, seed });
      const r = periodogram(ts, 190);
      expect(Boolean(r?.confirmed && r.pValue <= 0.01)).toBe(false);
    }
  });
  it('is deterministic for a given seed', () => {
    const ts = poissonSeries({ meanGap: 60, count: 500, seed: 9 });
    expect(periodogram(ts, 40)).toEqual(periodogram(ts, 40));
  });
  it('returns null for too few events or no span', () => {
    expect(periodogram(Float64Array.from([1, 2, 3]), 1)).toBeNull();
    expect(periodogram(new Float64Array(20).fill(5), 0)).toBeNull();
  });
});
