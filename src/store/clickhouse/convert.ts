import {
  CANONICAL_FIELDS,
  type CanonicalField,
  FIELD_KINDS,
  type FieldKind,
  type Flow,
  REQUIRED_FIELDS,
  SKIP_REASONS,
} from '../../flow/schema.js';
import { IP_PROTOCOLS, IPV4_PATTERN, IPV6_PATTERN, MAX_COUNT, MAX_TEXT } from '../../flow/validation.js';
import type { DelimitedPlan, JsonLinesPlan, ValueSource } from '../../read/plan.js';
import {
  compileStrptime,
  duckDouble,
  duckEpoch,
  duckHexInteger,
  duckLeft,
  duckLower,
  duckTrim,
} from './duck-cast.js';

/** The plans whose rows are flows (the seed's precomputed output is not a flow log). */
export type FlowPlan = DelimitedPlan | JsonLinesPlan;

/*
 * One raw row → one canonical flow, or the reason it is skipped: the JavaScript twin of the DuckDB
 * import SQL (src/store/duckdb/import-sql.ts), layer by layer, for engines that receive rows from
 * us instead of reading files themselves (ClickHouse). Pure; checked against DuckDB value by value
 * in test/clickhouse-convert.test.ts.
 *
 *   a[i]      trimmed raw text of raw column i (null when empty)
 *   x         one alternative of a field, parsed (numbers as doubles, times as epoch seconds)
 *   v, p      the field's first valid alternative, and whether any of its columns had text
 */

const IPV4 = new RegExp(IPV4_PATTERN);
const IPV6 = new RegExp(IPV6_PATTERN);
const MAPPED_V4 = /^::ffff:([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)$/;

/** A raw row: the text of each raw column by position, null for NULL (a null marker or absent). */
export type RawRow = readonly (string | null)[];

/** A flow, or the skip reason (one of SKIP_REASONS' values). */
export type Conversion = Flow | string;

function defaultTime(a: string | null): number | null {
  if (a === null) return null;
  const d = duckDouble(a);
  return d !== null ? d : duckEpoch(a);
}

function timeParser(format: string | undefined): (a: string | null) => number | null {
  if (format === undefined) return defaultTime;
  const parse = compileStrptime(format);
  return (a) => (a === null ? null : parse(a));
}

function numberOf(a: string | null, hex: boolean): number | null {
  if (a === null) return null;
  const d = duckDouble(a);
  if (d !== null || !hex) return d;
  return a.length > 1 && (a[1] === 'x' || a[1] === 'X') && a[0] === '0' ? duckHexInteger(a) : null;
}

function parser(kind: FieldKind, s: ValueSource): (a: (string | null)[]) => number | string | null {
  const col = s.column;
  const scale = s.scale;
  switch (kind) {
    case 'time': {
      const timeOf = timeParser(s.timeFormat);
      return (a) => timeOf(a[col] ?? null);
    }
    case 'seconds': {
      const start = s.endMinusStart;
      if (start !== undefined) {
        const timeOf = timeParser(s.timeFormat);
        return (a) => {
          const end = timeOf(a[col] ?? null);
          const begin = timeOf(a[start] ?? null);
          return end === null || begin === null ? null : end - begin;
        };
      }
      return (a) => {
        const v = a[col];
        if (v === null || v === undefined) return null;
        const d = duckDouble(v);
        return d === null ? null : scale ? d * scale : d;
      };
    }
    case 'port':
    case 'count': {
      const hex = s.hex === true;
      const minus = s.minus;
      return (a) => {
        let x = numberOf(a[col] ?? null, hex);
        if (minus !== undefined) {
          const y = numberOf(a[minus] ?? null, false);
          x = x === null || y === null ? null : x - y;
        }
        return x === null ? null : scale ? x * scale : x;
      };
    }
    case 'address':
      return (a) => {
        const v = a[col];
        if (v === null || v === undefined) return null;
        return duckLower(v).replace(MAPPED_V4, '$1');
      };
    case 'lowertext':
      return (a) => {
        const v = a[col];
        if (v === null || v === undefined) return null;
        const named = IP_PROTOCOLS[v];
        if (named !== undefined) return named;
        const lower = duckLower(v);
        return duckLeft(lower.startsWith('stream:') ? lower.slice(7) : lower, MAX_TEXT);
      };
    case 'text':
      return (a) => {
        const v = a[col];
        return v === null || v === undefined ? null : duckLeft(v, MAX_TEXT);
      };
  }
}

function validator(kind: FieldKind): (x: number | string | null) => number | string | null {
  switch (kind) {
    case 'time':
    case 'seconds':
      return (x) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : null);
    case 'port':
      return (x) => (typeof x === 'number' && x >= 0 && x <= 65535 && x === Math.floor(x) ? x : null);
    case 'count':
      return (x) => (typeof x === 'number' && x >= 0 && x <= MAX_COUNT && x === Math.floor(x) ? x : null);
    case 'address':
      return (x) => (typeof x === 'string' && (IPV4.test(x) || IPV6.test(x)) ? x : null);
    case 'lowertext':
    case 'text':
      return (x) => x;
  }
}

