import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import { networkSet } from '../../context/networks.js';
import type { DnsNameRow } from '../../features/dns/dns-features.js';
import { type FeatureOptions, SPLIT_RECORD_GAP_S } from '../../features/options.js';
import {
  NUMERIC_PAIR_FEATURES,
  type NumericPairFeature,
  type PairFeatures,
  type PairFlows,
  type PairSeries,
  pairKey,
  type SeedRows,
} from '../../features/pair-features.js';
import { CANONICAL_FIELDS, SKIP_REASONS } from '../../flow/schema.js';
import { IPV4_PATTERN } from '../../flow/validation.js';
import { fingerprintFile } from '../../read/fingerprint.js';
import { NAME_FIELDS, type NamePlan } from '../../read/names.js';
import type {
  DelimitedOptions,
  DelimitedPlan,
  FileAccounting,
  ImportPlan,
  JsonLinesPlan,
  PrecomputedPlan,
} from '../../read/plan.js';
import { errorMessage, InputError } from '../../util/errors.js';
import type {
  DataSummary,
  Engine,
  NameResolution,
  PairWindowSeries,
  WatchStore,
  WatchStoreOptions,
  WindowQuery,
} from '../engine.js';
import { streamPairWindows } from './change-sql.js';
import {
  FLOW_ROW_SCHEMA,
  importSelectSql,
  NAME_ROW_SCHEMA,
  precomputedSelectSql,
  quotedLinesSource,
  rawColumnNames,
  type SqlWithParams,
} from './import-sql.js';
import { dnsNameRows, dnsQueryTimes, resolveNames, supersedeOpenSnapshots } from './names-sql.js';
import { DuckDbWatchStore } from './watch-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (
  file_id INTEGER PRIMARY KEY,
  path VARCHAR NOT NULL,
  fingerprint VARCHAR NOT NULL UNIQUE,
  format VARCHAR NOT NULL,
  data_rows BIGINT NOT NULL,
  used BIGINT NOT NULL,
  rejected_json VARCHAR NOT NULL,
  imported_at TIMESTAMPTZ DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS flows (
  ts DOUBLE, duration DOUBLE, src VARCHAR, sport INTEGER, dst VARCHAR, dport INTEGER, proto VARCHAR,
  orig_bytes BIGINT, resp_bytes BIGINT, orig_pkts BIGINT, resp_pkts BIGINT,
  conn_state VARCHAR, service VARCHAR, host VARCHAR, sensor VARCHAR,
  file_id INTEGER NOT NULL,
  -- NULL for a usable row; otherwise why it was skipped (rows are kept so counts stay exact)
  skip_reason VARCHAR,
  -- the connection id (Zeek uid, EVE flow_id) that name logs are joined by
  uid VARCHAR,
  -- set by name resolution: the explicit proxy this flow went through (its dst is then the target)
  via VARCHAR
);
-- databases written before name logs were read
ALTER TABLE flows ADD COLUMN IF NOT EXISTS uid VARCHAR;
ALTER TABLE flows ADD COLUMN IF NOT EXISTS via VARCHAR;
-- name logs (src/read/names.ts): SNI, HTTP Host and requests, DNS queries and answers
CREATE TABLE IF NOT EXISTS name_events (
  ts DOUBLE, src VARCHAR, sport INTEGER, dst VARCHAR, dport INTEGER, proto VARCHAR,
  log VARCHAR, name VARCHAR, method VARCHAR, uri VARCHAR, user_agent VARCHAR,
  qtype VARCHAR, rcode VARCHAR, answers VARCHAR, dns_event VARCHAR,
  orig_bytes BIGINT, resp_bytes BIGINT, status BIGINT,
  skip_reason VARCHAR, uid VARCHAR, file_id INTEGER NOT NULL
);
-- the seed's search output (precomputed features): one row per (src, dst, dport, size), no times
CREATE TABLE IF NOT EXISTS seed_rows (
  src VARCHAR, dst VARCHAR, dport INTEGER, size BIGINT,
  i_bytecount BIGINT, t_bytecount BIGINT, distinct_byte_count BIGINT, avgcount DOUBLE,
  file_id INTEGER NOT NULL,
  skip_reason VARCHAR
);
`;

/** Longest line DuckDB's CSV reader accepts; longer lines are counted as malformed, not fatal. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** A precomputed pair counts only when no flow of the same pair was imported (flows win). */
const NOT_IN_FLOWS =
  'NOT EXISTS (SELECT 1 FROM flows f WHERE f.skip_reason IS NULL AND f.src = s.src AND f.dst = s.dst)';

/**
 * Pairs from the seed's search output (table seed_rows), with the same columns as the flow pairs.
 * The rows hold only the seed's four features per (src, dst, dport, size): what they cannot tell
 * (times, durations, the other direction's sizes) is NaN — no timing is possible — and
 * orig_mode_share, failed_share and zero_byte_share are 0 (the search keeps only flows with bytes).
 */
const PRECOMPUTED_PAIRS_SQL = `
  SELECT src, dst,
    first(dport ORDER BY i_bytecount DESC, size, dport NULLS LAST) AS dport, NULL::VARCHAR AS proto, NULL::VARCHAR AS host, NULL::VARCHAR AS via,
    max(t_bytecount)::DOUBLE AS t_bytecount, max(i_bytecount)::DOUBLE AS i_bytecount,
    max(distinct_byte_count)::DOUBLE AS distinct_byte_count, max(i_bytecount) / max(t_bytecount) AS avgcount,
    first(size ORDER BY i_bytecount DESC, size, dport NULLS LAST)::DOUBLE AS mode_size,
    0::DOUBLE AS orig_mode_share, 'NaN'::DOUBLE AS orig_distinct_sizes, 'NaN'::DOUBLE AS orig_mode_size,
    max(t_bytecount)::DOUBLE AS flows, 'NaN'::DOUBLE AS first_ts, 'NaN'::DOUBLE AS last_ts,
    count(DISTINCT dport)::DOUBLE AS distinct_dports,
    'NaN'::DOUBLE AS orig_bytes_total, sum(size * i_bytecount)::DOUBLE AS resp_bytes_total,
    'NaN'::DOUBLE AS duration_total, 'NaN'::DOUBLE AS duration_max,
    0::DOUBLE AS failed_share, 0::DOUBLE AS zero_byte_share,
    coalesce(any_value(d.internal_sources) / nullif(any_value(i.n), 0), 0) AS prevalence,
    any_value(d.sources) AS dst_sources
  FROM seed_rows s
  JOIN (
    SELECT dst, count(DISTINCT src)::DOUBLE AS sources,
      count(DISTINCT src) FILTER (WHERE src IN (SELECT src FROM internal_sources))::DOUBLE AS internal_sources
    FROM seed_rows WHERE skip_reason IS NULL GROUP BY dst
  ) d USING (dst)
  CROSS JOIN (
    SELECT count(DISTINCT src)::DOUBLE AS n FROM seed_rows
    WHERE skip_reason IS NULL AND src IN (SELECT src FROM internal_sources)
  ) i
  WHERE s.skip_reason IS NULL AND ${NOT_IN_FLOWS}
  GROUP BY src, dst`;

/** Zeek's failed-connection states: nothing answered, or the server refused. */
const FAILED_STATES = ['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'];

function sizeExpr(options: FeatureOptions): string {
  switch (options.sizeField) {
    case 'resp':
      return 'coalesce(resp_bytes, 0)';
    case 'orig':
      return 'coalesce(orig_bytes, 0)';
    case 'total':
      return 'coalesce(orig_bytes, 0) + coalesce(resp_bytes, 0)';
  }
}

/**
 * The flows the features are computed on, as a subquery. With `namePairs`, the flows of each
 * (client, name) in table name_pairs appear a second time with the name as dst: the FQDN pair
 * beside its address pairs (see NAME_PAIRS_SQL).
 */
function flowsSql(options: FeatureOptions, namePairs = false): string {
  const size = sizeExpr(options);
  const filter = options.dropZeroBytes ? `AND ${size} > 0` : '';
  const base = `SELECT *, ${size} AS size FROM flows WHERE skip_reason IS NULL ${filter}`;
  if (!namePairs) return `(${base})`;
  return `(${base} UNION ALL
    SELECT * REPLACE (flows.host AS dst), ${size} AS size
    FROM flows SEMI JOIN name_pairs n ON flows.src = n.src AND flows.host = n.host
    WHERE skip_reason IS NULL ${filter})`;
}

/**
 * FQDN pairs: a client's flows to one server name over two or more addresses (a beacon rotating
 * over CDN or fast-flux addresses). With one address the name's pair is the address's pair.
 * Proxied flows are keyed by their target already.
 */
const NAME_PAIRS_SQL = `CREATE OR REPLACE TEMP TABLE name_pairs AS
  SELECT src, host FROM flows
  WHERE skip_reason IS NULL AND host IS NOT NULL AND via IS NULL
    AND NOT regexp_full_match(host, '${IPV4_PATTERN}') AND NOT contains(host, ':')
  GROUP BY src, host HAVING count(DISTINCT dst) >= 2`;

interface Rejects {
  rejected: number;
  examples: string[];
  nonDataLines: number;
}

function num(value: DuckDBValue): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  return Number.NaN;
}

function str(value: DuckDBValue): string | null {
  return value === null || value === undefined ? null : String(value);
}

export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';
  readonly stitchesSplitRecords = true;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
  ) {}

  /** `path` undefined = in memory. */
  static async open(path?: string): Promise<DuckDbEngine> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path ?? ':memory:');
    } catch (err) {
      throw new InputError(`cannot open the database (${errorMessage(err)})`, path);
    }
    const db = await instance.connect();
    await db.run("SET TimeZone = 'UTC'");
    // progress is polled by watchProgress(); DuckDB itself must not print a bar
    await db.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
    await db.run(SCHEMA);
    return new DuckDbEngine(instance, db);
  }

  async importFile(plan: ImportPlan): Promise<FileAccounting> {
    return this.importInto(plan, plan.kind === 'precomputed' ? 'seed_rows' : 'flows', '', (fileId) =>
      plan.kind === 'delimited'
        ? this.loadDelimited(plan, fileId)
        : plan.kind === 'precomputed'
          ? this.loadPrecomputed(plan, fileId)
          : this.loadJsonLines(plan, fileId, (source) => this.insertSql(plan, source, 'j IS NOT NULL')),
    );
  }

  /**
   * A name log (Zeek ssl/http/dns, EVE tls/http/dns events) into name_events. The same file may
   * hold flows too (EVE): its name import has a fingerprint of its own.
   */
  async importNames(plan: NamePlan): Promise<FileAccounting> {
    const insert = (source: string, jsonCheck?: string, lineCheck?: string): SqlWithParams => {
      const select = importSelectSql(plan, source, jsonCheck, lineCheck, NAME_ROW_SCHEMA, plan.uidColumn);
      const uid = plan.uidColumn === undefined ? '' : ', uid';
      return {
        sql: `INSERT INTO name_events (${NAME_FIELDS.join(', ')}, skip_reason${uid}, file_id)
          SELECT * REPLACE (coalesce(log, $log) AS log, lower(rtrim(name, '.')) AS name), $file_id FROM (${select.sql})`,
        params: { ...select.params, log: plan.log ?? '' },
      };
    };
    const accounting = await this.importInto(plan, 'name_events', 'names:', (fileId) =>
      plan.kind === 'delimited'
        ? this.loadDelimitedWith(plan, fileId, 'name_events', (source, lineCheck) =>
            insert(source, undefined, lineCheck),
          )
        : this.loadJsonLines(plan, fileId, (source) => insert(source, 'j IS NOT NULL')),
    );
    return { ...accounting, names: true };
  }

  private async importInto(
    plan: ImportPlan | NamePlan,
    table: 'flows' | 'seed_rows' | 'name_events',
    fingerprintPrefix: string,
    load: (fileId: number) => Promise<Rejects>,
  ): Promise<FileAccounting> {
    const fingerprint = fingerprintPrefix + (await fingerprintFile(plan.path));
    const known = await this.db.runAndReadAll('SELECT path FROM files WHERE fingerprint = $fp', {
      fp: fingerprint,
    });
    if (known.currentRowCount > 0) {
      return { ...(await this.fileAccounting(fingerprint)), path: plan.path, alreadyImported: true };
    }
    const next = await this.db.runAndReadAll('SELECT coalesce(max(file_id), 0) + 1 FROM files');
    const fileId = num(next.getRows()[0]?.[0] ?? 1);
    await this.db.run('BEGIN TRANSACTION');
    try {
      const { rejected, examples, nonDataLines } = await load(fileId);
      const counts = await this.db.runAndReadAll(
        `SELECT coalesce(skip_reason, ''), count(*) FROM ${table} WHERE file_id = $id GROUP BY 1`,
        { id: fileId },
      );
      const skipped: Record<string, number> = {};
      let used = 0;
      for (const [reason, n] of counts.getRows()) {
        if (reason === '') used = num(n ?? 0);
        else skipped[String(reason)] = num(n ?? 0);
      }
      if (rejected > 0)
        skipped[SKIP_REASONS.malformedLine] = (skipped[SKIP_REASONS.malformedLine] ?? 0) + rejected;
      for (const [reason, count] of Object.entries(plan.preSkipped ?? {})) {
        if (count > 0) skipped[reason] = (skipped[reason] ?? 0) + count;
      }
      const dataRows = used + Object.values(skipped).reduce((a, b) => a + b, 0);
      const notes = plan.notes ?? [];
      const kind = {
        ...(plan.kind !== 'precomputed' && plan.directionality
          ? { directionality: plan.directionality }
          : {}),
        ...(plan.kind === 'precomputed' ? { precomputed: true } : {}),
        ...(table === 'name_events' ? { names: true } : {}),
      };
      await this.db.run(
        `INSERT INTO files (file_id, path, fingerprint, format, data_rows, used, rejected_json)
         VALUES ($id, $path, $fp, $format, $rows, $used, $skipped)`,
        {
          id: fileId,
          path: plan.path,
          fp: fingerprint,
          format: plan.format,
          rows: dataRows,
          used,
          skipped: JSON.stringify({ skipped, examples, nonDataLines, notes, ...kind }),
        },
      );
      await this.db.run('COMMIT');
      return {
        path: plan.path,
        format: plan.format,
        dataRows,
        used,
        skipped,
        examples,
        nonDataLines,
        notes,
        ...kind,
      };
    } catch (err) {
      await this.db.run('ROLLBACK');
      if (err instanceof InputError) throw err;
      throw new InputError(
        `cannot read as ${plan.format}: ${cleanDuckDbMessage(errorMessage(err))}`,
        plan.path,
      );
    }
  }

  private async fileAccounting(fingerprint: string): Promise<FileAccounting> {
    const r = await this.db.runAndReadAll(
      'SELECT path, format, data_rows, used, rejected_json FROM files WHERE fingerprint = $fp',
      { fp: fingerprint },
    );
    const row = r.getRows()[0] ?? [];
    const extra = JSON.parse(String(row[4] ?? '{}')) as {
      skipped?: Record<string, number>;
      examples?: string[];
      nonDataLines?: number;
      notes?: string[];
      directionality?: FileAccounting['directionality'];
      precomputed?: boolean;
      names?: boolean;
    };
    return {
      path: String(row[0]),
      format: String(row[1]),
      dataRows: num(row[2] ?? 0),
      used: num(row[3] ?? 0),
      skipped: extra.skipped ?? {},
      examples: extra.examples ?? [],
      nonDataLines: extra.nonDataLines ?? 0,
      notes: extra.notes ?? [],
      ...(extra.directionality ? { directionality: extra.directionality } : {}),
      ...(extra.precomputed ? { precomputed: true } : {}),
      ...(extra.names ? { names: true } : {}),
    };
  }

  private insertSql(
    plan: DelimitedPlan | JsonLinesPlan,
    source: string,
    jsonCheck?: string,
    lineCheck?: string,
  ): SqlWithParams {
    const select = importSelectSql(plan, source, jsonCheck, lineCheck, FLOW_ROW_SCHEMA, plan.uidColumn);
    const uid = plan.uidColumn === undefined ? '' : ', uid';
    return {
      sql: `INSERT INTO flows (${CANONICAL_FIELDS.join(', ')}, skip_reason${uid}, file_id)
      SELECT *, $file_id FROM (${select.sql})`,
      params: select.params,
    };
  }

  /** read_csv over a delimited file, every column as text r0…rN; its parameters go into `params`. */
  private delimitedSource(
    plan: DelimitedOptions & {
      path: string;
      rawNames: string[];
      compression: string;
      readFrom?: { path: string };
    },
    params: Record<string, DuckDBValue>,
  ): string {
    const names = rawColumnNames(plan.rawNames.length);
    const columns = `{${names.map((n) => `'${n}': 'VARCHAR'`).join(', ')}}`;
    const comment = plan.comment ? ', comment = $comment' : '';
    Object.assign(params, {
      path: plan.readFrom?.path ?? plan.path,
      delim: plan.delimiter,
      quote: plan.quote,
      skip: plan.skipLines,
      nulls: listValue(plan.nullValues),
      compression: plan.readFrom ? 'none' : plan.compression,
    });
    if (plan.comment) params.comment = plan.comment;
    return `read_csv($path, delim = $delim, quote = $quote, escape = $quote${comment}, skip = $skip,
        header = false, auto_detect = false, columns = ${columns}, nullstr = $nulls,
        compression = $compression, store_rejects = true, max_line_size = ${MAX_LINE_BYTES}, strict_mode = false)`;
  }

  private async loadDelimited(plan: DelimitedPlan, fileId: number): Promise<Rejects> {
    return this.loadDelimitedWith(plan, fileId, 'flows', (source, lineCheck) =>
      this.insertSql(plan, source, undefined, lineCheck),
    );
  }

  /** The seed's search output goes to seed_rows, validated like flows (see precomputedSelectSql). */
  private async loadPrecomputed(plan: PrecomputedPlan, fileId: number): Promise<Rejects> {
    return this.loadDelimitedWith(plan, fileId, 'seed_rows', (source, lineCheck) => {
      const select = precomputedSelectSql(plan, source, lineCheck);
      return {
        sql: `INSERT INTO seed_rows (src, dst, dport, size, i_bytecount, t_bytecount, distinct_byte_count, avgcount, skip_reason, file_id)
          SELECT *, $file_id FROM (${select.sql})`,
        params: select.params,
      };
    });
  }

  /**
   * Loads a delimited file with read_csv. In a quoted format an unterminated quote makes read_csv
   * run on past the end of its line and swallow the lines after it into one bad "line"; then the
   * file is read again line by line (quotedLinesSource), so a bad quote costs one line only.
   */
  private async loadDelimitedWith(
    plan: DelimitedPlan | PrecomputedPlan,
    fileId: number,
    table: 'flows' | 'seed_rows' | 'name_events',
    insert: (source: string, lineCheck?: string) => SqlWithParams,
  ): Promise<Rejects> {
    const params: Record<string, DuckDBValue> = { file_id: fileId };
    const first = insert(this.delimitedSource(plan, params), undefined);
    await this.db.run(first.sql, { ...params, ...first.params }, { nulls: LIST(VARCHAR) });
    if (plan.quote === '' || !(await this.rejectsSpanLines())) return this.collectRejects(plan.trailer);
    await this.db.run(`DELETE FROM ${table} WHERE file_id = $id`, { id: fileId });
    await this.clearRejects();
    const lineParams: Record<string, string> = {};
    const lines = `read_csv($path, delim = '\x01', quote = '', escape = '', header = false, auto_detect = false,
        columns = {'line': 'VARCHAR'}, skip = $skip, compression = $compression, store_rejects = true,
        max_line_size = ${MAX_LINE_BYTES}, strict_mode = false)`;
    const quoted = quotedLinesSource(lines, plan.rawNames.length, plan.delimiter, lineParams);
    const second = insert(quoted.source, quoted.lineCheck);
    await this.db.run(second.sql, {
      ...second.params,
      ...lineParams,
      path: plan.readFrom?.path ?? plan.path,
      skip: plan.skipLines,
      compression: plan.readFrom ? 'none' : plan.compression,
      file_id: fileId,
    });
    return this.collectRejects(plan.trailer);
  }

  /** Whether read_csv rejected a "line" that holds line breaks: it ran past an unterminated quote. */
  private async rejectsSpanLines(): Promise<boolean> {
    const exists = await this.db.runAndReadAll(
      "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reject_errors' AND temporary",
    );
    if (num(exists.getRows()[0]?.[0] ?? 0) === 0) return false;
    const r = await this.db.runAndReadAll(
      'SELECT count(*) FROM reject_errors WHERE contains(rtrim(csv_line, chr(10) || chr(13)), chr(10))',
    );
    return num(r.getRows()[0]?.[0] ?? 0) > 0;
  }

  private async clearRejects(): Promise<void> {
    await this.db.run('DELETE FROM reject_errors');
    await this.db.run('DELETE FROM reject_scans');
  }

  /**
   * DuckDB keeps lines it could not parse in reject_errors (one row per problem, several per line).
   * With a `trailer` pattern, the first unparseable line matching it and every unparseable line
   * after it are a tool's trailer (nfdump's Summary): not data, counted apart.
   */
  private async collectRejects(trailer?: string): Promise<Rejects> {
    const exists = await this.db.runAndReadAll(
      "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reject_errors' AND temporary",
    );
    if (num(exists.getRows()[0]?.[0] ?? 0) === 0) return { rejected: 0, examples: [], nonDataLines: 0 };
    let nonDataLines = 0;
    if (trailer) {
      const start = await this.db.runAndReadAll(
        "SELECT min(line) FROM reject_errors WHERE regexp_matches(trim(csv_line, ' \r\n'), $trailer)",
        { trailer },
      );
      const from = start.getRows()[0]?.[0];
      if (from !== null && from !== undefined) {
        const n = await this.db.runAndReadAll(
          'SELECT count(DISTINCT line) FROM reject_errors WHERE line >= $from',
          { from },
        );
        nonDataLines = num(n.getRows()[0]?.[0] ?? 0);
        await this.db.run('DELETE FROM reject_errors WHERE line >= $from', { from });
      }
    }
    const count = await this.db.runAndReadAll('SELECT count(DISTINCT line) FROM reject_errors');
    const first = await this.db.runAndReadAll(
      `SELECT line, min(lower(error_type)) FROM reject_errors GROUP BY line ORDER BY line LIMIT 5`,
    );
    await this.db.run('DELETE FROM reject_errors');
    await this.db.run('DELETE FROM reject_scans');
    const examples = first.getRows().map(([line, type]) => `line ${num(line ?? 0)}: ${String(type)}`);
    return { rejected: num(count.getRows()[0]?.[0] ?? 0), examples, nonDataLines };
  }

  private async loadJsonLines(
    plan: JsonLinesPlan,
    fileId: number,
    insertSql: (source: string) => SqlWithParams,
  ): Promise<Rejects> {
    // Each line is read as one text value and taken apart with DuckDB's JSON functions, so a bad
    // line is counted on its own instead of failing the file.
    const paths = plan.jsonPaths.map((p) => `'$.${p.map((k) => `"${k.replace(/["'\\]/g, '')}"`).join('.')}'`);
    // One json_extract_string with the list of paths parses each line once (not once per path).
    const rawColumns = paths.map((_, i) => `v[${i + 1}] AS r${i}`).join(', ');
    const lines = `read_csv($path, delim = '\\x01', quote = '', escape = '', header = false, auto_detect = false,
        columns = {'line': 'VARCHAR'}, compression = $compression, store_rejects = true,
        max_line_size = ${MAX_LINE_BYTES}, strict_mode = false)`;
    const source = `(SELECT j, ${rawColumns} FROM (
        SELECT j, json_extract_string(j, [${paths.join(', ')}]) AS v
        FROM (SELECT CASE WHEN json_valid(line) AND starts_with(ltrim(line), '{') THEN line END AS j
          FROM ${lines} WHERE trim(line) <> '')))`;
    const insert = insertSql(source);
    await this.db.run(insert.sql, {
      ...insert.params,
      path: plan.readFrom?.path ?? plan.path,
      compression: plan.readFrom ? 'none' : plan.compression,
      file_id: fileId,
    });
    return this.collectRejects();
  }

  async dnsNameRows(): Promise<{ rows: DnsNameRow[]; servers: Set<string> }> {
    return dnsNameRows(this.db);
  }

  async dnsQueryTimes(pairs: readonly { client: string; domain: string }[]): Promise<Float64Array[]> {
    return dnsQueryTimes(this.db, pairs);
  }

  /** Names from the name logs onto the flows (names-sql.ts); nothing to do without name logs. */
  async resolveNames(): Promise<NameResolution> {
    this.superseded = await supersedeOpenSnapshots(this.db);
    const resolution = await resolveNames(this.db);
    // the via column is aggregated only when some flow went through a proxy (a conn.log alone: never)
    if (resolution.events > 0) {
      const r = await this.db.runAndReadAll('SELECT count(*) FROM flows WHERE via IS NOT NULL');
      this.anyVia = num(r.getRows()[0]?.[0] ?? 0) > 0;
    }
    return resolution;
  }

  private anyVia = false;

  /** open_conn rows skipped as superseded after import, per file_id (moved from used to skipped in the summary). */
  private superseded = new Map<number, number>();

  async summary(): Promise<DataSummary> {
    const filesResult = await this.db.runAndReadAll(
      'SELECT fingerprint, file_id FROM files ORDER BY file_id',
    );
    const files: FileAccounting[] = [];
    for (const [fp, id] of filesResult.getRows()) {
      const f = await this.fileAccounting(String(fp));
      const superseded = this.superseded.get(num(id ?? 0)) ?? 0;
      if (superseded > 0) {
        f.used -= superseded;
        const reason = SKIP_REASONS.supersededSnapshot;
        f.skipped = { ...f.skipped, [reason]: (f.skipped[reason] ?? 0) + superseded };
      }
      files.push(f);
    }
    const skippedByReason: Record<string, number> = {};
    let flowsRead = 0;
    let flowsUsed = 0;
    for (const f of files) {
      if (f.names) continue;
      flowsRead += f.dataRows;
      flowsUsed += f.used;
      for (const [reason, n] of Object.entries(f.skipped))
        skippedByReason[reason] = (skippedByReason[reason] ?? 0) + n;
    }
    const range = await this.db.runAndReadAll('SELECT min(ts), max(ts) FROM flows WHERE skip_reason IS NULL');
    const [lo, hi] = range.getRows()[0] ?? [null, null];
    return {
      files,
      flowsRead,
      flowsUsed,
      skippedByReason,
      timeRange: lo === null || hi === null ? null : [num(lo ?? 0), num(hi ?? 0)],
    };
  }

  /** Classify sources as internal in JS (CIDR logic lives in one place) and hand the list to SQL. */
  private async loadInternalSources(options: FeatureOptions): Promise<void> {
    const nets = networkSet(options.internalNetworks);
    const r = await this.db.runAndReadAll(
      'SELECT src FROM flows WHERE skip_reason IS NULL UNION SELECT src FROM seed_rows WHERE skip_reason IS NULL',
    );
    await this.db.run('CREATE OR REPLACE TEMP TABLE internal_sources (src VARCHAR PRIMARY KEY)');
    const appender = await this.db.createAppender('internal_sources', 'main', 'temp');
    for (const [src] of r.getRows()) {
      if (typeof src === 'string' && nets.contains(src)) {
        appender.appendVarchar(src);
        appender.endRow();
      }
    }
    appender.closeSync();
  }

  /** Whether name_pairs holds FQDN pairs (set by pairFeatures; read by the per-pair queries after it). */
  private namePairs = false;

  async pairFeatures(options: FeatureOptions): Promise<PairFeatures> {
    await this.loadInternalSources(options);
    await this.db.run(NAME_PAIRS_SQL);
    const np = await this.db.runAndReadAll('SELECT count(*) FROM name_pairs');
    this.namePairs = num(np.getRows()[0]?.[0] ?? 0) > 0;
    const f = flowsSql(options, this.namePairs);
    const failed = FAILED_STATES.map((s) => `'${s}'`).join(', ');
    const sql = `
      SELECT p.src, p.dst, m.dport, p.proto, p.host, ${this.anyVia ? 'p.via' : 'NULL::VARCHAR AS via'},
        p.t_bytecount, m.i_bytecount, p.distinct_byte_count, m.i_bytecount / p.t_bytecount AS avgcount,
        m.mode_size, o.orig_mode_n / p.t_bytecount AS orig_mode_share, p.orig_distinct_sizes, o.orig_mode_size,
        p.t_bytecount AS flows, p.first_ts, p.last_ts, p.distinct_dports,
        p.orig_bytes_total, p.resp_bytes_total, p.duration_total, p.duration_max,
        p.failed_n / p.t_bytecount AS failed_share, p.zero_n / p.t_bytecount AS zero_byte_share,
        coalesce(d.internal_sources / nullif(i.n, 0), 0) AS prevalence, d.sources AS dst_sources
      FROM (
        SELECT src, dst, count(*)::DOUBLE AS t_bytecount, count(DISTINCT size)::DOUBLE AS distinct_byte_count,
          count(DISTINCT coalesce(orig_bytes, 0))::DOUBLE AS orig_distinct_sizes,
          mode(proto) AS proto, mode(host) AS host${this.anyVia ? ', mode(via) AS via' : ''},
          min(ts) AS first_ts, max(ts) AS last_ts, count(DISTINCT dport)::DOUBLE AS distinct_dports,
          sum(coalesce(orig_bytes, 0))::DOUBLE AS orig_bytes_total, sum(coalesce(resp_bytes, 0))::DOUBLE AS resp_bytes_total,
          coalesce(sum(duration), 0) AS duration_total, coalesce(max(duration), 0) AS duration_max,
          count_if(coalesce(conn_state IN (${failed}), false))::DOUBLE AS failed_n,
          count_if(coalesce(orig_bytes, 0) = 0 AND coalesce(resp_bytes, 0) = 0)::DOUBLE AS zero_n
        FROM ${f} GROUP BY src, dst
      ) p
      JOIN (
        SELECT src, dst,
          first(dport ORDER BY n DESC, size, dport NULLS LAST) AS dport,
          first(size ORDER BY n DESC, size, dport NULLS LAST)::DOUBLE AS mode_size,
          max(n)::DOUBLE AS i_bytecount
        FROM (SELECT src, dst, dport, size, count(*) AS n FROM ${f} GROUP BY ALL) GROUP BY src, dst
      ) m ON m.src = p.src AND m.dst = p.dst
      JOIN (
        SELECT src, dst, max(n)::DOUBLE AS orig_mode_n, first(ob ORDER BY n DESC, ob)::DOUBLE AS orig_mode_size
        FROM (SELECT src, dst, coalesce(orig_bytes, 0) AS ob, count(*) AS n FROM ${f} GROUP BY ALL) GROUP BY src, dst
      ) o ON o.src = p.src AND o.dst = p.dst
      JOIN (
        SELECT dst, count(DISTINCT src)::DOUBLE AS sources,
          count(DISTINCT src) FILTER (WHERE src IN (SELECT src FROM internal_sources))::DOUBLE AS internal_sources
        FROM ${f} GROUP BY dst
      ) d ON d.dst = p.dst
      CROSS JOIN (SELECT count(DISTINCT src)::DOUBLE AS n FROM ${f} WHERE src IN (SELECT src FROM internal_sources)) i`;
    const reader = await this.db.runAndReadAll(
      `SELECT * FROM (${sql} UNION ALL ${PRECOMPUTED_PAIRS_SQL}) ORDER BY src, dst`,
    );
    const names = reader.columnNames();
    const cols = reader.getColumns();
    const col = (name: string) => cols[names.indexOf(name)] ?? [];
    const length = reader.currentRowCount;
    const numeric = {} as Record<NumericPairFeature, Float64Array>;
    for (const name of Object.keys(NUMERIC_PAIR_FEATURES) as NumericPairFeature[]) {
      numeric[name] = Float64Array.from(col(name), num);
    }
    const src = col('src').map(String);
    const dst = col('dst').map(String);
    return {
      length,
      src,
      dst,
      dport: col('dport').map((v) => (v === null ? null : num(v))),
      proto: col('proto').map(str),
      host: col('host').map(str),
      via: col('via').map(str),
      ...(this.namePairs ? { addresses: await this.namePairAddresses(src, dst) } : {}),
      numeric,
    };
  }

  /** For each FQDN pair, the addresses its name resolved to (null for other pairs). */
  private async namePairAddresses(src: string[], dst: string[]): Promise<(string[] | null)[]> {
    const r = await this.db.runAndReadAll(`
      SELECT f.src, f.host, list(DISTINCT f.dst ORDER BY f.dst)
      FROM flows f SEMI JOIN name_pairs n ON f.src = n.src AND f.host = n.host
      WHERE f.skip_reason IS NULL GROUP BY f.src, f.host`);
    const byPair = new Map<string, string[]>();
    for (const [s, h, list] of r.getRows()) {
      const items = (list as { items: DuckDBValue[] } | null)?.items ?? [];
      byPair.set(pairKey(String(s), String(h)), items.map(String));
    }
    return src.map((s, i) => byPair.get(pairKey(s, dst[i] as string)) ?? null);
  }

  async seedRows(options: FeatureOptions): Promise<SeedRows> {
    const f = flowsSql(options, this.namePairs);
    const reader = await this.db.runAndReadAll(`
      SELECT r.src, r.dst, r.dport, r.size::DOUBLE AS size, r.n::DOUBLE AS i_bytecount, p.t::DOUBLE AS t_bytecount,
        p.d::DOUBLE AS distinct_byte_count, r.n / p.t AS avgcount
      FROM (SELECT src, dst, dport, size, count(*) AS n FROM ${f} GROUP BY ALL) r
      JOIN (SELECT src, dst, count(*) AS t, count(DISTINCT size) AS d FROM ${f} GROUP BY ALL) p
        ON p.src = r.src AND p.dst = r.dst
      UNION ALL
      SELECT src, dst, dport, size::DOUBLE, i_bytecount::DOUBLE, t_bytecount::DOUBLE, distinct_byte_count::DOUBLE,
        i_bytecount / t_bytecount
      FROM seed_rows s WHERE skip_reason IS NULL AND ${NOT_IN_FLOWS}
      ORDER BY 1, 2, 3, 4`);
    const cols = reader.getColumns();
    const floats = (i: number) => Float64Array.from(cols[i] ?? [], num);
    return {
      length: reader.currentRowCount,
      src: (cols[0] ?? []).map(String),
      dst: (cols[1] ?? []).map(String),
      dport: (cols[2] ?? []).map((v) => (v === null ? null : num(v))),
      size: floats(3),
      i_bytecount: floats(4),
      t_bytecount: floats(5),
      distinct_byte_count: floats(6),
      avgcount: floats(7),
    };
  }

  async pairSeries(
    options: FeatureOptions,
    minFlows: number,
    visit: (series: PairSeries) => void,
  ): Promise<void> {
    const f = flowsSql(options, this.namePairs);
    // One sorted flat stream (DuckDB sorts far faster than it builds ordered lists), cut into pairs
    // here; only the current pair is held in memory.
    const pairsOfInterest = `(SELECT src, dst FROM ${f} GROUP BY src, dst HAVING count(*) >= $min)`;
    // split records of one connection (unidirectional exporters) count once, at their first start
    const stitched = options.stitchSplitRecords
      ? `(SELECT * FROM (
           SELECT y.*, lag(y.ts + coalesce(y.duration, 0)) OVER (
             PARTITION BY y.src, y.dst, y.sport, y.dport ORDER BY y.ts) AS prev_end
           FROM ${f} y) z
         WHERE z.sport IS NULL OR z.prev_end IS NULL OR z.ts > z.prev_end + ${SPLIT_RECORD_GAP_S})`
      : f;
    const result = await this.db.stream(
      `SELECT x.src, x.dst, x.ts, x.size::DOUBLE
       FROM ${stitched} x
       JOIN ${pairsOfInterest} k ON k.src = x.src AND k.dst = x.dst
       ORDER BY x.src, x.dst, x.ts`,
      { min: minFlows },
    );
    let src: string | undefined;
    let dst: string | undefined;
    let ts = new Float64Array(1024);
    let sizes = new Float64Array(1024);
    let n = 0;
    const flush = () => {
      if (src !== undefined && dst !== undefined && n > 0)
        visit({ src, dst, ts: ts.slice(0, n), sizes: sizes.slice(0, n) });
      n = 0;
    };
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const srcs = chunk.getColumnValues(0);
      const dsts = chunk.getColumnValues(1);
      const tsColumn = chunk.getColumnVector(2);
      const sizeColumn = chunk.getColumnVector(3);
      for (let row = 0; row < chunk.rowCount; row++) {
        const s = srcs[row] as string;
        const d = dsts[row] as string;
        if (s !== src || d !== dst) {
          flush();
          src = s;
          dst = d;
        }
        if (n === ts.length) {
          const grownTs = new Float64Array(n * 2);
          grownTs.set(ts);
          ts = grownTs;
          const grownSizes = new Float64Array(n * 2);
          grownSizes.set(sizes);
          sizes = grownSizes;
        }
        ts[n] = num(tsColumn.getItem(row));
        sizes[n] = num(sizeColumn.getItem(row));
        n++;
      }
    }
    flush();
  }

  async pairFlows(
    pairs: readonly { src: string; dst: string }[],
    limitPerPair: number,
  ): Promise<Map<string, PairFlows>> {
    const out = new Map<string, PairFlows>();
    for (const { src, dst } of pairs) {
      // Every k-th flow keeps the whole time range visible when a pair has more flows than the limit.
      const r = await this.db.runAndReadAll(
        `SELECT ts, coalesce(duration, 0), coalesce(orig_bytes, 0)::DOUBLE, coalesce(resp_bytes, 0)::DOUBLE,
           coalesce(dport, -1), conn_state, total
         FROM (SELECT *, row_number() OVER (ORDER BY ts) - 1 AS i, count(*) OVER () AS total
               FROM ${flowsSql({ sizeField: 'resp', dropZeroBytes: false, internalNetworks: [] }, this.namePairs)}
               WHERE src = $src AND dst = $dst)
         WHERE i % greatest(1, ceil(total / $limit)::BIGINT) = 0
         ORDER BY ts`,
        { src, dst, limit: limitPerPair },
      );
      const cols = r.getColumns();
      const floats = (i: number) => Float64Array.from(cols[i] ?? [], num);
      out.set(pairKey(src, dst), {
        total: num(cols[6]?.[0] ?? 0),
        ts: floats(0),
        duration: floats(1),
        origBytes: floats(2),
        respBytes: floats(3),
        dport: Int32Array.from(cols[4] ?? [], num),
        connState: (cols[5] ?? []).map(str),
      });
    }
    return out;
  }

  /** Change detection's per (pair, window) aggregates; the SQL is in change-sql.ts. */
  async pairWindows(query: WindowQuery, visit: (series: PairWindowSeries) => void): Promise<void> {
    await streamPairWindows(this.db, query, visit);
  }

  /** Live mode's durable state in this database; the SQL is in watch-store.ts. */
  async watchStore(options: WatchStoreOptions = {}): Promise<WatchStore> {
    return DuckDbWatchStore.open(this.db, options);
  }

  private progressTimer: NodeJS.Timeout | undefined;

  watchProgress(listener: ((fraction: number) => void) | undefined): void {
    clearInterval(this.progressTimer);
    this.progressTimer = undefined;
    if (!listener) return;
    let last = -1;
    this.progressTimer = setInterval(() => {
      const pct = this.db.progress.percentage;
      if (pct >= 0 && pct !== last) {
        last = pct;
        listener(Math.min(1, pct / 100));
      }
    }, 200);
    this.progressTimer.unref();
  }

  async close(): Promise<void> {
    this.watchProgress(undefined);
    this.db.closeSync();
    this.instance.closeSync();
  }
}

/** DuckDB's messages carry hints about its own options; keep the first line for users. */
function cleanDuckDbMessage(message: string): string {
  return message.split('\n')[0]?.replace(/^[A-Za-z ]+Error: /, '') ?? message;
}
