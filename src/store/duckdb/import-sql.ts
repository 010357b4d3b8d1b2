import {
  CANONICAL_FIELDS,
  FIELD_KINDS,
  type FieldKind,
  REQUIRED_FIELDS,
  SKIP_REASONS,
} from '../../flow/schema.js';
import {
  EARLIEST_PLAUSIBLE_TIME,
  IP_PROTOCOLS,
  IPV4_PATTERN,
  IPV6_PATTERN,
  latestPlausibleTime,
  MAX_COUNT,
  MAX_TEXT,
} from '../../flow/validation.js';
import { NAME_FIELD_KINDS, NAME_FIELDS, NAME_REQUIRED_FIELDS, type NamePlan } from '../../read/names.js';
import type { DelimitedPlan, JsonLinesPlan, PrecomputedPlan, ValueSource } from '../../read/plan.js';

/*
 * SQL that turns raw text columns (r0, r1, …) into canonical, validated values, plus the reason a
 * row is skipped. Only identifiers we generate and constants we write appear in the SQL text; every
 * value from a file is read by DuckDB itself, and everything a plan carries (patterns, reasons, time
 * formats) is passed as a bound parameter.
 *
 * Built in layers so each value is parsed once per row:
 *   a<i>          trimmed raw text of raw column i (NULL when empty)
 *   x_<f>_<k>     alternative k of field f, parsed (numbers as DOUBLE, times as epoch seconds)
 *   v_<f>, p_<f>  the field's valid value (first valid alternative) and whether any text was there
 *   final         canonical columns and skip_reason
 */

/**
 * The row an import produces: its fields in table order, how each is parsed and validated, and
 * the fields without which a row is skipped. Flows by default; name logs (src/read/names.ts) too.
 */
export interface RowSchema {
  fields: readonly string[];
  kinds: Readonly<Record<string, FieldKind>>;
  required: readonly string[];
  /** Where the plan maps raw columns to this schema's fields. */
  mapping(plan: DelimitedPlan | JsonLinesPlan): Partial<Record<string, ValueSource[]>>;
}

export const FLOW_ROW_SCHEMA: RowSchema = {
  fields: CANONICAL_FIELDS,
  kinds: FIELD_KINDS,
  required: REQUIRED_FIELDS,
  mapping: (plan) => plan.fields,
};

/** Name logs (src/read/names.ts): their fields are in the plan's `nameFields`. */
export const NAME_ROW_SCHEMA: RowSchema = {
  fields: NAME_FIELDS,
  kinds: NAME_FIELD_KINDS,
  required: NAME_REQUIRED_FIELDS,
  mapping: (plan) => (plan as NamePlan).nameFields,
};

/** A SELECT and the parameters it binds. */
export interface SqlWithParams {
  sql: string;
  params: Record<string, string>;
}

/** Collects a plan's values as named parameters ($ip0, $ip1, …) instead of SQL text. */
class Params {
  readonly values: Record<string, string> = {};
  private n = 0;
  bind(value: string): string {
    const name = `ip${this.n++}`;
    this.values[name] = value;
    return `$${name}`;
  }
}

const timeOf = (a: string, format?: string) =>
  format
    ? `epoch(try_strptime(${a}, ${format}))`
    : `coalesce(TRY_CAST(${a} AS DOUBLE), epoch(TRY_CAST(${a} AS TIMESTAMPTZ)))`;

const numberOf = (a: string, hex = false) =>
  hex
    ? `coalesce(TRY_CAST(${a} AS DOUBLE), CASE WHEN starts_with(lower(${a}), '0x') THEN TRY_CAST(${a} AS BIGINT)::DOUBLE END)`
    : `TRY_CAST(${a} AS DOUBLE)`;

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address; IPv6 is compared lower-case. */
const addressOf = (a: string) =>
  `regexp_replace(lower(${a}), '^::ffff:([0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+)$', '\\1')`;

