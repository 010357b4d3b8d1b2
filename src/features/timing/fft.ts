/**
 * Radix-2 complex FFT (iterative, in place) and helpers for real input.
 *
 * Why hand-written: the periodogram's permutation test runs dozens of transforms per pair, so it must
 * be allocation-free; tables (twiddles, bit reversal) are cached per size.
 * Convention: forward transform X_k = Σ_j x_j · e^(−2πi·jk/N), no scaling.
 */

interface Plan {
  n: number;
  cos: Float64Array;
  sin: Float64Array;
  rev: Uint32Array;
}

const plans = new Map<number, Plan>();

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function plan(n: number): Plan {
  let p = plans.get(n);
  if (p) return p;
  const half = n >>> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    const a = (-2 * Math.PI * k) / n;
    cos[k] = Math.cos(a);
    sin[k] = Math.sin(a);
  }
  const rev = new Uint32Array(n);
  let bits = 0;
  while (1 << bits < n) bits++;
  for (let i = 0; i < n; i++) {
    let r = 0;
    let v = i;
    for (let b = 0; b < bits; b++) {
      r = (r << 1) | (v & 1);
      v >>>= 1;
    }
    rev[i] = r >>> 0;
  }
  p = { n, cos, sin, rev };
  if (plans.size > 32) plans.clear(); // bounded cache
  plans.set(n, p);
  return p;
}

/** In-place forward FFT of (re, im); length must be a power of two. */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n !== im.length) throw new Error('fft: re and im differ in length');
  if (!isPowerOfTwo(n)) throw new Error(`fft: length ${n} is not a power of two`);
  if (n === 1) return;
  const { cos, sin, rev } = plan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i] as number;
    if (j > i) {
      let t = re[i] as number;
      re[i] = re[j] as number;
      re[j] = t;
      t = im[i] as number;
      im[i] = im[j] as number;
      im[j] = t;
    }
  }
  // size-2 stage: twiddle 1
  for (let i = 0; i < n; i += 2) {
    const ar = re[i] as number;
    const ai = im[i] as number;
    const br = re[i + 1] as number;
    const bi = im[i + 1] as number;
    re[i] = ar + br;
    im[i] = ai + bi;
    re[i + 1] = ar - br;
    im[i + 1] = ai - bi;
  }
  for (let size = 4; size <= n; size <<= 1) {
    const halfSize = size >>> 1;
    const step = n / size;
    if (halfSize < 32) {
      // short butterflies: hoist each twiddle over all blocks (fewer table loads)
      for (let k = 0; k < halfSize; k++) {
        const wr = cos[k * step] as number;
        const wi = sin[k * step] as number;
        for (let i = k; i < n; i += size) {
          const j = i + halfSize;
          const xr = re[j] as number;
          const xi = im[j] as number;
          const tr = wr * xr - wi * xi;
          const ti = wr * xi + wi * xr;
          const ur = re[i] as number;
          const ui = im[i] as number;
          re[i] = ur + tr;
          im[i] = ui + ti;
          re[j] = ur - tr;
          im[j] = ui - ti;
        }
      }
      continue;
    }
    for (let start = 0; start < n; start += size) {
      for (let k = 0, tw = 0; k < halfSize; k++, tw += step) {
        const i = start + k;
        const j = i + halfSize;
        const wr = cos[tw] as number;
        const wi = sin[tw] as number;
        const xr = re[j] as number;
        const xi = im[j] as number;
        const tr = wr * xr - wi * xi;
        const ti = wr * xi + wi * xr;
        const ur = re[i] as number;
        const ui = im[i] as number;
        re[i] = ur + tr;
        im[i] = ui + ti;
        re[j] = ur - tr;
        im[j] = ui - ti;
      }
    }
  }
}

/** Naive O(N²) DFT, any length; the reference the FFT is tested against. */
export function naiveDft(
  re: ArrayLike<number>,
  im?: ArrayLike<number>,
): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a);
      const s = Math.sin(a);
      const xr = re[j] as number;
      const xi = im ? (im[j] as number) : 0;
      sr += xr * c - xi * s;
      si += xr * s + xi * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return { re: outRe, im: outIm };
}

/**
 * |X_k|² for k = 0..N/2 of a real series x, zero-padded to N (a power of two ≥ x.length).
 * `re`/`im` are scratch buffers of length N (overwritten).
 */
export function realPowerSpectrum(
  x: ArrayLike<number>,
  n: number,
  re: Float64Array = new Float64Array(n),
  im: Float64Array = new Float64Array(n),
): Float64Array {
  re.fill(0);
  im.fill(0);
  for (let i = 0; i < x.length; i++) re[i] = x[i] as number;
  fftInPlace(re, im);
  const out = new Float64Array((n >>> 1) + 1);
  for (let k = 0; k < out.length; k++) {
    const r = re[k] as number;
    const i = im[k] as number;
    out[k] = r * r + i * i;
  }
  return out;
}

/**
 * Power spectra of two real series in one complex FFT: z = x + i·y, then
 * X_k = (Z_k + conj Z_{N−k}) / 2 and Y_k = (Z_k − conj Z_{N−k}) / 2i, so
 * |X_k|² = ¼|Z_k + conj Z_{N−k}|² and |Y_k|² = ¼|Z_k − conj Z_{N−k}|².
 * Halves the cost of the permutation test. Writes k = 0..N/2 into outX / outY.
 */
export function twoRealPowerSpectra(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  re: Float64Array,
  im: Float64Array,
  outX: Float64Array,
  outY: Float64Array,
): void {
  re.fill(0);
  im.fill(0);
  for (let i = 0; i < x.length; i++) re[i] = x[i] as number;
  for (let i = 0; i < y.length; i++) im[i] = y[i] as number;
  fftInPlace(re, im);
  const half = n >>> 1;
  for (let k = 0; k <= half; k++) {
    const nk = k === 0 ? 0 : n - k;
    const zr = re[k] as number;
    const zi = im[k] as number;
    const cr = re[nk] as number;
    const ci = -(im[nk] as number); // conj Z_{N−k}
    const ar = zr + cr;
    const ai = zi + ci;
    const br = zr - cr;
    const bi = zi - ci;
    outX[k] = 0.25 * (ar * ar + ai * ai);
    outY[k] = 0.25 * (br * br + bi * bi);
  }
}

/**
 * Biased autocorrelation r(l) = Σ_i x_i·x_{i+l} / Σ_i x_i² for l = 0..maxLag of a (mean-removed)
 * real series, by Wiener–Khinchin: zero-pad to ≥ 2n so the circular correlation equals the linear one.
 */
export function autocorrelation(x: ArrayLike<number>, maxLag: number): Float64Array {
  const n = x.length;
  const lags = Math.max(0, Math.min(maxLag, n - 1));
  const out = new Float64Array(lags + 1);
  if (n === 0) return out;
  const size = nextPowerOfTwo(2 * n);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = x[i] as number;
  fftInPlace(re, im);
  for (let k = 0; k < size; k++) {
    const r = re[k] as number;
    const i = im[k] as number;
    re[k] = r * r + i * i;
    im[k] = 0;
  }
  // inverse of a real, even spectrum = forward transform / N (the result is real)
  fftInPlace(re, im);
  const r0 = re[0] as number;
  if (!(r0 > 0)) return out;
  for (let l = 0; l <= lags; l++) out[l] = (re[l] as number) / r0;
  return out;
}
