import {
  aggregateOf,
  type DuckDbLevel,
  LABEL_NAMES,
  NUMERIC_FEATURE_NAMES,
  PAIR_FEATURES,
  PAIR_LABELS,
} from '../../features/pair-features.js';
import { CANONICAL_FIELDS } from '../../flow/schema.js';

/*
 * DuckDB's per-pair features, derived from the declaration (features/pair-features.ts). One string
 * pass gives every pair a dense integer id (pair_ids) and tags each flow with it (pair_flows, only
 * the columns the declaration reads); every aggregate after that groups by fixed-width keys: the
 * pair id, (pair, dport, size) and (pair, client→server size). Modes are "first by count" over
 * those groups (ties: the smallest value), never mode() over strings; no count(DISTINCT) runs over
 * the flows (distinct sizes and ports are counted over the pair's (dport, size) rows).
 */

/*
 * Modes by arg_max over one packed integer key (a sort per pair costs far more). Sizes are at most
 * 2^54 (two counts of at most 2^53 − 1, flow/validation.ts), so "smaller size wins" is 2^54 − size,
 * and times 65537 leaves room for "smaller port wins" (65536 − port; no port = 0, last): below
 * 2^71. The flows n sit above bit 80 (n < 2^48 flows per pair). UHUGEINT holds it all.
 */
const SIZE_MODE_KEY =
  '(n::UHUGEINT << 80) + ((2::UHUGEINT << 53) - size::UHUGEINT) * 65537 + (65536 - coalesce(dport, 65536))::UHUGEINT';
const ORIG_MODE_KEY = '(n::UHUGEINT << 64) + ((2::UHUGEINT << 53) - ob::UHUGEINT)';

const SQL_TYPE = { count: 'DOUBLE', real: 'DOUBLE', port: 'INTEGER', text: 'VARCHAR' } as const;

interface Column {
  name: string;
  level: DuckDbLevel;
  sql: string;
  type: keyof typeof SQL_TYPE;
}

function columns(): { labels: Column[]; numeric: Column[] } {
  const labels: Column[] = [];
  for (const name of LABEL_NAMES) {
    const spec = PAIR_LABELS[name];
    if ('mostCommon' in spec) continue;
    const a = aggregateOf(spec, 'duckdb');
    if (a) labels.push({ name, level: a.over, sql: a.sql, type: spec.type });
  }
  const numeric = NUMERIC_FEATURE_NAMES.map((name) => {
    const spec = PAIR_FEATURES[name];
    const a = aggregateOf(spec, 'duckdb') as { over: DuckDbLevel; sql: string };
    return { name, level: a.over, sql: a.sql, type: spec.type };
  });
  return { labels, numeric };
}

const cast = (c: Column) => `(${c.sql})::${SQL_TYPE[c.type]} AS ${c.name}`;

/** Text labels computed as the most common value of a flow column. */
function textModes(): { name: string; column: string }[] {
  return LABEL_NAMES.flatMap((name) => {
    const spec = PAIR_LABELS[name];
    return 'mostCommon' in spec ? [{ name, column: spec.mostCommon as string }] : [];
  });
}

/** The flow columns the declaration reads (pair_flows keeps only these). */
function flowColumnsRead(all: Column[]): string[] {
  const text = all
    .filter((c) => c.level === 'flows')
    .map((c) => c.sql)
    .join(' ');
  const read = new Set(['ts', 'dport', 'orig_bytes', ...textModes().map((m) => m.column)]);
  for (const field of CANONICAL_FIELDS) if (new RegExp(`\\b${field}\\b`).test(text)) read.add(field);
  read.delete('src');
  read.delete('dst');
  return CANONICAL_FIELDS.filter((f) => read.has(f));
}

/** Whether a flows-level aggregate reads the derived `no_payload` column of the flows subquery. */
function readsNoPayload(all: Column[]): boolean {
  return all.some((c) => c.level === 'flows' && /\bno_payload\b/.test(c.sql));
}

/**
 * The statements that compute the per-pair features of the flows in `flows` (a subquery with a
 * `size` column): `setup` makes the id tables, `select` returns src, dst, the labels and the
 * numeric features in declaration order, `cleanup` drops the tables.
 */
