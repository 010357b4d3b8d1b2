/*
 * The ONE place where a value becomes ClickHouse SQL text.
 *
 * ClickHouse 18.16 (Debian's) has no query parameters, so every literal in a query is written by
 * these functions and nothing else: strings, finite numbers, identifiers we chose (a fixed
 * allowlist) and names the user configured (database, table, cluster: a strict pattern). The
 * engine's SQL builders never paste a value any other way; review this file when reviewing SQL.
 *
 * String literals: ClickHouse reads `'…'` with backslash escapes. We escape the backslash and the
 * quote, and write every other byte below 0x20 (and 0x7F) as `\xHH`, which 18.16 and current
 * releases decode the same way; everything else (UTF-8 text, emoji, right-to-left marks) is sent
 * as is. A JS string with a lone surrogate has no UTF-8 form and is refused rather than silently
 * changed into U+FFFD.
 */

import { CANONICAL_FIELDS } from '../../flow/schema.js';

/** Our own table and column names: nothing else may be written as a bare identifier. */
const ALLOWED_IDENTIFIERS = new Set<string>([
  // columns of the flows table
  ...CANONICAL_FIELDS,
  'file_id',
  // columns of the files table
  'fingerprint',
  'path',
  'format',
  'data_rows',
  'used',
  'accounting_json',
  'imported_at',
  // the internal-sources table
  'internal_sources',
  // the import's converted rows (in DuckDB, see duckdbTsvColumn)
  'skip_reason',
]);

/** Database, table and cluster names the user configures: plain ASCII words. */
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class SqlValueError extends Error {
  override name = 'SqlValueError';
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return true;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** A string literal, quotes included. */
export function sqlString(value: string): string {
  if (typeof value !== 'string') throw new SqlValueError(`not a string: ${typeof value}`);
  if (hasLoneSurrogate(value))
    throw new SqlValueError('string with a lone UTF-16 surrogate has no UTF-8 form');
  let out = "'";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x27) out += "\\'";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += value[i];
  }
  return `${out}'`;
}

/** A numeric literal; NaN and ±Infinity are refused (their SQL spelling differs between versions). */
export function sqlNumber(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SqlValueError(`not a finite number: ${String(value)}`);
  }
  if (Object.is(value, -0)) return '0';
  // String() writes the shortest text that reads back as the same double ("1e-7", "1.5e+21"),
  // which ClickHouse parses as a number literal.
  const text = String(value);
  return value < 0 ? `(${text})` : text;
}

/** A non-negative integer (limits, counts, ids). */
export function sqlInteger(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new SqlValueError(`not a non-negative integer: ${String(value)}`);
  return String(value);
}

/** One of our own identifiers (allowlist), backquoted. */
export function sqlIdentifier(name: string): string {
  if (!ALLOWED_IDENTIFIERS.has(name))
    throw new SqlValueError(`identifier not on the allowlist: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** True when `name` may be used as a database, table or cluster name. */
export function isValidUserName(name: string): boolean {
  return USER_NAME.test(name);
}

/** A database, table or cluster name from the user's configuration, checked and backquoted. */
export function sqlUserName(name: string): string {
  if (!isValidUserName(name)) {
    throw new SqlValueError(
      `not a valid ClickHouse name (letters, digits, _; at most 63): ${JSON.stringify(name)}`,
    );
  }
  return `\`${name}\``;
}

/** `db`.`table` from two user names. */
export function sqlQualified(database: string, table: string): string {
  return `${sqlUserName(database)}.${sqlUserName(table)}`;
}

/** A parenthesised list of string literals for IN; an empty list is written as a list that matches nothing. */
export function sqlStringList(values: readonly string[]): string {
  if (values.length === 0) return "('')";
  return `(${values.map(sqlString).join(', ')})`;
}

/** A parenthesised list of integer literals for IN. */
export function sqlIntegerList(values: readonly number[]): string {
  if (values.length === 0) throw new SqlValueError('empty integer list');
  return `(${values.map(sqlInteger).join(', ')})`;
}

/*
 * TabSeparated data (the body of an INSERT, not SQL text): ClickHouse reads `\N` as NULL and
 * backslash escapes inside values. This is data, so it cannot change a statement, but a value must
 * still arrive unchanged: a tab, newline or backslash in a text field would otherwise shift columns.
 */
export function tsvText(value: string): string {
  let plain = true;
  for (let i = 0; i < value.length && plain; i++) {
    const c = value.charCodeAt(i);
    plain = c !== 0x5c && c >= 0x20 && c !== 0x7f;
  }
  if (plain) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x00) out += '\\0';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else out += value[i];
  }
  return out;
}

/** A TSV field: `\N` for NULL, numbers in their shortest round-trip text. */
export function tsvValue(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SqlValueError(`not a finite number: ${String(value)}`);
    return Object.is(value, -0) ? '0' : String(value);
  }
  return tsvText(value);
}

/** The escapes of tsvText as [character code, escape] pairs, backslash first. */
const TSV_ESCAPES: readonly [number, string][] = [
  [0x5c, '\\\\'],
  [0x09, '\\t'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x00, '\\0'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
];

/**
 * The import's TabSeparated, written by DuckDB (it reads the files; DuckDbEngine.exportFlows):
 * one column of the flows table as a DuckDB expression yielding the ClickHouse TSV field. Text gets
 * the escapes of tsvText (backslash first, so no escape is escaped twice); numbers are DuckDB's
 * shortest round-trip text; addresses passed the import's address check (hex digits, dots,
 * colons, a zone of [0-9a-z_.-]) and need none. NULL stays NULL (the export writes `\N`).
 */
export function duckdbTsvColumn(column: string, kind: 'text' | 'number' | 'address'): string {
  if (!ALLOWED_IDENTIFIERS.has(column))
    throw new SqlValueError(`identifier not on the allowlist: ${JSON.stringify(column)}`);
  const name = `"${column}"`; // DuckDB quotes identifiers with double quotes
  if (kind !== 'text') return name;
  return TSV_ESCAPES.reduce((x, [code, text]) => `replace(${x}, chr(${code}), '${text}')`, name);
}
