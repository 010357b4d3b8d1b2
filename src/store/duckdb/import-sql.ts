import { type CanonicalField, CANONICAL_FIELDS, FIELD_KINDS, REQUIRED_FIELDS, SKIP_REASONS } from '../../flow/schema.js';
import type { ImportPlan, ValueSource } from '../../read/plan.js';

/*
 * SQL that turns raw text columns (r0, r1, …) into canonical, validated values, plus the reason a
 * row is skipped. Only identifiers we generate and constants we write appear in the SQL text; every
 * value from a file is read by DuckDB itself or passed as a parameter.
 */

const IPV4 =
  '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$';
// Loose IPv6 shape (hex groups, ::, optional embedded IPv4, optional zone); exact parsing would
// need the inet extension, which is not bundled.
const IPV6 = '^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}(:[0-9.]{7,15})?(%[0-9a-z_.\\-]{1,32})?$';
/** Largest integer a double holds exactly; byte counts above it are not believable. */
const MAX_COUNT = 9007199254740991;
const MAX_TEXT = 1024;

const raw = (column: number) => `nullif(trim(r${column}), '')`;

function numeric(source: ValueSource): string {
  const value = `TRY_CAST(${raw(source.column)} AS DOUBLE)`;
  return source.scale ? `(${value} * ${Number(source.scale)})` : value;
}

function time(column: number): string {
  const r = raw(column);
  return `coalesce(TRY_CAST(${r} AS DOUBLE), epoch(TRY_CAST(${r} AS TIMESTAMPTZ)))`;
}

/** Converted value of one alternative, NULL when absent or invalid. */
function convert(field: CanonicalField, source: ValueSource): string {
  const r = raw(source.column);
  switch (FIELD_KINDS[field]) {
    case 'time':
      return `(CASE WHEN isfinite(${time(source.column)}) AND ${time(source.column)} >= 0 THEN ${time(source.column)} END)`;
    case 'seconds': {
      const v = source.endMinusStart !== undefined ? `(${time(source.column)} - ${time(source.endMinusStart)})` : numeric(source);
      return `(CASE WHEN isfinite(${v}) AND ${v} >= 0 THEN ${v} END)`;
    }
    case 'port': {
      const v = numeric(source);
      return `(CASE WHEN ${v} BETWEEN 0 AND 65535 AND ${v} = floor(${v}) THEN ${v}::INTEGER END)`;
    }
    case 'count': {
      const v = numeric(source);
      return `(CASE WHEN ${v} BETWEEN 0 AND ${MAX_COUNT} AND ${v} = floor(${v}) THEN ${v}::BIGINT END)`;
    }
    case 'address': {
      // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address.
      const a = `regexp_replace(lower(${r}), '^::ffff:([0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+)$', '\\1')`;
      return `(CASE WHEN regexp_full_match(${a}, '${IPV4}') OR regexp_full_match(${a}, '${IPV6}') THEN ${a} END)`;
    }
    case 'lowertext':
      return `left(regexp_replace(lower(${r}), '^stream:', ''), ${MAX_TEXT})`;
    case 'text':
      return `left(${r}, ${MAX_TEXT})`;
  }
}

function fieldValue(plan: ImportPlan, field: CanonicalField): string {
  const sources = plan.fields[field] ?? [];
  if (sources.length === 0) return 'NULL';
  const values = sources.map((s) => convert(field, s));
  return values.length === 1 ? (values[0] as string) : `coalesce(${values.join(', ')})`;
}

/** True when some alternative of the field has a raw value. */
function fieldPresent(plan: ImportPlan, field: CanonicalField): string {
  const sources = plan.fields[field] ?? [];
  if (sources.length === 0) return 'false';
  return `(${sources.map((s) => `${raw(s.column)} IS NOT NULL`).join(' OR ')})`;
}

/** Present but not convertible. */
function fieldBad(plan: ImportPlan, field: CanonicalField): string {
  return `(${fieldPresent(plan, field)} AND ${fieldValue(plan, field)} IS NULL)`;
}

const BY_KIND = (kind: string) => CANONICAL_FIELDS.filter((f) => FIELD_KINDS[f] === kind);

/** The CASE expression naming why a row cannot be used (NULL when it can). */
export function skipReasonSql(plan: ImportPlan, jsonCheck?: string): string {
  const whens: string[] = [];
  if (jsonCheck) whens.push(`WHEN NOT ${jsonCheck} THEN '${SKIP_REASONS.badJson}'`);
  if (plan.eventFilter) {
    const { column, pattern } = plan.eventFilter;
    whens.push(
      `WHEN ${raw(column)} IS NOT NULL AND NOT regexp_matches(${raw(column)}, '${pattern.replace(/'/g, "''")}') THEN '${SKIP_REASONS.nonFlowEvent}'`,
    );
  }
  const missing = REQUIRED_FIELDS.map((f) => `NOT ${fieldPresent(plan, f)}`).join(' OR ');
  whens.push(`WHEN ${missing} THEN '${SKIP_REASONS.missingField}'`);
  whens.push(`WHEN ${fieldBad(plan, 'ts')} THEN '${SKIP_REASONS.badTimestamp}'`);
  const addresses = BY_KIND('address').map((f) => fieldBad(plan, f));
  whens.push(`WHEN ${addresses.join(' OR ')} THEN '${SKIP_REASONS.badAddress}'`);
  const ports = BY_KIND('port').map((f) => fieldBad(plan, f));
  whens.push(`WHEN ${ports.join(' OR ')} THEN '${SKIP_REASONS.badPort}'`);
  const numbers = [...BY_KIND('count'), ...BY_KIND('seconds')].map((f) => fieldBad(plan, f));
  whens.push(`WHEN ${numbers.join(' OR ')} THEN '${SKIP_REASONS.badNumber}'`);
  return `CASE ${whens.join(' ')} END`;
}

/** SELECT list producing the canonical columns in table order. */
export function canonicalSelectSql(plan: ImportPlan): string {
  return CANONICAL_FIELDS.map((f) => `${fieldValue(plan, f)} AS ${f}`).join(',\n  ');
}

export function rawColumnNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `r${i}`);
}
