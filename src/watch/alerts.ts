import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { ChangeEpisode, ChangeEvent, ChangeNumbers, WindowAlert } from '../change/detector.js';
import { isoTime } from '../score/finding.js';

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
  /** Highest seq already in the output (0 when it cannot be known, e.g. stdout). */
  readonly lastSeq: number;
  write(alerts: readonly { seq: number; alert: string }[]): void;
  close(): void;
}

/** The last complete line's seq, after cutting a partial last line (a write cut by kill -9). */
function reconcileFile(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const tailBytes = Math.min(size, 1 << 20);
  const buf = Buffer.alloc(tailBytes);
  readSync(fd, buf, 0, tailBytes, size - tailBytes);
  let end = buf.length;
  if (buf[end - 1] !== 0x0a) {
    const nl = buf.lastIndexOf(0x0a);
    const keep = size - tailBytes + (nl + 1);
    ftruncateSync(fd, keep);
    end = nl + 1;
  }
  const text = buf.subarray(0, end).toString('utf8').trimEnd();
  const last = text.slice(text.lastIndexOf('\n') + 1);
  if (!last) return 0;
  try {
    const seq = (JSON.parse(last) as { seq?: unknown }).seq;
    return typeof seq === 'number' ? seq : 0;
  } catch {
    return 0;
  }
}

export function fileSink(path: string): AlertSink {
  const fd = openSync(path, 'a+');
  const lastSeq = reconcileFile(fd);
  return {
    lastSeq,
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
    lastSeq: 0,
    write(alerts) {
      if (alerts.length) out.write(alerts.map((a) => `${a.alert}\n`).join(''));
    },
    close() {},
  };
}
