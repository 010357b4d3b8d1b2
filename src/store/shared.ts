import {
  CANONICAL_FIELDS,
  type CanonicalField,
  FIELD_KINDS,
  type FieldKind,
  REQUIRED_FIELDS,
  SKIP_REASONS,
} from '../flow/schema.js';
import type { FileAccounting, HeaderBytes, ImportPlan } from '../read/plan.js';
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
 * The largest header-only TCP packet, in bytes, where sizes include headers (docs/SCORING.md):
 * - `perPacket`: a bare segment (ACK, FIN, RST, the handshake's last step) — IPv4's 20-byte header
 *   and TCP's 20, plus Ethernet's 14 in a frame, padded there to Ethernet's 60-byte minimum frame;
 * - `perRecord`: the options of the two SYNs (MSS 4, window scale 3, SACK-permitted 2, timestamps
 *   10, one NOP: at most 20 bytes each way), which only the handshake carries.
 * Stacks that put the 12-byte timestamp option on every segment, and IPv6 (a 40-byte header), make
 * larger bare segments: their payload-free flows are not recognised (the demotion then does not
 * apply; nothing is ever demoted for a payload it had).
 */
export const HEADER_ONLY_TCP: Record<HeaderBytes, { perPacket: number; perRecord: number }> = {
  frame: { perPacket: 60, perRecord: 40 },
  ip: { perPacket: 40, perRecord: 40 },
};

/**
 * SQL true for a flow that carries no payload either way (`zero_byte_share`): both byte counts 0,
 * or — where sizes include headers — a TCP flow whose bytes are no more than its packets' bare
 * headers. Packets are the per-direction counts, else the format's total.
 */
export function noPayloadSql(headerBytes: HeaderBytes | undefined): string {
  const zero = 'coalesce(orig_bytes, 0) = 0 AND coalesce(resp_bytes, 0) = 0';
  if (!headerBytes) return `(${zero})`;
  const h = HEADER_ONLY_TCP[headerBytes];
  const packets = 'coalesce(pkts, coalesce(orig_pkts, 0) + coalesce(resp_pkts, 0))';
  return `((${zero}) OR (proto = 'tcp' AND ${packets} > 0
    AND coalesce(orig_bytes, 0) + coalesce(resp_bytes, 0) <= ${h.perPacket} * ${packets} + ${h.perRecord}))`;
}

/**
 * Engine.localMarks over a table: per address, whether a flow that marks at least one end local
 * marks it local (bool_or: an address marked local anywhere is local). `boolOr` is the dialect's
 * aggregate; `table` and `where` are the engine's own SQL.
 */
export function localMarksSql(table: string, where: string, boolOr: string): string {
  const marked = `${where} AND (local_orig OR local_resp)`;
  return `SELECT a, ${boolOr}(l) AS local FROM (
      SELECT src AS a, local_orig AS l FROM ${table} WHERE ${marked}
      UNION ALL SELECT dst AS a, local_resp AS l FROM ${table} WHERE ${marked}) GROUP BY a`;
}

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
  // ClickHouse 18.16 has no Bool; UInt8 0/1 is what its Bool is underneath
  flag: { duckdb: 'BOOLEAN', clickhouse: 'UInt8' },
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
  headerBytes?: FileAccounting['headerBytes'];
  precomputed?: boolean;
  names?: boolean;
}

/** The JSON text a files table keeps for one import (skipped by reason, examples, notes, kind). */
export function encodeAccounting(a: Omit<FileAccounting, 'path' | 'alreadyImported'>): string {
  const stored: StoredAccounting = {
    skipped: a.skipped,
    examples: a.examples,
    nonDataLines: a.nonDataLines ?? 0,
    notes: a.notes ?? [],
    ...(a.directionality ? { directionality: a.directionality } : {}),
    ...(a.headerBytes ? { headerBytes: a.headerBytes } : {}),
    ...(a.precomputed ? { precomputed: true } : {}),
    ...(a.names ? { names: true } : {}),
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
    ...(extra.headerBytes ? { headerBytes: extra.headerBytes } : {}),
    ...(extra.precomputed ? { precomputed: true } : {}),
    ...(extra.names ? { names: true } : {}),
  };
}

/**
 * Summary totals over the imported files (the time range is the engine's to ask). A name log's rows
 * name flows and are not flows: listed with the files, not counted in the flow totals.
 */
export function summarizeFiles(files: FileAccounting[]): Omit<DataSummary, 'timeRange'> {
  const skippedByReason: Record<string, number> = {};
  let flowsRead = 0;
  let flowsUsed = 0;
  for (const f of files) {
    if (f.names) continue;
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
    ...(plan.kind !== 'precomputed' && plan.headerBytes ? { headerBytes: plan.headerBytes } : {}),
    ...(plan.kind === 'precomputed' ? { precomputed: true } : {}),
    ...('nameFields' in plan ? { names: true } : {}),
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