export function pairFeatureStatements(flows: string): { setup: string[]; select: string; cleanup: string[] } {
  const { labels, numeric } = columns();
  const all = [...labels, ...numeric];
  const at = (level: DuckDbLevel) => all.filter((c) => c.level === level);
  const keep = flowColumnsRead(all);
  const setup = [
    `CREATE OR REPLACE TEMP TABLE pair_ids AS
       SELECT src, dst, (row_number() OVER ())::UINTEGER AS pid FROM (SELECT src, dst FROM ${flows} GROUP BY src, dst)`,
    `CREATE OR REPLACE TEMP TABLE pair_flows AS
       SELECT k.pid, ${keep.map((c) => `f.${c}`).join(', ')}, f.size${readsNoPayload(all) ? ', f.no_payload' : ''}
       FROM ${flows} f JOIN pair_ids k ON k.src = f.src AND k.dst = f.dst`,
  ];
  const joins: string[] = [];
  const levelQuery: Record<Exclude<DuckDbLevel, 'pair'>, string> = {
    flows: 'pair_flows',
    sizes: `(SELECT *, ${SIZE_MODE_KEY} AS mode_key
             FROM (SELECT pid, dport, size, count(*) AS n FROM pair_flows GROUP BY pid, dport, size))`,
    origSizes: `(SELECT *, ${ORIG_MODE_KEY} AS mode_key
                 FROM (SELECT pid, coalesce(orig_bytes, 0) AS ob, count(*) AS n FROM pair_flows GROUP BY pid, ob))`,
  };
  for (const level of ['flows', 'sizes', 'origSizes'] as const) {
    const cols = at(level);
    if (cols.length === 0) continue;
    joins.push(
      `JOIN (SELECT pid, ${cols.map(cast).join(', ')} FROM ${levelQuery[level]} GROUP BY pid) ${level} USING (pid)`,
    );
  }
  for (const { name, column } of textModes()) {
    joins.push(`LEFT JOIN (
        SELECT pid, first(v ORDER BY n DESC, v) AS ${name}
        FROM (SELECT pid, ${column} AS v, count(*) AS n FROM pair_flows WHERE ${column} IS NOT NULL GROUP BY pid, v)
        GROUP BY pid) mode_${name} USING (pid)`);
  }
  // the destination's sources, from the pairs (a pair is one source of its destination)
  joins.push(`JOIN (
      SELECT dst, count(*)::DOUBLE AS dest_sources,
        count(*) FILTER (WHERE src IN (SELECT src FROM internal_sources))::DOUBLE AS dest_internal_sources
      FROM pair_ids GROUP BY dst) dest USING (dst)`);
  joins.push(`CROSS JOIN (
      SELECT count(DISTINCT src)::DOUBLE AS internal_sources FROM pair_ids
      WHERE src IN (SELECT src FROM internal_sources)) whole`);
  const out = [
    'k.src',
    'k.dst',
    ...LABEL_NAMES.map((name) => {
      const c = labels.find((l) => l.name === name);
      return c && c.level === 'pair' ? cast(c) : name;
    }),
    ...numeric.map((c) => (c.level === 'pair' ? cast(c) : c.name)),
  ];
  return {
    setup,
    select: `SELECT ${out.join(', ')} FROM pair_ids k ${joins.join('\n')}`,
    cleanup: ['DROP TABLE IF EXISTS pair_flows', 'DROP TABLE IF EXISTS pair_ids'],
  };
}

/**
 * The same columns for pairs given only as the seed's search output (table seed_rows `s`, grouped
 * by pair, with its destination's counts `d` and the internal total `i`): what those rows cannot
 * tell is NaN (or NULL for a label).
 */
export function precomputedSelectList(): string {
  return [
    'src',
    'dst',
    ...LABEL_NAMES.map((name) => {
      const spec = PAIR_LABELS[name];
      return `(${spec.seed})::${SQL_TYPE[spec.type]} AS ${name}`;
    }),
    ...NUMERIC_FEATURE_NAMES.map((name) => {
      const spec = PAIR_FEATURES[name];
      return `(${'seed' in spec ? spec.seed : "'NaN'"})::DOUBLE AS ${name}`;
    }),
  ].join(', ');
}
