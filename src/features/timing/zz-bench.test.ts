import { test } from 'vitest';
import { analyzeTiming } from './index.js';
import * as S from './synthetic.js';
test('bench 1M', () => {
  const cases: Record<string, Float64Array> = {
    beacon60: S.cobaltStrikeSeries({ sleep: 60, jitter: 0.3, count: 1_000_000, missRate: 0.05, bursts: 50 }),
    beacon60retries: S.cobaltStrikeSeries({ sleep: 60, jitter: 0.3, count: 400_000, retries: 2 }),
    poisson: S.poissonSeries({ count: 1_000_000, meanGap: 5 }),
    browse: S.browsingSeries({ count: 1_000_000 }),
    strobe: S.strobeSeries({ rate: 20, duration: 50_000 }),
  };
  for (const [k, ts] of Object.entries(cases)) {
    const bytes = S.byteSeries(ts.length, 300, 40);
    analyzeTiming(ts.subarray(0, 20000), bytes.subarray(0, 20000)); // warm-up
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const f = analyzeTiming(ts, bytes);
    const ms = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    console.log('cpu ms', ((cu.user + cu.system) / 1000).toFixed(0));
    console.log(k, ts.length, ms.toFixed(0) + ' ms', f.timingScore.toFixed(2), f.periodSeconds?.toFixed(1), f.periodogram?.permutationsRun, f.periodogram?.bins, f.reasons[0]);
  }
});
