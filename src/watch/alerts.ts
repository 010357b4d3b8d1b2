import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { ChangeEpisode, ChangeEvent, ChangeNumbers, WindowAlert } from '../change/index.js';
import type { WatchStore } from '../store/engine.js';
import { isoTime } from '../util/time.js';
import { failpoint } from './failpoint.js';

/*
 * Alerts as NDJSON, one object per line. `episode-start` when a beacon turns non-uniform (the first
 * alert window), `episode-end` when the pair is back to its beacon (or silent) and the spurt is over.
 * Every alert carries `seq`, its number in the database: an alerts file is reconciled with it after a
 * restart, so no alert is written twice and none is lost.
 */

export interface AlertPair {
  src: string;
  dst: string;
}

const round = (x: number | null, digits = 3): number | null =>
  x === null || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;

function numbers(n: ChangeNumbers): Record<string, number | null> {
  return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, round(v as number | null)]));
}

function windowPart(w: WindowAlert) {
  return {
    window_start: isoTime(w.window_start),
    window_end: isoTime(w.window_end),
    before: numbers(w.before),
    after: numbers(w.after),
    z: w.z,
    reasons: w.reasons,
  };
}

function episodeBase(pair: AlertPair, e: ChangeEpisode) {
  return {
    verdict: 'active-c2' as const,
    kind: 'active-c2' as const,
    src: pair.src,
    dst: pair.dst,
    dport: e.dport,
  };
}

/** The alert object of a detector event (without seq, which the database assigns). */
export function alertOf(pair: AlertPair, event: ChangeEvent): Record<string, unknown> {
  const e = event.episode;
  if (event.type === 'start') {
    return {
      event: 'episode-start',
      ...episodeBase(pair, e),
      start: isoTime(e.first.first_ts),
      ...windowPart(e.first),
    };
  }
  return {
    event: 'episode-end',
    ...episodeBase(pair, e),
    start: isoTime(e.start),
    end: isoTime(e.end),
    windows: e.windows,
    window_start: isoTime(e.window_start),
    window_end: isoTime(e.window_end),
    reasons: e.peak.reasons,
    peak: windowPart(e.peak),
  };
}

/** Where alerts go: a file (reconciled, fsynced) or a stream such as stdout. */
export interface AlertSink {
  /** The output's last complete alert line and its seq, when it can be read (a file). */
  readonly last: { seq: number; line: string } | null;
  write(alerts: readonly { seq: number; alert: string }[]): void;
  close(): void;
}

/** The last complete line (and its seq), after cutting a partial last line (a write cut by kill -9). */
function reconcileFile(fd: number): { seq: number; line: string } | null {
  const size = fstatSync(fd).size;
  if (size === 0) return null;
  const tailBytes = Math.min(size, 1 << 20);
  const buf = Buffer.alloc(tailBytes);
  readSync(fd, buf, 0, tailBytes, size - tailBytes);
  let end = buf.length;
  if (buf[end - 1] !== 0x0a) {
    const nl = buf.lastIndexOf(0x0a);
    ftruncateSync(fd, size - tailBytes + (nl + 1));
    end = nl + 1;
  }
  const text = buf.subarray(0, end).toString('utf8').replace(/\n+$/, '');
  const line = text.slice(text.lastIndexOf('\n') + 1);
  if (!line) return null;
  try {
    const seq = (JSON.parse(line) as { seq?: unknown }).seq;
    return typeof seq === 'number' ? { seq, line } : null;
  } catch {
    return null;
  }
}

export function fileSink(path: string): AlertSink {
  const fd = openSync(path, 'a+');
  const last = reconcileFile(fd);
  return {
    last,
    write(alerts) {
      if (alerts.length === 0) return;
      writeSync(fd, alerts.map((a) => `${a.alert}\n`).join(''));
      fsyncSync(fd);
    },
    close() {
      closeSync(fd);
    },
  };
}

export function streamSink(out: NodeJS.WritableStream): AlertSink {
  return {
    last: null,
    write(alerts) {
      if (alerts.length) out.write(alerts.map((a) => `${a.alert}\n`).join(''));
    },
    close() {},
  };
}

/**
 * An alerts file whose last line is this database's alert of that seq (written just before the last
 * run was killed, not yet marked): everything up to it is written. A file from another database is
 * not taken for ours.
 */
export async function reconcile(store: WatchStore, sink: AlertSink): Promise<void> {
  if (sink.last && (await store.alertText(sink.last.seq)) === sink.last.line)
    await store.markEmitted(sink.last.seq);
}

/** Writes the alerts the database has not seen written, then marks them. */
export async function emitPending(store: WatchStore, sink: AlertSink): Promise<number> {
  const pending = await store.pendingAlerts();
  if (pending.length === 0) return 0;
  sink.write(pending);
  failpoint('written-alerts');
  await store.markEmitted((pending[pending.length - 1] as { seq: number }).seq);
  return pending.length;
}
