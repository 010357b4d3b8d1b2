import { randomInt, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { ClickHouseSettings } from '@clickhouse/client';
import { internalClassifier } from '../../context/networks.js';
import type { FeatureOptions } from '../../features/options.js';
import {
  decodeLabel,
  LABEL_NAMES,
  NUMERIC_FEATURE_NAMES,
  PAIR_LABELS,
  type PairFeatures,
  type PairFlows,
  type PairSeries,
  pairKey,
  type SeedRows,
} from '../../features/pair-features.js';
import { CANONICAL_FIELDS, type CanonicalField, FIELD_KINDS } from '../../flow/schema.js';
import { fingerprintFile } from '../../read/fingerprint.js';
import type { FileAccounting, ImportPlan } from '../../read/plan.js';
import { errorMessage, InputError } from '../../util/errors.js';
import { GrowableFloats } from '../../util/growable-floats.js';
import { DuckDbEngine } from '../duckdb/duckdb-engine.js';
import type { DataSummary, Engine, PairWindowSeries, WindowQuery } from '../engine.js';
import {
  decodeAccounting,
  decodeNumber,
  encodeAccounting,
  importAccounting,
  summarizeFiles,
  WINDOW_SERIES_COLUMNS,
  windowSeriesCollector,
  windowShape,
} from '../shared.js';
import { duckdbTsvColumn, isValidUserName, sqlInteger, sqlQualified } from './escape.js';
import { splitByShard } from './shard-split.js';
import { SkippedRows } from './skipped-rows.js';
import {
  addMissingColumnsSql,
  clusterHostsSql,
  clusterShardsSql,
  deleteFileRowsSql,
  distinctSourcesSql,
  duckdbShardSql,
  FLOW_COLUMNS,
  fileIdTakenSql,
  filesSql,
  flowCountSql,
  hasOurShardingKey,
  INTERNAL_TABLE,
  internalTableSql,
  knownFileSql,
  type Layout,
  layoutFor,
  localMarksFlowsSql,
  localShardSql,
  pairFeaturesSql,
  pairFlowsSql,
  pairSeriesSql,
  pairWindowsSql,
  SHARD_LOCAL,
  schemaSql,
  seedRowsSql,
  tableColumnsSql,
  tableEngineSql,
  timeRangeSql,
} from './sql.js';
import { type ClickHouseTransport, type Endpoint, HttpTransport, type Row } from './transport.js';

export interface ClickHouseOptions {
  /**
   * A `<remote_servers>` cluster: flows go to a Distributed table over a MergeTree on every shard,
   * sharded by a hash of (src, dst) (sql.ts: SHARDING_KEY). Without it, one MergeTree on the server
   * of the URL.
   */
  cluster?: string;
  /** Name of the flows table (default `flows`); the files table is `<table>_files`. */
  table?: string;
  /**
   * HTTP addresses of the shards (`clickhouse://host:port` or `host:port`), used to create the
   * tables when the cluster has no distributed DDL (ON CLUSTER needs ZooKeeper/Keeper). Without
   * them the shards' hosts are taken from system.clusters, with the URL's HTTP port.
   */
  shards?: string[];
  /** At most this many flows per pair-series query (default 4 M): bounds server memory. */
  seriesBatchFlows?: number;
}

export interface ClickHouseUrl extends Endpoint {
  database: string;
  /** cluster, table, shards from the query string (`?cluster=c&shards=h1:8123,h2:8123`). */
  options: ClickHouseOptions;
}

const DEFAULT_DATABASE = 'beaconhunt';

/** `clickhouse://user:pass@host:8123/db?cluster=…` (clickhouses:// for HTTPS) → client settings. */
export function parseClickHouseUrl(spec: string): ClickHouseUrl {
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new InputError(`not a ClickHouse URL: expected clickhouse://user:pass@host:8123/db`);
  }
  const secure = u.protocol === 'clickhouses:' || u.searchParams.get('secure') === '1';
  if (u.protocol !== 'clickhouse:' && u.protocol !== 'clickhouses:') {
    throw new InputError(
      `not a ClickHouse URL (${u.protocol}): expected clickhouse://user:pass@host:8123/db`,
    );
  }
  if (!u.hostname) throw new InputError('ClickHouse URL without a host');
  const port = u.port || (secure ? '8443' : '8123');
  const database = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, '')) || DEFAULT_DATABASE;
  if (!isValidUserName(database))
    throw new InputError(`not a valid ClickHouse database name: ${JSON.stringify(database)}`);
  const options: ClickHouseOptions = {};
  const cluster = u.searchParams.get('cluster');
  if (cluster) options.cluster = cluster;
  const table = u.searchParams.get('table');
  if (table) options.table = table;
  const shards = u.searchParams.get('shards');
  if (shards) options.shards = shards.split(',').filter(Boolean);
  return {
    url: `${secure ? 'https' : 'http'}://${u.hostname}:${port}`,
    username: decodeURIComponent(u.username) || 'default',
    password: decodeURIComponent(u.password),
    database,
    options,
  };
}

