import { beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../flow/schema.js';
import { generateFlows } from './generate.js';
import type { Truth, TruthPair } from './truth.js';

/** Small but complete: every planted and benign actor, a full day, few hosts (fast). */
const OPTIONS = { seed: 42, flows: 90_000, hosts: 60 };

const HARD_NEGATIVES: ReadonlySet<string> = new Set([
  'benign-license-check',
  'benign-market-data',
  'benign-monitoring',
]);

const key = (src: string, dst: string, dport: number | null, proto: string | null) =>
  `${src}|${dst}|${dport}|${proto}`;

let truth: Truth;
let flows: Flow[];
const byPair = new Map<string, Flow[]>();

const pair = (label: string): TruthPair => {
  const p = truth.pairs.find((x) => x.label === label);
  if (!p) throw new Error(`no pair ${label}`);
  return p;
};
const flowsOf = (p: TruthPair): Flow[] => byPair.get(key(p.src, p.dst, p.dport, p.proto)) ?? [];
const gaps = (fs: Flow[]): number[] => fs.slice(1).map((f, i) => f.ts - (fs[i] as Flow).ts);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

beforeAll(() => {
  const g = generateFlows(OPTIONS);
  truth = g.truth;
  flows = [...g.flows]; // fine at this size; the memory test covers the streaming path
  for (const f of flows) {
    const k = key(f.src, f.dst, f.dport, f.proto);
    const list = byPair.get(k);
    if (list) list.push(f);
    else byPair.set(k, [f]);
  }
});

describe('scenario', () => {
  it('emits exactly the requested number of flows, in time order, inside the window', () => {
    expect(flows.length).toBe(OPTIONS.flows);
    expect(truth.total_flows).toBe(OPTIONS.flows);
    const start = Date.parse(truth.window.start) / 1000;
    const end = Date.parse(truth.window.end) / 1000;
    let outside = 0;
    let backwards = 0;
    flows.forEach((f, i) => {
      if (!(f.ts >= start && f.ts < end)) outside++;
      if (i > 0 && f.ts < (flows[i - 1] as Flow).ts) backwards++;
    });
    expect({ outside, backwards }).toEqual({ outside: 0, backwards: 0 });
  });

  it('records every planted kind and the benign heartbeats', () => {
    const kinds = new Set(truth.pairs.map((p) => p.kind));
    for (const k of [
      'beacon',
      'slow-beacon',
      'active-c2',
      'netcat-relay',
      'refused-beacon',
      'benign-ntp',
      'benign-telemetry',
      'benign-mail',
      'benign-license-check',
      'benign-market-data',
      'benign-monitoring',
    ]) {
      expect(kinds.has(k as TruthPair['kind'])).toBe(true);
    }
    expect(
      truth.pairs
        .filter((p) => p.kind === 'beacon')
        .map((p) => p.jitter)
        .sort(),
    ).toEqual([0, 0.2, 0.5]);
    // each planted pair on its own host, to a destination nobody else contacts
    const planted = truth.pairs.filter((p) => p.planted);
    expect(new Set(planted.map((p) => p.src)).size).toBe(planted.length);
    for (const p of planted) expect(flows.filter((f) => f.dst === p.dst).length).toBe(p.flows);
  });

  it('states the true flow count, first/last seen and sizes of every recorded pair', () => {
    for (const p of truth.pairs) {
      const fs = flowsOf(p);
      expect(fs.length, p.label).toBe(p.flows);
      if (fs.length === 0) continue;
      expect(Date.parse(p.first_seen as string) / 1000).toBeCloseTo((fs[0] as Flow).ts, 2);
      expect(Date.parse(p.last_seen as string) / 1000).toBeCloseTo((fs[fs.length - 1] as Flow).ts, 2);
      expect(new Set(fs.map((f) => f.resp_bytes)).size, p.label).toBe(p.distinct_resp_bytes);
    }
  });

  it('gives the beacons their stated periods and jitter', () => {
    for (const label of ['beacon-jitter-0', 'beacon-jitter-20', 'beacon-jitter-50']) {
      const p = pair(label);
      const g = gaps(flowsOf(p));
      // CS jitter: sleep = period × (1 − U(0, j)) → gaps in [period(1 − j), period], median period(1 − j/2)
      const inRange = g.filter(
        (x) => x >= p.period_s * (1 - p.jitter) - 0.01 && x <= p.period_s + 0.01,
      ).length;
      expect(inRange / g.length, label).toBeGreaterThan(0.97); // the rest are missed check-ins
      expect(median(g) / (p.period_s * (1 - p.jitter / 2)), label).toBeCloseTo(1, 1);
      expect(p.resp_bytes_mode_share).toBeGreaterThan(0.9);
    }
    expect(pair('beacon-jitter-0').distinct_resp_bytes).toBe(1);
    const slow = pair('slow-beacon-1h');
    for (const g of gaps(flowsOf(slow))) expect(Math.abs(g - 3600)).toBeLessThan(3600 * 0.03 * 2 + 1);
    const ntp = truth.pairs.filter((p) => p.kind === 'benign-ntp');
    for (const p of ntp.slice(0, 10)) expect(median(gaps(flowsOf(p))) / p.period_s).toBeCloseTo(1, 1);
    for (const f of ntp.flatMap(flowsOf))
      if (f.conn_state === 'SF') expect([f.orig_bytes, f.resp_bytes]).toEqual([48, 48]);
  });

  it('turns the active-c2 beacon into 2–3 tasking spurts at the stated windows', () => {
    const p = pair('active-c2');
    const spurts = p.spurts ?? [];
    expect(spurts.length).toBeGreaterThanOrEqual(2);
    expect(spurts.length).toBeLessThanOrEqual(3);
    const fs = flowsOf(p);
    for (const s of spurts) {
      const a = Date.parse(s.start) / 1000;
      const b = Date.parse(s.end) / 1000;
      expect(b - a).toBeGreaterThanOrEqual(120);
      const inside = fs.filter((f) => f.ts >= a && f.ts <= b);
      expect(inside.length).toBe(s.flows);
      expect(median(gaps(inside))).toBeLessThan(6); // seconds apart instead of a minute
      expect(new Set(inside.map((f) => f.resp_bytes)).size).toBeGreaterThan(inside.length * 0.8);
    }
    const outside = fs.filter(
      (f) => !spurts.some((s) => f.ts >= Date.parse(s.start) / 1000 && f.ts <= Date.parse(s.end) / 1000),
    );
    expect(median(gaps(outside))).toBeGreaterThan(50);
  });

  it("plants the seed post's netcat relay: 3 865 flows, 97 % one response size, 19 sizes", () => {
    const p = pair('netcat-relay');
    const fs = flowsOf(p);
    expect(fs.length).toBe(3865);
    const counts = new Map<number | null, number>();
    for (const f of fs) counts.set(f.resp_bytes, (counts.get(f.resp_bytes) ?? 0) + 1);
    expect(counts.size).toBe(19);
    expect(Math.max(...counts.values()) / fs.length).toBeCloseTo(0.97, 2);
    expect(p.resp_bytes_mode_share).toBeCloseTo(0.97, 2);
    expect(fs.every((f) => (f.resp_bytes ?? 0) > 0)).toBe(true); // survives the seed's bytes_out > 0 filter
  });

  it('adds hard negatives: clockwork timers to rare destinations and a monitoring fan-out, all benign', () => {
    const hard = truth.pairs.filter((p) => HARD_NEGATIVES.has(p.kind));
    expect(hard.every((p) => !p.planted)).toBe(true);
    for (const [label, period] of [
      ['license-check', 600],
      ['market-data-widget', 300],
    ] as const) {
      const p = pair(label);
      const fs = flowsOf(p);
      // one host, a destination nobody else contacts, every check-in on time, one size each way
      expect(flows.filter((f) => f.dst === p.dst).length, label).toBe(p.flows);
      const end = Date.parse(truth.window.end) / 1000;
      expect(fs.length, label).toBe(Math.floor((end - (fs[0] as Flow).ts) / period) + 1); // none missed
      for (const g of gaps(fs)) expect(g, label).toBeCloseTo(period, 3);
      expect([p.distinct_resp_bytes, p.distinct_orig_bytes, p.resp_bytes_mode_share], label).toEqual([
        1, 1, 1,
      ]);
    }
    const monitoring = hard.filter((p) => p.kind === 'benign-monitoring');
    expect(monitoring.length).toBe(10);
    expect(new Set(monitoring.map((p) => p.src)).size).toBe(1);
    expect(new Set(monitoring.map((p) => p.dst)).size).toBe(10);
    expect(new Set(monitoring.map((p) => `${p.dport}/${p.proto}`)).size).toBe(1);
    expect(new Set(monitoring.map((p) => `${p.orig_bytes_mode}/${p.resp_bytes_mode}`)).size).toBe(1);
    for (const p of monitoring) {
      expect(p.src.startsWith('10.') && p.dst.startsWith('10.'), p.label).toBe(true);
      expect([p.distinct_resp_bytes, p.distinct_orig_bytes], p.label).toEqual([1, 1]);
      expect(p.flows, p.label).toBe(86_400 / 30); // every 30 s for a day, none missed
    }
  });

  it('plants several active-C2 pairs with 1–3 spurts each when asked, keeping the other pairs', () => {
    const day = generateFlows({ ...OPTIONS, activeC2: 4 }).truth;
    const c2 = day.pairs.filter((p) => p.kind === 'active-c2');
    expect(c2.map((p) => p.label)).toEqual(['active-c2', 'active-c2-2', 'active-c2-3', 'active-c2-4']);
    for (const p of c2) {
      expect(p.planted).toBe(true);
      expect(p.spurts?.length, p.label).toBeGreaterThanOrEqual(1);
      expect(p.spurts?.length, p.label).toBeLessThanOrEqual(3);
      for (const s of p.spurts ?? []) expect(s.flows, p.label).toBeGreaterThan(30);
    }
    expect(new Set(day.pairs.filter((p) => p.planted).map((p) => p.src)).size).toBe(10);
    // the demo's pairs are drawn first, so they do not move when more active C2 is planted
    const before = truth.pairs.filter((p) => p.planted);
    expect(day.pairs.filter((p) => p.planted).slice(0, before.length)).toEqual(before);
    const none = generateFlows({ ...OPTIONS, hardNegatives: false }).truth;
    expect(none.pairs.some((p) => HARD_NEGATIVES.has(p.kind))).toBe(false);
  });

  it('makes the refused beacon REJ-only with zero bytes', () => {
    const fs = flowsOf(pair('refused-beacon'));
    expect(fs.length).toBeGreaterThan(1000);
    expect(fs.every((f) => f.conn_state === 'REJ' && f.orig_bytes === 0 && f.resp_bytes === 0)).toBe(true);
  });

  it('shares benign heartbeats across many hosts (prevalence), unlike the planted pairs', () => {
    const hostsPerDst = new Map<string, Set<string>>();
    for (const p of truth.pairs) {
      if (!hostsPerDst.has(p.dst)) hostsPerDst.set(p.dst, new Set());
      hostsPerDst.get(p.dst)?.add(p.src);
    }
    for (const p of truth.pairs.filter((x) => x.kind === 'benign-telemetry')) {
      expect(hostsPerDst.get(p.dst)?.size).toBeGreaterThan(truth.hosts * 0.4);
    }
  });

  it('looks like a network: diurnal browsing, DNS, IPv6, noise states, many ports', () => {
    const web = flows.filter((f) => f.dport === 443 || f.dport === 80);
    const hourOf = (f: Flow) => new Date(f.ts * 1000).getUTCHours();
    const night = web.filter((f) => hourOf(f) >= 1 && hourOf(f) < 5).length;
    const day = web.filter((f) => hourOf(f) >= 10 && hourOf(f) < 14).length;
    expect(day).toBeGreaterThan(3 * night);
    expect(flows.some((f) => f.dport === 53 && f.proto === 'udp' && f.dst === '10.0.0.53')).toBe(true);
    expect(flows.some((f) => f.src.includes(':') && f.dst.includes(':'))).toBe(true);
    const states = new Set(flows.map((f) => f.conn_state));
    for (const s of ['SF', 'S0', 'REJ']) expect(states.has(s)).toBe(true);
    expect(new Set(web.map((f) => f.sport)).size).toBeGreaterThan(5000);
    expect(web.some((f) => f.host !== null)).toBe(true);
    const sizes = web.map((f) => f.resp_bytes ?? 0).sort((a, b) => a - b);
    expect(sizes[Math.floor(sizes.length * 0.999)] as number).toBeGreaterThan(
      50 * (sizes[sizes.length >> 1] as number),
    );
  });

  it('is deterministic and seed-sensitive', () => {
    const again = generateFlows(OPTIONS);
    expect(again.truth).toEqual(truth);
    let i = 0;
    for (const f of again.flows) {
      expect(f).toEqual(flows[i++]);
      if (i === 5000) break;
    }
    expect(generateFlows({ ...OPTIONS, seed: 43 }).truth.pairs[0]?.dst).not.toBe(truth.pairs[0]?.dst);
  });

  it('keeps planted pairs at their natural counts when the window changes', () => {
    const short = generateFlows({ seed: 42, flows: 20_000, hosts: 20, hours: 6 });
    const netcat = short.truth.pairs.find((p) => p.kind === 'netcat-relay');
    expect(netcat?.flows).toBe(Math.round(3865 / 4));
    expect(short.truth.pairs.find((p) => p.kind === 'slow-beacon')?.flows).toBeLessThanOrEqual(6);
  });
});
