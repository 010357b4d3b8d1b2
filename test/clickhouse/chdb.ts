import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { sqlString } from '../../src/store/clickhouse/escape.js';
import type { ClickHouseTransport, Row, StatementOptions } from '../../src/store/clickhouse/transport.js';

/*
 * A current ClickHouse in-process: the `chdb` npm package (libchdb, ClickHouse 26.x, shipped as a
 * platform package from the npm registry; nothing is downloaded from elsewhere). Not a dependency
 * of beaconhunt (it is 540 MB): CI installs it (`npm install --no-save chdb`, .ci/run) and the
 * tests that use it skip with a message when it is absent.
 */

/** The part of chdb's Session the transport uses. */
interface ChdbSession {
  queryAsync(query: string, opts?: { format?: string }): Promise<{ text(): string }>;
  insert(params: {
    table: string;
    values: readonly Row[] | NodeJS.ReadableStream;
    format?: 'TabSeparated';
    columns?: readonly string[];
  }): Promise<unknown>;
  close(): void;
}

interface ChdbModule {
  Session: new (path?: string, opts?: { connectionArgs?: readonly string[] }) => ChdbSession;
}

/** chdb when it is installed, else undefined. */
export async function loadChdb(): Promise<ChdbModule | undefined> {
  // a variable specifier: the type checker must not require the (optional) package
  const name = 'chdb';
  try {
    return (await import(name)) as ChdbModule;
  } catch {
    return undefined;
  }
}

/** Settings as a SETTINGS clause (our own names; values are numbers or quoted text). */
function withSettings(sql: string, options?: StatementOptions): string {
  const entries = Object.entries(options?.settings ?? {});
  if (!entries.length) return sql;
  const list = entries.map(([k, v]) => {
    if (!/^[a-z_0-9]+$/.test(k)) throw new Error(`not a setting name: ${k}`);
    return `${k} = ${typeof v === 'number' ? v : sqlString(String(v))}`;
  });
  return `${sql} SETTINGS ${list.join(', ')}`;
}

/**
 * chdb's insert takes `db.table` without quotes; the engine's names are plain words (sqlUserName
 * checked them), so the backquotes can go.
 */
function bare(table: string): string {
  const name = table.replace(/`/g, '');
  if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/.test(name)) throw new Error(`not a plain table name: ${table}`);
  return name;
}

/**
 * The engine's transport over one chdb session in a temporary directory. One session serves every
 * statement, so the HTTP session ids (temporary tables) need no counterpart here.
 */
export class ChdbTransport implements ClickHouseTransport {
  private constructor(
    private readonly session: ChdbSession,
    private readonly dir: string,
  ) {}

  static async open(chdb: ChdbModule): Promise<ChdbTransport> {
    const dir = await mkdtemp(join(tmpdir(), 'bh-chdb-'));
    const session = new chdb.Session(dir, {
      connectionArgs: ['--output_format_json_quote_64bit_integers=0'],
    });
    return new ChdbTransport(session, dir);
  }

  async rows<T = Row>(sql: string, options?: StatementOptions): Promise<T[]> {
    const r = await this.session.queryAsync(withSettings(sql, options), { format: 'JSONEachRow' });
    return r
      .text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T);
  }

  async stream(sql: string, visit: (row: Row) => void, options?: StatementOptions): Promise<void> {
    for (const row of await this.rows(sql, options)) visit(row);
  }

  async command(sql: string, options?: StatementOptions): Promise<void> {
    await this.session.queryAsync(withSettings(sql, options));
  }

  async insertRows(table: string, rows: readonly Row[]): Promise<void> {
    await this.session.insert({ table: bare(table), values: rows });
  }

  async insertTsv(table: string, columns: readonly string[], body: Readable): Promise<void> {
    await this.session.insert({ table: bare(table), values: body, format: 'TabSeparated', columns });
  }

  async ping(): Promise<void> {
    await this.session.queryAsync('SELECT 1');
  }

  /** The server's version, for test names. */
  async version(): Promise<string> {
    const [row] = await this.rows<{ v: string }>('SELECT version() AS v');
    return row?.v ?? '?';
  }

  async close(): Promise<void> {
    this.session.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