interface FieldProgram {
  field: CanonicalField;
  kind: FieldKind;
  /** Per alternative, the raw columns that must all have text for it to count as present. */
  presence: number[][];
  alternatives: { parse: (a: (string | null)[]) => number | string | null }[];
  valid: (x: number | string | null) => number | string | null;
}

/** The raw columns a plan reads (value sources, end-minus-start partners, the event filter). */
export function usedColumns(plan: FlowPlan): number[] {
  const used = new Set<number>();
  for (const sources of Object.values(plan.fields)) {
    for (const s of sources ?? []) {
      used.add(s.column);
      if (s.endMinusStart !== undefined) used.add(s.endMinusStart);
      if (s.minus !== undefined) used.add(s.minus);
    }
  }
  if (plan.eventFilter) used.add(plan.eventFilter.column);
  for (const rule of plan.skipRules ?? []) used.add(rule.column);
  return [...used].sort((x, y) => x - y);
}

/**
 * Compile a plan into a row converter. `jsonOk` false means the line was not a JSON object
 * (JSON-lines plans): the row is skipped as invalid JSON before anything else, as in DuckDB.
 */
export function compileConverter(plan: FlowPlan): (raw: RawRow, jsonOk?: boolean) => Conversion {
  const used = usedColumns(plan);
  const width = used.length ? (used[used.length - 1] as number) + 1 : 0;
  const programs: FieldProgram[] = CANONICAL_FIELDS.map((field) => {
    const kind = FIELD_KINDS[field];
    const sources = plan.fields[field] ?? [];
    return {
      field,
      kind,
      presence: sources.map((s) => [
        s.column,
        ...(s.endMinusStart !== undefined ? [s.endMinusStart] : []),
        ...(s.minus !== undefined ? [s.minus] : []),
      ]),
      alternatives: sources.map((s) => ({ parse: parser(kind, s) })),
      valid: validator(kind),
    };
  });
  const byField = new Map(programs.map((p) => [p.field, p]));
  const required = REQUIRED_FIELDS.map((f) => byField.get(f) as FieldProgram);
  const kindFields = (...kinds: FieldKind[]) => programs.filter((p) => kinds.includes(p.kind));
  const checks: [FieldProgram[], string][] = [
    [kindFields('time'), SKIP_REASONS.badTimestamp],
    [kindFields('address'), SKIP_REASONS.badAddress],
    [kindFields('port'), SKIP_REASONS.badPort],
    [kindFields('count', 'seconds'), SKIP_REASONS.badNumber],
  ];
  const event = plan.eventFilter
    ? { column: plan.eventFilter.column, pattern: new RegExp(plan.eventFilter.pattern) }
    : undefined;
  const rules = (plan.skipRules ?? []).map((r) => ({
    column: r.column,
    pattern: new RegExp(r.pattern),
    reason: r.reason,
  }));
  const a: (string | null)[] = new Array(width).fill(null);
  const present = (p: FieldProgram) => p.presence.some((cols) => cols.every((c) => a[c] !== null));

  return (raw, jsonOk = true) => {
    for (const i of used) {
      const v = raw[i];
      if (v === null || v === undefined) a[i] = null;
      else {
        const t = duckTrim(v);
        a[i] = t === '' ? null : t;
      }
    }
    if (!jsonOk) return SKIP_REASONS.badJson;
    if (event) {
      const e = a[event.column];
      if (e !== null && e !== undefined && !event.pattern.test(e)) return SKIP_REASONS.nonFlowEvent;
    }
    for (const rule of rules) if (rule.pattern.test(a[rule.column] ?? '')) return rule.reason;
    if (required.some((p) => !present(p))) return SKIP_REASONS.missingField;
    const values = {} as Record<CanonicalField, number | string | null>;
    for (const p of programs) {
      let v: number | string | null = null;
      for (const alt of p.alternatives) {
        v = p.valid(alt.parse(a));
        if (v !== null) break;
      }
      values[p.field] = v;
    }
    for (const [fields, reason] of checks) {
      for (const p of fields) if (values[p.field] === null && present(p)) return reason;
    }
    return values as unknown as Flow;
  };
}

/**
 * A tool's trailer row (nfdump's Summary), which is not data: the plan's `trailer` pattern matches
 * the trimmed first raw column (DuckDB: `WHERE NOT coalesce(regexp_matches(trim(r0), …), false)`).
 */
export function trailerTest(plan: FlowPlan): ((raw: RawRow) => boolean) | undefined {
  if (plan.kind !== 'delimited' || !plan.trailer) return undefined;
  const pattern = new RegExp(plan.trailer);
  return (raw) => {
    const first = raw[0];
    return first !== null && first !== undefined && pattern.test(duckTrim(first));
  };
}
