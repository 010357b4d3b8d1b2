import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { CANONICAL_FIELDS, type Flow } from '../../src/flow/schema.js';
import type { DelimitedPlan, FileAccounting, ImportPlan, JsonLinesPlan } from '../../src/read/plan.js';
import type { Conversion, RawRow } from '../../src/store/clickhouse/convert.js';
import { DuckDbEngine } from '../../src/store/duckdb/duckdb-engine.js';
import { importSelectSql } from '../../src/store/duckdb/import-sql.js';

/**
 * DuckDB as the oracle for the ClickHouse engine's JS import: run the DuckDB import SQL
 * (importSelectSql) over raw rows held in a table, one output row per input row, in order.
 */
export async function duckdbConvert(
  plan: DelimitedPlan | JsonLinesPlan,
  rows: readonly RawRow[],
  jsonOk?: readonly boolean[],
): Promise<Conversion[]> {
  const width = plan.rawNames.length;
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    await db.run("SET TimeZone = 'UTC'");
    await db.run('SET threads = 1');
    const cols = Array.from({ length: width }, (_, i) => `r${i} VARCHAR`);
    await db.run(`CREATE TABLE raw (idx INTEGER, ok BOOLEAN, ${cols.join(', ')})`);
    const appender = await db.createAppender('raw');
    rows.forEach((row, idx) => {
      appender.appendInteger(idx);
      appender.appendBoolean(jsonOk ? (jsonOk[idx] ?? true) : true);
      for (let i = 0; i < width; i++) {
        const v = row[i];
        if (v === null || v === undefined) appender.appendNull();
        else appender.appendVarchar(v);
      }
      appender.endRow();
    });
    appender.closeSync();
    const { sql, params } = importSelectSql(
      plan,
      '(SELECT * FROM raw ORDER BY idx)',
      jsonOk ? 'ok' : undefined,
    );
    const reader = await db.runAndReadAll(sql, params);
    const names = reader.columnNames();
    return reader.getRows().map((r) => {
      const get = (name: string): DuckDBValue => r[names.indexOf(name)] ?? null;
      const reason = get('skip_reason');
      if (reason !== null) return String(reason);
      const flow = {} as Record<string, unknown>;
      for (const f of CANONICAL_FIELDS) {
        const v = get(f);
        flow[f] = typeof v === 'bigint' ? Number(v) : v;
      }
      return flow as unknown as Flow;
    });
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** Small seeded PRNG (mulberry32) for reproducible fuzz cases. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Import one file with the real DuckDB engine; its accounting and stored rows (flows or reasons). */
export async function duckdbImportFile(
  plan: ImportPlan,
): Promise<{ accounting: FileAccounting; rows: Conversion[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'bh-oracle-'));
  const dbPath = join(dir, 'oracle.duckdb');
  try {
    const engine = await DuckDbEngine.open(dbPath);
    let accounting: FileAccounting;
    try {
      accounting = await engine.importFile(plan);
    } finally {
      await engine.close();
    }
    const instance = await DuckDBInstance.create(dbPath);
    const db = await instance.connect();
    try {
      const reader = await db.runAndReadAll(`SELECT ${CANONICAL_FIELDS.join(', ')}, skip_reason FROM flows`);
      const names = reader.columnNames();
      const rows = reader.getRows().map((r) => {
        const get = (name: string): DuckDBValue => r[names.indexOf(name)] ?? null;
        const reason = get('skip_reason');
        if (reason !== null) return String(reason);
        const flow = {} as Record<string, unknown>;
        for (const f of CANONICAL_FIELDS) {
          const v = get(f);
          flow[f] = typeof v === 'bigint' ? Number(v) : v;
        }
        return flow as unknown as Flow;
      });
      return { accounting, rows };
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
