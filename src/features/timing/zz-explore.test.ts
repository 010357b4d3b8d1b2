import { test } from 'vitest';
import { analyzeTiming } from '/work/main/src/features/timing/index.js';
import * as S from '/work/main/src/features/timing/synthetic.js';

test('explore', () => {
  const cases: Record<string, Float64Array> = {
    cs0: S.cobaltStrikeSeries({ sleep: 60, jitter: 0, count: 1400, missRate: 0.1, bursts: 3 }),
    cs20: S.cobaltStrikeSeries({ sleep: 60, jitter: 0.2, count: 1400, missRate: 0.1, bursts: 3 }),
    cs50: S.cobaltStrikeSeries({ sleep: 60, jitter: 0.5, count: 1400, missRate: 0.1, bursts: 3 }),
    cs50r: S.cobaltStrikeSeries({ sleep: 60, jitter: 0.5, count: 1400, missRate: 0.1, bursts: 3, retries: 2 }),
    sliver: S.sliverSeries({ count: 1100, missRate: 0.1, bursts: 3 }),
    poisson: S.poissonSeries({ count: 1400, meanGap: 60 }),
    browse: S.browsingSeries({ count: 1400 }),
    hourly: S.cobaltStrikeSeries({ sleep: 3600, jitter: 0.1, count: 24 }),
    hourly0: S.cobaltStrikeSeries({ sleep: 3600, jitter: 0, count: 24 }),
    strobe: S.strobeSeries({ rate: 2, duration: 600 }),
    poissonSmall: S.poissonSeries({ count: 24, meanGap: 3600 }),
  };
  for (const [k, ts] of Object.entries(cases)) {
    const t0 = performance.now();
    const f = analyzeTiming(ts);
    const ms = performance.now() - t0;
    const pg = f.periodogram;
    console.log(k, ms.toFixed(1) + 'ms', JSON.stringify({ n: f.flows, ci: f.checkIns, score: +f.timingScore.toFixed(3), periodic: f.periodic, P: f.periodSeconds && +f.periodSeconds.toFixed(1), src: f.periodSource,
      comp: Object.fromEntries(Object.entries(f.components).map(([a, b]) => [a, +b.toFixed(3)])),
      madm: +f.gaps.madOverMedian.toFixed(3), bow: +f.gaps.bowley.toFixed(3), within: +f.gaps.withinTolerance.toFixed(3), wm: +f.gaps.withinToleranceOrMultiple.toFixed(3),
      pg: pg && { P: +pg.periodSeconds.toFixed(1), pow: +pg.power.toFixed(1), max: +pg.maxPower.toFixed(1), p: pg.pValue, acf: +pg.acf.toFixed(3), v: +pg.acfValley.toFixed(3), thr: +pg.acfThreshold.toFixed(3), conf: pg.confirmed, perms: pg.permutationsRun, bins: pg.bins, b: +pg.binSeconds.toFixed(2) },
      rita: +f.rita.score.toFixed(3), ritaTs: f.rita.ts && +f.rita.ts.score.toFixed(3), hist: +f.rita.hist.score.toFixed(3), dur: +f.rita.dur.score.toFixed(3),
      strobe: f.strobe.strobe }));
    console.log('   ', f.reasons.join(' | '));
  }
});
