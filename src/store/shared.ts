import {
  CANONICAL_FIELDS,
  type CanonicalField,
  FIELD_KINDS,
  type FieldKind,
  REQUIRED_FIELDS,
  SKIP_REASONS,
} from '../flow/schema.js';
import type { FileAccounting, ImportPlan } from '../read/plan.js';
import { truncatedNote } from '../read/utf8-guard.js';
import { InputError } from '../util/errors.js';
import type { DataSummary, PairWindowSeries, WindowQuery } from './engine.js';

/*
 * What every engine shares: the stored columns and their types per dialect, the constants the
 * per-pair SQL uses, how a file's accounting is stored and read back, the summary totals, and how
 * a value coming back from an engine is decoded. Each engine derives its SQL from these.
 */

/** Zeek's failed-connection states: declared with the flow schema (flow/schema.ts). */
export { FAILED_STATES } from '../flow/schema.js';

/**
 * Longest line the readers accept; a longer line is counted as malformed, not fatal. 4 MiB holds
 * any real flow record many times over and keeps one bad line from holding the whole file.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** Column type of each canonical field kind, per engine. */
const KIND_TYPES: Record<FieldKind, { duckdb: string; clickhouse: string }> = {
  time: { duckdb: 'DOUBLE', clickhouse: 'Float64' },
  seconds: { duckdb: 'DOUBLE', clickhouse: 'Float64' },
  address: { duckdb: 'VARCHAR', clickhouse: 'String' },
  // ports are 0–65535 and counts at most MAX_COUNT (2^53 − 1): the import validated both
  port: { duckdb: 'INTEGER', clickhouse: 'UInt16' },
  count: { duckdb: 'BIGINT', clickhouse: 'UInt64' },
  lowertext: { duckdb: 'VARCHAR', clickhouse: 'String' },
  text: { duckdb: 'VARCHAR', clickhouse: 'String' },
};

/** The canonical columns as stored, with their type in each engine's dialect. */
export const STORED_FLOW_COLUMNS: readonly { name: CanonicalField; duckdb: string; clickhouse: string }[] =
  CANONICAL_FIELDS.map((name) => {
    const t = KIND_TYPES[FIELD_KINDS[name]];
    // DuckDB's table keeps skipped rows too (all NULL but skip_reason): every column is nullable
    const required = REQUIRED_FIELDS.includes(name);
    return { name, duckdb: t.duckdb, clickhouse: required ? t.clickhouse : `Nullable(${t.clickhouse})` };
  });

/** `name TYPE, …` for one engine's CREATE TABLE. */
export function flowColumnsDdl(engine: 'duckdb' | 'clickhouse'): string {
  return STORED_FLOW_COLUMNS.map((c) => `${c.name} ${c[engine]}`).join(', ');
}

/** What a files table stores about one import besides its counts (as JSON text). */
interface StoredAccounting {
  skipped?: Record<string, number>;
  examples?: string[];
  nonDataLines?: number;
  notes?: string[];
  directionality?: FileAccounting['directionality'];
  precomputed?: boolean;
}

/** The JSON text a files table keeps for one import (skipped by reason, examples, notes, kind). */
export function encodeAccounting(a: Omit<FileAccounting, 'path' | 'alreadyImported'>): string {
  const stored: StoredAccounting = {
    skipped: a.skipped,
    examples: a.examples,
    nonDataLines: a.nonDataLines ?? 0,
    notes: a.notes ?? [],
    ...(a.directionality ? { directionality: a.directionality } : {}),
    ...(a.precomputed ? { precomputed: true } : {}),
  };
  return JSON.stringify(stored);
}

/** A files-table row back to the accounting the import returned. */
export function decodeAccounting(row: {
  path: string;
  format: string;
  dataRows: number;
  used: number;
  json: string;
}): FileAccounting {
  const extra = JSON.parse(row.json || '{}') as StoredAccounting;
  return {
    path: row.path,
    format: row.format,
    dataRows: row.dataRows,
    used: row.used,
    skipped: extra.skipped ?? {},
    examples: extra.examples ?? [],
    nonDataLines: extra.nonDataLines ?? 0,
    notes: extra.notes ?? [],
    ...(extra.directionality ? { directionality: extra.directionality } : {}),
    ...(extra.precomputed ? { precomputed: true } : {}),
  };
}

/** Summary totals over the imported files (the time range is the engine's to ask). */
export function summarizeFiles(files: FileAccounting[]): Omit<DataSummary, 'timeRange'> {
  const skippedByReason: Record<string, number> = {};
  let flowsRead = 0;
  let flowsUsed = 0;
  for (const f of files) {
    flowsRead += f.dataRows;
    flowsUsed += f.used;
    for (const [reason, n] of Object.entries(f.skipped))
      skippedByReason[reason] = (skippedByReason[reason] ?? 0) + n;
  }
  return { files, flowsRead, flowsUsed, skippedByReason };
}