function shardEndpoint(spec: string, base: Endpoint): Endpoint {
  const withScheme = /^[a-z]+:\/\//.test(spec) ? spec : `clickhouse://${spec}`;
  const parsed = parseClickHouseUrl(withScheme);
  const hasUser = new URL(withScheme).username !== '';
  return hasUser ? parsed : { ...parsed, username: base.username, password: base.password };
}

/**
 * The import's TabSeparated columns (FLOW_COLUMNS) as DuckDB expressions over a converted row
 * (canonical columns and skip_reason). Skipped rows are written too, so one read of the file gives
 * both the flows and the accounting: their ts (never NULL in a usable flow) is NULL and their src
 * holds the skip reason; SkippedRows takes them out before the insert and counts them.
 */
function exportColumns(fileId: number): string[] {
  const kindOf = (f: CanonicalField) => {
    const kind = FIELD_KINDS[f];
    if (kind === 'flag') return 'flag';
    return kind === 'text' || kind === 'lowertext' ? 'text' : kind === 'address' ? 'address' : 'number';
  };
  const columns = CANONICAL_FIELDS.map((f) => {
    const value = duckdbTsvColumn(f, kindOf(f));
    if (f === 'ts') return `CASE WHEN skip_reason IS NULL THEN ${value} END`;
    if (f === 'src')
      return `CASE WHEN skip_reason IS NULL THEN ${value} ELSE ${duckdbTsvColumn('skip_reason', 'text')} END`;
    return value;
  });
  return [...columns, sqlInteger(fileId)];
}

function noDistributedDdl(err: unknown): boolean {
  return /DDL background thread is not initialized|zookeeper|keeper|distributed_ddl/i.test(errorMessage(err));
}

const n = decodeNumber;

/**
 * How the import sends each shard its own rows: `slots` as the Distributed table maps its sharding
 * key to shards (duckdbShardSql), and a client for every shard that owns a slot.
 */
interface ShardRouting {
  slots: number[];
  clients: Map<number, ClickHouseTransport>;
}

interface StoredFile {
  file_id: number;
  path: string;
  format: string;
  data_rows: number;
  used: number;
  accounting_json: string;
}

function accountingOf(row: StoredFile): FileAccounting {
  return decodeAccounting({
    path: row.path,
    format: row.format,
    dataRows: n(row.data_rows),
    used: n(row.used),
    json: row.accounting_json,
  });
}

/**
 * The beaconhunt engine on ClickHouse (one server, or a Distributed table over shards), over HTTP
 * with the official client. Files are read and validated by the embedded DuckDB (the server may be
 * far away and 18.16 cannot read the client's files) and streamed in as TabSeparated, on a cluster
 * straight into each shard's own table; every per-pair
 * computation runs in ClickHouse and only per-pair rows come back, streamed as JSONEachRow.
 */
export class ClickHouseEngine implements Engine {
  readonly name = 'clickhouse';
  readonly stitchesSplitRecords = true;
  private readonly layout: Layout;
  private shardClients?: ClickHouseTransport[];
  private routing?: Promise<ShardRouting | undefined>;

  private constructor(
    private readonly client: ClickHouseTransport,
    private readonly endpoint: Endpoint | undefined,
    database: string,
    private readonly options: ClickHouseOptions,
  ) {
    this.layout = layoutFor(database, options.table ?? 'flows', options.cluster);
  }

