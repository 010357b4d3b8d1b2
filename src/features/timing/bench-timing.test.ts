/**
 * Opt-in benchmark (not part of the normal run): BEACONHUNT_BENCH=1 npx vitest run src/features/timing/bench-timing
 * Prints wall and CPU time of analyzeTiming for one pair with 10^6 flows; asserts nothing about speed
 * (timings are measured, not asserted, per the brief's quality bars).
 */
import { expect, it } from 'vitest';
import { analyzeTiming } from './index.js';
import { browsingSeries, byteSeries, cobaltStrikeSeries, poissonSeries } from './synthetic.js';

it.skipIf(!process.env.BEACONHUNT_BENCH)('analyzeTiming on 1 M flows', () => {
  const cases: Record<string, Float64Array> = {
    'beacon 60 s, 30 % jitter': cobaltStrikeSeries({
      sleep: 60,
      jitter: 0.3,
      count: 1_000_000,
      missRate: 0.05,
      bursts: 50,
    }),
    'beacon with 2 retries each': cobaltStrikeSeries({ sleep: 60, jitter: 0.3, count: 333_334, retries: 2 }),
    'poisson, mean gap 5 s': poissonSeries({ count: 1_000_000, meanGap: 5 }),
    browsing: browsingSeries({ count: 1_000_000 }),
  };
  for (const [name, ts] of Object.entries(cases)) {
    const bytes = byteSeries(ts.length, 300, 40);
    analyzeTiming(ts.subarray(0, 50_000), bytes.subarray(0, 50_000)); // warm-up
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const f = analyzeTiming(ts, bytes);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `${name}: ${ts.length} flows, ${wall.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, ` +
        `score ${f.timingScore.toFixed(2)}, ${f.reasons[0]}`,
    );
    expect(f.flows).toBe(ts.length);
  }
});
