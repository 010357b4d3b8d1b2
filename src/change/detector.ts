import { mad, median } from '../math/robust.js';
import type { PairWindowSeries } from '../store/engine.js';
import { type ChangeOptions, MAD_TO_SIGMA, SCALE_FLOORS } from './options.js';
import { type ChangeNumbers, windowReasons } from './reasons.js';

/*
 * The change detector, as a fold over one pair's windows in time order:
 *
 *   state₀ = initialState();  (stateₖ, eventsₖ) = step(stateₖ₋₁, windowₖ)
 *
 * Each window is tested against a baseline of the pair's earlier windows that did not alert (robust
 * z-scores against their median and MAD). Batch mode folds over all of a pair's windows; live mode
 * stores the state (JSON) and folds each window once it is closed. Both see the same sequence, so
 * they raise the same episodes. The state is bounded: at most `baselineWindows` entries.
 */

/** What one window of one pair looks like, as the detector compares it. */
export interface WindowFeatures {
  /** Window index (start = index × hop). */
  index: number;
  /** Window bounds, epoch seconds. */
  start: number;
  end: number;
  firstTs: number;
  lastTs: number;
  /**
   * Where the change is inside the window: flows that are both off the window's usual sizes and
   * dense (see PairWindowSeries), i.e. the spurt without the check-ins around it.
   */
  changeFirstTs: number;
  changeLastTs: number;
  flows: number;
  /** Median gap between flows in the window (or, for one flow, since the pair's previous flow); null when unknown. */
  gap: number | null;
  /** Bytes both ways. */
  bytes: number;
  /** avgcount and distinct_byte_count per direction (resp = the seed's bytes_out). */
  respAvg: number;
  respDistinct: number;
  respModeSize: number;
  respModeCount: number;
  origAvg: number;
  origDistinct: number;
  origModeSize: number;
  origModeCount: number;
  dport: number | null;
}

/** A window kept in the baseline (what the tests need of it). */
export interface BaselineEntry {
  index: number;
  flows: number;
  gap: number | null;
  bytes: number;
  respAvg: number;
  respDistinct: number;
  respModeSize: number;
  respModeCount: number;
  origAvg: number;
  origDistinct: number;
  origModeSize: number;
  origModeCount: number;
}

/** One window that alerted. */
export interface WindowAlert {
  index: number;
  window_start: number;
  window_end: number;
  /** Where the change is inside the window (see WindowFeatures.changeFirstTs): the spurt without the check-ins around it. */
  first_ts: number;
  last_ts: number;
  before: ChangeNumbers;
  after: ChangeNumbers;
  /** Robust z-scores of the window against the baseline. */
  z: Record<string, number>;
  /** min(sizes, activity): how clearly the window is a change. */
  score: number;
  reasons: string[];
}

/** A spurt: consecutive alert windows (gaps up to mergeGapSeconds), from start to end. */
export interface ChangeEpisode {
  /** First flow of the first alert window and last flow of the last one, epoch seconds. */
  start: number;
  end: number;
  window_start: number;
  window_end: number;
  windows: number;
  dport: number | null;
  first: WindowAlert;
  peak: WindowAlert;
}

export interface DetectorState {
  version: 1;
  lastIndex: number | null;
  lastTs: number | null;
  baseline: BaselineEntry[];
  episode: ChangeEpisode | null;
}

export type ChangeEvent = { type: 'start'; episode: ChangeEpisode } | { type: 'end'; episode: ChangeEpisode };

export function initialState(): DetectorState {
  return { version: 1, lastIndex: null, lastTs: null, baseline: [], episode: null };
}

/** BaselineEntry's fields in the order of its compact (array) form in stored state. */
const ENTRY_FIELDS = [
  'index',
  'flows',
  'gap',
  'bytes',
  'respAvg',
  'respDistinct',
  'respModeSize',
  'respModeCount',
  'origAvg',
  'origDistinct',
  'origModeSize',
  'origModeCount',
] as const satisfies readonly (keyof BaselineEntry)[];

/**
 * The state as stored by live mode (JSON; baseline entries as arrays, which halves the text). JSON
 * keeps every double exactly, so a stored and restored state folds on exactly as one kept in memory.
 */
export function serializeState(state: DetectorState): string {
  return JSON.stringify({ ...state, baseline: state.baseline.map((e) => ENTRY_FIELDS.map((f) => e[f])) });
}

export function parseState(text: string): DetectorState {
  const raw = JSON.parse(text) as Omit<DetectorState, 'baseline'> & { baseline: (number | null)[][] };
  if (raw.version !== 1) throw new Error(`unknown change-detector state version ${String(raw.version)}`);
  const baseline = raw.baseline.map(
    (a) => Object.fromEntries(ENTRY_FIELDS.map((f, i) => [f, a[i] ?? null])) as unknown as BaselineEntry,
  );
  return { ...raw, baseline };
}

const nanToNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The spurt's place in a window: the intersection of the flows off the usual sizes and the dense
 * flows (a check-in with a variant size before a spurt is not dense; a few spurt flows after the
 * check-ins are not a dense part of their own, but are off-size). The off-size span alone when the
 * two do not meet.
 */
function changeSpan(
  oddFirst: number,
  oddLast: number,
  denseFirst: number,
  denseLast: number,
): { changeFirstTs: number; changeLastTs: number } {
  const first = Math.max(oddFirst, denseFirst);
  const last = Math.min(oddLast, denseLast);
  return first <= last
    ? { changeFirstTs: first, changeLastTs: last }
    : { changeFirstTs: oddFirst, changeLastTs: oddLast };
}

/** The i-th window of a pair's series, as features. */
export function windowFeatures(series: PairWindowSeries, i: number, options: ChangeOptions): WindowFeatures {
  const at = (a: Float64Array) => a[i] as number;
  const index = at(series.index);
  const flows = at(series.flows);
  const firstTs = at(series.firstTs);
  const gap = flows >= 2 ? nanToNull(at(series.gapMedian)) : null;
  const dport = at(series.dport);
  return {
    index,
    start: index * options.hopSeconds,
    end: index * options.hopSeconds + options.windowSeconds,
    firstTs,
    lastTs: at(series.lastTs),
    ...changeSpan(
      at(series.oddFirstTs),
      at(series.oddLastTs),
      at(series.denseFirstTs),
      at(series.denseLastTs),
    ),
    flows,
    gap,
    bytes: at(series.respBytes) + at(series.origBytes),
    respAvg: at(series.respModeCount) / flows,
    respDistinct: at(series.respDistinct),
    respModeSize: at(series.respModeSize),
    respModeCount: at(series.respModeCount),
    origAvg: at(series.origModeCount) / flows,
    origDistinct: at(series.origDistinct),
    origModeSize: at(series.origModeSize),
    origModeCount: at(series.origModeCount),
    dport: dport >= 0 ? dport : null,
  };
}

interface Spread {
  median: number;
  scale: number;
}

function spread(values: number[], floor: number): Spread {
  const m = median(values);
  return { median: m, scale: Math.max(MAD_TO_SIGMA * mad(values, m), floor) };
}

/**
 * How uniform the baseline is on one side, robustly: the baseline's size M is the one most of its
 * windows have as their most common size; each window scores the share of its flows carrying M
 * (0 when M is not its mode); the median window's score is the answer. A tasking spurt that slipped
 * into the baseline is one window among many and cannot dilute it, as it would a pooled share.
 */
export function baselineModeShare(entries: readonly BaselineEntry[], side: 'resp' | 'orig'): number {
  const bySize = new Map<number, { windows: number; flows: number }>();
  for (const e of entries) {
    const size = side === 'resp' ? e.respModeSize : e.origModeSize;
    const count = side === 'resp' ? e.respModeCount : e.origModeCount;
    const t = bySize.get(size) ?? { windows: 0, flows: 0 };
    t.windows++;
    t.flows += count;
    bySize.set(size, t);
  }
  let best: number | null = null;
  let bestT = { windows: 0, flows: 0 };
  for (const [size, t] of bySize) {
    if (
      t.windows > bestT.windows ||
      (t.windows === bestT.windows &&
        (t.flows > bestT.flows || (t.flows === bestT.flows && best !== null && size < best)))
    ) {
      best = size;
      bestT = t;
    }
  }
  if (best === null) return 0;
  return median(
    entries.map((e) =>
      side === 'resp'
        ? e.respModeSize === best
          ? e.respModeCount / e.flows
          : 0
        : e.origModeSize === best
          ? e.origModeCount / e.flows
          : 0,
    ),
  );
}

/** The baseline's medians and scales, or why it cannot be tested against. */
export interface BaselineSummary {
  windows: number;
  flows: number;
  respShare: number;
  origShare: number;
  uniform: boolean;
  flowsSpread: Spread;
  logBytes: Spread;
  logGap: Spread | null;
  resp: { distinct: Spread; avg: Spread };
  orig: { distinct: Spread; avg: Spread };
}

/**
 * The baseline's medians and robust scales; null while it is too short to test against, and (with
 * `uniformOnly`) when it is not uniform, which spares the statistics for pairs that are no beacon.
 */
