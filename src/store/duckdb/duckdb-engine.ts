import { createReadStream, createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import { internalClassifier } from '../../context/networks.js';
import type { DnsNameRow } from '../../features/dns/dns-features.js';
import { type FeatureOptions, SPLIT_RECORD_GAP_S } from '../../features/options.js';
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
import { CANONICAL_FIELDS, SKIP_REASONS } from '../../flow/schema.js';
import { IPV4_PATTERN } from '../../flow/validation.js';
import { END_BYTES, type FileIdentity, fileIdentity, isAppendOf } from '../../read/fingerprint.js';
import { NAME_FIELDS, type NamePlan } from '../../read/names.js';
import type {
  DelimitedOptions,
  DelimitedPlan,
  FileAccounting,
  ImportPlan,
  JsonLinesPlan,
  PrecomputedPlan,
} from '../../read/plan.js';
import { guardUtf8 } from '../../read/utf8-guard.js';
import { errorMessage, InputError } from '../../util/errors.js';
import { GrowableFloats } from '../../util/growable-floats.js';
import { tempFolder } from '../../util/temp-files.js';
import type {
  DataSummary,
  Engine,
  NameResolution,
  PairWindowSeries,
  WatchStore,
  WatchStoreOptions,
  WindowQuery,
} from '../engine.js';
import {
  decodeAccounting,
  decodeNumber,
  decodeText,
  encodeAccounting,
  flowColumnsDdl,
  importAccounting,
  localMarksSql,
  MAX_LINE_BYTES,
  noPayloadSql,
  type Rejects,
  STORED_FLOW_COLUMNS,
  summarizeFiles,
} from '../shared.js';
import { streamPairWindows } from './change-sql.js';
import {
  importSelectSql,
  NAME_ROW_SCHEMA,
  precomputedSelectSql,
  quotedLinesSource,
  type RowSchema,
  rawColumnNames,
  type SqlWithParams,
} from './import-sql.js';
import { dnsNameRows, dnsQueryTimes, resolveNames, supersedeOpenSnapshots } from './names-sql.js';
import { pairFeatureStatements, precomputedSelectList } from './pair-features-sql.js';
import { type DuckDbSettings, duckDbSettings, settingStatements } from './settings.js';
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
  imported_at TIMESTAMPTZ DEFAULT current_timestamp,
  -- identity for "grew since imported" (read/fingerprint.ts) and "same content under another name"
  size BIGINT,
  head_hash VARCHAR,
  tail_hash VARCHAR,
  content_hash VARCHAR
);
CREATE TABLE IF NOT EXISTS flows (
  ${flowColumnsDdl('duckdb')},
  file_id INTEGER NOT NULL,
  -- NULL for a usable row; otherwise why it was skipped (rows are kept so counts stay exact)
  skip_reason VARCHAR,
  -- the connection id (Zeek uid, EVE flow_id) that name logs are joined by
  uid VARCHAR,
  -- set by name resolution: the explicit proxy this flow went through (its dst is then the target)
  via VARCHAR
);
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
  skip_reason VARCHAR,
  -- the server name the search added (beaconhunt spl), when it has one
  host VARCHAR
);
`;

/**
 * Reading a file line by line is read_csv with one column and this delimiter: the control byte
 * 0x01 (one byte, bound as a parameter), which valid JSON and real CSV text never hold raw. Not
 * the four characters `\x01`, which a log value (a Host header) can contain.
 */
const LINE_DELIMITER = '\u0001';

/** Columns that databases made by earlier versions lack, per table. */
const ADDED_COLUMNS: Record<'files' | 'flows' | 'seed_rows', Record<string, string>> = {
  // identity of a file (grown since imported, same content under another name)
  files: { size: 'BIGINT', head_hash: 'VARCHAR', tail_hash: 'VARCHAR', content_hash: 'VARCHAR' },
  // canonical flow columns added since (direction marks, packets), and the name logs' connection id and proxy
  flows: {
    ...Object.fromEntries(STORED_FLOW_COLUMNS.map((c) => [c.name, c.duckdb])),
    uid: 'VARCHAR',
    via: 'VARCHAR',
  },
  seed_rows: { host: 'VARCHAR' },
};

/**
 * Adds the missing columns to an older database's tables, then checkpoints: DuckDB 1.5 cannot
 * replay an ALTER TABLE from its write-ahead log after a crash, so it must not stay there.
 */
async function upgradeTables(db: DuckDBConnection): Promise<void> {
  let altered = false;
  for (const [table, columns] of Object.entries(ADDED_COLUMNS)) {
    const have = await db.runAndReadAll(
      "SELECT column_name FROM duckdb_columns() WHERE table_name = $t AND schema_name = 'main'",
      { t: table },
    );
    const present = new Set(have.getRows().map(([c]) => String(c)));
    for (const [column, type] of Object.entries(columns)) {
      if (present.has(column)) continue;
      await db.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      altered = true;
    }
  }
  if (altered) await db.run('CHECKPOINT');
}

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
  SELECT ${precomputedSelectList()}
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
  // no_payload: the format's payload-free test (shared.ts), read by declared features
  const derived = `${size} AS size, ${noPayloadSql(options.headerBytes)} AS no_payload`;
  const base = `SELECT *, ${derived} FROM flows WHERE skip_reason IS NULL ${filter}`;
  if (!namePairs) return `(${base})`;
  return `(${base} UNION ALL
    SELECT * REPLACE (flows.host AS dst), ${derived}
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

const num = (value: DuckDBValue): number => decodeNumber(value);

/**
 * Where converted rows go: stored in a table of this database (INSERT), or written to a file for
 * another engine (COPY). `wrap` turns the converting SELECT (canonical columns, then skip_reason)
 * into that statement; `discard` undoes a first read when the file is read again line by line.
 */
interface RowSink {
  wrap(select: string): string;
  params: Record<string, DuckDBValue>;
  discard(): Promise<void>;
}

/** What a read left: lines the reader rejected, and the rows the sink took. */
interface Loaded {
  rejects: Rejects;
  rows: number;
}
const str = decodeText;

/** No rejected lines (a batch's are collected per file afterwards). */
const NO_REJECTS: Rejects = { rejected: 0, examples: [], nonDataLines: 0 };

/** The flows columns a converting SELECT fills, in its order: with the connection id when the plan has one. */
function flowInsertColumns(plan: DelimitedPlan | JsonLinesPlan): string {
  return `${CANONICAL_FIELDS.join(', ')}, skip_reason${plan.uidColumn === undefined ? '' : ', uid'}`;
}

/**
 * A batch's rows (importFiles) stored under their own file's id, found by the `filename` column
 * they carry in temp table batch_files. A batch that fails is rolled back as a whole, not re-read.
 */
function batchSink(plan: DelimitedPlan | JsonLinesPlan): RowSink {
  return {
    wrap: (select) =>
      `INSERT INTO flows (${flowInsertColumns(plan)}, file_id)
     SELECT s.* EXCLUDE (filename), b.file_id FROM (${select}) s JOIN batch_files b USING (filename)`,
    params: {},
    discard: async () => {},
  };
}

export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';
  readonly stitchesSplitRecords = true;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    private readonly cleanup: () => void,
  ) {}

  /**
   * `path` undefined = in memory. `options` override the environment (settings.ts): memory cap,
   * threads, and `tempDirectory`, where DuckDB spills what does not fit (default: next to the
   * database file; a private folder under the OS temp dir for an in-memory database).
   */
  static async open(path?: string, options: Partial<DuckDbSettings> = {}): Promise<DuckDbEngine> {
    const settings = settingStatements(duckDbSettings(options), path === undefined);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path ?? ':memory:');
    } catch (err) {
      settings.cleanup();
      throw new InputError(`cannot open the database (${errorMessage(err)})`, path);
    }
    const db = await instance.connect();
    // memory cap, spill folder, threads = cores: flat memory whatever the input size
    for (const sql of settings.sql) await db.run(sql);
    await db.run("SET TimeZone = 'UTC'");
    // progress is polled by watchProgress(); DuckDB itself must not print a bar
    await db.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
    await db.run(SCHEMA);
    await upgradeTables(db);
    return new DuckDbEngine(instance, db, settings.cleanup);
  }

  /**
   * Load one file. A file already in the database (same fingerprint, or the same content under
   * another name or compression) is not loaded again; a file that grew by appending since it was
   * imported is loaded from where the earlier import ended. Before loading, one pass over the bytes
   * (read/utf8-guard.ts) finds truncated compressed files and blanks invalid UTF-8 lines.
   */
  async importFile(given: ImportPlan): Promise<FileAccounting> {
    return this.importAs(given);
  }

  /**
   * A name log (Zeek ssl/http/dns, EVE tls/http/dns events) into name_events, read, checked and
   * accounted as importFile reads flows. The same file may hold flows too (EVE): its name import
   * is recorded apart (fingerprint NAMES_TAG + the file's), so neither hides the other.
   */
  async importNames(plan: NamePlan): Promise<FileAccounting> {
    return this.importAs(plan);
  }

  private async importAs(given: ImportPlan | NamePlan): Promise<FileAccounting> {
    const names = isNamePlan(given);
    const raw = await fileIdentity(given.path);
    const identity = names ? { ...raw, fingerprint: NAMES_TAG + raw.fingerprint } : raw;
    const known = await this.db.runAndReadAll('SELECT path FROM files WHERE fingerprint = $fp', {
      fp: identity.fingerprint,
    });
    if (known.currentRowCount > 0) return this.alreadyThere(given.path, identity.fingerprint);
    const appended = await this.appendedPart(given, identity);
    let guarded: Awaited<ReturnType<typeof guardUtf8>> | undefined;
    try {
      guarded = await guardUtf8(appended?.plan ?? given);
      const plan = guarded.plan;
      if (plan.appendedAfter === undefined && plan.contentHash) {
        const same = await this.db.runAndReadAll(
          `SELECT fingerprint FROM files WHERE content_hash = $hash AND ${SAME_ROLE} ORDER BY file_id LIMIT 1`,
          { hash: plan.contentHash, tag: NAMES_TAG, names },
        );
        const fp = same.getRows()[0]?.[0];
        if (fp !== undefined && fp !== null) return this.alreadyThere(given.path, String(fp));
      }
      return await this.importNew(plan, identity);
    } finally {
      await guarded?.cleanup();
      await appended?.cleanup();
    }
  }

  /** The accounting of a file stored before, for `path` (which may be another name for it). */
  private async alreadyThere(path: string, fingerprint: string): Promise<FileAccounting> {
    const stored = await this.fileAccounting(fingerprint);
    return {
      ...stored,
      path,
      alreadyImported: true,
      ...(stored.path !== path ? { sameContentAs: stored.path } : {}),
    };
  }

  /**
   * When `plan`'s file is an imported file with bytes appended (its size, head and tail hashes
   * match the file's first bytes), a plan that reads only the new bytes from a temporary copy.
   * A grown compressed file cannot be cut that way: refused, never imported twice.
   */
  private async appendedPart<P extends ImportPlan>(
    plan: P,
    identity: FileIdentity,
  ): Promise<{ plan: P; cleanup: () => Promise<void> } | undefined> {
    const rows = await this.db.runAndReadAll(
      `SELECT path, size, head_hash, tail_hash FROM files
       WHERE size IS NOT NULL AND size > 0 AND size < $size AND (head_hash = $head OR (size < $end AND path = $path))
         AND ${SAME_ROLE}
       ORDER BY size DESC`,
      {
        size: identity.size,
        head: identity.head,
        end: END_BYTES,
        path: plan.path,
        tag: NAMES_TAG,
        names: isNamePlan(plan),
      },
    );
    for (const [path, size, head, tail] of rows.getRows()) {
      const earlier = { size: num(size ?? 0), head: String(head), tail: String(tail) };
      if (!(await isAppendOf(plan.path, identity, earlier))) continue;
      if (plan.compression !== 'none') {
        throw new InputError(
          `grew since it was imported as ${String(path)} (${earlier.size} → ${identity.size} bytes), and a compressed file cannot be read from the middle: hunt it into a new --db so no row is counted twice`,
          plan.path,
        );
      }
      const folder = await tempFolder('append');
      const copy = join(folder.path, basename(plan.path));
      await pipeline(
        createReadStream(plan.path, { start: earlier.size, end: identity.size - 1 }),
        createWriteStream(copy),
      );
      const note = `grew since its import: only the ${(identity.size - earlier.size).toLocaleString('en-US')} bytes appended after byte ${earlier.size.toLocaleString('en-US')} were read (line numbers count from there)`;
      return {
        plan: {
          ...plan,
          readFrom: { path: copy, compression: 'none' },
          appendedAfter: earlier.size,
          notes: [...(plan.notes ?? []), note],
          ...(plan.kind === 'jsonl' ? {} : { skipLines: 0 }), // the header is in the part read before
        },
        cleanup: folder.remove,
      };
    }
    return undefined;
  }

  private async importNew(plan: ImportPlan | NamePlan, identity: FileIdentity): Promise<FileAccounting> {
    const fileId = await this.nextFileId();
    await this.db.run('BEGIN TRANSACTION');
    try {
      const rejects = isNamePlan(plan)
        ? (await this.loadNames(plan, fileId)).rejects
        : plan.kind === 'precomputed'
          ? await this.loadPrecomputed(plan, fileId)
          : (await this.loadFlows(plan, this.flowsSink(plan, fileId))).rejects;
      const table = isNamePlan(plan) ? 'name_events' : plan.kind === 'precomputed' ? 'seed_rows' : 'flows';
      const counts = await this.db.runAndReadAll(
        `SELECT coalesce(skip_reason, ''), count(*) FROM ${table} WHERE file_id = $id GROUP BY 1`,
        { id: fileId },
      );
      const accounting = await this.recordFile(plan, identity, fileId, counts.getRows(), rejects);
      await this.db.run('COMMIT');
      return accounting;
    } catch (err) {
      await this.db.run('ROLLBACK');
      if (err instanceof InputError) throw err;
      throw new InputError(
        `cannot read as ${plan.format}: ${cleanDuckDbMessage(errorMessage(err))}`,
        plan.path,
      );
    }
  }

  private async nextFileId(): Promise<number> {
    const next = await this.db.runAndReadAll('SELECT coalesce(max(file_id), 0) + 1 FROM files');
    return num(next.getRows()[0]?.[0] ?? 1);
  }

  /** The file's accounting from its rows' (skip reason, count) and its rejected lines, stored in `files`. */
  private async recordFile(
    plan: ImportPlan,
    identity: FileIdentity,
    fileId: number,
    counts: DuckDBValue[][],
    rejects: Rejects,
  ): Promise<FileAccounting> {
    const { accounting, row } = fileRecord(plan, identity, fileId, counts, rejects);
    await this.insertFileRows([row]);
    return accounting;
  }

  /** Rows of table `files` in one statement (a batch has hundreds). */
  private async insertFileRows(rows: readonly DuckDBValue[][]): Promise<void> {
    if (rows.length === 0) return;
    const params: Record<string, DuckDBValue> = {};
    const tuples = rows.map(
      (row, r) =>
        `(${row
          .map((v, c) => {
            params[`v${r}_${c}`] = v;
            return `$v${r}_${c}`;
          })
          .join(', ')})`,
    );
    await this.db.run(
      `INSERT INTO files (${FILE_ROW_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
      params,
    );
  }

  /**
   * Many small files read the same way (same format, columns and options) in one statement: a
   * file's own import costs ~40 ms of statement overhead whatever its size, which made 2,000 tiny
   * files take 80 s. Files are told apart by read_csv's `filename` column, and each still gets its
   * own accounting. Returns each plan's accounting, or undefined for a plan left to importFile:
   * one already stored, grown, duplicated, needing a cleaned copy, or a batch that failed as a whole
   * (then nothing of it is kept, and each file's own import names the file in its error).
   */
  async importFiles(plans: readonly ImportPlan[]): Promise<(FileAccounting | undefined)[]> {
    const out: (FileAccounting | undefined)[] = plans.map(() => undefined);
    const first = plans[0];
    if (!first || plans.length < 2 || !batchable(first)) return out;
    const shape = batchShape(first);
    if (plans.some((p) => !batchable(p) || batchShape(p) !== shape)) return out;
    const stored = await this.db.runAndReadAll(
      'SELECT fingerprint, content_hash, head_hash, path FROM files',
    );
    const seen = new Set<string>();
    for (const [fp, content, head, path] of stored.getRows())
      for (const v of [fp, content, head, path]) if (v !== null && v !== undefined) seen.add(String(v));
    const take: { index: number; plan: ImportPlan; identity: FileIdentity }[] = [];
    for (const [index, plan] of plans.entries()) {
      const identity = await fileIdentity(plan.path);
      if ([identity.fingerprint, identity.head, plan.path].some((v) => seen.has(v))) continue;
      const guarded = await guardUtf8(plan);
      const hash = guarded.plan.contentHash;
      if (guarded.plan.readFrom || !hash || seen.has(hash)) {
        await guarded.cleanup();
        continue;
      }
      for (const v of [identity.fingerprint, identity.head, plan.path, hash]) seen.add(v);
      take.push({ index, plan: guarded.plan, identity });
    }
    if (take.length < 2) return out;
    const firstId = await this.nextFileId();
    await this.db.run('BEGIN TRANSACTION');
    try {
      await this.db.run('CREATE OR REPLACE TEMP TABLE batch_files (filename VARCHAR, file_id INTEGER)');
      const appender = await this.db.createAppender('batch_files', 'main', 'temp');
      take.forEach((t, k) => {
        appender.appendVarchar(t.plan.path);
        appender.appendInteger(firstId + k);
        appender.endRow();
      });
      appender.closeSync();
      const paths = listValue(take.map((t) => t.plan.path));
      if (first.kind === 'delimited') await this.loadDelimitedBatch(first, paths);
      else await this.loadJsonLines(first as JsonLinesPlan, batchSink(first as JsonLinesPlan), paths);
      if (first.kind === 'delimited' && first.quote !== '' && (await this.rejectsSpanLines()))
        throw new Error('an unterminated quote: each file is read on its own');
      const rejects = await this.collectRejectsByFile();
      const counts = await this.db.runAndReadAll(
        `SELECT file_id, coalesce(skip_reason, ''), count(*) FROM flows WHERE file_id >= $first GROUP BY ALL`,
        { first: firstId },
      );
      const byFile = new Map<number, DuckDBValue[][]>();
      for (const [id, reason, n] of counts.getRows()) {
        const list = byFile.get(num(id ?? 0)) ?? [];
        list.push([reason ?? '', n ?? 0]);
        byFile.set(num(id ?? 0), list);
      }
      const rows = take.map((t, k) => {
        const fileId = firstId + k;
        const record = fileRecord(
          t.plan,
          t.identity,
          fileId,
          byFile.get(fileId) ?? [],
          rejects.get(t.plan.path) ?? NO_REJECTS,
        );
        out[t.index] = record.accounting;
        return record.row;
      });
      await this.insertFileRows(rows);
      await this.db.run('DROP TABLE batch_files');
      await this.db.run('COMMIT');
      return out;
    } catch {
      await this.db.run('ROLLBACK');
      await this.clearRejectsIfAny();
      return plans.map(() => undefined);
    }
  }

  private async loadDelimitedBatch(plan: DelimitedPlan, paths: DuckDBValue): Promise<void> {
    const params: Record<string, DuckDBValue> = {};
    const source = this.delimitedSource(plan, params, true);
    params.path = paths;
    const select = importSelectSql(plan, source, undefined, undefined, ['filename'], {
      uidColumn: plan.uidColumn,
    });
    await this.runSink(
      batchSink(plan),
      select.sql,
      { ...params, ...select.params },
      {
        nulls: LIST(VARCHAR),
        path: LIST(VARCHAR),
      },
    );
  }

  /** Rejected lines per file of a batch (reject_scans names each scanned file). */
  private async collectRejectsByFile(): Promise<Map<string, Rejects>> {
    const out = new Map<string, Rejects>();
    const exists = await this.db.runAndReadAll(
      "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reject_errors' AND temporary",
    );
    if (num(exists.getRows()[0]?.[0] ?? 0) === 0) return out;
    const r = await this.db.runAndReadAll(
      `SELECT s.file_path, count(DISTINCT e.line),
         list(DISTINCT 'line ' || e.line || ': ' || lower(e.error_type) ORDER BY 'line ' || e.line || ': ' || lower(e.error_type))
       FROM reject_errors e JOIN reject_scans s ON s.scan_id = e.scan_id AND s.file_id = e.file_id
       GROUP BY 1`,
    );
    for (const [path, n, examples] of r.getRows()) {
      const list = (examples as { items?: DuckDBValue[] } | null)?.items ?? [];
      out.set(String(path), {
        rejected: num(n ?? 0),
        examples: list.slice(0, 5).map(String),
        nonDataLines: 0,
      });
    }
    await this.clearRejects();
    return out;
  }

  private async clearRejectsIfAny(): Promise<void> {
    const exists = await this.db.runAndReadAll(
      "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reject_errors' AND temporary",
    );
    if (num(exists.getRows()[0]?.[0] ?? 0) > 0) await this.clearRejects();
  }

  private async fileAccounting(fingerprint: string): Promise<FileAccounting> {
    const r = await this.db.runAndReadAll(
      'SELECT path, format, data_rows, used, rejected_json FROM files WHERE fingerprint = $fp',
      { fp: fingerprint },
    );
    return accountingOfRow(r.getRows()[0] ?? []);
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
    withFilename = false,
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
        compression = $compression, store_rejects = true, max_line_size = ${MAX_LINE_BYTES}, strict_mode = false${withFilename ? ', filename = true' : ''})`;
  }

  /** Converted flows stored in the flows table under `fileId`. */
  private flowsSink(plan: DelimitedPlan | JsonLinesPlan, fileId: number): RowSink {
    return {
      wrap: (select) =>
        `INSERT INTO flows (${flowInsertColumns(plan)}, file_id) SELECT *, $file_id FROM (${select})`,
      params: { file_id: fileId },
      discard: async () => {
        await this.db.run('DELETE FROM flows WHERE file_id = $id', { id: fileId });
      },
    };
  }

  /** Reads a flow file (delimited or JSON lines) into `sink`, with the connection id when the plan has one. */
  private async loadFlows(plan: DelimitedPlan | JsonLinesPlan, sink: RowSink): Promise<Loaded> {
    const rows = { uidColumn: plan.uidColumn };
    return plan.kind === 'delimited'
      ? this.loadDelimitedWith(plan, sink, (source, lineCheck) =>
          importSelectSql(plan, source, undefined, lineCheck, [], rows),
        )
      : this.loadJsonLines(plan, sink, undefined, rows);
  }

  /** Reads a name log into name_events under `fileId` (names lower-case, without a trailing dot). */
  private async loadNames(plan: NamePlan, fileId: number): Promise<Loaded> {
    const uid = plan.uidColumn === undefined ? '' : ', uid';
    const sink: RowSink = {
      wrap: (select) =>
        `INSERT INTO name_events (${NAME_FIELDS.join(', ')}, skip_reason${uid}, file_id)
          SELECT * REPLACE (coalesce(log, $log) AS log, lower(rtrim(name, '.')) AS name), $file_id FROM (${select})`,
      params: { file_id: fileId, log: plan.log ?? '' },
      discard: async () => {
        await this.db.run('DELETE FROM name_events WHERE file_id = $id', { id: fileId });
      },
    };
    const rows = { schema: NAME_ROW_SCHEMA, uidColumn: plan.uidColumn };
    return plan.kind === 'delimited'
      ? this.loadDelimitedWith(plan, sink, (source, lineCheck) =>
          importSelectSql(plan, source, undefined, lineCheck, [], rows),
        )
      : this.loadJsonLines(plan, sink, undefined, rows);
  }

  /** The seed's search output goes to seed_rows, validated like flows (see precomputedSelectSql). */
  private async loadPrecomputed(plan: PrecomputedPlan, fileId: number): Promise<Rejects> {
    const sink: RowSink = {
      wrap: (select) =>
        `INSERT INTO seed_rows (src, dst, dport, size, i_bytecount, t_bytecount, distinct_byte_count, avgcount, skip_reason, host, file_id)
          SELECT *, $file_id FROM (${select})`,
      params: { file_id: fileId },
      discard: async () => {
        await this.db.run('DELETE FROM seed_rows WHERE file_id = $id', { id: fileId });
      },
    };
    const loaded = await this.loadDelimitedWith(plan, sink, (source, lineCheck) =>
      precomputedSelectSql(plan, source, lineCheck),
    );
    return loaded.rejects;
  }

  /**
   * Loads a delimited file with read_csv. In a quoted format an unterminated quote makes read_csv
   * run on past the end of its line and swallow the lines after it into one bad "line"; then the
   * file is read again line by line (quotedLinesSource), so a bad quote costs one line only.
   */
  private async loadDelimitedWith(
    plan: DelimitedPlan | PrecomputedPlan,
    sink: RowSink,
    select: (source: string, lineCheck?: string) => SqlWithParams,
  ): Promise<Loaded> {
    const params: Record<string, DuckDBValue> = { ...sink.params };
    const first = select(this.delimitedSource(plan, params), undefined);
    let rows = await this.runSink(sink, first.sql, { ...params, ...first.params }, { nulls: LIST(VARCHAR) });
    if (plan.quote !== '' && (await this.rejectsSpanLines())) {
      await sink.discard();
      await this.clearRejects();
      const lineParams: Record<string, string> = {};
      const lines = `read_csv($path, delim = $line_delim, quote = '', escape = '', header = false, auto_detect = false,
        columns = {'line': 'VARCHAR'}, skip = $skip, compression = $compression, store_rejects = true,
        max_line_size = ${MAX_LINE_BYTES}, strict_mode = false)`;
      const quoted = quotedLinesSource(lines, plan.rawNames.length, plan.delimiter, lineParams);
      const second = select(quoted.source, quoted.lineCheck);
      rows = await this.runSink(sink, second.sql, {
        ...second.params,
        ...lineParams,
        ...sink.params,
        path: plan.readFrom?.path ?? plan.path,
        skip: plan.skipLines,
        compression: plan.readFrom ? 'none' : plan.compression,
        line_delim: LINE_DELIMITER,
      });
    }
    return { rejects: await this.collectRejects(plan.trailer), rows };
  }

  /** Runs the sink's statement over `select`; the rows it took (INSERT and COPY report a count). */
  private async runSink(
    sink: RowSink,
    select: string,
    params: Record<string, DuckDBValue>,
    types?: Record<string, DuckDBType>,
  ): Promise<number> {
    const r = await this.db.runAndReadAll(sink.wrap(select), params, types);
    return num(r.getRows()[0]?.[0] ?? 0);
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

  /**
   * `batch`: the paths of a batch (see importFiles) and `sink` one that joins rows to their file by
   * their `filename`; the batch's rejected lines are then left for the caller to collect per file.
   */
  private async loadJsonLines(
    plan: JsonLinesPlan,
    sink: RowSink,
    batch?: DuckDBValue,
    rows: { schema?: RowSchema; uidColumn?: number } = { uidColumn: plan.uidColumn },
  ): Promise<Loaded> {
    // Each line is read as one text value and taken apart with DuckDB's JSON functions, so a bad
    // line is counted on its own instead of failing the file.
    const paths = plan.jsonPaths.map((p) => `'$.${p.map((k) => `"${k.replace(/["'\\]/g, '')}"`).join('.')}'`);
    // One json_extract_string with the list of paths parses each line once (not once per path).
    const rawColumns = paths.map((_, i) => `v[${i + 1}] AS r${i}`).join(', ');
    const filename = batch === undefined ? '' : ', filename';
    const lines = `read_csv($path, delim = $line_delim, quote = '', escape = '', header = false, auto_detect = false,
        columns = {'line': 'VARCHAR'}, compression = $compression, store_rejects = true,
        max_line_size = ${MAX_LINE_BYTES}, strict_mode = false${batch === undefined ? '' : ', filename = true'})`;
    const source = `(SELECT j${filename}, ${rawColumns} FROM (
        SELECT j${filename}, json_extract_string(j, [${paths.join(', ')}]) AS v
        FROM (SELECT CASE WHEN json_valid(line) AND starts_with(ltrim(line), '{') THEN line END AS j${filename}
          FROM ${lines} WHERE trim(line) <> '')))`;
    const select = importSelectSql(
      plan,
      source,
      'j IS NOT NULL',
      undefined,
      batch === undefined ? [] : ['filename'],
      rows,
    );
    const taken = await this.runSink(
      sink,
      select.sql,
      {
        ...select.params,
        ...sink.params,
        path: batch ?? plan.readFrom?.path ?? plan.path,
        compression: plan.readFrom ? 'none' : plan.compression,
        line_delim: LINE_DELIMITER,
      },
      batch === undefined ? undefined : { path: LIST(VARCHAR) },
    );
    if (batch !== undefined) return { rejects: NO_REJECTS, rows: taken };
    return { rejects: await this.collectRejects(), rows: taken };
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
    // one query for all files (a folder of 2,000 logs made 2,000 queries)
    const filesResult = await this.db.runAndReadAll(
      'SELECT path, format, data_rows, used, rejected_json, file_id FROM files ORDER BY file_id',
    );
    const files = filesResult.getRows().map((row) => {
      const f = accountingOfRow(row);
      const superseded = this.superseded.get(num(row[5] ?? 0)) ?? 0;
      if (superseded === 0) return f;
      const reason = SKIP_REASONS.supersededSnapshot;
      return {
        ...f,
        used: f.used - superseded,
        skipped: { ...f.skipped, [reason]: (f.skipped[reason] ?? 0) + superseded },
      };
    });
    const range = await this.db.runAndReadAll('SELECT min(ts), max(ts) FROM flows WHERE skip_reason IS NULL');
    const [lo, hi] = range.getRows()[0] ?? [null, null];
    return {
      ...summarizeFiles(files),
      timeRange: lo === null || hi === null ? null : [num(lo ?? 0), num(hi ?? 0)],
    };
  }

  /** Classify sources as internal in JS (CIDR logic lives in one place) and hand the list to SQL. */
  private async loadInternalSources(options: FeatureOptions): Promise<void> {
    const nets = internalClassifier(options.internalNetworks, options.localMarks);
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

  async localMarks(): Promise<Map<string, boolean>> {
    const r = await this.db.runAndReadAll(localMarksSql('flows', 'skip_reason IS NULL', 'bool_or'));
    const marks = new Map<string, boolean>();
    for (const [a, local] of r.getRows()) if (local !== null) marks.set(String(a), local === true);
    return marks;
  }

  /** Whether name_pairs holds FQDN pairs (set by pairFeatures; read by the per-pair queries after it). */
  private namePairs = false;

  async pairFeatures(options: FeatureOptions): Promise<PairFeatures> {
    await this.loadInternalSources(options);
    await this.db.run(NAME_PAIRS_SQL);
    const np = await this.db.runAndReadAll('SELECT count(*) FROM name_pairs');
    this.namePairs = num(np.getRows()[0]?.[0] ?? 0) > 0;
    const { setup, select, cleanup } = pairFeatureStatements(flowsSql(options, this.namePairs));
    const src: string[] = [];
    const dst: string[] = [];
    const labels = Object.fromEntries(LABEL_NAMES.map((name) => [name, [] as unknown[]]));
    const numeric = NUMERIC_FEATURE_NAMES.map(() => new GrowableFloats());
    try {
      for (const sql of setup) await this.db.run(sql);
      // streamed chunk by chunk, numbers read straight from the DOUBLE vectors (no JS value per cell)
      const result = await this.db.stream(
        `SELECT * FROM (${select} UNION ALL ${PRECOMPUTED_PAIRS_SQL}) ORDER BY src, dst`,
      );
      const names = result.columnNames();
      const at = (name: string) => names.indexOf(name);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const v of chunk.getColumnValues(at('src'))) src.push(String(v));
        for (const v of chunk.getColumnValues(at('dst'))) dst.push(String(v));
        for (const name of LABEL_NAMES) {
          const type = PAIR_LABELS[name].type;
          const out = labels[name] as unknown[];
          for (const v of chunk.getColumnValues(at(name))) out.push(decodeLabel(type, v));
        }
        NUMERIC_FEATURE_NAMES.forEach((name, k) => {
          const vector = chunk.getColumnVector(at(name));
          const out = numeric[k] as GrowableFloats;
          for (let row = 0; row < chunk.rowCount; row++) out.push(num(vector.getItem(row)));
        });
      }
    } finally {
      for (const sql of cleanup) await this.db.run(sql);
    }
    return {
      length: src.length,
      src,
      dst,
      numeric: Object.fromEntries(NUMERIC_FEATURE_NAMES.map((name, k) => [name, numeric[k]?.done()])),
      ...labels,
      // name resolution's extras (not features: labels of the finding, only where name logs gave them)
      ...(this.anyVia ? { via: await this.pairProxies(src, dst) } : {}),
      ...(this.namePairs ? { addresses: await this.namePairAddresses(src, dst) } : {}),
    } as PairFeatures;
  }

  /** For each pair, the explicit proxy most of its flows went through (null when none did). */
  private async pairProxies(src: string[], dst: string[]): Promise<(string | null)[]> {
    const r = await this.db.runAndReadAll(`
      SELECT src, dst, first(via ORDER BY n DESC, via)
      FROM (SELECT src, dst, via, count(*) AS n FROM flows
            WHERE skip_reason IS NULL AND via IS NOT NULL GROUP BY src, dst, via)
      GROUP BY src, dst`);
    const byPair = new Map<string, string>();
    for (const [s, d, via] of r.getRows()) byPair.set(pairKey(String(s), String(d)), String(via));
    return src.map((s, i) => byPair.get(pairKey(s, dst[i] as string)) ?? null);
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
    visit: (series: PairSeries) => void | Promise<void>,
  ): Promise<void> {
    const f = flowsSql(options, this.namePairs);
    // The pairs to time, numbered once: the flat stream below then carries a fixed-width pair
    // number instead of two strings per flow (DuckDB sorts integers far faster than text, and
    // JavaScript reads each pair's addresses once, not once per flow).
    await this.db.run(
      `CREATE OR REPLACE TEMP TABLE series_pairs AS
       SELECT (row_number() OVER (ORDER BY src, dst) - 1)::INTEGER AS pid, src, dst
       FROM (SELECT src, dst FROM ${f} GROUP BY src, dst HAVING count(*) >= $min)`,
      { min: minFlows },
    );
    try {
      const names = await this.db.runAndReadAll('SELECT src, dst FROM series_pairs ORDER BY pid');
      const [srcs = [], dsts = []] = names.getColumns();
      // split records of one connection (unidirectional exporters) count once, at their first start
      const stitched = options.stitchSplitRecords
        ? `(SELECT * FROM (
             SELECT y.*, lag(y.ts + coalesce(y.duration, 0)) OVER (
               PARTITION BY y.src, y.dst, y.sport, y.dport ORDER BY y.ts) AS prev_end
             FROM ${f} y) z
           WHERE z.proto IS DISTINCT FROM 'tcp' OR z.sport IS NULL OR z.prev_end IS NULL
              OR z.ts > z.prev_end + ${SPLIT_RECORD_GAP_S})`
        : f;
      // One sorted flat stream (DuckDB sorts far faster than it builds ordered lists), cut into
      // pairs here; only the current pair is held in memory.
      const result = await this.db.stream(
        `SELECT k.pid, x.ts::DOUBLE, x.size::DOUBLE
         FROM ${stitched} x
         JOIN series_pairs k ON k.src = x.src AND k.dst = x.dst
         ORDER BY k.pid, x.ts`,
      );
      let pid = -1;
      let ts = new Float64Array(1024);
      let sizes = new Float64Array(1024);
      let n = 0;
      // a promise from visit() means "wait before reading on"; awaited between chunks
      let wait: Promise<void> | undefined;
      const flush = () => {
        if (pid >= 0 && n > 0) {
          const r = visit({
            src: String(srcs[pid]),
            dst: String(dsts[pid]),
            ts: ts.slice(0, n),
            sizes: sizes.slice(0, n),
          });
          if (r) wait = wait ? wait.then(() => r) : r;
        }
        n = 0;
      };
      for (;;) {
        if (wait) {
          await wait;
          wait = undefined;
        }
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const pidColumn = chunk.getColumnVector(0);
        const tsColumn = chunk.getColumnVector(1);
        const sizeColumn = chunk.getColumnVector(2);
        for (let row = 0; row < chunk.rowCount; row++) {
          const p = pidColumn.getItem(row) as number;
          if (p !== pid) {
            flush();
            pid = p;
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
      await wait;
    } finally {
      await this.db.run('DROP TABLE IF EXISTS series_pairs');
    }
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

  /**
   * Reads a flow file exactly as importFile does (same plan, conversion, validation and rejected
   * lines) but writes every converted row to `path` instead of storing it: delimited text without
   * quotes, one line per row, one column per expression over the converted row (the canonical
   * columns and skip_reason), NULL as `nullText`. How an engine that does not read files itself
   * (ClickHouse) receives them; its expressions must leave no delimiter or line break in a value.
   * Parallel: the lines come in no particular order. The file passes the same UTF-8 guard first
   * (blanked invalid lines, a cut compressed stream): returns the plan as read (its preSkipped and
   * truncation are part of the accounting), the rejected lines and the rows written.
   */
  async exportFile(
    given: DelimitedPlan | JsonLinesPlan,
    path: string,
    columns: readonly string[],
    delimiter: string,
    nullText: string,
  ): Promise<{ plan: DelimitedPlan | JsonLinesPlan; rejects: Rejects; rows: number }> {
    await this.db.run('SET preserve_insertion_order = false');
    // COPY takes no parameter for its target; `path` is a file our caller created
    const target = `'${path.replace(/'/g, "''")}'`;
    const sink: RowSink = {
      wrap: (select) => `COPY (SELECT ${columns.join(', ')} FROM (${select}))
        TO ${target} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER $x_delim, NULLSTR $x_null)`,
      params: { x_delim: delimiter, x_null: nullText },
      // a second read overwrites the file
      discard: async () => {},
    };
    const guarded = await guardUtf8(given);
    // the guard keeps the plan's kind; only its source and counts change
    const plan = guarded.plan as DelimitedPlan | JsonLinesPlan;
    try {
      return { plan, ...(await this.loadFlows(plan, sink)) };
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(
        `cannot read as ${plan.format}: ${cleanDuckDbMessage(errorMessage(err))}`,
        plan.path,
      );
    } finally {
      await guarded.cleanup();
    }
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
    this.cleanup();
  }
}

