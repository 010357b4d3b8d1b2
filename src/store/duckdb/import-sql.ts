import { type CanonicalField, CANONICAL_FIELDS, FIELD_KINDS, REQUIRED_FIELDS, SKIP_REASONS } from '../../flow/schema.js';
import type { ImportPlan, ValueSource } from '../../read/plan.js';

/*
 * SQL that turns raw text columns (r0, r1, …) into canonical, validated values, plus the reason a
 * row is skipped. Only identifiers we generate and constants we write appear in the SQL text; every
 * value from a file is read by DuckDB itself or passed as a parameter.
 *
 * Built in layers so each value is parsed once per row:
 *   a<i>          trimmed raw text of raw column i (NULL when empty)
 *   x_<f>_<k>     alternative k of field f, parsed (numbers as DOUBLE, times as epoch seconds)
 *   v_<f>, p_<f>  the field's valid value (first valid alternative) and whether any text was there
 *   final         canonical columns and skip_reason
 */

const IPV4 =
  '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$';
// Loose IPv6 shape (hex groups, ::, optional embedded IPv4, optional zone); exact parsing would
// need the inet extension, which is not bundled.
const IPV6 = '^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}(:[0-9.]{7,15})?(%[0-9a-z_.\\-]{1,32})?$';
/** Largest integer a double holds exactly; byte counts above it are not believable. */
const MAX_COUNT = 9007199254740991;
const MAX_TEXT = 1024;

const timeOf = (a: string) => `coalesce(TRY_CAST(${a} AS DOUBLE), epoch(TRY_CAST(${a} AS TIMESTAMPTZ)))`;

/** Layer 2: one alternative parsed, before validation. */
function parsed(field: CanonicalField, s: ValueSource): string {
  const a = `a${s.column}`;
  switch (FIELD_KINDS[field]) {
    case 'time':
      return timeOf(a);
    case 'seconds':
      if (s.endMinusStart !== undefined) return `(${timeOf(a)} - ${timeOf(`a${s.endMinusStart}`)})`;
      return s.scale ? `(TRY_CAST(${a} AS DOUBLE) * ${Number(s.scale)})` : `TRY_CAST(${a} AS DOUBLE)`;
    case 'port':
    case 'count':
      return s.scale ? `(TRY_CAST(${a} AS DOUBLE) * ${Number(s.scale)})` : `TRY_CAST(${a} AS DOUBLE)`;
    case 'address':
      // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address.
      return `regexp_replace(lower(${a}), '^::ffff:([0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+)$', '\\1')`;
    case 'lowertext':
      return `left(regexp_replace(lower(${a}), '^stream:', ''), ${MAX_TEXT})`;
    case 'text':
      return `left(${a}, ${MAX_TEXT})`;
  }
}

/** Layer 3: the parsed value `x` if valid, else NULL. */
function valid(field: CanonicalField, x: string): string {
  switch (FIELD_KINDS[field]) {
    case 'time':
    case 'seconds':
      return `CASE WHEN isfinite(${x}) AND ${x} >= 0 THEN ${x} END`;
    case 'port':
      return `CASE WHEN ${x} BETWEEN 0 AND 65535 AND ${x} = floor(${x}) THEN ${x}::INTEGER END`;
    case 'count':
      return `CASE WHEN ${x} BETWEEN 0 AND ${MAX_COUNT} AND ${x} = floor(${x}) THEN ${x}::BIGINT END`;
    case 'address':
      return `CASE WHEN regexp_full_match(${x}, '${IPV4}') OR regexp_full_match(${x}, '${IPV6}') THEN ${x} END`;
    case 'lowertext':
    case 'text':
      return x;
  }
}

const BY_KIND = (kind: string) => CANONICAL_FIELDS.filter((f) => FIELD_KINDS[f] === kind);

/**
 * The full SELECT over `source` (which yields r0…rN, and `j` for JSON lines when `jsonCheck`).
 * Output columns: the canonical fields in table order, then skip_reason.
 */
export function importSelectSql(plan: ImportPlan, source: string, jsonCheck?: string): string {
  const used = new Set<number>();
  for (const sources of Object.values(plan.fields)) {
    for (const s of sources ?? []) {
      used.add(s.column);
      if (s.endMinusStart !== undefined) used.add(s.endMinusStart);
    }
  }
  if (plan.eventFilter) used.add(plan.eventFilter.column);
  const layer1 = [...used].map((i) => `nullif(trim(r${i}), '') AS a${i}`);
  if (jsonCheck) layer1.push(`${jsonCheck} AS json_ok`);

  const layer2: string[] = [...used].map((i) => `a${i}`);
  if (jsonCheck) layer2.push('json_ok');
  const layer3: string[] = [];
  for (const field of CANONICAL_FIELDS) {
    const sources = plan.fields[field] ?? [];
    sources.forEach((s, k) => layer2.push(`${parsed(field, s)} AS x_${field}_${k}`));
    const values = sources.map((_, k) => valid(field, `x_${field}_${k}`));
    layer3.push(`${values.length === 0 ? 'NULL' : values.length === 1 ? values[0] : `coalesce(${values.join(', ')})`} AS v_${field}`);
    const present = sources.map((s) => `a${s.column} IS NOT NULL`);
    layer3.push(`${present.length ? `(${present.join(' OR ')})` : 'false'} AS p_${field}`);
  }
  if (jsonCheck) layer3.push('json_ok');
  if (plan.eventFilter) layer3.push(`a${plan.eventFilter.column} AS event_type`);

  const bad = (f: CanonicalField) => `(p_${f} AND v_${f} IS NULL)`;
  const whens: string[] = [];
  if (jsonCheck) whens.push(`WHEN NOT json_ok THEN '${SKIP_REASONS.badJson}'`);
  if (plan.eventFilter) {
    const pattern = plan.eventFilter.pattern.replace(/'/g, "''");
    whens.push(`WHEN event_type IS NOT NULL AND NOT regexp_matches(event_type, '${pattern}') THEN '${SKIP_REASONS.nonFlowEvent}'`);
  }
  whens.push(`WHEN ${REQUIRED_FIELDS.map((f) => `NOT p_${f}`).join(' OR ')} THEN '${SKIP_REASONS.missingField}'`);
  whens.push(`WHEN ${bad('ts')} THEN '${SKIP_REASONS.badTimestamp}'`);
  whens.push(`WHEN ${BY_KIND('address').map(bad).join(' OR ')} THEN '${SKIP_REASONS.badAddress}'`);
  whens.push(`WHEN ${BY_KIND('port').map(bad).join(' OR ')} THEN '${SKIP_REASONS.badPort}'`);
  whens.push(`WHEN ${[...BY_KIND('count'), ...BY_KIND('seconds')].map(bad).join(' OR ')} THEN '${SKIP_REASONS.badNumber}'`);
  const final = [...CANONICAL_FIELDS.map((f) => `v_${f} AS ${f}`), `CASE ${whens.join(' ')} END AS skip_reason`];

  return `SELECT ${final.join(', ')}
    FROM (SELECT ${layer3.join(', ')}
      FROM (SELECT ${layer2.join(', ')}
        FROM (SELECT ${layer1.join(', ')} FROM ${source})))`;
}

export function rawColumnNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `r${i}`);
}
