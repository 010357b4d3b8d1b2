import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachEpisodes,
  CHANGE_DEFAULTS,
  changeEpisodesDetailed,
  detectChanges,
  detectEpisodes,
  foldSeries,
  initialState,
  parseState,
  serializeState,
} from '../src/change/index.js';
import { pairKey } from '../src/features/pair-features.js';
import type { Truth } from '../src/generate/index.js';
import { planImport } from '../src/read/formats.js';
import type { Finding } from '../src/score/finding.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import type { PairWindowSeries } from '../src/store/engine.js';
import {
  beacon,
  generatedLog,
  plantedSpurts,
  rng,
  spurt,
  type TestFlow,
  windowSeries,
} from './change-fixtures.js';

const T0 = Date.parse('2024-03-05T00:00:00Z') / 1000;
const H = 3600;
const byTime = (flows: TestFlow[]) => [...flows].sort((a, b) => a.ts - b.ts);
const series = (flows: TestFlow[], window = CHANGE_DEFAULTS.windowSeconds, hop = window) =>
  windowSeries('10.0.0.5', '203.0.113.7', byTime(flows), window, hop);

describe('change detection on synthetic pairs (pure)', () => {
  const quiet = beacon({ start: T0, end: T0 + 12 * H, period: 60, resp: 212, orig: 480 });

  it('a beacon that goes interactive and back is one episode, with reasons in words', () => {
    const task = spurt({ start: T0 + 5 * H + 125, end: T0 + 5 * H + 125 + 600 });
    const flows = [...quiet.filter((f) => f.ts < T0 + 5 * H + 125 || f.ts > T0 + 5 * H + 725), ...task];
    const episodes = detectChanges(series(flows));
    expect(episodes).toHaveLength(1);
    const e = episodes[0];
    if (!e) return;
    // The episode is placed on the spurt, not on the check-ins around it.
    expect(e.start).toBeGreaterThanOrEqual(T0 + 5 * H + 125 - 1);
    expect(e.start).toBeLessThan(T0 + 5 * H + 125 + 30);
    expect(e.end).toBeGreaterThan(T0 + 5 * H + 725 - 30);
    expect(e.end).toBeLessThanOrEqual(T0 + 5 * H + 726);
    const reasons = e.peak.reasons.join('; ');
    expect(reasons).toMatch(/distinct sizes 1 → \d{2,}/);
    expect(reasons).toMatch(/gap (5\d|60) s → [0-9.]+ s/);
    expect(reasons).toMatch(/avgcount 1\.00 → 0\.\d\d/);
    expect(reasons).toMatch(/flows [0-9.]+ → \d+ per 10 min/);
    expect(e.peak.before.distinct_sizes).toBe(1);
    expect(e.peak.after.distinct_sizes).toBeGreaterThan(20);
    const [schema] = detectEpisodes(series(flows));
    expect(schema).toMatchObject({
      kind: 'active-c2',
      start: new Date(Math.round(e.start * 1000)).toISOString(),
    });
  });

  it('a steady beacon raises nothing, with or without 5 % size variants', () => {
    expect(detectChanges(series(quiet))).toEqual([]);
    const r = rng(9);
    const variants = quiet.map((f) =>
      r() < 0.05 ? { ...f, resp: f.resp + 16 * Math.ceil(r() * 3), orig: f.orig + 16 } : f,
    );
    expect(detectChanges(series(variants))).toEqual([]);
  });

  it('a large download between check-ins is not a change of the beacon', () => {
    const download = { ts: T0 + 6 * H + 30, resp: 734_003_200, orig: 1200, dport: 443 };
    const burstOfSameSize = Array.from({ length: 40 }, (_, i) => ({
      ts: T0 + 8 * H + 10 + i * 2,
      resp: 212,
      orig: 480,
      dport: 443,
    }));
    expect(detectChanges(series([...quiet, download]))).toEqual([]);
    // Many flows with the beacon's own sizes (a reconnect storm) are not tasking either.
    expect(detectChanges(series([...quiet, ...burstOfSameSize]))).toEqual([]);
  });

  it('a pair that never was uniform (browsing) does not alert on a burst', () => {
    const r = rng(4);
    const browsing: TestFlow[] = [];
    for (let t = T0; t < T0 + 12 * H; t += 30 + 200 * r())
      browsing.push({
        ts: t,
        resp: Math.round(3000 + 90000 * r() ** 2),
        orig: Math.round(500 + 900 * r()),
        dport: 443,
      });
    const burst = spurt({ start: T0 + 7 * H, end: T0 + 7 * H + 600, seed: 5 });
    expect(detectChanges(series([...browsing, ...burst]))).toEqual([]);
  });

  it('no alert before the baseline is learnt (warm-up)', () => {
    const early = spurt({ start: T0 + 20 * 60, end: T0 + 28 * 60 });
    expect(detectChanges(series([...quiet, ...early]))).toEqual([]);
  });

  it('spurts closer than the merge gap are one episode; far apart they are two', () => {
    const near = [
      ...quiet,
      ...spurt({ start: T0 + 4 * H + 60, end: T0 + 4 * H + 300 }),
      ...spurt({ start: T0 + 4 * H + 1260, end: T0 + 4 * H + 1500, seed: 3 }),
    ];
    expect(detectChanges(series(near))).toHaveLength(1);
    const far = [
      ...quiet,
      ...spurt({ start: T0 + 4 * H + 60, end: T0 + 4 * H + 300 }),
      ...spurt({ start: T0 + 8 * H, end: T0 + 8 * H + 300, seed: 3 }),
    ];
    const episodes = detectChanges(series(far));
    expect(episodes).toHaveLength(2);
    expect(episodes[0]?.end).toBeLessThan(episodes[1]?.start ?? 0);
  });

  it('a slow (1-hour) beacon that starts taking orders is caught too', () => {
    const slow = beacon({ start: T0, end: T0 + 24 * H, period: 3600, jitter: 0.03, resp: 333, orig: 610 });
    const episodes = detectChanges(
      series([...slow, ...spurt({ start: T0 + 14 * H + 100, end: T0 + 14 * H + 500 })]),
    );
    expect(episodes).toHaveLength(1);
  });

  it('sliding windows find the same spurt', () => {
    const flows = [...quiet, ...spurt({ start: T0 + 6 * H + 400, end: T0 + 6 * H + 800 })];
    const episodes = detectChanges(series(flows, 600, 300), { windowSeconds: 600, hopSeconds: 300 });
    expect(episodes).toHaveLength(1);
    expect(episodes[0]?.start).toBeGreaterThanOrEqual(T0 + 6 * H + 399);
  });

  it('folding in pieces through stored state gives exactly what one fold gives (live mode = batch)', () => {
    const flows = [
      ...quiet,
      ...spurt({ start: T0 + 5 * H, end: T0 + 5 * H + 500 }),
      ...spurt({ start: T0 + 9 * H, end: T0 + 9 * H + 300, seed: 8 }),
    ];
    const whole = series(flows);
    const options = { ...CHANGE_DEFAULTS };
    const once = initialState();
    const all = foldSeries(once, whole, options);
    let stored = serializeState(initialState());
    const pieces: typeof all = [];
    for (let at = 0; at < whole.index.length; at += 7) {
      const state = parseState(stored);
      pieces.push(...foldSeries(state, slice(whole, at, at + 7), options));
      stored = serializeState(state);
    }
    expect(pieces).toEqual(all);
    expect(stored).toBe(serializeState(once));
  });
});

