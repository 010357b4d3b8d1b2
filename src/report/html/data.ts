import { NUMERIC_PAIR_FEATURES, type PairFlows, pairKey } from '../../features/pair-features.js';
import { seededRng } from '../../math/random.js';
import type { Episode, Finding, HuntResult, HuntSummary, Verdict } from '../../score/finding.js';

/**
 * The HTML report's data: a compact JSON payload built from a HuntResult. Columnar arrays and
 * rounded numbers keep the file small; the page script (src/report/page/) reads it back.
 */

export interface HtmlReportOptions {
  /** Pairs drawn in the 3-D scatter at most: every flagged pair, then a seeded sample of the rest. */
  maxScatterPoints?: number;
  /** Flows kept for all drill-downs together; a pair beyond its share is sampled evenly over time. */
  maxFlows?: number;
  /** Findings listed (table and drill-down) at most; the scatter still colours every flagged pair. */
  maxFindings?: number;
  /** Seed of the scatter's sample: the same result gives the same file. */
  seed?: number;
}

export const HTML_REPORT_DEFAULTS: Required<HtmlReportOptions> = {
  maxScatterPoints: 4000,
  maxFlows: 40_000,
  maxFindings: 1000,
  seed: 1,
};

export const VERDICTS: readonly Verdict[] = [
  'beacon',
  'active-c2',
  'strobe',
  'long-connection',
  'anomaly',
  'dns-tunnel',
  'dga',
];

/** One finding's flows, sorted by time. Times in ms: t0 is epoch ms, dt[i] = t[i] - t[i-1] (dt[0] = 0). */
export interface FlowDetail {
  /** Flows the pair has in all; `dt.length` of them are here (evenly sampled when fewer). */
  total: number;
  t0: number;
  dt: number[];
  /** Connection duration, ms. */
  dur: number[];
  /** Bytes client→server and server→client. */
  ob: number[];
  rb: number[];
  /** Destination ports (-1 = none) and, when there is more than one, each flow's index into them. */
  ports: number[];
  pi: number[] | null;
  /** Connection states (Zeek conn_state; log data) and each flow's index when there is more than one. */
  states: (string | null)[];
  si: number[] | null;
}

/** The seed's three features per pair, for the scatter; indices into `ips` for the addresses. */
export interface ScatterData {
  /** Pairs in the data, and how many of them are drawn here. */
  pairs: number;
  shown: number;
  ips: string[];
  src: number[];
  dst: number[];
  avgcount: number[];
  flows: number[];
  distinct: number[];
  /** Index into VERDICTS for a flagged pair, -1 for an unflagged one, -2 for an ignored one (multicast…). */
  verdict: number[];
  /** Index into the payload's findings (-1: not listed). */
  finding: number[];
}

export interface ReportPayload {
  version: 1;
  summary: HuntSummary;
  findings: Finding[];
  /** Findings in the result (the payload lists the first `findings.length`). */
  findingsTotal: number;
  /** Flow detail per listed finding (null: not collected, the hunt keeps it for its top findings). */
  flows: (FlowDetail | null)[];
  scatter: ScatterData | null;
  verdicts: readonly Verdict[];
  /** What each pair feature means (tooltips in the features table). */
  featureHelp: Record<string, string>;
}

/** Numbers for the page: integers as they are, others to 4 significant digits (epoch seconds to ms). */
export function roundNumber(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  if (Number.isInteger(x)) return x;
  if (Math.abs(x) >= 1e5) return Math.round(x * 1000) / 1000;
  return Number(x.toPrecision(4));
}

function roundRecord<T extends number | null>(record: Record<string, T>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(record)) out[k] = v === null ? null : roundNumber(v);
  return out;
}

function compactFinding(f: Finding): Finding {
  return {
    ...f,
    score: roundNumber(f.score) ?? 0,
    features: roundRecord(f.features),
    components: roundRecord(f.components) as Record<string, number>,
    episodes: f.episodes.map((e: Episode) => ({ ...e })),
  };
}

/** Indices 0..n-1, `k` of them evenly spread (first and last kept), ascending. */
export function evenSample(n: number, k: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  if (k <= 1) return k === 1 ? [0] : [];
  const out: number[] = [];
  for (let j = 0; j < k; j++) out.push(Math.round((j * (n - 1)) / (k - 1)));
  return out;
}

/** Split `budget` over pairs of the given sizes: small pairs keep everything, large ones share the rest. */
export function shareBudget(sizes: readonly number[], budget: number): number[] {
  const order = sizes.map((_, i) => i).sort((a, b) => (sizes[a] as number) - (sizes[b] as number));
  const out = new Array<number>(sizes.length).fill(0);
  let left = budget;
  order.forEach((i, j) => {
    const fair = Math.floor(left / (order.length - j));
    out[i] = Math.min(sizes[i] as number, Math.max(fair, 0));
    left -= out[i] as number;
  });
  return out;
}