  /** Connect (`clickhouse://user:pass@host:8123/db`), check the server answers, create the tables. */
  static async open(url: string, options: ClickHouseOptions = {}): Promise<ClickHouseEngine> {
    const parsed = parseClickHouseUrl(url);
    const merged: ClickHouseOptions = { ...parsed.options, ...options };
    return ClickHouseEngine.start(new HttpTransport(parsed), parsed, parsed.database, merged, parsed.url);
  }

  /**
   * The engine over another transport (chdb, an in-process current ClickHouse, in the tests): one
   * server, no cluster.
   */
  static async withTransport(
    transport: ClickHouseTransport,
    database: string,
    options: Omit<ClickHouseOptions, 'cluster' | 'shards'> = {},
  ): Promise<ClickHouseEngine> {
    if (!isValidUserName(database))
      throw new InputError(`not a valid ClickHouse database name: ${JSON.stringify(database)}`);
    return ClickHouseEngine.start(transport, undefined, database, options, 'the given transport');
  }

  private static async start(
    transport: ClickHouseTransport,
    endpoint: Endpoint | undefined,
    database: string,
    options: ClickHouseOptions,
    where: string,
  ): Promise<ClickHouseEngine> {
    for (const name of [options.cluster, options.table]) {
      if (name !== undefined && !isValidUserName(name))
        throw new InputError(`not a valid ClickHouse name: ${JSON.stringify(name)}`);
    }
    const engine = new ClickHouseEngine(transport, endpoint, database, options);
    try {
      await transport.ping();
      await engine.ensureSchema();
    } catch (err) {
      await engine.close();
      if (err instanceof InputError) throw err;
      throw new InputError(`ClickHouse at ${where}: ${errorMessage(err).split('\n')[0]}`);
    }
    return engine;
  }

  /** Where things are: database, tables, cluster (for messages and tests). */
  get tables(): Readonly<Layout> {
    return this.layout;
  }

  private get distributed(): boolean {
    return this.layout.cluster !== undefined;
  }

  private settings(extra?: ClickHouseSettings): ClickHouseSettings {
    return this.distributed ? { ...SHARD_LOCAL, ...extra } : { ...extra };
  }

  private async command(sql: string, client = this.client): Promise<void> {
    await client.command(sql);
  }

  private async rows<T = Row>(
    sql: string,
    settings?: ClickHouseSettings,
    session?: string,
    client = this.client,
  ): Promise<T[]> {
    return client.rows<T>(sql, { ...(settings ? { settings } : {}), ...(session ? { session } : {}) });
  }

  /** Stream a result row by row (JSONEachRow): memory holds one chunk, not the result. */
  private async stream(
    sql: string,
    visit: (row: Row) => void,
    settings?: ClickHouseSettings,
    session?: string,
  ): Promise<void> {
    await this.client.stream(sql, visit, {
      ...(settings ? { settings } : {}),
      ...(session ? { session } : {}),
    });
  }

  private async ensureSchema(): Promise<void> {
    if (!this.distributed) {
      for (const sql of schemaSql(this.layout, false)) await this.command(sql);
      await this.addMissingColumns(this.layout.flowsLocal, this.client);
      return;
    }
    try {
      for (const sql of schemaSql(this.layout, true)) await this.command(sql);
    } catch (err) {
      if (!noDistributedDdl(err)) throw err;
      // No ZooKeeper/Keeper: create the same tables on every shard, one by one.
      for (const shard of await this.shards()) {
        for (const sql of schemaSql(this.layout, false)) await this.command(sql, shard);
      }
    }
    for (const shard of await this.shards()) await this.addMissingColumns(this.layout.flowsLocal, shard);
    await this.addMissingColumns(this.layout.flows, this.client);
  }

  /** A flows table made by an earlier version gains the canonical columns added since. */
  private async addMissingColumns(table: string, client: ClickHouseTransport): Promise<void> {
    const have = await client.rows<{ name: string }>(tableColumnsSql(this.layout, table));
    const present = new Set(have.map((r) => r.name));
    for (const sql of addMissingColumnsSql(this.layout, table, present)) await this.command(sql, client);
  }

