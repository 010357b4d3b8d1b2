import { FAILED_STATES } from '../flow/schema.js';

/*
 * The per-pair features, each declared once: its meaning, its type, how each engine computes it,
 * how a rotation group combines its members' values, and whether the outlier models see it.
 * Everything else is derived from PAIR_FEATURES: both engines' per-pair SQL (store/duckdb,
 * store/clickhouse), the PairFeatures columns and their decoding, the models' matrix
 * (feature-matrix.ts), rotation groups (score/rotation.ts), the findings' `features` and the table
 * in docs/FEATURES.md (a test compares it).
 *
 * Where an aggregate is computed (`over`), and what its SQL may name:
 * - `flows`: an aggregate over the pair's flows — the canonical flow columns, `size` (the
 *   selected size field, --bytes) and `no_payload` (store/shared.ts noPayloadSql: 0 bytes, or only
 *   TCP headers where the format's sizes include them). ClickHouse computes every flows-level aggregate in one pass per
 *   pair and may also use that pass's histograms (`om_sizes`/`om_counts`: the client→server sizes
 *   and their flows, ascending; `sm`: flows per packed (size, dport), see store/clickhouse/sql.ts).
 * - `sizes` (DuckDB): an aggregate over the pair's rows (dport, size, n = flows with that port and
 *   size on the selected size field); `mode_key` orders them as the mode is chosen: most flows,
 *   then the smallest size, then the smallest port (none last).
 * - `origSizes` (DuckDB): an aggregate over the pair's rows (ob = a client→server size, n = its
 *   flows); `mode_key`: most flows, then the smallest size.
 * - `pair`: an expression of the pair's lower-level features (by name) and of its destination:
 *   `dest_sources` (sources contacting the destination), `dest_internal_sources` (internal ones)
 *   and `internal_sources` (internal sources in the whole data).
 * An SQL text given once is the same in both dialects.
 */

export type Dialect = 'duckdb' | 'clickhouse';
export type DuckDbLevel = 'flows' | 'sizes' | 'origSizes' | 'pair';
export type ClickHouseLevel = 'flows' | 'pair';

export interface Aggregate<L extends string> {
  over: L;
  sql: string;
}

interface NumericSpec {
  /** count: a whole number, equal across engines; real: equal up to rounding. */
  type: 'count' | 'real';
  description: string;
  sql:
    | Aggregate<ClickHouseLevel>
    | { duckdb: Aggregate<DuckDbLevel>; clickhouse: Aggregate<ClickHouseLevel> };
  /**
   * A rotation group's value from its members' (score/rotation.ts): sum, max, min, or `share`, the
   * flow-weighted mean (for a share, exact; for an entropy, a lower bound, as entropy is concave).
   */
  merge: 'sum' | 'max' | 'min' | 'share';
  /**
   * In the outlier models' matrix, scaled robustly (median/IQR) after log1p for heavy-tailed
   * counts. The matrix takes these columns in declaration order.
   */
  model?: 'robust' | 'log1p';
  /** DuckDB value for a pair given only as the seed's search output (table seed_rows); NaN when it cannot tell. */
  seed?: string;
}

interface LabelSpec {
  /** port: a port number or null; text: a string or null. */
  type: 'port' | 'text';
  description: string;
  /** text: the pair's most common non-null value of this flow column (ties: the smallest). */
  mostCommon?: 'proto' | 'host';
  /** port: how each engine computes it (ClickHouse: −1 for none). */
  sql?: { duckdb: Aggregate<DuckDbLevel>; clickhouse: Aggregate<ClickHouseLevel> };
  seed: string;
}

/** The failed states as an SQL list; they are constants of flow/schema.ts, checked to need no escaping. */
const FAILED = FAILED_STATES.map((s) => {
  if (!/^[A-Z0-9]+$/.test(s)) throw new Error(`connection state ${s} would need escaping`);
  return `'${s}'`;
}).join(', ');

