import { type DuckDBConnection, type DuckDBValue, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { PairWindowSeries, WindowQuery } from '../engine.js';
import { DENSE_GAP_FACTOR, decodeNumber, windowSeriesCollector, windowShape } from '../shared.js';

/*
 * Per (pair, time window) aggregates for change detection (src/change). Windows are aligned to the
 * epoch: window i covers [i·hop, i·hop + window). With hop < window (sliding windows) a flow
 * belongs to window/hop consecutive windows; it is joined to each of them (range(0, k)).
 * Every value that reaches SQL is a bound parameter; the statement text is constant per shape.
 */

/**
 * Streams each selected pair's windows to `visit`, pair by pair (ordered by src, dst), so memory
 * stays bounded by the pair with the most windows.
 */
export async function streamPairWindows(
  db: DuckDBConnection,
  query: WindowQuery,
  visit: (series: PairWindowSeries) => void,
): Promise<void> {
  const { window, hop, k } = windowShape(query);
  const params: Record<string, DuckDBValue> = { hop, k, dense: DENSE_GAP_FACTOR };
  const where: string[] = ['f.skip_reason IS NULL'];
  let from = 'flows f';
  if (query.pairs) {
    await db.run('CREATE OR REPLACE TEMP TABLE change_pairs (src VARCHAR, dst VARCHAR)');
    if (query.pairs.length > 0) {
      await db.run(
        'INSERT INTO change_pairs SELECT DISTINCT unnest($src), unnest($dst)',
        {
          src: listValue(query.pairs.map((p) => p.src)),
          dst: listValue(query.pairs.map((p) => p.dst)),
        },
        { src: LIST(VARCHAR), dst: LIST(VARCHAR) },
      );
    }
    from = 'flows f SEMI JOIN change_pairs c ON f.src = c.src AND f.dst = c.dst';
  } else if (query.minFlows !== undefined && query.minFlows > 1) {
    from = `flows f SEMI JOIN (SELECT src, dst FROM flows WHERE skip_reason IS NULL GROUP BY src, dst HAVING count(*) >= $min) c
      ON f.src = c.src AND f.dst = c.dst`;
    params.min = query.minFlows;
  }
  let windowFilter = '';
  if (query.windows) {
    // Flows of windows [from, to): ts from from·hop up to the end of window to − 1.
    where.push('f.ts >= $lo AND f.ts < $hi');
    params.lo = query.windows.from * hop;
    params.hi = (query.windows.to - 1) * hop + window;
    params.wfrom = query.windows.from;
    params.wto = query.windows.to;
    windowFilter = 'WHERE wi >= $wfrom AND wi < $wto';
  }
  const sql = `
    WITH fw AS MATERIALIZED (
      SELECT * FROM (
        SELECT f.src, f.dst, f.ts, f.dport, coalesce(f.resp_bytes, 0) AS rs, coalesce(f.orig_bytes, 0) AS os,
          floor(f.ts / $hop)::BIGINT - r.k AS wi
        FROM ${from} CROSS JOIN range(0, $k) AS r(k)
        WHERE ${where.join(' AND ')}
      ) ${windowFilter}
    ),
    g AS MATERIALIZED (
      SELECT src, dst, wi, ts, rs, os, ts - lag(ts) OVER p AS gap_prev, lead(ts) OVER p - ts AS gap_next
      FROM fw WINDOW p AS (PARTITION BY src, dst, wi ORDER BY ts)
    ),
    w AS (
      SELECT src, dst, wi, count(*)::DOUBLE AS flows, min(ts) AS first_ts, max(ts) AS last_ts,
        median(gap_prev) AS gap_median, sum(rs)::DOUBLE AS resp_bytes, sum(os)::DOUBLE AS orig_bytes
      FROM g GROUP BY src, dst, wi
    ),
    -- The window's dense part: flows with a neighbour within $dense × the window's median gap.
    dense AS (
      SELECT g.src, g.dst, g.wi, min(g.ts) AS dense_first, max(g.ts) AS dense_last
      FROM g JOIN w ON w.src = g.src AND w.dst = g.dst AND w.wi = g.wi
      WHERE least(coalesce(g.gap_prev, 'inf'::DOUBLE), coalesce(g.gap_next, 'inf'::DOUBLE)) <= $dense * w.gap_median
      GROUP BY g.src, g.dst, g.wi
    ),
    -- The most common size per window and its count; ties go to the smaller size (max over
    -- (count, −size) pairs), so every run and every engine picks the same one.
    rm AS (
      SELECT src, dst, wi, count(*)::DOUBLE AS resp_distinct, max({'n': n, 'neg': -rs}) AS m
      FROM (SELECT src, dst, wi, rs, count(*) AS n FROM fw GROUP BY src, dst, wi, rs) GROUP BY src, dst, wi
    ),
    om AS (
      SELECT src, dst, wi, count(*)::DOUBLE AS orig_distinct, max({'n': n, 'neg': -os}) AS m
      FROM (SELECT src, dst, wi, os, count(*) AS n FROM fw GROUP BY src, dst, wi, os) GROUP BY src, dst, wi
    ),
    pm AS (
      SELECT src, dst, wi, max({'n': n, 'neg': -coalesce(dport, 65536)}) AS m
      FROM (SELECT src, dst, wi, dport, count(*) AS n FROM fw GROUP BY src, dst, wi, dport) GROUP BY src, dst, wi
    ),
    -- Flows off the window's usual sizes (either direction): where a spurt starting or ending in
    -- the window is, without the check-ins around it.
    d AS (
      SELECT fw.src, fw.dst, fw.wi, min(fw.ts) AS odd_first, max(fw.ts) AS odd_last
      FROM fw
      JOIN rm ON rm.src = fw.src AND rm.dst = fw.dst AND rm.wi = fw.wi
      JOIN om ON om.src = fw.src AND om.dst = fw.dst AND om.wi = fw.wi
      WHERE fw.rs <> -rm.m.neg OR fw.os <> -om.m.neg
      GROUP BY fw.src, fw.dst, fw.wi
    )
    SELECT w.src, w.dst, w.wi::DOUBLE, w.flows, w.first_ts, w.last_ts, coalesce(w.gap_median, 'NaN'::DOUBLE),
      w.resp_bytes, w.orig_bytes,
      rm.resp_distinct, (-rm.m.neg)::DOUBLE, rm.m.n::DOUBLE,
      om.orig_distinct, (-om.m.neg)::DOUBLE, om.m.n::DOUBLE,
      CASE WHEN pm.m.neg = -65536 THEN -1 ELSE -pm.m.neg END::DOUBLE,
      coalesce(d.odd_first, w.first_ts), coalesce(d.odd_last, w.last_ts),
      coalesce(dense.dense_first, w.first_ts), coalesce(dense.dense_last, w.last_ts)
    FROM w
    JOIN rm ON rm.src = w.src AND rm.dst = w.dst AND rm.wi = w.wi
    JOIN om ON om.src = w.src AND om.dst = w.dst AND om.wi = w.wi
    JOIN pm ON pm.src = w.src AND pm.dst = w.dst AND pm.wi = w.wi
    LEFT JOIN d ON d.src = w.src AND d.dst = w.dst AND d.wi = w.wi
    LEFT JOIN dense ON dense.src = w.src AND dense.dst = w.dst AND dense.wi = w.wi
    ORDER BY w.src, w.dst, w.wi`;
  // Rows come sorted by pair and window; a pair's series is handed over when the next pair begins.
  // (One ordered list() per column and pair would cost DuckDB a buffer per group and column.)
  const series = windowSeriesCollector(visit);
  const result = await db.stream(sql, params);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cols = chunk.getColumns();
    for (let r = 0; r < chunk.rowCount; r++) {
      series.add(String(cols[0]?.[r]), String(cols[1]?.[r]), (c) => decodeNumber(cols[c + 2]?.[r] ?? null));
    }
  }
  series.end();
}