export function summarizeBaseline(
  entries: readonly BaselineEntry[],
  options: ChangeOptions,
  uniformOnly = false,
): BaselineSummary | null {
  if (entries.length < options.minBaselineWindows) return null;
  let flows = 0;
  for (const e of entries) flows += e.flows;
  if (flows < options.minBaselineFlows) return null;
  const respShare = baselineModeShare(entries, 'resp');
  const origShare = baselineModeShare(entries, 'orig');
  if (uniformOnly && Math.max(respShare, origShare) < options.uniformShare) return null;
  const countSpread = (values: number[]) => {
    const m = median(values);
    return { median: m, scale: Math.max(MAD_TO_SIGMA * mad(values, m), Math.sqrt(m), 1) };
  };
  const gaps = entries.flatMap((e) => (e.gap !== null && e.gap > 0 ? [Math.log(e.gap)] : []));
  return {
    windows: entries.length,
    flows,
    respShare,
    origShare,
    uniform: Math.max(respShare, origShare) >= options.uniformShare,
    flowsSpread: countSpread(entries.map((e) => e.flows)),
    logBytes: spread(
      entries.map((e) => Math.log1p(e.bytes)),
      SCALE_FLOORS.logBytes,
    ),
    logGap: gaps.length >= Math.min(3, options.minBaselineWindows) ? spread(gaps, SCALE_FLOORS.logGap) : null,
    resp: {
      distinct: countSpread(entries.map((e) => e.respDistinct)),
      avg: spread(
        entries.map((e) => e.respAvg),
        SCALE_FLOORS.share,
      ),
    },
    orig: {
      distinct: countSpread(entries.map((e) => e.origDistinct)),
      avg: spread(
        entries.map((e) => e.origAvg),
        SCALE_FLOORS.share,
      ),
    },
  };
}

export interface WindowTest {
  /** Non-uniformity: the larger z of distinct sizes up / avgcount down, on the sides that were uniform. */
  sizes: number;
  /** Activity: the larger z of flows up, gap down, bytes up. */
  activity: number;
  z: Record<string, number>;
}

/** Robust z-scores of a window against the baseline. */
export function testWindow(x: WindowFeatures, b: BaselineSummary, options: ChangeOptions): WindowTest {
  const z: Record<string, number> = {};
  z.flows = (x.flows - b.flowsSpread.median) / b.flowsSpread.scale;
  z.bytes = (Math.log1p(x.bytes) - b.logBytes.median) / b.logBytes.scale;
  // A gap measured on few flows is one noisy number: widen its scale by 1/√(gaps).
  if (b.logGap && x.gap !== null && x.gap > 0) {
    const gaps = Math.max(1, x.flows - 1);
    z.gap =
      (b.logGap.median - Math.log(Math.max(x.gap, 1e-3))) / Math.max(b.logGap.scale, 1 / Math.sqrt(gaps));
  }
  const shareFloor = Math.max(SCALE_FLOORS.share, 1 / Math.sqrt(x.flows));
  let sizes = Number.NEGATIVE_INFINITY;
  const sides = [
    ['resp', b.respShare, b.resp, x.respDistinct, x.respAvg],
    ['orig', b.origShare, b.orig, x.origDistinct, x.origAvg],
  ] as const;
  for (const [side, share, s, distinct, avg] of sides) {
    if (share < options.uniformShare) continue;
    const zd = (distinct - s.distinct.median) / s.distinct.scale;
    const za = (s.avg.median - avg) / Math.max(s.avg.scale, shareFloor);
    z[`${side}_distinct`] = zd;
    z[`${side}_avgcount`] = za;
    sizes = Math.max(sizes, zd, za);
  }
  const activity = Math.max(z.flows, z.gap ?? Number.NEGATIVE_INFINITY, z.bytes);
  for (const k of Object.keys(z)) z[k] = Math.round((z[k] as number) * 100) / 100;
  return { sizes, activity, z };
}

function numbersOfWindow(x: WindowFeatures): ChangeNumbers {
  return {
    flows: x.flows,
    gap_s: x.gap,
    bytes: x.bytes,
    avgcount: x.respAvg,
    distinct_sizes: x.respDistinct,
    orig_avgcount: x.origAvg,
    orig_distinct_sizes: x.origDistinct,
  };
}

function numbersOfBaseline(b: BaselineSummary): ChangeNumbers {
  return {
    flows: b.flowsSpread.median,
    gap_s: b.logGap ? Math.exp(b.logGap.median) : null,
    bytes: Math.expm1(b.logBytes.median),
    avgcount: b.resp.avg.median,
    distinct_sizes: b.resp.distinct.median,
    orig_avgcount: b.orig.avg.median,
    orig_distinct_sizes: b.orig.distinct.median,
  };
}

