import { test } from 'vitest';
import * as T from './index.js';
import { seededRng } from './rng.js';
test('prof2', () => {
  const n = 16384; const x = new Float64Array(n); for (let i = 0; i < n; i++) x[i] = Math.random() < 0.25 ? 0.75 : -0.25;
  const re = new Float64Array(n), im = new Float64Array(n), sx = new Float64Array(n / 2 + 1), sy = new Float64Array(n / 2 + 1);
  const rng = seededRng(1);
  for (let rep = 0; rep < 3; rep++) {
    let c0 = process.cpuUsage();
    const lap = (l: string) => { const cu = process.cpuUsage(c0); console.log(l, ((cu.user + cu.system) / 1000).toFixed(1)); c0 = process.cpuUsage(); };
    for (let i = 0; i < 200; i++) T.shuffleInPlace(x, rng); lap('200 shuffles');
    for (let i = 0; i < 100; i++) T.twoRealPowerSpectra(x, x, n, re, im, sx, sy); lap('100 two-real spectra');
    for (let i = 0; i < 100; i++) T.fftInPlace(re, im); lap('100 fft');
    const out = new Float64Array(sx.length), pre = new Float64Array(sx.length + 1);
    for (let i = 0; i < 200; i++) T.smoothSpectrum(sx, 0.05, out, pre, 1); lap('200 smooth');
    T.permutationMaxima(x, 1, n, 10, n / 2, [0, 0.05], 199, 1, 1); lap('permutationMaxima');
  }
});
