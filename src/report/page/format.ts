/**
 * Number, time and size formatting for the report page, and the "nice" steps that keep axis ticks and
 * histogram bins on round values. Pure functions: no DOM, tested in Node.
 */
import { quantileSorted } from '../../math/robust.js';

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US');
}

export function fmtNum(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 1000
    ? n.toLocaleString('en-US', { maximumFractionDigits: 1 })
    : String(Number(n.toPrecision(3)));
}

export function fmtPct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${Number(s.toPrecision(3))} s`;
  if (s < 2 * HOUR) return `${Number((s / MINUTE).toPrecision(3))} min`;
  if (s < 2 * DAY) return `${Number((s / HOUR).toPrecision(3))} h`;
  return `${Number((s / DAY).toPrecision(3))} d`;
}

const KIB = 1024;
const MIB = 1024 * 1024;

export function fmtBytes(b: number): string {
  if (b < KIB) return `${b} B`;
  if (b < MIB) return `${Number((b / KIB).toPrecision(3))} KiB`;
  return `${Number((b / MIB).toPrecision(3))} MiB`;
}

export function fmtTime(ms: number): string {
  return Number.isFinite(ms)
    ? new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : '–';
}

export function fmtIso(iso: string | null | undefined): string {
  return iso ? fmtTime(Date.parse(iso)) : '–';
}

/** The 1-2-5 series: the smallest of 1, 2, 5 × 10^k that is ≥ x (x > 0). */
export function niceStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/**
 * A step ≥ x that prints round in fmtBytes: 1-2-5 × 10^k bytes below 1 KiB, else 1-2-5 × 10^k of
 * KiB or MiB (so ticks read "20 KiB", "50 KiB", never "48.8 KiB").
 */
export function niceByteStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  if (x <= KIB / 2) return Math.max(1, niceStep(x));
  const unit = x <= MIB / 2 ? KIB : MIB;
  return niceStep(x / unit) * unit;
}

/** Steps in seconds that read round in fmtSeconds: ms, 1-2-5 s, then 1-2-5-10-15-30 min, 1-2-3-6-12 h, days. */
const TIME_STEPS = [
  1,
  2,
  5,
  10,
  15,
  30,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
];

/** A step in seconds ≥ x that prints round in fmtSeconds. */
export function niceSecondsStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  if (x < 1) return niceStep(x);
  for (const s of TIME_STEPS) if (s >= x) return s;
  return niceStep(x / DAY) * DAY;
}

export interface Histogram {
  /** Lower edge of the first bin: a multiple of `width`. */
  lo: number;
  width: number;
  counts: number[];
  /** Values above `hi` (beyond the 99th percentile), counted apart so one outlier cannot squash the bins. */
  over: number;
  hi: number;
}

/**
 * Histogram of at most `bins` round-width bins from the smallest value to the 99th percentile;
 * `step` turns a raw width into a round one (niceStep, niceByteStep, niceSecondsStep).
 */
export function histogram(values: readonly number[], bins: number, step: (x: number) => number): Histogram {
  const sorted = values.slice().sort((a, b) => a - b);
  const min = sorted.length ? (sorted[0] as number) : 0;
  let hi = sorted.length ? quantileSorted(sorted, 0.99) : 0;
  if (hi <= min) hi = sorted.length ? (sorted[sorted.length - 1] as number) : 0;
  const width = hi > min ? step((hi - min) / bins) : 1;
  const lo = Math.floor(min / width) * width;
  const n = hi > min ? Math.max(1, Math.floor((hi - lo) / width) + 1) : 1;
  const counts = new Array<number>(n).fill(0);
  let over = 0;
  for (const v of sorted) {
    if (v > hi) over++;
    else {
      const k = Math.min(n - 1, Math.floor((v - lo) / width));
      counts[k] = (counts[k] as number) + 1;
    }
  }
  return { lo, width, counts, over, hi };
}

/** Dotted-quad IPv4 as a number for sorting; null for anything else. */
function ipv4(s: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  return m ? ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]) : null;
}

/** IPv4 addresses in numeric order first, then everything else as text. */
export function compareIp(a: string, b: string): number {
  const x = ipv4(a);
  const y = ipv4(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Which of n histogram bins (lower edges lo + k·width) get a label: those on a round multiple of a
 * step chosen for about `target` labels, so the axis reads 28 s, 29 s, 30 s rather than every
 * fourth bin's 28.5 s, 28.9 s, 29.3 s.
 */
export function roundLabels(
  lo: number,
  width: number,
  n: number,
  step: (x: number) => number,
  target = 8,
): (index: number) => boolean {
  const every = step((width * n) / target);
  return (k) => {
    if (k >= n) return true; // the "> p99" bin
    const q = (lo + k * width) / every;
    return Math.abs(q - Math.round(q)) < 1e-6;
  };
}
