import { type FeatureOptions, SPLIT_RECORD_GAP_S } from '../../features/options.js';
import {
  type Aggregate,
  aggregateOf,
  type ClickHouseLevel,
  LABEL_NAMES,
  NUMERIC_FEATURE_NAMES,
  PAIR_FEATURES,
  PAIR_LABELS,
} from '../../features/pair-features.js';
import { CANONICAL_FIELDS } from '../../flow/schema.js';
import type { WindowQuery } from '../engine.js';
import {
  DENSE_GAP_FACTOR,
  flowColumnsDdl,
  localMarksSql,
  noPayloadSql,
  STORED_FLOW_COLUMNS,
  WINDOW_SERIES_COLUMNS,
} from '../shared.js';
import { sqlInteger, sqlIntegerList, sqlNumber, sqlQualified, sqlString, sqlUserName } from './escape.js';

/*
 * Every ClickHouse statement of the engine, as pure functions of the table layout and the options.
 * Dialect: what both ClickHouse 18.16 (Debian) and current releases run — no CTEs, no window
 * functions, one JOIN per SELECT (USING, ANY/ALL spelled out), arrays (groupArray, arraySort,
 * ARRAY JOIN) instead of windows, intDiv for integer buckets, no query parameters: every value is
 * written by escape.ts.
 *
 * Distributed layout: flows are sharded by a hash of (src, dst) (SHARDING_KEY), so every GROUP BY whose keys
 * include (src, dst) is complete on one shard. Those aggregations run directly on the Distributed
 * table with distributed_group_by_no_merge = 1 (the caller sets it: SHARD_LOCAL): each shard
 * finishes its groups, including the expressions over them, and the initiator only concatenates
 * (and joins per-pair rows). Aggregations across pairs (per destination, for prevalence) are done
 * on the initiator from per-pair rows. Queries without GROUP BY (pairFlows, counts, time range)
 * must run without SHARD_LOCAL.
 */

export interface Layout {
  database: string;
  /** Flows as queried: the MergeTree (single server) or the Distributed table (cluster). */
  flows: string;
  /** The MergeTree holding the rows on each shard (= flows on a single server). */
  flowsLocal: string;
  files: string;
  filesLocal: string;
  cluster?: string;
}

export function layoutFor(database: string, table: string, cluster?: string): Layout {
  return cluster
    ? {
        database,
        flows: table,
        flowsLocal: `${table}_local`,
        files: `${table}_files`,
        filesLocal: `${table}_files_local`,
        cluster,
      }
    : { database, flows: table, flowsLocal: table, files: `${table}_files`, filesLocal: `${table}_files` };
}

const q = (l: Layout, table: string) => sqlQualified(l.database, table);

/** The canonical columns in the order the import writes them (TabSeparated). */
export const FLOW_COLUMNS = [...CANONICAL_FIELDS, 'file_id'] as const;

const FLOW_TYPES = `${flowColumnsDdl('clickhouse')}, file_id UInt32`;

/*
 * The Distributed flows table's sharding key: a function of the pair alone, so a pair's flows are
 * on one shard. MD5 because DuckDB computes the same number (DUCKDB_SHARDING_KEY: halfMD5 is the
 * first 8 bytes of the MD5 digest, big-endian, which is the first 16 hex digits of DuckDB's md5),
 * so the import can send each shard its own rows directly instead of making the initiator parse,
 * split and forward every row. The space only separates the two addresses (neither holds one).
 * Tests check both spellings give the same numbers on the same values.
 */
export const SHARDING_KEY = "halfMD5(concat(src, ' ', dst))";
export const DUCKDB_SHARDING_KEY = "('0x' || left(md5(src || ' ' || dst), 16))::UBIGINT";

/**
 * The shard a Distributed table sends a row to, as ClickHouse picks it: the sharding key modulo
 * the total weight is a slot, and each shard (in config order) owns as many slots as its weight.
 * `slots[i]` is the shard_num of slot i. A DuckDB expression over the converted row.
 */
export function duckdbShardSql(slots: readonly number[]): string {
  if (!slots.length) throw new Error('a cluster without shard weights');
  return `[${slots.map(sqlInteger).join(', ')}][((${DUCKDB_SHARDING_KEY}) % ${sqlInteger(slots.length)})::BIGINT + 1]`;
}

