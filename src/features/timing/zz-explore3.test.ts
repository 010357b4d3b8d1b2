import { test } from 'vitest';
import * as T from './index.js';
import * as S from './synthetic.js';
function merge(a: Float64Array, b: Float64Array) { const c = new Float64Array(a.length + b.length); c.set(a); c.set(b, a.length); return c.sort(); }
test('h3', () => {
  for (const s of [22, 23]) {
    const ts = merge(S.cobaltStrikeSeries({ seed: s, sleep: 600, jitter: 0.3, count: 432 }), S.browsingSeries({ seed: s + 100, count: 1000, minIdle: 600, start: 1_700_000_000 }));
    const f = T.analyzeTiming(ts);
    if (f.components.spectral) { const { periodSeconds, pValue, acf, acfValley, acfThreshold, scale, bins, binSeconds, events } = f.periodogram!; const c = T.collapseCheckIns(ts).times; const g = T.gapStats(T.interArrivalGaps(c)); const bn = T.chooseBinning(c[0]!, c[c.length-1]!, g.median); const cnt = T.binCounts(c, bn); const L = periodSeconds / bn.binSeconds; const fac = Math.floor(L / 8); const xx = T.rebin(cnt, fac); const m = xx.reduce((a,b)=>a+b,0)/xx.length; const r = T.autocorrelation(xx.map(v=>v-m), 30); console.log(Array.from(r, v=>+v.toFixed(2)).join(" "), T.confirmByAcf(r, xx.length, L/fac)); console.log(s, { periodSeconds, pValue, acf, acfValley, acfThreshold, scale, bins, binSeconds, events }, f.gaps.median); }
  }
});