/** The label columns of a pair: the port and names the findings show. */
export const PAIR_LABELS = {
  dport: {
    type: 'port',
    description: 'the port of the most common (port, size) row; none for port-less protocols (ICMP)',
    sql: {
      duckdb: { over: 'sizes', sql: 'arg_max_null(dport, mode_key)' },
      clickhouse: { over: 'pair', sql: 'if(slow = 1, slow_mode_dport, fast_mode_dport)' },
    },
    seed: 'first(dport ORDER BY i_bytecount DESC, size, dport NULLS LAST)',
  },
  proto: { type: 'text', description: 'the most common protocol', mostCommon: 'proto', seed: 'NULL' },
  host: {
    type: 'text',
    description: 'the most common server name (SNI/HTTP Host), when the format has one',
    mostCommon: 'host',
    // the name the seed's search added (beaconhunt spl's server_name), when it has one
    seed: 'mode(host)',
  },
} as const satisfies Record<string, LabelSpec>;

export const PAIR_FEATURES = {
  avgcount: {
    type: 'real',
    description: 'seed: i_bytecount / t_bytecount, the share of the most common size',
    sql: {
      duckdb: { over: 'pair', sql: 'i_bytecount / t_bytecount' },
      clickhouse: { over: 'pair', sql: 'i_bytecount / t_bytecount' },
    },
    merge: 'share',
    model: 'robust',
    seed: 'max(i_bytecount) / max(t_bytecount)',
  },
  t_bytecount: {
    type: 'count',
    description: 'seed: flows of the pair (src, dst) counted for the size features',
    sql: { over: 'flows', sql: 'count(*)' },
    merge: 'sum',
    model: 'log1p',
    seed: 'max(t_bytecount)',
  },
  i_bytecount: {
    type: 'count',
    description: 'seed: flows of the most common (dport, size) of the pair',
    sql: {
      duckdb: { over: 'sizes', sql: 'max(n)' },
      clickhouse: { over: 'pair', sql: 'if(slow = 1, slow_i_bytecount, fast_i_bytecount)' },
    },
    merge: 'sum',
    seed: 'max(i_bytecount)',
  },
  distinct_byte_count: {
    type: 'count',
    description: 'seed: distinct sizes of the pair',
    sql: {
      duckdb: { over: 'sizes', sql: 'count(DISTINCT size)' },
      clickhouse: { over: 'flows', sql: 'uniqExact(size)' },
    },
    merge: 'max',
    model: 'log1p',
    seed: 'max(distinct_byte_count)',
  },
  mode_size: {
    type: 'count',
    description: 'the most common size in bytes (on the selected size field)',
    sql: {
      duckdb: { over: 'sizes', sql: 'arg_max(size, mode_key)' },
      clickhouse: { over: 'pair', sql: 'if(slow = 1, slow_mode_size, fast_mode_size)' },
    },
    merge: 'max',
    seed: 'first(size ORDER BY i_bytecount DESC, size, dport NULLS LAST)',
  },
  orig_mode_share: {
    type: 'real',
    description: 'share of flows with the most common client→server size',
    sql: {
      duckdb: { over: 'origSizes', sql: 'max(n) / sum(n)' },
      clickhouse: { over: 'flows', sql: 'om_top / count()' },
    },
    merge: 'share',
    model: 'robust',
    seed: '0',
  },
  orig_distinct_sizes: {
    type: 'count',
    description: 'distinct client→server sizes',
    sql: {
      duckdb: { over: 'origSizes', sql: 'count(*)' },
      clickhouse: { over: 'flows', sql: 'length(om_sizes)' },
    },
    merge: 'max',
    model: 'log1p',
  },
  orig_mode_size: {
    type: 'count',
    description: 'the most common client→server size in bytes',
    sql: {
      duckdb: { over: 'origSizes', sql: 'arg_max(ob, mode_key)' },
      clickhouse: { over: 'flows', sql: 'arrayFirst((k, c) -> c = om_top, om_sizes, om_counts)' },
    },
    merge: 'max',
  },
  orig_size_entropy: {
    type: 'real',
    description:
      'Shannon entropy (bits) of the client→server sizes: 0 for one size, log2 k for k equally common ones',
    sql: {
      // H = log2 T − Σ n·log2 n / T over the sizes' flows n (T = Σ n); one size is exactly 0; rounded to
      // 1e-9 bits, so the order of a parallel sum cannot change a finding's number
      duckdb: {
        over: 'origSizes',
        sql: 'CASE WHEN count(*) = 1 THEN 0 ELSE round(log2(sum(n)) - sum(n * log2(n)) / sum(n), 9) END',
      },
      clickhouse: {
        over: 'flows',
        sql: 'if(length(om_counts) = 1, 0, round(log2(arraySum(om_counts)) - arraySum(arrayMap(c -> c * log2(c), om_counts)) / arraySum(om_counts), 9))',
      },
    },
    merge: 'share',
  },
  flows: {
    type: 'count',
    description: 'all flows of the pair',
    sql: { over: 'flows', sql: 'count(*)' },
    merge: 'sum',
    seed: 'max(t_bytecount)',
  },
  first_ts: {
    type: 'real',
    description: 'epoch seconds of the first flow',
    sql: { over: 'flows', sql: 'min(ts)' },
    merge: 'min',
  },
  last_ts: {
    type: 'real',
    description: 'epoch seconds of the last flow',
    sql: { over: 'flows', sql: 'max(ts)' },
    merge: 'max',
  },
  distinct_dports: {
    type: 'count',
    description: 'distinct destination ports',
    sql: {
      duckdb: { over: 'sizes', sql: 'count(DISTINCT dport)' },
      clickhouse: { over: 'flows', sql: 'uniqExact(dport)' },
    },
    merge: 'max',
    seed: 'count(DISTINCT dport)',
  },
  orig_bytes_total: {
    type: 'count',
    description: 'client→server bytes, summed',
    sql: {
      duckdb: { over: 'flows', sql: 'sum(coalesce(orig_bytes, 0))' },
      clickhouse: { over: 'flows', sql: 'sum(ifNull(orig_bytes, 0))' },
    },
    merge: 'sum',
  },
  resp_bytes_total: {
    type: 'count',
    description: 'server→client bytes, summed',
    sql: {
      duckdb: { over: 'flows', sql: 'sum(coalesce(resp_bytes, 0))' },
      clickhouse: { over: 'flows', sql: 'sum(ifNull(resp_bytes, 0))' },
    },
    merge: 'sum',
    seed: 'sum(size * i_bytecount)',
  },
  failed_share: {
    type: 'real',
    description: 'share of flows whose connection failed (REJ, S0, ...)',
    sql: {
      duckdb: { over: 'flows', sql: `count_if(coalesce(conn_state IN (${FAILED}), false)) / count(*)` },
      clickhouse: { over: 'flows', sql: `countIf(ifNull(conn_state, '') IN (${FAILED})) / count()` },
    },
    merge: 'share',
    model: 'robust',
    seed: '0',
  },
  zero_byte_share: {
    type: 'real',
    description:
      'share of flows with no payload in either direction (0 bytes, or only TCP headers where sizes include them)',
    sql: {
      duckdb: {
        over: 'flows',
        sql: 'count_if(no_payload) / count(*)',
      },
      clickhouse: {
        over: 'flows',
        sql: 'countIf(no_payload) / count()',
      },
    },
    merge: 'share',
    model: 'robust',
    seed: '0',
  },
  duration_total: {
    type: 'real',
    description: 'connection seconds, summed',
    sql: {
      // rounded to the microsecond (Zeek's resolution): a parallel float sum's order must not change a score
      duckdb: { over: 'flows', sql: 'round(coalesce(sum(duration), 0), 6)' },
      clickhouse: { over: 'flows', sql: 'round(sum(ifNull(duration, 0)), 6)' },
    },
    merge: 'sum',
    model: 'log1p',
  },
  duration_max: {
    type: 'real',
    description: 'longest connection, seconds',
    sql: {
      duckdb: { over: 'flows', sql: 'coalesce(max(duration), 0)' },
      clickhouse: { over: 'flows', sql: 'max(ifNull(duration, 0))' },
    },
    merge: 'max',
  },
  prevalence: {
    type: 'real',
    description: 'share of internal sources that contact this destination',
    sql: {
      over: 'pair',
      sql: 'if(internal_sources = 0, 0, dest_internal_sources / internal_sources)',
    },
    merge: 'max',
    model: 'robust',
    seed: 'coalesce(any_value(d.internal_sources) / nullif(any_value(i.n), 0), 0)',
  },
  dst_sources: {
    type: 'count',
    description: 'distinct sources that contact this destination',
    sql: { over: 'pair', sql: 'dest_sources' },
    merge: 'max',
    seed: 'any_value(d.sources)',
  },
} as const satisfies Record<string, NumericSpec>;

