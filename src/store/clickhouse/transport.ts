import type { Readable } from 'node:stream';
import {
  type ClickHouseClient,
  ClickHouseLogLevel,
  type ClickHouseSettings,
  createClient,
} from '@clickhouse/client';

/** One JSONEachRow result row. */
export type Row = Record<string, unknown>;

/** Per-statement options: settings, and the session whose temporary tables the statement sees. */
export interface StatementOptions {
  settings?: ClickHouseSettings;
  session?: string;
}

/**
 * How the engine talks to one ClickHouse: everything it needs and nothing more, so the same SQL
 * runs over HTTP (a server or a cluster, `HttpTransport`) or in-process (chdb, a current
 * ClickHouse, in the tests). Results are JSONEachRow with 64-bit integers as numbers.
 */
export interface ClickHouseTransport {
  /** Rows of a SELECT, handed over one at a time as they arrive (memory holds one batch). */
  stream(sql: string, visit: (row: Row) => void, options?: StatementOptions): Promise<void>;
  rows<T = Row>(sql: string, options?: StatementOptions): Promise<T[]>;
  command(sql: string, options?: StatementOptions): Promise<void>;
  /** Inserts a few rows given as objects (JSONEachRow). */
  insertRows(table: string, rows: readonly Row[], options?: StatementOptions): Promise<void>;
  /** Streams TabSeparated rows into `table` (`columns` in their order), with back-pressure. */
  insertTsv(
    table: string,
    columns: readonly string[],
    body: Readable,
    options?: StatementOptions,
  ): Promise<void>;
  /** Throws when the server does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Endpoint {
  url: string;
  username: string;
  password: string;
}

/** The official client over HTTP(S). */
export class HttpTransport implements ClickHouseTransport {
  private readonly client: ClickHouseClient;

  constructor(endpoint: Endpoint) {
    this.client = createClient({
      url: endpoint.url,
      username: endpoint.username,
      password: endpoint.password,
      request_timeout: 3_600_000,
      max_open_connections: 4,
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  private static params(options: StatementOptions = {}) {
    return {
      ...(options.settings ? { clickhouse_settings: options.settings } : {}),
      ...(options.session ? { session_id: options.session } : {}),
    };
  }

  async stream(sql: string, visit: (row: Row) => void, options?: StatementOptions): Promise<void> {
    const rs = await this.client.query({
      query: sql,
      format: 'JSONEachRow',
      ...HttpTransport.params(options),
    });
    for await (const rows of rs.stream<Row>()) {
      for (const row of rows) visit(row.json<Row>());
    }
  }

  async rows<T = Row>(sql: string, options?: StatementOptions): Promise<T[]> {
    const rs = await this.client.query({
      query: sql,
      format: 'JSONEachRow',
      ...HttpTransport.params(options),
    });
    return rs.json<T>();
  }

  async command(sql: string, options?: StatementOptions): Promise<void> {
    await this.client.command({ query: sql, ...HttpTransport.params(options) });
  }

  async insertRows(table: string, rows: readonly Row[], options?: StatementOptions): Promise<void> {
    await this.client.insert({
      table,
      values: [...rows],
      format: 'JSONEachRow',
      ...HttpTransport.params(options),
    });
  }

  async insertTsv(
    table: string,
    columns: readonly string[],
    body: Readable,
    options?: StatementOptions,
  ): Promise<void> {
    await this.client.insert({
      table,
      values: body,
      format: 'TabSeparated',
      columns: columns as [string, ...string[]],
      ...HttpTransport.params(options),
    });
  }

  async ping(): Promise<void> {
    const r = await this.client.ping();
    if (!r.success) throw r.error;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
