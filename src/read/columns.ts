import type { CanonicalField } from '../flow/schema.js';
import { InputError } from '../util/errors.js';
import type { FieldMapping, ValueSource } from './plan.js';

/** Finds raw columns by name: case-insensitive, first occurrence, first candidate that exists. */
export type ColumnFinder = (...candidates: string[]) => number | undefined;

export function columnFinder(
  names: readonly string[],
  normalise: (name: string) => string = (n) => n.trim().toLowerCase(),
): ColumnFinder {
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    const key = normalise(name);
    if (!index.has(key)) index.set(key, i);
  });
  return (...candidates) => {
    for (const c of candidates) {
      const i = index.get(normalise(c));
      if (i !== undefined) return i;
    }
    return undefined;
  };
}

/** A header that names one column twice is ambiguous: an error naming the column. */
export function rejectDuplicateColumns(names: readonly string[], path: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.trim().toLowerCase();
    if (key === '') continue;
    if (seen.has(key)) throw new InputError(`duplicated column "${name.trim()}" in the header`, path, 1);
    seen.add(key);
  }
}

/**
 * A mapping from a table of canonical field → accepted column names (plain columns, first name
 * found wins). Fields with a special source (end − start, a difference) are added by the reader.
 */
export function mappingFromNames(
  table: Partial<Record<CanonicalField, readonly string[]>>,
  find: ColumnFinder,
  extra: Partial<ValueSource> = {},
): FieldMapping {
  const fields: FieldMapping = {};
  for (const [field, names] of Object.entries(table) as [CanonicalField, readonly string[]][]) {
    const column = find(...names);
    if (column !== undefined) fields[field] = [{ column, ...extra }];
  }
  return fields;
}

/** Throws a clear error when a required field has no column. */
export function requireFields(
  fields: FieldMapping,
  required: readonly CanonicalField[],
  what: string,
  path: string,
): void {
  const missing = required.filter((f) => !fields[f]?.length);
  if (missing.length) throw new InputError(`${what} has no column for ${missing.join(', ')}`, path, 1);
}