function toEntry(x: WindowFeatures): BaselineEntry {
  return {
    index: x.index,
    flows: x.flows,
    gap: x.gap,
    bytes: x.bytes,
    respAvg: x.respAvg,
    respDistinct: x.respDistinct,
    respModeSize: x.respModeSize,
    respModeCount: x.respModeCount,
    origAvg: x.origAvg,
    origDistinct: x.origDistinct,
    origModeSize: x.origModeSize,
    origModeCount: x.origModeCount,
  };
}

/** Window index from which an open episode is over (no alert window can extend it any more). */
export function episodeCloseIndex(episode: ChangeEpisode, options: ChangeOptions): number {
  return Math.floor((episode.window_end + options.mergeGapSeconds) / options.hopSeconds) + 1;
}

/**
 * Closes the open episode if windows from `nextIndex` on can no longer extend it. Live mode calls
 * this for pairs with no new window once the watermark has passed; `step` does the same itself.
 */
export function closeIfOver(state: DetectorState, nextIndex: number, options: ChangeOptions): ChangeEvent[] {
  const episode = state.episode;
  if (!episode || nextIndex < episodeCloseIndex(episode, options)) return [];
  state.episode = null;
  return [{ type: 'end', episode }];
}

/** Folds one window (the pair's next, in index order) into the state; returns start/end events. Mutates `state`. */
export function step(state: DetectorState, x: WindowFeatures, options: ChangeOptions): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  const idleWindows = options.idleResetSeconds / options.hopSeconds;
  if (state.lastIndex !== null && x.index - state.lastIndex > idleWindows) {
    if (state.episode) events.push({ type: 'end', episode: state.episode });
    Object.assign(state, initialState());
  }
  events.push(...closeIfOver(state, x.index, options));
  // A window with one flow has no gap of its own: take the time since the pair's previous flow.
  if (x.gap === null && state.lastTs !== null && x.firstTs > state.lastTs)
    x = { ...x, gap: x.firstTs - state.lastTs };
  // Hysteresis: a window that directly follows an alert window (the same spurt going on over the
  // window edge) only has to clear zContinue, with as few as two flows.
  const continuing = state.episode !== null && x.start <= state.episode.window_end;
  const b =
    x.flows >= (continuing ? 2 : options.minAlertFlows)
      ? summarizeBaseline(state.baseline, options, true)
      : null;
  let alert: WindowAlert | null = null;
  if (b?.uniform) {
    const t = testWindow(x, b, options);
    const bar = continuing ? options.zContinue : options.zAlert;
    if (t.sizes >= bar && t.activity >= bar) {
      const before = numbersOfBaseline(b);
      const after = numbersOfWindow(x);
      alert = {
        index: x.index,
        window_start: x.start,
        window_end: x.end,
        first_ts: x.changeFirstTs,
        last_ts: x.changeLastTs,
        before,
        after,
        z: t.z,
        score: Math.round(Math.min(t.sizes, t.activity) * 100) / 100,
        reasons: windowReasons(before, after, t.z, options),
      };
    }
  }
  if (alert) {
    const episode = state.episode;
    if (!episode) {
      state.episode = {
        start: alert.first_ts,
        end: alert.last_ts,
        window_start: alert.window_start,
        window_end: alert.window_end,
        windows: 1,
        dport: x.dport,
        first: alert,
        peak: alert,
      };
      events.push({ type: 'start', episode: state.episode });
    } else {
      episode.end = Math.max(episode.end, alert.last_ts);
      episode.window_end = alert.window_end;
      episode.windows++;
      if (alert.score > episode.peak.score) episode.peak = alert;
      if (episode.window_end - episode.window_start > options.maxEpisodeSeconds) {
        // Not a spurt any more: the pair has a new normal. Close, and learn it afresh.
        events.push({ type: 'end', episode });
        state.episode = null;
        state.baseline = [];
      }
    }
  } else {
    state.baseline.push(toEntry(x));
    if (state.baseline.length > options.baselineWindows)
      state.baseline.splice(0, state.baseline.length - options.baselineWindows);
  }
  state.lastIndex = x.index;
  state.lastTs = state.lastTs === null ? x.lastTs : Math.max(state.lastTs, x.lastTs);
  return events;
}

/** Folds a whole series of windows (one pair's, in index order). */
export function foldSeries(
  state: DetectorState,
  series: PairWindowSeries,
  options: ChangeOptions,
): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  for (let i = 0; i < series.index.length; i++) {
    events.push(...step(state, windowFeatures(series, i, options), options));
  }
  return events;
}