const FILE_TYPES = `
  file_id UInt32, path String, fingerprint String, format String, data_rows UInt64, used UInt64,
  accounting_json String, imported_at Float64`;

/** DDL, in order. `onCluster` adds ON CLUSTER (needs distributed DDL: ZooKeeper or Keeper). */
export function schemaSql(l: Layout, onCluster: boolean): string[] {
  const on = onCluster && l.cluster ? ` ON CLUSTER ${sqlUserName(l.cluster)}` : '';
  const out = [
    `CREATE DATABASE IF NOT EXISTS ${sqlUserName(l.database)}${on}`,
    // Sorted by pair then time: per-pair scans read contiguous ranges, a pair's flows are one range.
    `CREATE TABLE IF NOT EXISTS ${q(l, l.flowsLocal)}${on} (${FLOW_TYPES}) ENGINE = MergeTree() ORDER BY (src, dst, ts)`,
    `CREATE TABLE IF NOT EXISTS ${q(l, l.filesLocal)}${on} (${FILE_TYPES}) ENGINE = MergeTree() ORDER BY (fingerprint, file_id)`,
  ];
  if (l.cluster) {
    const cluster = sqlUserName(l.cluster);
    const db = sqlUserName(l.database);
    out.push(
      `CREATE TABLE IF NOT EXISTS ${q(l, l.flows)}${on} (${FLOW_TYPES})
        ENGINE = ${distributedEngine(l)}`,
      `CREATE TABLE IF NOT EXISTS ${q(l, l.files)}${on} (${FILE_TYPES})
        ENGINE = Distributed(${cluster}, ${db}, ${sqlUserName(l.filesLocal)}, file_id)`,
    );
  }
  return out;
}

/** The flows table's engine on a cluster, as the server writes it in system.tables.engine_full. */
export function distributedEngine(l: Layout): string {
  if (!l.cluster) throw new Error('not a cluster layout');
  return `Distributed(${sqlUserName(l.cluster)}, ${sqlUserName(l.database)}, ${sqlUserName(l.flowsLocal)}, ${SHARDING_KEY})`;
}

