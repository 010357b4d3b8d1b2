import { test } from 'vitest';
import * as T from './index.js';
import * as S from './synthetic.js';
function merge(a: Float64Array, b: Float64Array) { const c = new Float64Array(a.length + b.length); c.set(a); c.set(b, a.length); return c.sort(); }
const brief = (f: T.TimingFeatures) => { const p = f.periodogram!; return { score: +f.timingScore.toFixed(2), P: f.periodSeconds, src: f.periodSource, gapP: f.gaps.period, med: f.gaps.median, pg: p && { P: +p.periodSeconds.toFixed(1), p: p.pValue, acf: +p.acf.toFixed(3), thr: +p.acfThreshold.toFixed(3), v: +p.acfValley.toFixed(3), sc: p.scale, b: +p.binSeconds.toFixed(2), bins: p.bins, w: p.windowed, ev: p.events } }; };
test('dbg', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const f = T.analyzeTiming(S.browsingSeries({ seed, count: 1400 }));
    if (f.components.spectral) console.log('browse', seed, JSON.stringify(brief(f)));
    const g = T.analyzeTiming(S.cobaltStrikeSeries({ seed, sleep: 60, jitter: 0.5, count: 1400, missRate: 0.1, bursts: 3 }));
    if (!g.components.spectral || Math.abs(g.periodSeconds! - 45) > 4.5) console.log('cs50', seed, JSON.stringify(brief(g)));
    const h = T.analyzeTiming(merge(S.cobaltStrikeSeries({ seed, sleep: 600, jitter: 0.3, count: 432 }), S.browsingSeries({ seed: seed + 100, count: 1000, minIdle: 600, start: 1_700_000_000 })));
    if (seed <= 6) console.log('hidden', seed, JSON.stringify(brief(h)));
  }
});
