import { InputError } from '../util/errors.js';
import { DuckDbEngine } from './duckdb/duckdb-engine.js';
import type { Engine } from './engine.js';

/** "duckdb" (embedded; `db` a file or in memory) or a clickhouse:// URL. */
export async function openEngine(spec: string, db?: string): Promise<Engine> {
  if (spec === 'duckdb') return DuckDbEngine.open(db);
  if (spec.startsWith('clickhouse://')) {
    throw new InputError('the ClickHouse engine is not available in this build yet');
  }
  throw new InputError(`unknown engine "${spec}" (use duckdb or clickhouse://user:pass@host:8123/db)`);
}