/** Layer 2: one alternative parsed, before validation. */
function parsed(kind: FieldKind, s: ValueSource, params: Params): string {
  const a = `a${s.column}`;
  const format = s.timeFormat === undefined ? undefined : params.bind(s.timeFormat);
  switch (kind) {
    case 'time':
      return timeOf(a, format);
    case 'seconds':
      if (s.endMinusStart !== undefined)
        return `(${timeOf(a, format)} - ${timeOf(`a${s.endMinusStart}`, format)})`;
      if (s.clock) {
        return `CASE WHEN regexp_full_match(${a}, '[0-9]+:[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?') THEN epoch(TRY_CAST(${a} AS INTERVAL)) ELSE TRY_CAST(${a} AS DOUBLE) END`;
      }
      return s.scale ? `(TRY_CAST(${a} AS DOUBLE) * ${Number(s.scale)})` : `TRY_CAST(${a} AS DOUBLE)`;
    case 'port':
    case 'count': {
      let x = numberOf(a, s.hex);
      if (s.abbreviated) {
        const unit = `CASE right(${a}, 1) WHEN 'K' THEN 1e3 WHEN 'M' THEN 1e6 WHEN 'G' THEN 1e9 WHEN 'T' THEN 1e12 END`;
        x = `CASE WHEN regexp_full_match(${a}, '[0-9]+(\\.[0-9]+)? ?[KMGT]') THEN round(TRY_CAST(regexp_extract(${a}, '^[0-9.]+') AS DOUBLE) * ${unit}) ELSE ${x} END`;
      }
      if (s.minus !== undefined) x = `(${x} - ${numberOf(`a${s.minus}`)})`;
      return s.scale ? `(${x} * ${Number(s.scale)})` : x;
    }
    case 'address':
      return addressOf(a);
    case 'lowertext': {
      const numbers = Object.entries(IP_PROTOCOLS)
        .map(([n, name]) => `WHEN '${n}' THEN '${name}'`)
        .join(' ');
      return `CASE ${a} ${numbers} ELSE left(regexp_replace(lower(${a}), '^stream:', ''), ${MAX_TEXT}) END`;
    }
    case 'text': {
      const pairs = Object.entries(s.values ?? {}).map(
        ([from, to]) => `WHEN ${params.bind(from)} THEN ${params.bind(to)}`,
      );
      return pairs.length
        ? `CASE ${a} ${pairs.join(' ')} ELSE left(${a}, ${MAX_TEXT}) END`
        : `left(${a}, ${MAX_TEXT})`;
    }
    case 'flag':
      return `CASE lower(${a}) WHEN 't' THEN true WHEN 'true' THEN true WHEN 'f' THEN false WHEN 'false' THEN false END`;
  }
}

