/**
 * Binomial upper tails in log space, accurate far into the tail (10^−300 and beyond), for the
 * evidence model's null models. Written here rather than imported: the statistics libraries that
 * have a regularized incomplete beta pull hundreds of modules, which cost the CLI ~1.5 s of start-up.
 */

/**
 * ln Γ(x) for x > 0: Lanczos approximation (g = 7, n = 9; the coefficients of Numerical Recipes /
 * Godfrey), relative error < 1e-14 over the positive reals; reflection is not needed here.
 */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

export function logGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln C(n, k). */
export function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * log10 P(X ≥ j) for X ~ Binomial(n, p). The terms from j upward are summed in log space until
 * they no longer change the sum (relative 1e-15); below the mean the tail is summed from the other
 * end as 1 − P(X < j), which keeps every term count bounded by a few standard deviations.
 */
export function log10BinomialTail(j: number, n: number, p: number): number {
  if (j <= 0) return 0;
  if (j > n || p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const logTerm = (i: number) => logChoose(n, i) + i * lp + (n - i) * lq;
  if (j > n * p) {
    // upper tail: terms fall from j on
    const first = logTerm(j);
    let sum = 1;
    let ratioLog = 0;
    for (let i = j; i < n; i++) {
      ratioLog += Math.log((n - i) / (i + 1)) + lp - lq;
      const term = Math.exp(ratioLog);
      sum += term;
      if (term < 1e-15 * sum) break;
    }
    return (first + Math.log(sum)) / Math.LN10;
  }
  // j at or below the mean: P(X ≥ j) = 1 − P(X ≤ j − 1), lower tail terms fall from j − 1 down
  const top = logTerm(j - 1);
  let sum = 1;
  let ratioLog = 0;
  for (let i = j - 1; i > 0; i--) {
    ratioLog += Math.log(i / (n - i + 1)) + lq - lp;
    const term = Math.exp(ratioLog);
    sum += term;
    if (term < 1e-15 * sum) break;
  }
  const lower = Math.exp(top) * sum;
  return Math.log10(Math.max(Number.MIN_VALUE, 1 - Math.min(1, lower)));
}
