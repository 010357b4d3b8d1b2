import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ChangeEvent,
  closeIfOver,
  type DetectorState,
  episodeCloseIndex,
  foldSeries,
  initialState,
  parseState,
  serializeState,
} from '../change/detector.js';
import { type ChangeOptions, resolveChangeOptions } from '../change/options.js';
import { pairKey } from '../features/pair-features.js';
import type { Engine, PairWindowSeries, WatchPairState, WatchStore } from '../store/engine.js';
import { openEngine } from '../store/open-engine.js';
import { InputError } from '../util/errors.js';
import { type AlertSink, alertOf, emitPending, fileSink, reconcile, streamSink } from './alerts.js';
import { failpoint } from './failpoint.js';
import { type FollowChunk, Follower } from './follow.js';

/*
 * The live loop: poll the followed logs → one transaction per batch (store the new lines, advance
 * the streams, fold the windows the watermark has closed into each pair's detector state, store the
 * alerts they raise) → write the alerts out → mark them written. A kill at any point leaves either
 * the whole batch or none of it in the database; alerts are numbered and reconciled on restart.
 */

export interface WatchOptions {
  /** A conn.log (followed across rotation) or a directory of logs. */
  target: string;
  /** DuckDB file holding flows, offsets, pair state and alerts. */
  db: string;
  /** NDJSON alerts file; stdout when absent. */
  alerts?: string;
  format?: string;
  change?: Partial<ChangeOptions>;
  /** How much older than the newest flow a flow may still arrive (Zeek logs a connection when it ends). */
  latenessSeconds?: number;
  /** Pause between polls when nothing is new. */
  pollSeconds?: number;
  /** Lines stored per transaction at most. */
  batchLines?: number;
  /** Read what is there, then stop (no following). */
  once?: boolean;
  /** DuckDB memory_limit, so hours of streaming stay flat. */
  memoryLimit?: string;
  /** Stop after the current batch when aborted (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Alerts go here when no file is given (default process.stdout). */
  out?: NodeJS.WritableStream;
  onEvent?: (event: WatchEvent) => void;
}

export type WatchEvent =
  | {
      kind: 'batch';
      rows: number;
      used: number;
      skipped: Record<string, number>;
      files: string[];
      watermark: number | null;
      alerts: number;
    }
  | { kind: 'stream'; path: string; format: string }
  | { kind: 'warning'; message: string };

export interface WatchSummary {
  batches: number;
  rows: number;
  used: number;
  alerts: number;
  /** Usable flows in the database at the end (all runs). */
  flowsStored: number;
  /** The next window to evaluate: windows before it are final. */
  nextWindow: number | null;
  watermark: number | null;
}

export const WATCH_DEFAULTS = Object.freeze({
  db: 'beaconhunt-watch.duckdb',
  latenessSeconds: 600,
  pollSeconds: 1,
  batchLines: 50_000,
  memoryLimit: '256MB',
  maxBytesPerFile: 16 * 1024 * 1024,
});

/** What must not change between runs on one database: the detection settings. */
function settingsOf(change: ChangeOptions, latenessSeconds: number): string {
  return JSON.stringify({ ...change, latenessSeconds });
}

interface Progress {
  watermark: number | null;
  nextWindow: number | null;
}

/**
 * Folds the windows [from, to) of every pair that has some into its stored state; closes episodes
 * the watermark has passed. Returns the events in pair order.
 */