/** Whether an alternative has text to parse (an absent value is not an error; a bad one is). */
function present(s: ValueSource): string {
  const parts = [`a${s.column} IS NOT NULL`];
  if (s.endMinusStart !== undefined) parts.push(`a${s.endMinusStart} IS NOT NULL`);
  if (s.minus !== undefined) parts.push(`a${s.minus} IS NOT NULL`);
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' AND ')})`;
}

/** Layer 3: the parsed value `x` if valid, else NULL. */
function valid(kind: FieldKind | undefined, x: string): string {
  switch (kind) {
    case 'time':
    case 'seconds':
      return `CASE WHEN isfinite(${x}) AND ${x} >= 0 THEN ${x} END`;
    case 'port':
      return `CASE WHEN ${x} BETWEEN 0 AND 65535 AND ${x} = floor(${x}) THEN ${x}::INTEGER END`;
    case 'count':
      return `CASE WHEN ${x} BETWEEN 0 AND ${MAX_COUNT} AND ${x} = floor(${x}) THEN ${x}::BIGINT END`;
    case 'address':
      return `CASE WHEN regexp_full_match(${x}, '${IPV4_PATTERN}') OR regexp_full_match(${x}, '${IPV6_PATTERN}') THEN ${x} END`;
    default:
      return x;
  }
}

/** `WHERE` that drops a tool's trailer rows (nfdump's Summary) from the data; '' when none. */
function trailerWhere(plan: { trailer?: string }, params: Params): string {
  return plan.trailer
    ? ` WHERE NOT coalesce(regexp_matches(trim(r0), ${params.bind(plan.trailer)}), false)`
    : '';
}

/**
 * The full SELECT over `source` (which yields r0…rN). `jsonCheck`: an expression false for a line
 * that is not a JSON object (skipped as invalid json); `lineCheck`: false for a line that does not
 * split into fields (skipped as a malformed line; the line-by-line CSV reading, see below).
 * Output columns: the schema's fields in table order (canonical flow fields by default), then
 * skip_reason, then `carry`, then `uid` when a uid column is given.
 */
export function importSelectSql(
  plan: DelimitedPlan | JsonLinesPlan,
  source: string,
  jsonCheck?: string,
  lineCheck?: string,
  /** Columns of `source` passed through unchanged after skip_reason (a batch's `filename`). */
  carry: readonly string[] = [],
  /** What rows are made (flows by default, name events) and the raw column kept as `uid` after skip_reason and `carry`. */
  rows: { schema?: RowSchema; uidColumn?: number } = {},
): SqlWithParams {
  const schema = rows.schema ?? FLOW_ROW_SCHEMA;
  const uidColumn = rows.uidColumn;
  const params = new Params();
  const used = new Set<number>();
  const mapping = schema.mapping(plan);
  const kindOf = (f: string) => schema.kinds[f] as FieldKind;
  const BY_KIND = (kind: string) => schema.fields.filter((f) => schema.kinds[f] === kind);
  if (uidColumn !== undefined) used.add(uidColumn);
  for (const sources of Object.values(mapping)) {
    for (const s of sources ?? []) {
      used.add(s.column);
      if (s.endMinusStart !== undefined) used.add(s.endMinusStart);
      if (s.minus !== undefined) used.add(s.minus);
    }
  }
  if (plan.eventFilter) used.add(plan.eventFilter.column);
  for (const rule of plan.skipRules ?? []) used.add(rule.column);
  const layer1 = [...used].map((i) => `nullif(trim(r${i}), '') AS a${i}`);
  if (jsonCheck) layer1.push(`${jsonCheck} AS json_ok`);
  if (lineCheck) layer1.push(`${lineCheck} AS line_ok`);

  layer1.push(...carry);
  const layer2: string[] = [...used].map((i) => `a${i}`);
  layer2.push(...carry);
  if (jsonCheck) layer2.push('json_ok');
  if (lineCheck) layer2.push('line_ok');
  const layer3: string[] = [...used].map((i) => `a${i}`);
  layer3.push(...carry);
  for (const field of schema.fields) {
    const sources = mapping[field] ?? [];
    sources.forEach((s, k) => {
      layer2.push(`${parsed(kindOf(field), s, params)} AS x_${field}_${k}`);
    });
    const values = sources.map((_, k) => valid(kindOf(field), `x_${field}_${k}`));
    layer3.push(
      `${values.length === 0 ? 'NULL' : values.length === 1 ? values[0] : `coalesce(${values.join(', ')})`} AS v_${field}`,
    );
    const presence = sources.map(present);
    layer3.push(`${presence.length ? `(${presence.join(' OR ')})` : 'false'} AS p_${field}`);
  }
  if (jsonCheck) layer3.push('json_ok');
  if (lineCheck) layer3.push('line_ok');

  const bad = (f: string) => `(p_${f} AND v_${f} IS NULL)`;
  const whens: string[] = [];
  if (jsonCheck) whens.push(`WHEN NOT json_ok THEN '${SKIP_REASONS.badJson}'`);
  if (lineCheck) whens.push(`WHEN NOT line_ok THEN '${SKIP_REASONS.malformedLine}'`);
  if (plan.eventFilter) {
    const a = `a${plan.eventFilter.column}`;
    whens.push(
      `WHEN ${a} IS NOT NULL AND NOT regexp_matches(${a}, ${params.bind(plan.eventFilter.pattern)}) THEN '${SKIP_REASONS.nonFlowEvent}'`,
    );
  }
  for (const rule of plan.skipRules ?? []) {
    whens.push(
      `WHEN regexp_matches(coalesce(a${rule.column}, ''), ${params.bind(rule.pattern)}) THEN ${params.bind(rule.reason)}`,
    );
  }
  whens.push(
    `WHEN ${schema.required.map((f) => `NOT p_${f}`).join(' OR ')} THEN '${SKIP_REASONS.missingField}'`,
  );
  const anyBad = (fields: string[]) => (fields.length ? fields.map(bad).join(' OR ') : 'false');
  whens.push(`WHEN ${anyBad(BY_KIND('time'))} THEN '${SKIP_REASONS.badTimestamp}'`);
  whens.push(`WHEN ${anyBad(BY_KIND('address'))} THEN '${SKIP_REASONS.badAddress}'`);
  whens.push(`WHEN ${anyBad(BY_KIND('port'))} THEN '${SKIP_REASONS.badPort}'`);
  whens.push(`WHEN ${anyBad([...BY_KIND('count'), ...BY_KIND('seconds')])} THEN '${SKIP_REASONS.badNumber}'`);
  whens.push(`WHEN ${anyBad(BY_KIND('flag'))} THEN '${SKIP_REASONS.badFlag}'`);
  // last: a row with a bad value and an odd time is skipped for the bad value
  if (!plan.allowAnyTime) {
    whens.push(
      `WHEN v_ts < ${EARLIEST_PLAUSIBLE_TIME} OR v_ts > ${latestPlausibleTime()} THEN '${SKIP_REASONS.implausibleTime}'`,
    );
  }
  const final = [
    ...schema.fields.map((f) => `v_${f} AS ${f}`),
    `CASE ${whens.join(' ')} END AS skip_reason`,
    ...carry,
    ...(uidColumn !== undefined ? [`left(a${uidColumn}, ${MAX_TEXT}) AS uid`] : []),
  ];
  const where = plan.kind === 'delimited' ? trailerWhere(plan, params) : '';

  const sql = `SELECT ${final.join(', ')}
    FROM (SELECT ${layer3.join(', ')}
      FROM (SELECT ${layer2.join(', ')}
        FROM (SELECT ${layer1.join(', ')} FROM ${source}${where})))`;
  return { sql, params: params.values };
}

/**
 * The seed's search output (precomputed features) → validated seed rows. Output columns: src, dst,
 * dport, size, i_bytecount, t_bytecount, distinct_byte_count, avgcount, skip_reason, host.
 */
export function precomputedSelectSql(
  plan: PrecomputedPlan,
  source: string,
  lineCheck?: string,
): SqlWithParams {
  const params = new Params();
  const c = plan.columns;
  const raw = (col: number | undefined) =>
    col === undefined ? 'NULL::VARCHAR' : `nullif(trim(r${col}), '')`;
  const address = (col: number | undefined) => addressOf(raw(col));
  const num = (col: number | undefined) => `TRY_CAST(${raw(col)} AS DOUBLE)`;
  const count = (x: string) => valid('count', x);
  const layer1 = [
    `${address(c.src)} AS x_src`,
    `${address(c.dst)} AS x_dst`,
    `${num(c.dport)} AS x_dport`,
    `${num(c.size)} AS x_size`,
    `${num(c.i_bytecount)} AS x_i`,
    `${num(c.t_bytecount)} AS x_t`,
    `${num(c.distinct_byte_count)} AS x_d`,
    `${num(c.avgcount)} AS x_avg`,
    `left(lower(rtrim(${raw(c.host)}, '.')), ${MAX_TEXT}) AS x_host`,
    `${raw(c.dport)} IS NOT NULL AS p_dport`,
    `${lineCheck ?? 'true'} AS line_ok`,
  ];
  const layer2 = [
    `${valid('address', 'x_src')} AS src`,
    `${valid('address', 'x_dst')} AS dst`,
    `${valid('port', 'x_dport')} AS dport`,
    `${count('x_size')} AS size`,
    `${count('x_i')} AS i_bytecount`,
    `${count('x_t')} AS t_bytecount`,
    `${count('x_d')} AS distinct_byte_count`,
    'x_src, x_dst, x_avg, x_host, p_dport, line_ok',
  ];
  const skip = `CASE
      WHEN NOT line_ok THEN '${SKIP_REASONS.malformedLine}'
      WHEN x_src IS NULL OR x_dst IS NULL THEN '${SKIP_REASONS.missingField}'
      WHEN src IS NULL OR dst IS NULL THEN '${SKIP_REASONS.badAddress}'
      WHEN p_dport AND dport IS NULL THEN '${SKIP_REASONS.badPort}'
      WHEN size IS NULL OR i_bytecount IS NULL OR t_bytecount IS NULL OR distinct_byte_count IS NULL
        OR i_bytecount < 1 OR i_bytecount > t_bytecount OR distinct_byte_count < 1 OR distinct_byte_count > t_bytecount
        OR (x_avg IS NOT NULL AND NOT (x_avg BETWEEN 0 AND 1)) THEN '${SKIP_REASONS.badNumber}'
    END`;
  const sql = `SELECT src, dst, dport, size, i_bytecount, t_bytecount, distinct_byte_count,
      i_bytecount::DOUBLE / nullif(t_bytecount, 0) AS avgcount, ${skip} AS skip_reason, x_host AS host
    FROM (SELECT ${layer2.join(', ')}
      FROM (SELECT ${layer1.join(', ')} FROM ${source}${trailerWhere(plan, params)}))`;
  return { sql, params: params.values };
}

/**
 * Quoted CSV read line by line: each physical line is one row, split into fields by a regular
 * expression (RFC 4180 quoting within the line; "" is a quote). Used when read_csv's own parser
 * met an unterminated quote, which makes it swallow every following line into one field: here a
 * bad quote costs one line. `lines` yields `line`; the result yields r0…r(n−1) and `line_ok`.
 */
export function quotedLinesSource(
  lines: string,
  columns: number,
  delimiter: string,
  params: Record<string, string>,
): { source: string; lineCheck: string } {
  const d = delimiter.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
  const field = `("(?:[^"]|"")*"|[^${d}"]*)`;
  params.line_re = `${field}(${d}${field})*`;
  params.field_re = `${d}${field}`;
  params.delim_text = delimiter;
  const raw = Array.from({ length: columns }, (_, i) => {
    const x = `f[${i + 1}]`;
    return `CASE WHEN starts_with(${x}, '"') THEN replace(substr(${x}, 2, length(${x}) - 2), '""', '"') ELSE ${x} END AS r${i}`;
  });
  const source = `(SELECT ${raw.join(', ')}, ok FROM (
      SELECT regexp_full_match(l, $line_re) AS well_formed,
        CASE WHEN well_formed THEN regexp_extract_all($delim_text || l, $field_re, 1) END AS f,
        well_formed AND len(f) >= ${columns} AS ok
      FROM (SELECT rtrim(line, chr(13)) AS l FROM ${lines}) WHERE trim(l) <> ''))`;
  return { source, lineCheck: 'ok' };
}

export function rawColumnNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `r${i}`);
}