/** A name log's import (src/read/names.ts), not a flow file's. */
function isNamePlan(plan: ImportPlan | NamePlan): plan is NamePlan {
  return 'nameFields' in plan;
}

/**
 * Fingerprint prefix of a name log's import: an EVE file is imported twice (flows, names), and each
 * import must find only its own earlier imports (the same file, content, or a shorter version).
 */
const NAMES_TAG = 'names:';
/** SQL: a files row of the same role as the import ($names, $tag = NAMES_TAG). */
const SAME_ROLE = 'starts_with(fingerprint, $tag) = $names';

/** DuckDB's messages carry hints about its own options; keep the first line for users. */
function cleanDuckDbMessage(message: string): string {
  return message.split('\n')[0]?.replace(/^[A-Za-z ]+Error: /, '') ?? message;
}

/** Plans a batch can hold: flow records without a trailer to find per file, read from the file itself. */
function batchable(plan: ImportPlan): boolean {
  if (plan.readFrom || plan.appendedAfter !== undefined || plan.preSkipped) return false;
  return plan.kind === 'jsonl' || (plan.kind === 'delimited' && plan.trailer === undefined);
}

/** Everything about how a file is read except which file: plans with the same shape share a statement. */
function batchShape(plan: ImportPlan): string {
  const { path: _path, notes: _notes, contentHash: _hash, truncated: _cut, ...how } = plan;
  return JSON.stringify(how);
}