async function evaluate(
  engine: Engine & Required<Pick<Engine, 'pairWindows'>>,
  store: WatchStore,
  from: number,
  to: number,
  change: ChangeOptions,
): Promise<{ pair: { src: string; dst: string }; event: ChangeEvent }[]> {
  const series: PairWindowSeries[] = [];
  await engine.pairWindows(
    { windowSeconds: change.windowSeconds, hopSeconds: change.hopSeconds, windows: { from, to } },
    (s) => series.push(s),
  );
  const stored = await store.pairStates(series);
  const closing = (await store.episodesClosingBefore(to)).filter((s) => !stored.has(pairKey(s.src, s.dst)));
  const out: { pair: { src: string; dst: string }; event: ChangeEvent }[] = [];
  const saved: WatchPairState[] = [];
  const keep = (pair: { src: string; dst: string }, state: DetectorState) => {
    for (const event of closeIfOver(state, to, change)) out.push({ pair, event });
    saved.push({
      src: pair.src,
      dst: pair.dst,
      state: serializeState(state),
      lastIndex: state.lastIndex ?? to - 1,
      closeAt: state.episode ? episodeCloseIndex(state.episode, change) : null,
    });
  };
  for (const s of series) {
    const previous = stored.get(pairKey(s.src, s.dst));
    const state = previous ? parseState(previous.state) : initialState();
    for (const event of foldSeries(state, s, change)) out.push({ pair: s, event });
    keep(s, state);
  }
  for (const s of closing) keep(s, parseState(s.state));
  await store.savePairStates(saved);
  await store.forgetPairsIdleBefore(to - change.idleResetSeconds / change.hopSeconds);
  return out;
}

function watchSettings(options: WatchOptions) {
  const change = resolveChangeOptions(options.change ?? {});
  const latenessSeconds = options.latenessSeconds ?? WATCH_DEFAULTS.latenessSeconds;
  if (!(Number.isFinite(latenessSeconds) && latenessSeconds >= 0))
    throw new InputError(`lateness must be ≥ 0 seconds, got ${latenessSeconds}`);
  const batchLines = options.batchLines ?? WATCH_DEFAULTS.batchLines;
  if (!(Number.isInteger(batchLines) && batchLines > 0))
    throw new InputError(`batch must be a positive number of lines, got ${batchLines}`);
  return {
    change,
    latenessSeconds,
    batchLines,
    pollSeconds: options.pollSeconds ?? WATCH_DEFAULTS.pollSeconds,
  };
}

