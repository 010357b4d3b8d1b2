import { formatCount, formatDuration, formatSeconds } from '../features/timing/classify.js';
import type { ChangeOptions } from './options.js';

/** The numbers an alert shows before (baseline medians) and after (the window). */
export interface ChangeNumbers {
  flows: number;
  gap_s: number | null;
  bytes: number;
  avgcount: number;
  distinct_sizes: number;
  orig_avgcount: number;
  orig_distinct_sizes: number;
}

/** z-scores from this on are worth a reason. */
const NOTABLE_Z = 2;

/** 3 → "3", 2.5 → "2.5" (baseline medians of counts can be halves). */
function count(n: number): string {
  return Number.isInteger(n) ? formatCount(n) : String(Number(n.toFixed(1)));
}

function share(x: number): string {
  return x.toFixed(2);
}

/** 1536 → "1.5 kB", 1.3e6 → "1.3 MB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(v) : Number(v.toPrecision(2))} ${units[u]}`;
}

/**
 * Reasons in words for an alert window: the clearest size change first ("distinct sizes 3 → 41",
 * "avgcount 0.97 → 0.31"), then the activity ("gap 60 s → 2 s", "flows 10 → 143 per 10 min",
 * "bytes 4 kB → 1.3 MB per 10 min"), then the other size changes. Only changes with z ≥ 2.
 */
export function windowReasons(
  before: ChangeNumbers,
  after: ChangeNumbers,
  z: Record<string, number>,
  options: ChangeOptions,
): string[] {
  const per = `per ${formatDuration(options.windowSeconds)}`;
  const notable = (key: string) => (z[key] ?? Number.NEGATIVE_INFINITY) >= NOTABLE_Z;
  const sizes: [number, string][] = [];
  const size = (key: string, text: () => string) => {
    if (notable(key)) sizes.push([z[key] as number, text()]);
  };
  size(
    'resp_distinct',
    () => `distinct sizes ${count(before.distinct_sizes)} → ${count(after.distinct_sizes)}`,
  );
  size(
    'orig_distinct',
    () => `distinct request sizes ${count(before.orig_distinct_sizes)} → ${count(after.orig_distinct_sizes)}`,
  );
  size('resp_avgcount', () => `avgcount ${share(before.avgcount)} → ${share(after.avgcount)}`);
  size(
    'orig_avgcount',
    () => `request avgcount ${share(before.orig_avgcount)} → ${share(after.orig_avgcount)}`,
  );
  sizes.sort((a, b) => b[0] - a[0]);
  const activity: string[] = [];
  if (notable('gap'))
    activity.push(
      `gap ${formatSeconds(before.gap_s ?? Number.NaN)} → ${formatSeconds(after.gap_s ?? Number.NaN)}`,
    );
  if (notable('flows')) activity.push(`flows ${count(before.flows)} → ${count(after.flows)} ${per}`);
  if (notable('bytes'))
    activity.push(`bytes ${formatBytes(before.bytes)} → ${formatBytes(after.bytes)} ${per}`);
  const [first, ...rest] = sizes.map(([, text]) => text);
  return [...(first ? [first] : []), ...activity, ...rest];
}