/** The columns of a `files` row, in the order fileRecord gives them. */
const FILE_ROW_COLUMNS = [
  'file_id',
  'path',
  'fingerprint',
  'format',
  'data_rows',
  'used',
  'rejected_json',
  'size',
  'head_hash',
  'tail_hash',
  'content_hash',
] as const;

/** A file's accounting from its rows' (skip reason, count) and rejected lines, and its `files` row. */
function fileRecord(
  plan: ImportPlan,
  identity: FileIdentity,
  fileId: number,
  counts: DuckDBValue[][],
  rejects: Rejects,
): { accounting: FileAccounting; row: DuckDBValue[] } {
  const skipped: Record<string, number> = {};
  let used = 0;
  for (const [reason, n] of counts) {
    if (reason === '') used = num(n ?? 0);
    else skipped[String(reason)] = num(n ?? 0);
  }
  const accounting = importAccounting(plan, used, skipped, rejects);
  const row: DuckDBValue[] = [
    fileId,
    plan.path,
    identity.fingerprint,
    plan.format,
    accounting.dataRows,
    used,
    encodeAccounting(accounting),
    identity.size,
    identity.head,
    identity.tail,
    // an appended part's hash is of that part only: not the file's content
    plan.appendedAfter === undefined ? (plan.contentHash ?? null) : null,
  ];
  return { accounting, row };
}

/** A `files` row (path, format, data_rows, used, rejected_json) as the file's accounting. */
function accountingOfRow(row: DuckDBValue[]): FileAccounting {
  return decodeAccounting({
    path: String(row[0]),
    format: String(row[1]),
    dataRows: num(row[2] ?? 0),
    used: num(row[3] ?? 0),
    json: String(row[4] ?? '{}'),
  });
}
