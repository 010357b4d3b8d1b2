import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Flow } from '../flow/schema.js';
import { isoTime } from '../util/time.js';
import type { Actor, JitterModel, PairKind, Window } from './actors/types.js';
import type { GenerateOptions } from './options.js';

/** The truth file writes whole seconds without ".000". */
export const TRUTH_TIME = { dropZeroMillis: true } as const;

/** A spurt of active C2 as written to the truth file. */
export interface TruthSpurt {
  start: string;
  end: string;
  /** Flows of the pair inside the window. */
  flows: number;
}

/** One recorded pair: everything in it is measured from the flows the generator emits. */
export interface TruthPair {
  label: string;
  kind: PairKind;
  /** True for the malicious pairs the hunt must find; false for benign heartbeats. */
  planted: boolean;
  src: string;
  dst: string;
  dport: number;
  proto: 'tcp' | 'udp';
  /** SNI / Host the client sends, or null. */
  host: string | null;
  period_s: number;
  jitter: number;
  jitter_model: JitterModel;
  flows: number;
  first_seen: string | null;
  last_seen: string | null;
  /** Most common response size (canonical resp_bytes, the seed's bytes_out) and its share. */
  resp_bytes_mode: number | null;
  resp_bytes_mode_share: number;
  distinct_resp_bytes: number;
  /** The same for request sizes (orig_bytes). */
  orig_bytes_mode: number | null;
  distinct_orig_bytes: number;
  spurts?: TruthSpurt[];
}

export interface Truth {
  generator: 'beaconhunt';
  /** Bumped when the truth layout changes. */
  version: 1;
  options: GenerateOptions;
  window: { start: string; end: string };
  /** Flows the generator writes in total (recorded pairs plus background). */
  total_flows: number;
  /** Internal hosts, dual-stack ones counted once. */
  hosts: number;
  pairs: TruthPair[];
}

const PLANTED: ReadonlySet<PairKind> = new Set([
  'beacon',
  'slow-beacon',
  'active-c2',
  'netcat-relay',
  'refused-beacon',
]);

function mode(counts: Map<number | null, number>): [number | null, number] {
  let best: number | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value !== null && (best === null || value < best))) {
      best = value;
      bestCount = count;
    }
  }
  return [best, bestCount];
}

function tally(counts: Map<number | null, number>, value: number | null): void {
  counts.set(value, (counts.get(value) ?? 0) + 1);
}

/** Replays one recorded actor and measures its pair. */
export function measurePair(actor: Actor): TruthPair {
  const spec = actor.pair;
  if (!spec) throw new Error(`actor ${actor.id} is not a recorded pair`);
  const resp = new Map<number | null, number>();
  const orig = new Map<number | null, number>();
  const windows: Window[] = spec.spurts ?? [];
  const inSpurt = windows.map(() => 0);
  let flows = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const it = actor.flows();
  for (let r = it.next(); !r.done; r = it.next()) {
    const f: Flow = r.value;
    flows++;
    if (f.ts < first) first = f.ts;
    if (f.ts > last) last = f.ts;
    tally(resp, f.resp_bytes);
    tally(orig, f.orig_bytes);
    windows.forEach((w, i) => {
      if (f.ts >= w.start && f.ts <= w.end) inSpurt[i] = (inSpurt[i] as number) + 1;
    });
  }
  const [respMode, respModeCount] = mode(resp);
  const [origMode] = mode(orig);
  const pair: TruthPair = {
    label: spec.label,
    kind: spec.kind,
    planted: PLANTED.has(spec.kind),
    src: spec.src,
    dst: spec.dst,
    dport: spec.dport,
    proto: spec.proto,
    host: spec.host,
    period_s: Math.round(spec.period_s * 1000) / 1000,
    jitter: spec.jitter,
    jitter_model: spec.jitter_model,
    flows,
    first_seen: flows ? isoTime(first, TRUTH_TIME) : null,
    last_seen: flows ? isoTime(last, TRUTH_TIME) : null,
    resp_bytes_mode: respMode,
    resp_bytes_mode_share: flows ? Math.round((respModeCount / flows) * 10000) / 10000 : 0,
    distinct_resp_bytes: resp.size,
    orig_bytes_mode: origMode,
    distinct_orig_bytes: orig.size,
  };
  if (spec.spurts) {
    pair.spurts = spec.spurts.map((w, i) => ({
      start: isoTime(w.start, TRUTH_TIME),
      end: isoTime(w.end, TRUTH_TIME),
      flows: inSpurt[i] as number,
    }));
  }
  return pair;
}

/** Writes the truth file (pretty JSON, planted pairs first). */
export async function writeTruth(path: string, truth: Truth): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(truth, null, 2)}\n`);
}