/** Whether a flows table's engine (engine_full) shards by SHARDING_KEY, as this version creates it. */
export function hasOurShardingKey(engineFull: string): boolean {
  const compact = (x: string) => x.replace(/`/g, '').replace(/\s+/g, ' ').trim();
  return compact(engineFull).endsWith(`, ${compact(SHARDING_KEY)})`);
}

/** The engine of an existing table (a flows table made by another version may shard differently). */
export function tableEngineSql(l: Layout, table: string): string {
  return `SELECT engine_full FROM system.tables WHERE database = ${sqlString(l.database)} AND name = ${sqlString(table)}`;
}

/** Shards of a cluster in config order: weight and number of replicas. */
export function clusterShardsSql(cluster: string): string {
  return `SELECT shard_num, any(shard_weight) AS weight, count() AS replicas FROM system.clusters
    WHERE cluster = ${sqlString(cluster)} GROUP BY shard_num ORDER BY shard_num`;
}

/** Which shard of the cluster the server answering is (none when it is not one of them). */
export function localShardSql(cluster: string): string {
  return `SELECT shard_num FROM system.clusters WHERE cluster = ${sqlString(cluster)} AND is_local = 1`;
}

/** The columns one table of the layout has (for upgrading a table made by an earlier version). */
export function tableColumnsSql(l: Layout, table: string): string {
  return `SELECT name FROM system.columns WHERE database = ${sqlString(l.database)} AND table = ${sqlString(table)}`;
}

/**
 * ALTERs adding the canonical columns a flows table made by an earlier version lacks (18.16 has no
 * ADD COLUMN IF NOT EXISTS, so the caller reads the table's columns first); [] when none is missing.
 */
export function addMissingColumnsSql(l: Layout, table: string, present: ReadonlySet<string>): string[] {
  if (present.size === 0) return []; // no such table (here)
  return STORED_FLOW_COLUMNS.filter((c) => !present.has(c.name)).map(
    (c) => `ALTER TABLE ${q(l, table)} ADD COLUMN ${c.name} ${c.clickhouse}`,
  );
}

/** The hosts of a cluster (every replica of every shard), for DDL without distributed DDL. */
export function clusterHostsSql(cluster: string): string {
  return `SELECT host_address FROM system.clusters WHERE cluster = ${sqlString(cluster)} ORDER BY shard_num, replica_num`;
}

export function knownFileSql(l: Layout, fingerprint: string): string {
  return `SELECT file_id, path, format, data_rows, used, accounting_json FROM ${q(l, l.files)}
    WHERE fingerprint = ${sqlString(fingerprint)} ORDER BY imported_at LIMIT 1`;
}

export function fileIdTakenSql(l: Layout, fileId: number): string {
  return `SELECT count() AS n FROM ${q(l, l.files)} WHERE file_id = ${sqlInteger(fileId)}`;
}

export function filesSql(l: Layout): string {
  return `SELECT file_id, path, format, data_rows, used, accounting_json FROM ${q(l, l.files)} ORDER BY imported_at, file_id`;
}

/** Rows of a file whose import did not finish (they are never read: queries name committed files). */
export function deleteFileRowsSql(l: Layout, fileId: number): string {
  return `ALTER TABLE ${q(l, l.flowsLocal)} DELETE WHERE file_id = ${sqlInteger(fileId)}`;
}

export function dropDatabaseSql(l: Layout): string {
  return `DROP DATABASE IF EXISTS ${sqlUserName(l.database)}`;
}

function sizeExpr(options: FeatureOptions): string {
  switch (options.sizeField) {
    case 'resp':
      return 'ifNull(resp_bytes, 0)';
    case 'orig':
      return 'ifNull(orig_bytes, 0)';
    case 'total':
      return '(ifNull(orig_bytes, 0) + ifNull(resp_bytes, 0))';
  }
}

/** WHERE for the flows of committed files (optionally with the seed's non-zero size filter). */
function where(fileIds: readonly number[], options?: FeatureOptions): string {
  const files = `file_id IN ${sqlIntegerList(fileIds)}`;
  return options?.dropZeroBytes ? `${files} AND ${sizeExpr(options)} > 0` : files;
}

export function timeRangeSql(l: Layout, fileIds: readonly number[]): string {
  return `SELECT min(ts) AS lo, max(ts) AS hi, count() AS n FROM ${q(l, l.flows)} WHERE ${where(fileIds)}`;
}

export function distinctSourcesSql(l: Layout, fileIds: readonly number[]): string {
  return `SELECT src FROM ${q(l, l.flows)} WHERE ${where(fileIds)} GROUP BY src`;
}

/** Engine.localMarks: what the sensor says about each address (shared.ts localMarksSql). */
export function localMarksFlowsSql(l: Layout, fileIds: readonly number[]): string {
  return localMarksSql(q(l, l.flows), where(fileIds), 'max');
}

export const INTERNAL_TABLE = 'internal_sources';

export function internalTableSql(): string[] {
  return [
    `DROP TEMPORARY TABLE IF EXISTS ${INTERNAL_TABLE}`,
    `CREATE TEMPORARY TABLE ${INTERNAL_TABLE} (src String)`,
  ];
}

/** Settings for queries whose GROUP BY keys include (src, dst) on a Distributed table. */
export const SHARD_LOCAL = { distributed_group_by_no_merge: '1' };

/**
 * One row per pair with every declared feature (features/pair-features.ts): the labels (dport −1
 * for none; has_proto / has_host 0 when the pair has none) and the numeric features. Mode ties:
 * highest count, then smallest size, then smallest dport (NULL last); text: highest count, then
 * smallest value.
 */
export function pairFeaturesSql(l: Layout, fileIds: readonly number[], options: FeatureOptions): string {
  const t = q(l, l.flows);
  const w = where(fileIds, options);
  const size = sizeExpr(options);
  const numeric = NUMERIC_FEATURE_NAMES.map((name) => {
    const a = aggregateOf(PAIR_FEATURES[name], 'clickhouse') as Aggregate<ClickHouseLevel>;
    return { name, ...a };
  });
  const flowLevel = numeric.filter((c) => c.over === 'flows');
  // One pass per pair, finished on its shard: the modes come from sumMap (count per key, keys
  // ascending). The (size, dport) mode packs both into one key, size·65537 + dport (65536 = no
  // port), so ascending keys are "smallest size, then smallest dport, NULL last"; the first key with
  // the highest count is the mode. A pair with a size ≥ 2^48 cannot be packed into 64 bits: it is
  // taken from the two-level query below instead (slow; such pairs are found with GLOBAL IN).
  // Declared flows-level features are computed here; they may read `size`, sm and om_*.
  // `size` in a declared aggregate is the selected size field's expression, `no_payload` the
  // format's payload-free test (shared.ts)
  const noPayload = noPayloadSql(options.headerBytes);
  const sized = (sql: string) => sql.replace(/\bsize\b/g, `(${size})`).replace(/\bno_payload\b/g, noPayload);
  const p = `SELECT src, dst,
      sumMap([toUInt64(${size}) * 65537 + ifNull(toUInt64(dport), 65536)], [toUInt64(1)]) AS sm,
      arrayReduce('max', tupleElement(sm, 2)) AS sm_top,
      arrayFirst((k, c) -> c = sm_top, tupleElement(sm, 1), tupleElement(sm, 2)) AS sm_key,
      toFloat64(sm_top) AS fast_i_bytecount, toFloat64(intDiv(sm_key, 65537)) AS fast_mode_size,
      if(sm_key % 65537 = 65536, -1, toInt32(sm_key % 65537)) AS fast_mode_dport,
      sumMap([toUInt64(ifNull(orig_bytes, 0))], [toUInt64(1)]) AS om,
      tupleElement(om, 1) AS om_sizes, tupleElement(om, 2) AS om_counts,
      arrayReduce('max', om_counts) AS om_top,
      ${flowLevel.map((c) => `toFloat64(${sized(c.sql)}) AS ${c.name}`).join(',\n      ')}
    FROM ${t} WHERE ${w} GROUP BY src, dst`;
  const modeKey = 'tuple(-toInt64(n), size, ifNull(toUInt32(dport), 65536))';
  const slowPairs = `SELECT src, dst FROM ${t} WHERE ${w} AND ${size} >= ${PACK_LIMIT} GROUP BY src, dst`;
  const slow = `SELECT src, dst, 1 AS slow, argMin(ifNull(toInt32(dport), -1), ${modeKey}) AS slow_mode_dport,
      toFloat64(argMin(size, ${modeKey})) AS slow_mode_size, toFloat64(max(n)) AS slow_i_bytecount
    FROM (SELECT src, dst, dport, ${size} AS size, count() AS n FROM ${t}
          WHERE ${w} AND (src, dst) GLOBAL IN (${slowPairs}) GROUP BY src, dst, dport, size)
    GROUP BY src, dst`;
  const textMode = (name: string, column: string) =>
    `SELECT src, dst, argMin(v, tuple(-toInt64(n), v)) AS ${name}_mode, 1 AS has_${name}
      FROM (SELECT src, dst, assumeNotNull(${column}) AS v, count() AS n FROM ${t}
            WHERE ${w} AND isNotNull(${column}) GROUP BY src, dst, v)
      GROUP BY src, dst`;
  // Per destination, from per-pair rows (pairs of one destination live on different shards).
  const d = `SELECT dst, toFloat64(count()) AS dest_sources,
      toFloat64(countIf(src IN (SELECT src FROM ${INTERNAL_TABLE}))) AS dest_internal_sources
    FROM (SELECT src, dst FROM ${t} WHERE ${w} GROUP BY src, dst) GROUP BY dst`;
  const internalTotal = `(SELECT toFloat64(uniqExact(src)) FROM (SELECT src, dst FROM ${t} WHERE ${w} GROUP BY src, dst)
      WHERE src IN (SELECT src FROM ${INTERNAL_TABLE}))`;
  const pCols = [
    'src',
    'dst',
    'fast_i_bytecount',
    'fast_mode_size',
    'fast_mode_dport',
    ...flowLevel.map((c) => c.name),
  ];
  // 18.16 joins two tables per SELECT: nest them.
  let joined = `SELECT * FROM (SELECT ${pCols.join(', ')} FROM (${p})) AS p ANY LEFT JOIN (${slow}) AS s USING (src, dst)`;
  const labels: string[] = [];
  for (const name of LABEL_NAMES) {
    const spec = PAIR_LABELS[name];
    if ('mostCommon' in spec) {
      joined = `SELECT * FROM (${joined}) AS w_${name} ANY LEFT JOIN (${textMode(name, spec.mostCommon)}) AS t_${name} USING (src, dst)`;
      labels.push(`${name}_mode AS ${name}`, `has_${name}`);
    } else {
      const a = aggregateOf(spec, 'clickhouse') as Aggregate<ClickHouseLevel>;
      labels.push(`${a.sql} AS ${name}`);
    }
  }
  joined = `SELECT * FROM (${joined}) AS wl ANY LEFT JOIN (${d}) AS d USING (dst)`;
  const out = [
    'src',
    'dst',
    ...labels,
    ...numeric.map((c) => (c.over === 'pair' ? `toFloat64(${c.sql}) AS ${c.name}` : c.name)),
  ];
  return `SELECT ${out.join(', ')}
    FROM (SELECT *, ${internalTotal} AS internal_sources FROM (${joined}))
    ORDER BY src, dst`;
}

/** Sizes from 2^48 on do not fit the packed (size, dport) key of the mode: 2^48 · 65537 > 2^64. */
const PACK_LIMIT = '281474976710656';

/** The seed's literal rows: one per (src, dst, dport, size), with the pair's counts. */
export function seedRowsSql(l: Layout, fileIds: readonly number[], options: FeatureOptions): string {
  const t = q(l, l.flows);
  const w = where(fileIds, options);
  const size = sizeExpr(options);
  const r = `SELECT src, dst, dport, ${size} AS size, count() AS n FROM ${t} WHERE ${w} GROUP BY src, dst, dport, size`;
  const p = `SELECT src, dst, count() AS pair_t, uniqExact(${size}) AS pair_d FROM ${t} WHERE ${w} GROUP BY src, dst`;
  return `SELECT src, dst, dport, toFloat64(size) AS size, toFloat64(n) AS i_bytecount, toFloat64(pair_t) AS t_bytecount,
      toFloat64(pair_d) AS distinct_byte_count, n / pair_t AS avgcount
    FROM (${r}) AS r ALL INNER JOIN (${p}) AS p USING (src, dst)
    ORDER BY src, dst, dport, size`;
}

/**
 * Each pair's flows sorted by time (ties by size), for the pairs with at least `minFlows` flows;
 * `bucket` of `buckets` (by cityHash64(src, dst)) so one query holds a bounded share of the flows.
 */
export function pairSeriesSql(
  l: Layout,
  fileIds: readonly number[],
  options: FeatureOptions,
  minFlows: number,
  bucket: number,
  buckets: number,
): string {
  const t = q(l, l.flows);
  const bucketFilter =
    buckets > 1 ? ` AND cityHash64(src, dst) % ${sqlInteger(buckets)} = ${sqlInteger(bucket)}` : '';
  const size = `toFloat64(${sizeExpr(options)})`;
  // Split records (options.stitchSplitRecords): the pair's flows sorted by (sport, dport, ts), NULL
  // ports and non-TCP records (a UDP beacon may keep one socket) as source port −1; a record with a source port is dropped when the previous record of the same ports
  // ended less than SPLIT_RECORD_GAP_S before it (DuckDB: lag() over the four-tuple). A pair still
  // counts all its records for minFlows, as in the DuckDB engine.
  // (Lambdas see the previous record through shifted arrays, not by indexing a captured array:
  // a captured array is copied for every element.)
  const points = options.stitchSplitRecords
    ? `arraySort(groupArray(tuple(if(ifNull(proto, '') = 'tcp', ifNull(toInt32(sport), -1), -1), ifNull(toInt32(dport), -1), ts, ts + ifNull(duration, 0), ${size}))) AS recs,
        arraySort(arrayMap(x -> tuple(tupleElement(x, 3), tupleElement(x, 5)),
          arrayFilter((x, prev_sport, prev_dport, prev_end) -> tupleElement(x, 1) = -1 OR tupleElement(x, 1) != prev_sport
              OR tupleElement(x, 2) != prev_dport OR tupleElement(x, 3) > prev_end + ${sqlNumber(SPLIT_RECORD_GAP_S)},
            recs,
            arrayPushFront(arrayPopBack(arrayMap(x -> tupleElement(x, 1), recs)), -2),
            arrayPushFront(arrayPopBack(arrayMap(x -> tupleElement(x, 2), recs)), -2),
            arrayPushFront(arrayPopBack(arrayMap(x -> tupleElement(x, 4), recs)), 0))))`
    : `arraySort(groupArray(tuple(ts, ${size})))`;
  return `SELECT src, dst, arrayMap(x -> tupleElement(x, 1), pts) AS ts, arrayMap(x -> tupleElement(x, 2), pts) AS sizes
    FROM (SELECT src, dst, ${points} AS pts
          FROM ${t} WHERE ${where(fileIds, options)}${bucketFilter}
          GROUP BY src, dst HAVING count() >= ${sqlInteger(minFlows)})`;
}

/** One pair's flows sorted by time, every k-th when it has more than `limit` (k = ceil(total / limit)). */
export function pairFlowsSql(
  l: Layout,
  fileIds: readonly number[],
  src: string,
  dst: string,
  limit: number,
): string {
  const t = q(l, l.flows);
  return `SELECT tupleElement(r, 1) AS ts, tupleElement(r, 2) AS duration, tupleElement(r, 3) AS orig_bytes,
      tupleElement(r, 4) AS resp_bytes, tupleElement(r, 5) AS dport, tupleElement(r, 6) AS conn_state,
      tupleElement(r, 7) AS no_state, total
    FROM (SELECT arraySort(groupArray(tuple(ts, ifNull(duration, 0), toFloat64(ifNull(orig_bytes, 0)),
              toFloat64(ifNull(resp_bytes, 0)), ifNull(toInt32(dport), -1), ifNull(conn_state, ''), isNull(conn_state)))) AS rows,
            length(rows) AS total
          FROM ${t} WHERE ${where(fileIds)} AND src = ${sqlString(src)} AND dst = ${sqlString(dst)})
    ARRAY JOIN rows AS r, arrayEnumerate(rows) AS i
    WHERE (i - 1) % greatest(1, intDiv(total + ${sqlInteger(limit)} - 1, ${sqlInteger(limit)})) = 0`;
}

/** Flows per bucket of the pair series: how many (used) flows one series query may hold. */
export function flowCountSql(l: Layout, fileIds: readonly number[]): string {
  return `SELECT count() AS n FROM ${q(l, l.flows)} WHERE ${where(fileIds)}`;
}

/**
 * Change detection's per (pair, window) aggregates (WindowQuery; the DuckDB engine's
 * change-sql.ts computes the same columns with window functions, which 18.16 lacks): one row per
 * pair and window in WINDOW_SERIES_COLUMNS order, sorted by pair and window. A flow joins each of
 * the k windows it falls into (ARRAY JOIN range(k)); per window, its time-sorted flows are an
 * array: gaps, their median (interpolated like DuckDB's median), the dense part and the flows off
 * the usual sizes come from arrays (neighbours through shifted arrays: a lambda that indexes a
 * captured array copies it for every element). Modes: highest count, then the smaller value (sumMap keys are
 * ascending), no port last. Every GROUP BY includes (src, dst): complete per shard (SHARD_LOCAL,
 * and distributed_product_mode = local for the pair filter's subquery).
 */
export function pairWindowsSql(
  l: Layout,
  fileIds: readonly number[],
  shape: { window: number; hop: number; k: number },
  query: Pick<WindowQuery, 'pairs' | 'minFlows' | 'windows'>,
): string {
  const t = q(l, l.flows);
  const conds = [where(fileIds)];
  if (query.pairs) {
    conds.push(
      query.pairs.length
        ? `(src, dst) IN (${query.pairs.map((p) => `tuple(${sqlString(p.src)}, ${sqlString(p.dst)})`).join(', ')})`
        : '0',
    );
  } else if (query.minFlows !== undefined && query.minFlows > 1) {
    conds.push(
      `(src, dst) IN (SELECT src, dst FROM ${t} WHERE ${where(fileIds)} GROUP BY src, dst HAVING count() >= ${sqlInteger(query.minFlows)})`,
    );
  }
  const hop = sqlNumber(shape.hop);
  if (query.windows) {
    // flows of windows [from, to): ts from from·hop up to the end of window to − 1
    conds.push(`ts >= ${sqlNumber(query.windows.from * shape.hop)}`);
    conds.push(`ts < ${sqlNumber((query.windows.to - 1) * shape.hop + shape.window)}`);
    conds.push(`wi >= ${sqlNumber(query.windows.from)} AND wi < ${sqlNumber(query.windows.to)}`);
  }
  const mode = (m: string) =>
    `arrayFirst((k, c) -> c = arrayReduce('max', tupleElement(${m}, 2)), tupleElement(${m}, 1), tupleElement(${m}, 2))`;
  const inner = `SELECT src, dst, toInt64(floor(ts / ${hop})) - toInt64(r) AS wi,
      toFloat64(wi) AS index, toFloat64(count()) AS flows, min(ts) AS firstTs, max(ts) AS lastTs,
      arraySort(groupArray(ts)) AS tsa, arrayPopFront(arrayDifference(tsa)) AS steps,
      arraySort(steps) AS gaps, length(gaps) AS ng,
      if(ng = 0, nan, gaps[intDiv(ng - 1, 2) + 1] + (gaps[intDiv(ng, 2) + 1] - gaps[intDiv(ng - 1, 2) + 1]) * 0.5) AS gapMedian,
      toFloat64(sum(ifNull(resp_bytes, 0) AS rs)) AS respBytes, toFloat64(sum(ifNull(orig_bytes, 0) AS os)) AS origBytes,
      sumMap([rs], [toUInt64(1)]) AS rm, sumMap([os], [toUInt64(1)]) AS om,
      sumMap([ifNull(toUInt32(dport), 65536)], [toUInt64(1)]) AS pm,
      toFloat64(length(tupleElement(rm, 1))) AS respDistinct, ${mode('rm')} AS rmode,
      toFloat64(rmode) AS respModeSize, toFloat64(arrayReduce('max', tupleElement(rm, 2))) AS respModeCount,
      toFloat64(length(tupleElement(om, 1))) AS origDistinct, ${mode('om')} AS omode,
      toFloat64(omode) AS origModeSize, toFloat64(arrayReduce('max', tupleElement(om, 2))) AS origModeCount,
      if(${mode('pm')} = 65536, -1, toFloat64(${mode('pm')})) AS dport_mode,
      arrayMap(x -> tupleElement(x, 1),
        arrayFilter(x -> tupleElement(x, 2) != rmode OR tupleElement(x, 3) != omode, groupArray(tuple(ts, rs, os)))) AS odd,
      if(length(odd) = 0, firstTs, arrayReduce('min', odd)) AS oddFirstTs,
      if(length(odd) = 0, lastTs, arrayReduce('max', odd)) AS oddLastTs,
      arrayFilter((x, gap_prev, gap_next) -> least(gap_prev, gap_next) <= ${sqlNumber(DENSE_GAP_FACTOR)} * gapMedian,
        tsa, arrayPushFront(steps, inf), arrayPushBack(steps, inf)) AS dense,
      if(length(dense) = 0, firstTs, dense[1]) AS denseFirstTs,
      if(length(dense) = 0, lastTs, dense[length(dense)]) AS denseLastTs
    FROM ${t} ARRAY JOIN range(${sqlInteger(shape.k)}) AS r
    WHERE ${conds.join(' AND ')}
    GROUP BY src, dst, wi`;
  const columns = WINDOW_SERIES_COLUMNS.map((c) => (c === 'dport' ? 'dport_mode' : c));
  return `SELECT src, dst, ${columns.join(', ')} FROM (${inner}) ORDER BY src, dst, index`;
}
