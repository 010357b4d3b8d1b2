import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToFile, type Truth } from '../src/generate/index.js';
import { Rng } from '../src/math/random.js';
import type { PairWindowSeries } from '../src/store/engine.js';

/** Flows of one pair, as the change detector's reference aggregation needs them. */
export interface TestFlow {
  ts: number;
  resp: number;
  orig: number;
  dport?: number | null;
}

/** Seeded uniforms in [0, 1) (the project's generator stream) so synthetic series are the same on every run. */
export function rng(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.float();
}

/** A beacon: one check-in every `period` s (× (1 − U(0, jitter))), fixed sizes, from `start` to `end`. */
export function beacon(o: {
  start: number;
  end: number;
  period: number;
  jitter?: number;
  resp: number;
  orig: number;
  seed?: number;
}): TestFlow[] {
  const r = rng(o.seed ?? 1);
  const out: TestFlow[] = [];
  for (let t = o.start + r() * o.period; t < o.end; t += o.period * (1 - r() * (o.jitter ?? 0.1))) {
    out.push({ ts: Math.round(t * 1e6) / 1e6, resp: o.resp, orig: o.orig, dport: 443 });
  }
  return out;
}

/** Interactive tasking: flows 0.5–6 s apart with sizes all over the place. */
export function spurt(o: { start: number; end: number; seed?: number }): TestFlow[] {
  const r = rng(o.seed ?? 2);
  const out: TestFlow[] = [];
  for (let t = o.start; t <= o.end; t += 0.5 + 5.5 * r()) {
    out.push({
      ts: Math.round(t * 1e6) / 1e6,
      resp: 60 + Math.round(20000 * r() ** 3),
      orig: 60 + Math.round(3000 * r() ** 2),
      dport: 443,
    });
  }
  return out;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) / 2;
  const lo = Math.floor(h);
  return (s[lo] as number) + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] as number) - (s[lo] as number));
}

/** Most common value; ties go to the smallest (null last), as the engine's SQL does. */
function mode(values: (number | null)[]): { value: number | null; count: number } {
  const counts = new Map<number | null, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | null = null;
  let bestCount = 0;
  for (const [v, c] of counts) {
    const smaller = v !== null && (best === null || v < best);
    if (c > bestCount || (c === bestCount && smaller)) {
      best = v;
      bestCount = c;
    }
  }
  return { value: best, count: bestCount };
}

/**
 * Reference implementation of the engine's per (pair, window) aggregates, in plain JS: what
 * `Engine.pairWindows` must return for these flows. Windows are [i·hop, i·hop + window).
 */
export function windowSeries(
  src: string,
  dst: string,
  flows: readonly TestFlow[],
  window: number,
  hop = window,
): PairWindowSeries {
  const k = window / hop;
  const byWindow = new Map<number, TestFlow[]>();
  for (const f of flows) {
    const bucket = Math.floor(f.ts / hop);
    for (let j = 0; j < k; j++) {
      const list = byWindow.get(bucket - j) ?? [];
      list.push(f);
      byWindow.set(bucket - j, list);
    }
  }
  const indexes = [...byWindow.keys()].sort((a, b) => a - b);
  const cols: Record<string, number[]> = {};
  const push = (name: string, v: number) => {
    cols[name] = cols[name] ?? [];
    (cols[name] as number[]).push(v);
  };
  for (const i of indexes) {
    const w = [...(byWindow.get(i) ?? [])].sort((a, b) => a.ts - b.ts);
    const ts = w.map((f) => f.ts);
    const gaps = ts.slice(1).map((t, j) => t - (ts[j] as number));
    const gm = median(gaps);
    const rm = mode(w.map((f) => f.resp));
    const om = mode(w.map((f) => f.orig));
    const pm = mode(w.map((f) => f.dport ?? null));
    const odd = w.filter((f) => f.resp !== rm.value || f.orig !== om.value).map((f) => f.ts);
    const dense = ts.filter((t, j) => {
      const near = Math.min(
        j > 0 ? t - (ts[j - 1] as number) : Number.POSITIVE_INFINITY,
        j < ts.length - 1 ? (ts[j + 1] as number) - t : Number.POSITIVE_INFINITY,
      );
      return near <= 2 * gm;
    });
    push('index', i);
    push('flows', w.length);
    push('firstTs', ts[0] as number);
    push('lastTs', ts[ts.length - 1] as number);
    push('gapMedian', gm);
    push(
      'respBytes',
      w.reduce((a, f) => a + f.resp, 0),
    );
    push(
      'origBytes',
      w.reduce((a, f) => a + f.orig, 0),
    );
    push('respDistinct', new Set(w.map((f) => f.resp)).size);
    push('respModeSize', rm.value as number);
    push('respModeCount', rm.count);
    push('origDistinct', new Set(w.map((f) => f.orig)).size);
    push('origModeSize', om.value as number);
    push('origModeCount', om.count);
    push('dport', pm.value ?? -1);
    push('oddFirstTs', odd.length ? Math.min(...odd) : (ts[0] as number));
    push('oddLastTs', odd.length ? Math.max(...odd) : (ts[ts.length - 1] as number));
    push('denseFirstTs', dense.length ? Math.min(...dense) : (ts[0] as number));
    push('denseLastTs', dense.length ? Math.max(...dense) : (ts[ts.length - 1] as number));
  }
  const series = { src, dst } as PairWindowSeries;
  for (const [name, values] of Object.entries(cols))
    (series as unknown as Record<string, Float64Array>)[name] = Float64Array.from(values);
  return series;
}

/** Generated Zeek conn.log (60 000 flows by default) and its truth, in a fresh temp folder. */
export async function generatedLog(
  seed: number,
  flows = 60_000,
  format = 'zeek',
): Promise<{ dir: string; path: string; truth: Truth }> {
  const dir = await mkdtemp(join(tmpdir(), `bh-change-${seed}-`));
  const path = join(dir, 'conn.log');
  // Without the hard negatives: their monitoring fan-out (28 800 flows a day) would leave no room for
  // browsing at 60 000 flows, and these tests are about the planted pairs' episodes and ingest.
  const { truth } = await generateToFile({ seed, flows, format, out: path, hardNegatives: false });
  return { dir, path, truth };
}

/** The planted active-C2 spurts of a truth file, epoch seconds. */
export function plantedSpurts(truth: Truth): {
  src: string;
  dst: string;
  spurts: { start: number; end: number; flows: number }[];
} {
  const pair = truth.pairs.find((p) => p.kind === 'active-c2');
  if (!pair?.spurts) throw new Error('the scenario has no active-c2 pair');
  return {
    src: pair.src,
    dst: pair.dst,
    spurts: pair.spurts.map((s) => ({
      start: Date.parse(s.start) / 1000,
      end: Date.parse(s.end) / 1000,
      flows: s.flows,
    })),
  };
}
