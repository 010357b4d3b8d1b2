import { describe, expect, it } from 'vitest';
import { seededRng, uniformFloat64Fast } from '../../math/random.js';
import {
  autocorrelation,
  fftInPlace,
  isPowerOfTwo,
  naiveDft,
  nextPowerOfTwo,
  realPowerSpectrum,
  twoRealPowerSpectra,
} from './fft.js';

function randomArray(n: number, seed: number): Float64Array {
  const rng = seededRng(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * uniformFloat64Fast(rng) - 1;
  return a;
}

describe('FFT', () => {
  it('matches the naive DFT on random complex input, sizes 1..512', () => {
    for (let n = 1; n <= 512; n *= 2) {
      const re = randomArray(n, n);
      const im = randomArray(n, n + 1000);
      const ref = naiveDft(re, im);
      const r = Float64Array.from(re);
      const i = Float64Array.from(im);
      fftInPlace(r, i);
      for (let k = 0; k < n; k++) {
        expect(Math.abs((r[k] as number) - (ref.re[k] as number))).toBeLessThan(1e-9 * n);
        expect(Math.abs((i[k] as number) - (ref.im[k] as number))).toBeLessThan(1e-9 * n);
      }
    }
  });
  it('known transforms: impulse → flat, constant → DC only', () => {
    const re = Float64Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
    const im = new Float64Array(8);
    fftInPlace(re, im);
    expect(Array.from(re)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    const c = new Float64Array(8).fill(2);
    const ci = new Float64Array(8);
    fftInPlace(c, ci);
    expect(c[0]).toBe(16);
    for (let k = 1; k < 8; k++) expect(Math.abs(c[k] as number)).toBeLessThan(1e-12);
  });
  it('keeps Parseval: Σ|x|² = Σ|X|²/N', () => {
    const n = 1024;
    const re = randomArray(n, 9);
    const im = new Float64Array(n);
    const e0 = re.reduce((s, v) => s + v * v, 0);
    fftInPlace(re, im);
    let e1 = 0;
    for (let k = 0; k < n; k++) e1 += (re[k] as number) ** 2 + (im[k] as number) ** 2;
    expect(e1 / n).toBeCloseTo(e0, 9);
  });
  it('rejects lengths that are not powers of two', () => {
    expect(() => fftInPlace(new Float64Array(6), new Float64Array(6))).toThrow(/power of two/);
    expect(isPowerOfTwo(64)).toBe(true);
    expect(isPowerOfTwo(96)).toBe(false);
    expect(nextPowerOfTwo(65)).toBe(128);
    expect(nextPowerOfTwo(1)).toBe(1);
  });
});

describe('real spectra', () => {
  it('realPowerSpectrum = |naive DFT|² of the zero-padded series', () => {
    const x = randomArray(100, 11);
    const n = 128;
    const padded = new Float64Array(n);
    padded.set(x);
    const ref = naiveDft(padded);
    const p = realPowerSpectrum(x, n);
    expect(p.length).toBe(65);
    for (let k = 0; k <= 64; k++) {
      expect(p[k]).toBeCloseTo((ref.re[k] as number) ** 2 + (ref.im[k] as number) ** 2, 8);
    }
  });
  it('twoRealPowerSpectra equals two separate transforms', () => {
    const n = 256;
    const x = randomArray(200, 12);
    const y = randomArray(256, 13);
    const ox = new Float64Array(n / 2 + 1);
    const oy = new Float64Array(n / 2 + 1);
    twoRealPowerSpectra(x, y, n, new Float64Array(n), new Float64Array(n), ox, oy);
    const px = realPowerSpectrum(x, n);
    const py = realPowerSpectrum(y, n);
    for (let k = 0; k <= n / 2; k++) {
      expect(ox[k]).toBeCloseTo(px[k] as number, 8);
      expect(oy[k]).toBeCloseTo(py[k] as number, 8);
    }
  });
  it('autocorrelation equals the direct sum Σ x_i·x_{i+l} / Σ x_i²', () => {
    const x = randomArray(300, 14);
    const r = autocorrelation(x, 50);
    const r0 = x.reduce((s, v) => s + v * v, 0);
    for (const l of [0, 1, 2, 17, 50]) {
      let s = 0;
      for (let i = 0; i + l < x.length; i++) s += (x[i] as number) * (x[i + l] as number);
      expect(r[l]).toBeCloseTo(s / r0, 10);
    }
  });
});