/**
 * A number from an engine's result (DuckDB's BIGINT arrives as bigint, ClickHouse's JSON as number
 * or numeric text); NaN for NULL or anything else.
 */
export function decodeNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** Text from an engine's result; null for NULL. */
export function decodeText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Lines a reader could not split into rows, and lines that are not data (a tool's trailer). */
export interface Rejects {
  rejected: number;
  /** A few of them, "line 17: …", for the user. */
  examples: string[];
  nonDataLines: number;
}

/**
 * One file's accounting from what the import stored (`used`, rows skipped by reason), the lines the
 * reader rejected and what the plan skipped before the engine saw the file (invalid UTF-8 lines);
 * a compressed file that ended early gets a note. Invariant: used + Σ skipped = dataRows.
 */
export function importAccounting(
  plan: ImportPlan,
  used: number,
  skippedRows: Record<string, number>,
  rejects: Rejects,
): Omit<FileAccounting, 'alreadyImported'> {
  const skipped = { ...skippedRows };
  if (rejects.rejected > 0)
    skipped[SKIP_REASONS.malformedLine] = (skipped[SKIP_REASONS.malformedLine] ?? 0) + rejects.rejected;
  for (const [reason, count] of Object.entries(plan.preSkipped ?? {})) {
    if (count > 0) skipped[reason] = (skipped[reason] ?? 0) + count;
  }
  const dataRows = used + Object.values(skipped).reduce((a, b) => a + b, 0);
  return {
    path: plan.path,
    format: plan.format,
    dataRows,
    used,
    skipped,
    examples: rejects.examples,
    nonDataLines: rejects.nonDataLines,
    notes: plan.truncated
      ? [...(plan.notes ?? []), truncatedNote(plan.truncated, dataRows)]
      : (plan.notes ?? []),
    ...(plan.kind !== 'precomputed' && plan.directionality ? { directionality: plan.directionality } : {}),
    ...(plan.kind === 'precomputed' ? { precomputed: true } : {}),
  };
}

/**
 * Change detection's windows (WindowQuery): a flow is in its window's dense part when a neighbour
 * is at most this many times the window's median gap away — spurt flows are seconds apart, the
 * check-ins around them a period.
 */
export const DENSE_GAP_FACTOR = 2;

/** A window may slide by a hop of at least 1/64 of its length: each flow is in at most 64 windows. */
const MAX_WINDOWS_PER_FLOW = 64;

/** Validated window length, hop and the number of windows each flow falls into. */
export function windowShape(query: WindowQuery): { window: number; hop: number; k: number } {
  const window = query.windowSeconds;
  const hop = query.hopSeconds ?? window;
  if (!(Number.isFinite(window) && window > 0 && Number.isFinite(hop) && hop > 0)) {
    throw new InputError(`window and hop must be positive seconds (got ${window}, ${hop})`);
  }
  const k = window / hop;
  if (!Number.isInteger(k) || k > MAX_WINDOWS_PER_FLOW) {
    throw new InputError(
      `the window (${window} s) must be a whole multiple (at most ${MAX_WINDOWS_PER_FLOW}) of the hop (${hop} s)`,
    );
  }
  return { window, hop, k };
}

/** The columns of one pair's windows, in the order every engine's window query returns them after src, dst. */
export const WINDOW_SERIES_COLUMNS = [
  'index',
  'flows',
  'firstTs',
  'lastTs',
  'gapMedian',
  'respBytes',
  'origBytes',
  'respDistinct',
  'respModeSize',
  'respModeCount',
  'origDistinct',
  'origModeSize',
  'origModeCount',
  'dport',
  'oddFirstTs',
  'oddLastTs',
  'denseFirstTs',
  'denseLastTs',
] as const satisfies readonly (keyof PairWindowSeries)[];

/**
 * Cuts rows sorted by (src, dst, window) into one PairWindowSeries per pair, handed to `visit` when
 * the next pair begins (memory holds one pair). `value(c)` reads column c of WINDOW_SERIES_COLUMNS.
 */
export function windowSeriesCollector(visit: (series: PairWindowSeries) => void): {
  add(src: string, dst: string, value: (column: number) => number): void;
  end(): void;
} {
  let current: { src: string; dst: string; columns: number[][] } | undefined;
  const flush = () => {
    if (!current) return;
    const series = { src: current.src, dst: current.dst } as PairWindowSeries;
    WINDOW_SERIES_COLUMNS.forEach((name, i) => {
      series[name] = Float64Array.from(current?.columns[i] ?? []);
    });
    visit(series);
  };
  return {
    add(src, dst, value) {
      if (!current || current.src !== src || current.dst !== dst) {
        flush();
        current = { src, dst, columns: WINDOW_SERIES_COLUMNS.map(() => []) };
      }
      for (let c = 0; c < WINDOW_SERIES_COLUMNS.length; c++) (current.columns[c] as number[]).push(value(c));
    },
    end() {
      flush();
      current = undefined;
    },
  };
}
