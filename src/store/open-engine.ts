import { InputError } from '../util/errors.js';
import { DuckDbEngine } from './duckdb/duckdb-engine.js';
import type { DuckDbSettings } from './duckdb/settings.js';
import type { Engine } from './engine.js';

/** "duckdb" (embedded; `db` a file or in memory) or a clickhouse:// URL. */
export async function openEngine(
  spec: string,
  db?: string,
  duckdb: Partial<DuckDbSettings> = {},
): Promise<Engine> {
  if (spec === 'duckdb') return DuckDbEngine.open(db, duckdb);
  if (spec.startsWith('clickhouse://') || spec.startsWith('clickhouses://')) {
    if (db) throw new InputError('--db is for the DuckDB engine; the ClickHouse URL names the database');
    // loaded on demand: DuckDB-only users never load the ClickHouse client
    const { ClickHouseEngine } = await import('./clickhouse/clickhouse-engine.js');
    return ClickHouseEngine.open(spec);
  }
  throw new InputError(`unknown engine "${spec}" (use duckdb or clickhouse://user:pass@host:8123/db)`);
}