  /** Clients for every shard of the cluster (for DDL without distributed DDL). */
  private async shards(): Promise<ClickHouseTransport[]> {
    if (this.shardClients) return this.shardClients;
    const endpoint = this.endpoint;
    if (!endpoint) throw new InputError('a ClickHouse cluster needs an HTTP connection (clickhouse://…)');
    let specs = this.options.shards;
    if (!specs?.length) {
      const port = new URL(endpoint.url).port;
      const rows = await this.rows<{ host_address: string }>(clusterHostsSql(this.layout.cluster as string));
      specs = rows.map(
        (r) => `${r.host_address.includes(':') ? `[${r.host_address}]` : r.host_address}:${port}`,
      );
      if (new Set(specs).size !== specs.length) {
        throw new InputError(
          `cluster ${this.layout.cluster} has no distributed DDL and its shards share one address; give the shards' HTTP addresses (shards=host:port,…)`,
        );
      }
    }
    if (!specs.length)
      throw new InputError(`cluster ${this.layout.cluster} is not in the server's <remote_servers>`);
    this.shardClients = specs.map((s) => new HttpTransport(shardEndpoint(s, endpoint)));
    return this.shardClients;
  }

  /** Ids of the files whose import finished; queries read only their rows. */
  private async fileIds(): Promise<number[]> {
    const rows = await this.rows<{ file_id: number }>(`SELECT file_id FROM (${filesSql(this.layout)})`);
    return rows.map((r) => n(r.file_id));
  }

