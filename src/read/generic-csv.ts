import { CANONICAL_FIELDS, type CanonicalField } from '../flow/schema.js';
import { InputError } from '../util/errors.js';
import { columnFinder, rejectDuplicateColumns } from './columns.js';
import type { DelimitedPlan, FieldMapping } from './plan.js';
import { type FileHead, headerColumns } from './sniff.js';

/**
 * Any delimited file with a header line, read through a column map: which column feeds which
 * canonical field. From the config file, e.g.
 *
 * ```yaml
 * csv:
 *   columns: { ts: start_time, src: source, dst: destination, dport: port,
 *              orig_bytes: sent, resp_bytes: received, end: end_time }
 *   time_format: '%d/%m/%Y %H:%M:%S'   # strptime; default: epoch seconds or ISO 8601
 * ```
 */
export interface ColumnMap {
  /** Canonical field → column name in the header (matched case-insensitively). */
  fields: Partial<Record<CanonicalField, string>>;
  /** A column holding the end time: duration = end − ts (when no duration column is mapped). */
  end?: string;
  /** strptime format of ts (and end), e.g. `%d/%m/%Y %H:%M:%S`; default epoch seconds or ISO 8601. */
  timeFormat?: string;
  /** The delimiter; default: sniffed from the header among , tab ; | */
  delimiter?: string;
}

const CONFIG_KEYS = ['columns', 'time_format', 'timeFormat', 'delimiter'];

/**
 * Validates a column map read from a config file (untrusted) and returns it; throws an InputError
 * naming what is wrong. Accepts `{ columns: {field: name, …, end?}, time_format?, delimiter? }` or
 * the flat form `{ field: name, …, time_format? }`.
 */
export function columnMapFromConfig(value: unknown, where = 'csv column map'): ColumnMap {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new InputError(`${where}: expected an object of field: column`);
  const obj = value as Record<string, unknown>;
  const nested = obj.columns !== undefined;
  const columns = (nested ? obj.columns : obj) as Record<string, unknown>;
  if (!columns || typeof columns !== 'object' || Array.isArray(columns))
    throw new InputError(`${where}: "columns" must be an object of field: column`);
  const map: ColumnMap = { fields: {} };
  for (const [key, name] of Object.entries(columns)) {
    if (!nested && CONFIG_KEYS.includes(key)) continue;
    if (typeof name !== 'string' || name.trim() === '')
      throw new InputError(`${where}: "${key}" must name a column`);
    if (key === 'end') map.end = name;
    else if ((CANONICAL_FIELDS as readonly string[]).includes(key)) map.fields[key as CanonicalField] = name;
    else
      throw new InputError(
        `${where}: unknown field "${key}" (known: ${[...CANONICAL_FIELDS, 'end'].join(', ')})`,
      );
  }
  const timeFormat = obj.time_format ?? obj.timeFormat;
  if (timeFormat !== undefined) {
    if (typeof timeFormat !== 'string' || !timeFormat.includes('%'))
      throw new InputError(`${where}: time_format must be a strptime format such as "%Y-%m-%d %H:%M:%S"`);
    map.timeFormat = timeFormat;
  }
  if (obj.delimiter !== undefined) {
    const d = obj.delimiter === '\\t' ? '\t' : obj.delimiter;
    if (typeof d !== 'string' || d.length !== 1)
      throw new InputError(`${where}: delimiter must be one character`);
    map.delimiter = d;
  }
  for (const required of ['ts', 'src', 'dst'] as const) {
    if (!map.fields[required]) throw new InputError(`${where}: map the "${required}" field to a column`);
  }
  return map;
}

export function genericCsvPlan(head: FileHead, map: ColumnMap): DelimitedPlan {
  const header = headerColumns(head, map.delimiter ? [map.delimiter] : undefined);
  if (!header)
    throw new InputError('no header line with two or more columns for the csv column map', head.path, 1);
  const { names, delimiter } = header;
  rejectDuplicateColumns(names, head.path);
  const find = columnFinder(names);
  const fields: FieldMapping = {};
  const missing: string[] = [];
  const columnOf = (name: string) => {
    const column = find(name);
    if (column === undefined) missing.push(name);
    return column;
  };
  for (const [field, name] of Object.entries(map.fields) as [CanonicalField, string][]) {
    const column = columnOf(name);
    if (column === undefined) continue;
    fields[field] = [{ column, ...(field === 'ts' && map.timeFormat ? { timeFormat: map.timeFormat } : {}) }];
  }
  const start = fields.ts?.[0]?.column;
  if (map.end !== undefined) {
    const end = columnOf(map.end);
    if (end !== undefined && start !== undefined && !fields.duration) {
      fields.duration = [
        { column: end, endMinusStart: start, ...(map.timeFormat ? { timeFormat: map.timeFormat } : {}) },
      ];
    }
  }
  if (missing.length) {
    throw new InputError(
      `the csv column map names ${missing.map((m) => `"${m}"`).join(', ')}, not in the header (columns: ${names.join(', ')})`,
      head.path,
      1,
    );
  }
  return {
    kind: 'delimited',
    format: 'csv',
    path: head.path,
    compression: head.compression,
    rawNames: names,
    fields,
    delimiter,
    quote: '"',
    comment: '',
    skipLines: 1,
    nullValues: [''],
  };
}
