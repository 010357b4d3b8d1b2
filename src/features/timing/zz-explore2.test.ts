import { test } from 'vitest';
import * as T from './index.js';
import * as S from './synthetic.js';

function merge(a: Float64Array, b: Float64Array) { const c = new Float64Array(a.length + b.length); c.set(a); c.set(b, a.length); return c.sort(); }
test('sweep', () => {
  const scen: Record<string, [(seed: number) => Float64Array, number | null]> = {
    cs0: [(s) => S.cobaltStrikeSeries({ seed: s, sleep: 60, jitter: 0, count: 1400, missRate: 0.1, bursts: 3 }), 60],
    cs20: [(s) => S.cobaltStrikeSeries({ seed: s, sleep: 60, jitter: 0.2, count: 1400, missRate: 0.1, bursts: 3 }), 54],
    cs50: [(s) => S.cobaltStrikeSeries({ seed: s, sleep: 60, jitter: 0.5, count: 1400, missRate: 0.1, bursts: 3 }), 45],
    cs50small: [(s) => S.cobaltStrikeSeries({ seed: s, sleep: 300, jitter: 0.5, count: 150, missRate: 0.1, bursts: 2 }), 225],
    sliver: [(s) => S.sliverSeries({ seed: s, count: 1100, missRate: 0.1, bursts: 3 }), 75],
    hourly: [(s) => S.cobaltStrikeSeries({ seed: s, sleep: 3600, jitter: 0.1, count: 24 }), 3420],
    hidden3: [(s) => merge(S.cobaltStrikeSeries({ seed: s, sleep: 600, jitter: 0.3, count: 432 }), S.browsingSeries({ seed: s + 100, count: 1000, minIdle: 600, start: 1_700_000_000 })), 510],
    missing50: [(s) => S.cobaltStrikeSeries({ seed: s, sleep: 300, jitter: 0.2, count: 800, missRate: 0.5 }), 270],
    poisson: [(s) => S.poissonSeries({ seed: s, count: 1400, meanGap: 60 }), null],
    browse: [(s) => S.browsingSeries({ seed: s, count: 1400 }), null],
    poisson24: [(s) => S.poissonSeries({ seed: s, count: 24, meanGap: 3600 }), null],
  };
  for (const [name, [gen, P]] of Object.entries(scen)) {
    const scores: number[] = []; const views: Record<string, number> = {}; let periodic = 0, right = 0, spectral = 0, pgRight = 0; let ms = 0; const bad: string[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const ts = gen(seed);
      const t0 = performance.now(); const f = T.analyzeTiming(ts); ms += performance.now() - t0;
      scores.push(f.timingScore);
      if (f.periodic) periodic++;
      if (P && f.periodSeconds && Math.abs(f.periodSeconds - P) <= 0.1 * P) right++;
      else if (P) bad.push(`${seed}:${f.periodSeconds?.toFixed(0)}/${f.periodSource}/${f.timingScore.toFixed(2)}`);
      if (f.periodogram) views[f.periodogram.scale] = (views[f.periodogram.scale] ?? 0) + 1;
      if (f.components.spectral) { spectral++; if (P && Math.abs(f.periodogram!.periodSeconds - P) <= 0.1 * P) pgRight++; }
      if (!P && (f.periodic || f.timingScore > 0.3)) bad.push(`${seed}:${f.timingScore.toFixed(2)}/${f.periodSource}/${f.periodSeconds?.toFixed(0)}`);
    }
    scores.sort((a, b) => a - b);
    console.log(name.padEnd(10), 'min', scores[0]!.toFixed(2), 'med', scores[15]!.toFixed(2), 'max', scores[29]!.toFixed(2), 'periodic', periodic, 'right', right, 'spectral', spectral, 'pgRight', pgRight, 'views', JSON.stringify(views), 'ms/run', (ms / 30).toFixed(1), bad.slice(0, 6).join(' '));
  }
});