/** Follows `target` into `db` until `signal` aborts (or, with `once`, until nothing is new). */
export async function watch(options: WatchOptions): Promise<WatchSummary> {
  const { change, latenessSeconds, batchLines, pollSeconds } = watchSettings(options);
  const emit = options.onEvent ?? (() => {});
  const engine = await openEngine('duckdb', options.db);
  let sink: AlertSink | undefined;
  let follower: Follower | undefined;
  try {
    if (!engine.watchStore || !engine.pairWindows)
      throw new InputError(`the ${engine.name} engine has no live mode`);
    const windowed = engine as Engine & Required<Pick<Engine, 'pairWindows'>>;
    const store = await engine.watchStore({ memoryLimit: options.memoryLimit ?? WATCH_DEFAULTS.memoryLimit });
    const meta = await store.getMeta();
    const settings = settingsOf(change, latenessSeconds);
    if (meta.settings === undefined) {
      meta.created_at = String(Date.now());
      await store.setMeta({ settings, created_at: meta.created_at });
    } else if (meta.settings !== settings) {
      throw new InputError(
        `${options.db} was watched with other detection settings (${meta.settings}); use the same --window/--hop/--lateness or another --db`,
      );
    }
    const progress: Progress = {
      watermark: meta.watermark === undefined ? null : Number(meta.watermark),
      nextWindow: meta.next_window === undefined ? null : Number(meta.next_window),
    };
    sink = options.alerts ? fileSink(options.alerts) : streamSink(options.out ?? process.stdout);
    // Alerts already in the file (written just before the last run was killed) are not written
    // again; those of a batch committed just before it stopped are written now.
    await reconcile(store, sink);
    let alerts = await emitPending(store, sink);
    follower = new Follower(options.target, await store.streams(), {
      format: options.format ?? 'auto',
      since: Number(meta.created_at ?? 0),
      maxBytes: WATCH_DEFAULTS.maxBytesPerFile,
      onWarning: (message) => emit({ kind: 'warning', message }),
    });
    const summary: WatchSummary = {
      batches: 0,
      rows: 0,
      used: 0,
      alerts: 0,
      flowsStored: 0,
      nextWindow: null,
      watermark: null,
    };
    const k = change.windowSeconds / change.hopSeconds;
    while (!options.signal?.aborted) {
      const chunks = await follower.poll(batchLines);
      if (chunks.length === 0) {
        if (options.once) break;
        await sleep(pollSeconds * 1000, undefined, options.signal ? { signal: options.signal } : {}).catch(
          () => {},
        );
        continue;
      }
      await store.begin();
      let raised = 0;
      const batch = { rows: 0, used: 0, skipped: {} as Record<string, number> };
      const next = { ...progress };
      try {
        let minTs: number | null = null;
        for (const chunk of chunks) {
          if (chunk.isNew) chunk.stream = await store.addStream(newStream(chunk));
          const r = await store.ingest({
            streamId: chunk.stream.id,
            plan: chunk.plan,
            lines: chunk.lines,
            lineNumbers: chunk.lineNumbers,
            offset: chunk.offset,
            totalLines: chunk.totalLines,
            done: chunk.done,
            path: chunk.path,
            inode: chunk.inode,
            // A flow stamped a day ahead of this machine's clock is stored, but does not close windows.
            maxBelievableTs: Date.now() / 1000 + 86_400,
          });
          batch.rows += r.rows;
          batch.used += r.used;
          for (const [reason, n] of Object.entries(r.skipped))
            batch.skipped[reason] = (batch.skipped[reason] ?? 0) + n;
          if (r.maxTs !== null)
            next.watermark = next.watermark === null ? r.maxTs : Math.max(next.watermark, r.maxTs);
          if (r.minTs !== null) minTs = minTs === null ? r.minTs : Math.min(minTs, r.minTs);
        }
        if (next.nextWindow === null && minTs !== null)
          next.nextWindow = Math.floor(minTs / change.hopSeconds) - (k - 1);
        if (next.watermark !== null && next.nextWindow !== null) {
          const closedTo =
            Math.floor((next.watermark - latenessSeconds - change.windowSeconds) / change.hopSeconds) + 1;
          if (closedTo > next.nextWindow) {
            const events = await evaluate(windowed, store, next.nextWindow, closedTo, change);
            let seq = await store.nextAlertSeq();
            const detectedAt = new Date().toISOString();
            await store.addAlerts(
              events.map(({ pair, event }) => {
                const s = seq++;
                return {
                  seq: s,
                  alert: JSON.stringify({ seq: s, ...alertOf(pair, event), detected_at: detectedAt }),
                };
              }),
            );
            raised = events.length;
            next.nextWindow = closedTo;
          }
        }
        failpoint('in-batch');
        const metaValues: Record<string, string> = {};
        if (next.watermark !== null) metaValues.watermark = String(next.watermark);
        if (next.nextWindow !== null) metaValues.next_window = String(next.nextWindow);
        await store.setMeta(metaValues);
        await store.commit();
      } catch (err) {
        await store.rollback();
        throw err;
      }
      if (raised > 0) failpoint('committed-alerts');
      follower.committed(chunks);
      for (const c of chunks) if (c.isNew) emit({ kind: 'stream', path: c.path, format: c.plan.format });
      Object.assign(progress, next);
      alerts += await emitPending(store, sink);
      summary.batches++;
      summary.rows += batch.rows;
      summary.used += batch.used;
      emit({
        kind: 'batch',
        ...batch,
        files: [...new Set(chunks.map((c) => c.path))],
        watermark: progress.watermark,
        alerts: raised,
      });
    }
    summary.alerts = alerts;
    summary.flowsStored = await store.flowCount();
    summary.nextWindow = progress.nextWindow;
    summary.watermark = progress.watermark;
    return summary;
  } finally {
    follower?.close();
    sink?.close();
    await engine.close();
  }
}

function newStream(chunk: FollowChunk) {
  const s = chunk.stream;
  return {
    headHash: s.headHash,
    headBytes: s.headBytes,
    inode: chunk.inode,
    path: chunk.path,
    format: chunk.plan.format,
  };
}
