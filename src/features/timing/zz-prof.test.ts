import { test } from 'vitest';
import * as T from './index.js';
import * as S from './synthetic.js';
test('prof', () => {
  const ts = S.cobaltStrikeSeries({ sleep: 60, jitter: 0.3, count: 1_000_000, missRate: 0.05, bursts: 50 });
  const bytes = S.byteSeries(ts.length, 300, 40);
  for (let rep = 0; rep < 2; rep++) {
  let t = performance.now(); let c0 = process.cpuUsage(); const lap = (l: string) => { const n = performance.now(); const cu = process.cpuUsage(c0); console.log(l, 'wall', (n - t).toFixed(0), 'cpu', ((cu.user + cu.system) / 1000).toFixed(0)); t = n; c0 = process.cpuUsage(); };
  T.detectStrobe(ts); lap('strobe');
  const c = T.collapseCheckIns(ts); lap('collapse');
  const g = T.interArrivalGaps(c.times); lap('gaps');
  const sum = T.summarize(g); lap('summary');
  const gs = T.gapStatsFromSummary(g, sum); lap('gapstats');
  T.ritaDataSizeScore(bytes); lap('rita ds');
  const h = T.ritaHistogram(ts, ts[0]!, ts[ts.length - 1]!); lap('hist');
  const pg = T.periodogram(c.times, gs.median); lap('periodogram ' + pg?.permutationsRun);
  T.periodogram(c.times, gs.median, { permutations: 0 }); lap('periodogram no perms');
  T.periodogram(c.times, gs.median, { maxBins: 1 << 16 }); lap('periodogram 2^16');
  T.analyzeTiming(ts, bytes); lap('analyze');
  }
});