export type NumericPairFeature = keyof typeof PAIR_FEATURES;
export type PairLabel = keyof typeof PAIR_LABELS;
type LabelValue<K extends PairLabel> = (typeof PAIR_LABELS)[K]['type'] extends 'port'
  ? number | null
  : string | null;

export const NUMERIC_FEATURE_NAMES = Object.keys(PAIR_FEATURES) as NumericPairFeature[];
export const LABEL_NAMES = Object.keys(PAIR_LABELS) as PairLabel[];

/** Each numeric feature's description (the report's help texts). */
export const NUMERIC_PAIR_FEATURES = Object.fromEntries(
  NUMERIC_FEATURE_NAMES.map((k) => [k, PAIR_FEATURES[k].description]),
) as Record<NumericPairFeature, string>;

/** How a feature is computed in one dialect. */
export function aggregateOf(
  spec: { sql: NumericSpec['sql'] | LabelSpec['sql'] },
  dialect: Dialect,
): Aggregate<DuckDbLevel> | undefined {
  const sql = spec.sql;
  if (!sql) return undefined;
  return 'over' in sql ? sql : sql[dialect];
}

/**
 * Per-pair features, column by column (one array per feature, index = pair), sorted by (src, dst).
 * Every engine computes the same columns with the same meaning.
 */
