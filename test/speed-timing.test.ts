import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_TIMING_FEATURES } from '../src/features/feature-matrix.js';
import type { FeatureOptions } from '../src/features/options.js';
import { type PairSeries, pairKey } from '../src/features/pair-features.js';
import { pairTimingOf, timingOfSeries } from '../src/features/pair-timing.js';
import { analyzeTiming } from '../src/features/timing/index.js';
import {
  byteSeries,
  cobaltStrikeSeries,
  poissonSeries,
  strobeSeries,
} from '../src/features/timing/synthetic.js';
import { planImport } from '../src/read/formats.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import { runCli } from './cli.js';

/*
 * Issue 12's timing stage against its reference: the pair-numbered series stream gives every pair
 * exactly its flows, and a pair whose score cannot reach a finding keeps the same numbers as the
 * full analysis (only its words and the feature record beyond the models' columns are dropped).
 */
const window = { start: 1_700_000_000, end: 1_700_086_400 };

describe('timing of pairs that cannot reach a finding', () => {
  const cases: [string, Float64Array][] = [
    ['jittered beacon', cobaltStrikeSeries({ sleep: 60, jitter: 0.3, count: 400, seed: 3 })],
    ['random traffic', poissonSeries({ meanGap: 120, count: 300, seed: 4 })],
    ['a handful of flows', poissonSeries({ meanGap: 600, count: 5, seed: 5 })],
  ];
  for (const [name, ts] of cases) {
    it(`${name}: the same numbers as the full analysis, without words`, () => {
      const series: PairSeries = { src: 'a', dst: 'b', ts, sizes: byteSeries(ts.length, 52, 3, 7) };
      const light = timingOfSeries(series, window, false);
      // the reference: the same analysis (no periodogram for such a pair), every field kept
      const full = pairTimingOf(
        analyzeTiming(series.ts, series.sizes, { periodogramWhen: 'needed', periodogram: false, window }),
      );
      expect(full.reasons.length).toBeGreaterThan(0);
      expect(light.reasons).toEqual([]);
      expect(Object.keys(light.features).sort()).toEqual([...MODEL_TIMING_FEATURES].sort());
      for (const key of MODEL_TIMING_FEATURES) expect(light.features[key]).toBe(full.features[key]);
      expect({ ...light, reasons: full.reasons, features: full.features }).toEqual(full);
    });
  }

  it('a strobe keeps its words: the bound leaves the strobe channel open', () => {
    const ts = strobeSeries({ rate: 2, duration: 900, seed: 9, start: window.start + 100 });
    const series: PairSeries = { src: 'a', dst: 'b', ts, sizes: byteSeries(ts.length, 0) };
    const light = timingOfSeries(series, window, false);
    expect(light.strobe).toBe(true);
    expect(light.reasons.length).toBeGreaterThan(0);
    expect(Object.keys(light.features).length).toBeGreaterThan(MODEL_TIMING_FEATURES.length);
  });
});

describe('the pair-numbered series stream (DuckDB)', () => {
  let dir: string;
  let engine: DuckDbEngine;
  const options: FeatureOptions = {
    sizeField: 'resp',
    dropZeroBytes: false,
    internalNetworks: ['10.0.0.0/8', '192.168.0.0/16', '172.16.0.0/12'],
    stitchSplitRecords: false,
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bh-speed-timing-'));
    const conn = join(dir, 'conn.log');
    const gen = runCli(['generate', '--flows', '20000', '--seed', '5', '--format', 'zeek', '--out', conn]);
    expect(gen.status, gen.stderr).toBe(0);
    engine = await DuckDbEngine.open(undefined, { threads: 2 });
    await engine.importFile(await planImport(conn, 'auto'));
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('visits every pair with enough flows once, in (src, dst) order, with exactly its flows', async () => {
    const minFlows = 4;
    const pairs = await engine.pairFeatures(options);
    const wanted = new Set<string>();
    for (let i = 0; i < pairs.length; i++)
      if ((pairs.numeric.flows[i] as number) >= minFlows)
        wanted.add(pairKey(pairs.src[i] as string, pairs.dst[i] as string));
    expect(wanted.size).toBeGreaterThan(20);
    const seen: PairSeries[] = [];
    await engine.pairSeries(options, minFlows, (s) => {
      seen.push(s);
    });
    expect(seen.map((s) => pairKey(s.src, s.dst)).sort()).toEqual([...wanted].sort());
    // the order of pairFeatures (the engine's own ORDER BY src, dst)
    const order = new Map(
      Array.from({ length: pairs.length }, (_, i) => [
        pairKey(pairs.src[i] as string, pairs.dst[i] as string),
        i,
      ]),
    );
    const positions = seen.map((s) => order.get(pairKey(s.src, s.dst)) as number);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // the reference: each pair's flows read on their own, sorted by time
    const reference = await engine.pairFlows(seen, Number.MAX_SAFE_INTEGER);
    for (const s of seen) {
      const r = reference.get(pairKey(s.src, s.dst));
      expect(r, `${s.src} → ${s.dst}`).toBeDefined();
      expect(Array.from(s.ts)).toEqual(Array.from(r?.ts ?? []));
      // flows at the same instant may come in either order: compare their sizes as a multiset
      const bySize = (a: Float64Array) => Array.from(a).sort((x, y) => x - y);
      expect(bySize(s.sizes)).toEqual(bySize(r?.respBytes ?? new Float64Array()));
    }
  });
});