function dictionary<T>(values: ArrayLike<T>, keep: readonly number[]): { dict: T[]; index: number[] | null } {
  const dict: T[] = [];
  const seen = new Map<T, number>();
  const index = keep.map((i) => {
    const v = values[i] as T;
    let at = seen.get(v);
    if (at === undefined) {
      at = dict.length;
      seen.set(v, at);
      dict.push(v);
    }
    return at;
  });
  return { dict, index: dict.length > 1 ? index : null };
}

export function flowDetail(flows: PairFlows, limit: number): FlowDetail {
  const keep = evenSample(flows.ts.length, limit);
  const ms = keep.map((i) => Math.round((flows.ts[i] as number) * 1000));
  const ports = dictionary(flows.dport, keep);
  const states = dictionary(flows.connState, keep);
  return {
    total: Math.max(flows.total, flows.ts.length),
    t0: ms[0] ?? 0,
    dt: ms.map((t, j) => (j === 0 ? 0 : t - (ms[j - 1] as number))),
    dur: keep.map((i) => Math.round((flows.duration[i] as number) * 1000)),
    ob: keep.map((i) => Math.round(flows.origBytes[i] as number)),
    rb: keep.map((i) => Math.round(flows.respBytes[i] as number)),
    ports: ports.dict,
    pi: ports.index,
    states: states.dict,
    si: states.index,
  };
}

function scatterData(
  result: HuntResult,
  listed: number,
  options: Required<HtmlReportOptions>,
): ScatterData | null {
  const pairs = result.report?.pairs;
  if (!pairs) return null;
  const n = pairs.src.length;
  const findingAt = new Map<string, number>();
  result.findings.forEach((f, i) => {
    findingAt.set(pairKey(f.src, f.dst), i);
  });
  const flagged: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < n; i++) {
    const isFlagged = findingAt.has(pairKey(pairs.src[i] as string, pairs.dst[i] as string));
    (isFlagged ? flagged : rest).push(i);
  }
  // Every flagged pair, then a seeded partial Fisher–Yates sample of the others.
  const room = Math.max(0, Math.min(rest.length, options.maxScatterPoints - flagged.length));
  const rng = seededRng(options.seed);
  for (let j = 0; j < room; j++) {
    const k = j + rng.below(rest.length - j);
    [rest[j], rest[k]] = [rest[k] as number, rest[j] as number];
  }
  const keep = [...flagged, ...rest.slice(0, room)].sort((a, b) => a - b);
  const ips: string[] = [];
  const ipAt = new Map<string, number>();
  const ip = (address: string) => {
    let at = ipAt.get(address);
    if (at === undefined) {
      at = ips.push(address) - 1;
      ipAt.set(address, at);
    }
    return at;
  };
  const findingOf = keep.map((i) => findingAt.get(pairKey(pairs.src[i] as string, pairs.dst[i] as string)));
  return {
    pairs: n,
    shown: keep.length,
    src: keep.map((i) => ip(pairs.src[i] as string)),
    dst: keep.map((i) => ip(pairs.dst[i] as string)),
    ips,
    avgcount: keep.map((i) => roundNumber(pairs.avgcount[i] as number) ?? 0),
    flows: keep.map((i) => pairs.t_bytecount[i] as number),
    distinct: keep.map((i) => pairs.distinct_byte_count[i] as number),
    verdict: keep.map((i, j) => {
      const f = findingOf[j];
      if (f !== undefined) return VERDICTS.indexOf((result.findings[f] as Finding).verdict);
      return pairs.ignored[i] ? -2 : -1;
    }),
    finding: findingOf.map((f) => (f !== undefined && f < listed ? f : -1)),
  };
}

/** HuntResult → the page's payload (pure; the same result and options give the same payload). */
export function buildPayload(result: HuntResult, options: HtmlReportOptions = {}): ReportPayload {
  const o = { ...HTML_REPORT_DEFAULTS, ...options };
  const findings = result.findings.slice(0, o.maxFindings);
  const collected = findings.map((f) => result.report?.flows.get(pairKey(f.src, f.dst)) ?? null);
  const budget = shareBudget(
    collected.map((c) => c?.ts.length ?? 0),
    o.maxFlows,
  );
  const featureHelp: Record<string, string> = { ...NUMERIC_PAIR_FEATURES };
  return {
    version: 1,
    summary: result.summary,
    findings: findings.map(compactFinding),
    findingsTotal: result.findings.length,
    flows: collected.map((c, i) => (c?.ts.length ? flowDetail(c, budget[i] as number) : null)),
    scatter: scatterData(result, findings.length, o),
    verdicts: VERDICTS,
    featureHelp,
  };
}