function slice(s: PairWindowSeries, from: number, to: number): PairWindowSeries {
  const out = { src: s.src, dst: s.dst } as PairWindowSeries;
  for (const [k, v] of Object.entries(s))
    if (v instanceof Float64Array) (out as unknown as Record<string, Float64Array>)[k] = v.slice(from, to);
  return out;
}

/*
 * The generator's planted active-C2 spurts against what the detector alerts, over every pair of
 * the data (benign heartbeats, browsing with its downloads): precision and recall of alert windows.
 */
describe('change detection on generated flows (60 000 flows, planted spurts)', () => {
  const SEEDS = [1, 2];
  const runs: { truth: Truth; engine: DuckDbEngine; dir: string }[] = [];

  beforeAll(async () => {
    for (const seed of SEEDS) {
      const { dir, path, truth } = await generatedLog(seed);
      const engine = await DuckDbEngine.open();
      await engine.importFile(await planImport(path));
      runs.push({ truth, engine, dir });
    }
  });

  afterAll(async () => {
    for (const r of runs) {
      await r.engine.close();
      await rm(r.dir, { recursive: true, force: true });
    }
  });

  it('every planted spurt is alerted, nothing else is (precision and recall of alert windows)', async () => {
    const w = CHANGE_DEFAULTS.windowSeconds;
    let truthWindows = 0;
    let alertWindows = 0;
    let truePositive = 0;
    let spurtsFound = 0;
    let spurtsTotal = 0;
    let spurtSeconds = 0;
    let overlapSeconds = 0;
    let episodeSeconds = 0;
    const falseAlerts: string[] = [];
    for (const { truth, engine } of runs) {
      const planted = plantedSpurts(truth);
      const kinds = new Map(truth.pairs.map((p) => [pairKey(p.src, p.dst), p.kind as string]));
      const found = await changeEpisodesDetailed(engine, undefined, { minFlows: 6 });
      const truthIdx = new Set<number>();
      for (const s of planted.spurts)
        for (let i = Math.floor(s.start / w); i * w <= s.end; i++) truthIdx.add(i);
      truthWindows += truthIdx.size;
      spurtsTotal += planted.spurts.length;
      spurtSeconds += planted.spurts.reduce((a, s) => a + s.end - s.start, 0);
      const hit = new Set<number>();
      for (const [key, episodes] of found) {
        const isC2 = key === pairKey(planted.src, planted.dst);
        for (const e of episodes) {
          episodeSeconds += e.end - e.start;
          for (let i = e.window_start / w; i * w < e.window_end; i++) {
            alertWindows++;
            if (isC2 && truthIdx.has(i)) {
              truePositive++;
              hit.add(i);
            } else
              falseAlerts.push(`${kinds.get(key) ?? 'browsing'} ${new Date(i * w * 1000).toISOString()}`);
          }
          if (isC2)
            for (const s of planted.spurts)
              overlapSeconds += Math.max(0, Math.min(e.end, s.end) - Math.max(e.start, s.start));
        }
      }
      const c2 = found.get(pairKey(planted.src, planted.dst)) ?? [];
      spurtsFound += planted.spurts.filter((s) =>
        c2.some((e) => e.start <= s.end && e.end >= s.start),
      ).length;
    }
    const precision = truePositive / alertWindows;
    const recall = truePositive / truthWindows;
    console.log(
      `change detection, ${SEEDS.length} generated datasets: ${spurtsFound}/${spurtsTotal} planted spurts alerted; ` +
        `alert windows: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (${truePositive}/${alertWindows} alerted, ${truthWindows} planted); ` +
        `episode time on spurts: precision ${(overlapSeconds / episodeSeconds).toFixed(3)}, recall ${(overlapSeconds / spurtSeconds).toFixed(3)}`,
    );
    expect(falseAlerts).toEqual([]);
    expect(spurtsFound).toBe(spurtsTotal);
    expect(precision).toBe(1);
    expect(recall).toBeGreaterThanOrEqual(0.85);
    expect(overlapSeconds / episodeSeconds).toBeGreaterThan(0.8);
    expect(overlapSeconds / spurtSeconds).toBeGreaterThan(0.9);
  });

  it("the engine's window aggregates equal the reference computed in JS from the pair's flows", async () => {
    const { truth, engine } = runs[0] as (typeof runs)[number];
    const pairs = truth.pairs
      .filter((p) => ['active-c2', 'beacon', 'benign-mail', 'netcat-relay'].includes(p.kind))
      .slice(0, 6);
    for (const [window, hop] of [
      [600, 600],
      [600, 200],
    ] as const) {
      const got = new Map<string, PairWindowSeries>();
      await engine.pairWindows({ windowSeconds: window, hopSeconds: hop, pairs }, (s) =>
        got.set(pairKey(s.src, s.dst), s),
      );
      const flows = await engine.pairFlows(pairs, 1_000_000);
      for (const p of pairs) {
        const f = flows.get(pairKey(p.src, p.dst));
        if (!f) throw new Error('no flows');
        const ref = windowSeries(
          p.src,
          p.dst,
          Array.from(f.ts, (ts, i) => ({
            ts,
            resp: f.respBytes[i] as number,
            orig: f.origBytes[i] as number,
            dport: f.dport[i] === -1 ? null : (f.dport[i] as number),
          })),
          window,
          hop,
        );
        const mine = got.get(pairKey(p.src, p.dst));
        for (const [k, v] of Object.entries(ref)) {
          if (!(v instanceof Float64Array)) continue;
          const a = Array.from((mine as unknown as Record<string, Float64Array>)[k] ?? []);
          const b = Array.from(v);
          if (k === 'gapMedian')
            expect(a.map((x) => (Number.isNaN(x) ? null : Math.round(x * 1e6)))).toEqual(
              b.map((x) => (Number.isNaN(x) ? null : Math.round(x * 1e6))),
            );
          else expect(a, `${p.kind} ${k} (${window}/${hop})`).toEqual(b);
        }
      }
    }
  });

  it('attachEpisodes marks the active-C2 finding, gives it episodes and says so in its reasons', async () => {
    const { truth, engine } = runs[0] as (typeof runs)[number];
    const c2 = plantedSpurts(truth);
    const plain = truth.pairs.find((p) => p.kind === 'beacon');
    const finding = (src: string, dst: string): Finding => ({
      rank: 1,
      src,
      dst,
      dport: 443,
      proto: 'tcp',
      host: null,
      score: 0.8,
      severity: 'high',
      verdict: 'anomaly',
      flows: 100,
      first_seen: '',
      last_seen: '',
      features: {},
      components: {},
      reasons: ['74% of flows carry the same 184-byte response'],
      episodes: [],
    });
    const findings = [finding(c2.src, c2.dst), finding(plain?.src ?? '', plain?.dst ?? '')];
    expect(await attachEpisodes(engine, findings)).toBe(1);
    const [active, quiet] = findings;
    expect(active?.verdict).toBe('active-c2');
    expect(active?.episodes).toHaveLength(c2.spurts.length);
    expect(active?.episodes[0]).toMatchObject({ kind: 'active-c2' });
    expect(active?.episodes[0]?.reasons.join(' ')).toMatch(/distinct (request )?sizes/);
    expect(active?.reasons[0]).toBe('74% of flows carry the same 184-byte response');
    expect(
      active?.reasons.some((r) => /^active C2 2024-03-05 \d\d:\d\d:\d\d → \d\d:\d\d:\d\d UTC: /.test(r)),
    ).toBe(true);
    expect(quiet?.verdict).toBe('anomaly');
    expect(quiet?.episodes).toEqual([]);
  });

  it('an engine without pairWindows yields no episodes (e.g. another engine class)', async () => {
    const engine = { name: 'other' } as unknown as DuckDbEngine;
    expect((await changeEpisodesDetailed(engine, undefined)).size).toBe(0);
  });
});