export type PairFeatures = {
  length: number;
  src: string[];
  dst: string[];
  /** The explicit proxy the pair's flows went through (dst is then the proxy's target), when known (name resolution; DuckDB). */
  via?: (string | null)[];
  /** For a (client, server name) pair: the addresses the name's flows went to (null for address pairs). */
  addresses?: (string[] | null)[];
  numeric: Record<NumericPairFeature, Float64Array>;
} & { [K in PairLabel]: LabelValue<K>[] };

/** A label value as an engine returns it: a port below 0 (ClickHouse's none) or NULL is null. */
export function decodeLabel(type: LabelSpec['type'], value: unknown): number | string | null {
  if (value === null || value === undefined) return null;
  if (type === 'port') {
    const n = Number(value);
    return Number.isFinite(n) && n >= 0 ? n : null;
  }
  return String(value);
}

/** The markdown table of docs/FEATURES.md, from the declaration (timing features given by the caller). */
export function featureTableMarkdown(timing: Readonly<Record<string, string>> = {}): string {
  const rows = [
    '| feature | type | meaning | rotation group | in the models |',
    '|---|---|---|---|---|',
    ...LABEL_NAMES.map((k) => {
      const s: LabelSpec = PAIR_LABELS[k];
      return `| \`${k}\` | ${s.type} | ${s.description} | the busiest member's | no |`;
    }),
    ...NUMERIC_FEATURE_NAMES.map((k) => {
      const s: NumericSpec = PAIR_FEATURES[k];
      const merge = s.merge === 'share' ? 'flow-weighted mean' : s.merge;
      const model = s.model === 'log1p' ? 'yes (log1p, robust)' : s.model ? 'yes (robust)' : 'no';
      return `| \`${k}\` | ${s.type} | ${s.description} | ${merge} | ${model} |`;
    }),
    ...Object.entries(timing).map(
      ([k, d]) => `| \`${k}\` | timing | ${d} | timing of the merged flows | — |`,
    ),
  ];
  return rows.join('\n');
}

/** The seed's literal rows: (src, dst, dport, size) with its i_bytecount and pair-level counts. */
export interface SeedRows {
  length: number;
  src: string[];
  dst: string[];
  dport: (number | null)[];
  size: Float64Array;
  i_bytecount: Float64Array;
  t_bytecount: Float64Array;
  distinct_byte_count: Float64Array;
  avgcount: Float64Array;
}

/** One pair's flows sorted by time. */
export interface PairSeries {
  src: string;
  dst: string;
  ts: Float64Array;
  sizes: Float64Array;
}

export function pairKey(src: string, dst: string): string {
  return `${src}\u0000${dst}`;
}

/** A pair's flows, column by column, sorted by time (for timelines and histograms). */
export interface PairFlows {
  /** Flows the pair has in all (the columns may hold a sample of them). */
  total: number;
  ts: Float64Array;
  duration: Float64Array;
  origBytes: Float64Array;
  respBytes: Float64Array;
  dport: Int32Array;
  connState: (string | null)[];
}