  async importFile(plan: ImportPlan): Promise<FileAccounting> {
    if (plan.kind === 'precomputed') {
      throw new InputError(
        'the seed search output (precomputed features) can only be hunted with the DuckDB engine',
        plan.path,
      );
    }
    const fingerprint = await fingerprintFile(plan.path).catch((err) => {
      throw new InputError(errorMessage(err), plan.path);
    });
    const known = await this.rows<StoredFile>(knownFileSql(this.layout, fingerprint));
    if (known[0]) return { ...accountingOf(known[0]), path: plan.path, alreadyImported: true };
    const fileId = await this.newFileId();
    const routing = await this.shardRouting();
    const staging = await mkdtemp(join(tmpdir(), 'beaconhunt-ch-import-'));
    try {
      // DuckDB reads and validates the file exactly as the DuckDB engine does (same plan, same SQL,
      // same rejected lines) and writes every row as TabSeparated for ClickHouse, skipped ones
      // marked (exportColumns), on a cluster split by shard in the same pass; SkippedRows counts
      // the marked rows on the way to the insert.
      const out = join(staging, 'flows');
      const duck = await DuckDbEngine.open(undefined, { tempDirectory: staging });
      let read: Awaited<ReturnType<DuckDbEngine['exportFile']>>;
      try {
        // on a cluster each line starts with its shard (skipped rows have no pair: any shard will
        // do, SkippedRows takes them out); splitByShard strips that column on the way
        const shardColumn = routing
          ? [
              `CASE WHEN skip_reason IS NULL THEN ${duckdbShardSql(routing.slots)} ELSE ${sqlInteger(routing.slots[0] as number)} END`,
            ]
          : [];
        read = await duck.exportFile(plan, out, [...shardColumn, ...exportColumns(fileId)], '\t', '\\N');
      } finally {
        await duck.close();
      }
      const skipped: SkippedRows[] = [];
      let accounting: FileAccounting;
      try {
        if (read.rows > 0) {
          if (routing) skipped.push(...(await this.insertShards(out, routing)));
          else {
            const filter = new SkippedRows();
            skipped.push(filter);
            const source = createReadStream(out, { highWaterMark: 1 << 20 });
            source.on('error', (err) => filter.destroy(err));
            await this.insertTsv(this.client, this.layout.flows, source.pipe(filter));
          }
        }
        const byReason: Record<string, number> = {};
        for (const s of skipped)
          for (const [reason, count] of Object.entries(s.byReason))
            byReason[reason] = (byReason[reason] ?? 0) + count;
        const used = read.rows - skipped.reduce((a, s) => a + s.total, 0);
        accounting = importAccounting(read.plan, used, byReason, read.rejects);
        await this.client.insertRows(
          sqlQualified(this.layout.database, this.layout.files),
          [
            {
              file_id: fileId,
              path: plan.path,
              fingerprint,
              format: plan.format,
              data_rows: accounting.dataRows,
              used: accounting.used,
              accounting_json: encodeAccounting(accounting),
              imported_at: Date.now() / 1000,
            },
          ],
          { settings: this.insertSettings() },
        );
      } catch (err) {
        await this.forgetRows(fileId);
        throw new InputError(`cannot import into ClickHouse: ${errorMessage(err).split('\n')[0]}`, plan.path);
      }
      return accounting;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Distributed inserts wait until the rows are on the shards, so a finished import is complete. */
  private insertSettings(): ClickHouseSettings {
    return this.distributed ? { insert_distributed_sync: 1 } : {};
  }

  /**
   * Whether and how the import can insert into the shards' own tables: only when the flows table
   * shards by SHARDING_KEY (a table made by an older version may not), every shard is one server
   * (replicas are the Distributed table's business) and each shard's HTTP address is known and
   * says which shard it is. Otherwise undefined: rows go through the Distributed table.
   */
  private shardRouting(): Promise<ShardRouting | undefined> {
    this.routing ??= this.findShardRouting().catch(() => undefined);
    return this.routing;
  }

  private async findShardRouting(): Promise<ShardRouting | undefined> {
    const cluster = this.layout.cluster;
    if (cluster === undefined || !this.endpoint) return undefined;
    const [table] = await this.rows<{ engine_full: string }>(tableEngineSql(this.layout, this.layout.flows));
    if (!table || !hasOurShardingKey(table.engine_full)) return undefined;
    const shards = await this.rows<{ shard_num: number; weight: number; replicas: number }>(
      clusterShardsSql(cluster),
    );
    if (!shards.length || shards.some((s) => n(s.replicas) !== 1)) return undefined;
    const slots = shards.flatMap((s) => Array<number>(n(s.weight)).fill(n(s.shard_num)));
    const clients = new Map<number, ClickHouseTransport>();
    for (const client of await this.shards()) {
      const local = await this.rows<{ shard_num: number }>(
        localShardSql(cluster),
        undefined,
        undefined,
        client,
      );
      if (local.length !== 1 || clients.has(n(local[0]?.shard_num))) return undefined;
      clients.set(n(local[0]?.shard_num), client);
    }
    return slots.length && slots.every((s) => clients.has(s)) ? { slots, clients } : undefined;
  }

  /** The export's rows into each shard's own table, all shards at once (splitByShard). */
  private async insertShards(file: string, routing: ShardRouting): Promise<SkippedRows[]> {
    const filters: SkippedRows[] = [];
    const outputs = new Map<number, PassThrough>();
    const inserts: Promise<void>[] = [];
    for (const [shard, client] of routing.clients) {
      const output = new PassThrough({ highWaterMark: 1 << 20 });
      const filter = new SkippedRows();
      output.on('error', (err) => filter.destroy(err));
      outputs.set(shard, output);
      filters.push(filter);
      inserts.push(this.insertTsv(client, this.layout.flowsLocal, output.pipe(filter)));
    }
    const split = splitByShard(createReadStream(file, { highWaterMark: 1 << 20 }), outputs).catch(
      (err: unknown) => {
        for (const output of outputs.values()) output.destroy(err as Error);
        throw err;
      },
    );
    // a failed insert stops the split (its stream would wait for a drain that never comes)
    const watched = inserts.map((insert) =>
      insert.catch((err: unknown) => {
        for (const output of outputs.values()) output.destroy(err as Error);
        throw err;
      }),
    );
    // wait for every insert before failing, so forgetRows runs after the last row arrived
    const results = await Promise.allSettled([split, ...watched]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return filters;
  }

  /** Streams export rows (FLOW_COLUMNS) into `table`, with back-pressure. */
  private async insertTsv(client: ClickHouseTransport, table: string, body: Readable): Promise<void> {
    await client.insertTsv(sqlQualified(this.layout.database, table), FLOW_COLUMNS, body, {
      // straight into a shard's MergeTree there is nothing to wait for
      settings: table === this.layout.flows ? this.insertSettings() : {},
    });
  }

  private async newFileId(): Promise<number> {
    for (;;) {
      const id = randomInt(1, 2 ** 32 - 1);
      const taken = await this.rows<{ n: number }>(fileIdTakenSql(this.layout, id));
      if (n(taken[0]?.n ?? 0) === 0) return id;
    }
  }

  /** Remove the rows of an import that failed (best effort: they are never read anyway). */
  private async forgetRows(fileId: number): Promise<void> {
    const sql = deleteFileRowsSql(this.layout, fileId);
    try {
      if (this.distributed) {
        const shards = await this.shards().catch(() => [this.client]);
        for (const shard of shards) await this.command(sql, shard).catch(() => {});
      } else await this.command(sql);
    } catch {
      // ignored: rows of unregistered files are filtered out of every query
    }
  }

  async summary(): Promise<DataSummary> {
    const stored = await this.rows<StoredFile>(filesSql(this.layout));
    const files = stored.map(accountingOf);
    let timeRange: [number, number] | null = null;
    if (stored.length) {
      const [range] = await this.rows<{ lo: number; hi: number; n: number }>(
        timeRangeSql(
          this.layout,
          stored.map((s) => n(s.file_id)),
        ),
      );
      if (range && n(range.n) > 0) timeRange = [n(range.lo), n(range.hi)];
    }
    return { ...summarizeFiles(files), timeRange };
  }

  /** Sources are classified in JS (CIDR logic lives in one place) and sent back as a session table. */
  private async loadInternalSources(
    fileIds: number[],
    options: FeatureOptions,
    session: string,
  ): Promise<void> {
    const nets = internalClassifier(options.internalNetworks, options.localMarks);
    const internal: { src: string }[] = [];
    await this.stream(distinctSourcesSql(this.layout, fileIds), (row) => {
      const src = row.src as string;
      if (nets.contains(src)) internal.push({ src });
    });
    for (const sql of internalTableSql()) await this.client.command(sql, { session });
    if (internal.length) {
      await this.client.insertRows(INTERNAL_TABLE, internal, { session });
    }
  }

  async localMarks(): Promise<Map<string, boolean>> {
    const marks = new Map<string, boolean>();
    const fileIds = await this.fileIds();
    if (fileIds.length)
      await this.stream(localMarksFlowsSql(this.layout, fileIds), (row) => {
        if (row.local !== null && row.local !== undefined)
          marks.set(row.a as string, row.local === true || n(row.local) === 1);
      });
    return marks;
  }

  async pairFeatures(options: FeatureOptions): Promise<PairFeatures> {
    const fileIds = await this.fileIds();
    const src: string[] = [];
    const dst: string[] = [];
    const labels = Object.fromEntries(LABEL_NAMES.map((name) => [name, [] as unknown[]]));
    const columns = NUMERIC_FEATURE_NAMES.map(() => new GrowableFloats());
    if (fileIds.length) {
      const session = randomUUID();
      await this.loadInternalSources(fileIds, options, session);
      await this.stream(
        pairFeaturesSql(this.layout, fileIds, options),
        (row) => {
          src.push(row.src as string);
          dst.push(row.dst as string);
          for (const name of LABEL_NAMES) {
            const spec = PAIR_LABELS[name];
            // a text mode is absent (ANY LEFT JOIN's default) when has_<name> is 0
            const absent = 'mostCommon' in spec && !n(row[`has_${name}`]);
            (labels[name] as unknown[]).push(absent ? null : decodeLabel(spec.type, row[name]));
          }
          NUMERIC_FEATURE_NAMES.forEach((k, i) => {
            columns[i]?.push(n(row[k]));
          });
        },
        this.settings(),
        session,
      );
    }
    return {
      length: src.length,
      src,
      dst,
      numeric: Object.fromEntries(NUMERIC_FEATURE_NAMES.map((k, i) => [k, columns[i]?.done()])),
      ...labels,
    } as PairFeatures;
  }

  async seedRows(options: FeatureOptions): Promise<SeedRows> {
    const fileIds = await this.fileIds();
    const src: string[] = [];
    const dst: string[] = [];
    const dport: (number | null)[] = [];
    const cols = {
      size: new GrowableFloats(),
      i: new GrowableFloats(),
      t: new GrowableFloats(),
      d: new GrowableFloats(),
      avg: new GrowableFloats(),
    };
    if (fileIds.length) {
      await this.stream(
        seedRowsSql(this.layout, fileIds, options),
        (row) => {
          src.push(row.src as string);
          dst.push(row.dst as string);
          dport.push(row.dport === null ? null : n(row.dport));
          cols.size.push(n(row.size));
          cols.i.push(n(row.i_bytecount));
          cols.t.push(n(row.t_bytecount));
          cols.d.push(n(row.distinct_byte_count));
          cols.avg.push(n(row.avgcount));
        },
        this.settings(),
      );
    }
    return {
      length: src.length,
      src,
      dst,
      dport,
      size: cols.size.done(),
      i_bytecount: cols.i.done(),
      t_bytecount: cols.t.done(),
      distinct_byte_count: cols.d.done(),
      avgcount: cols.avg.done(),
    };
  }

  async pairSeries(
    options: FeatureOptions,
    minFlows: number,
    visit: (series: PairSeries) => void,
  ): Promise<void> {
    const fileIds = await this.fileIds();
    if (!fileIds.length) return;
    // Each query holds the flows of its share of pairs in memory (groupArray): split the pairs into
    // buckets by hash so that share stays below seriesBatchFlows.
    const [count] = await this.rows<{ n: number }>(flowCountSql(this.layout, fileIds));
    const perBatch = this.options.seriesBatchFlows ?? 4_000_000;
    const buckets = Math.max(1, Math.ceil(n(count?.n ?? 0) / perBatch));
    for (let b = 0; b < buckets; b++) {
      await this.stream(
        pairSeriesSql(this.layout, fileIds, options, Math.max(1, minFlows), b, buckets),
        (row) => {
          visit({
            src: row.src as string,
            dst: row.dst as string,
            ts: Float64Array.from(row.ts as number[]),
            sizes: Float64Array.from(row.sizes as number[]),
          });
        },
        this.settings(),
      );
    }
  }

  async pairFlows(
    pairs: readonly { src: string; dst: string }[],
    limitPerPair: number,
  ): Promise<Map<string, PairFlows>> {
    const out = new Map<string, PairFlows>();
    const fileIds = await this.fileIds();
    const limit = Math.max(1, Math.floor(limitPerPair));
    for (const { src, dst } of pairs) {
      const rows = fileIds.length ? await this.rows(pairFlowsSql(this.layout, fileIds, src, dst, limit)) : [];
      out.set(pairKey(src, dst), {
        total: n(rows[0]?.total ?? 0),
        ts: Float64Array.from(rows, (r) => n(r.ts)),
        duration: Float64Array.from(rows, (r) => n(r.duration)),
        origBytes: Float64Array.from(rows, (r) => n(r.orig_bytes)),
        respBytes: Float64Array.from(rows, (r) => n(r.resp_bytes)),
        dport: Int32Array.from(rows, (r) => n(r.dport)),
        connState: rows.map((r) => (n(r.no_state) ? null : (r.conn_state as string))),
      });
    }
    return out;
  }

  /** Change detection's per (pair, window) aggregates, one pair at a time (sql.ts: pairWindowsSql). */
  async pairWindows(query: WindowQuery, visit: (series: PairWindowSeries) => void): Promise<void> {
    const shape = windowShape(query);
    const fileIds = await this.fileIds();
    if (!fileIds.length || (query.pairs && query.pairs.length === 0)) return;
    const series = windowSeriesCollector(visit);
    await this.stream(
      pairWindowsSql(this.layout, fileIds, shape, query),
      (row) => {
        series.add(row.src as string, row.dst as string, (c) => {
          const name = WINDOW_SERIES_COLUMNS[c] as string;
          return n(row[name === 'dport' ? 'dport_mode' : name]);
        });
      },
      // the pair filter's subquery reads each shard's own flows (a pair lives on one shard)
      this.settings(this.distributed ? { distributed_product_mode: 'local' } : {}),
    );
    series.end();
  }

  async close(): Promise<void> {
    await Promise.all([this.client.close(), ...(this.shardClients ?? []).map((c) => c.close())]);
  }
}
