import { DOUBLE, type DuckDBConnection, type DuckDBValue, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { pairKey } from '../../features/pair-features.js';
import { CANONICAL_FIELDS, SKIP_REASONS } from '../../flow/schema.js';
import type { DelimitedPlan, JsonLinesPlan } from '../../read/plan.js';
import { InputError } from '../../util/errors.js';
import type {
  WatchChunk,
  WatchIngest,
  WatchPairState,
  WatchStore,
  WatchStoreOptions,
  WatchStream,
} from '../engine.js';
import { importSelectSql } from './import-sql.js';

/*
 * Live mode's state, in the same database as the flows. Lines are staged in a temporary table and
 * converted by the bulk import's own SQL (importSelectSql), so a followed log is validated exactly
 * like an imported one. Every value reaches SQL as a bound parameter; lists travel as LIST values.
 *
 * No primary keys on the watch tables: rows are replaced by DELETE + INSERT inside the batch's
 * transaction, which DuckDB's constraint checks would otherwise reject when a row changes twice.
 */

const WATCH_SCHEMA = `
CREATE TABLE IF NOT EXISTS watch_meta (key VARCHAR NOT NULL, value VARCHAR);
CREATE TABLE IF NOT EXISTS watch_streams (
  stream_id INTEGER NOT NULL, head_hash VARCHAR NOT NULL, head_bytes INTEGER NOT NULL,
  inode DOUBLE NOT NULL, path VARCHAR NOT NULL, format VARCHAR NOT NULL,
  byte_offset BIGINT NOT NULL, lines BIGINT NOT NULL, done BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS watch_pairs (src VARCHAR NOT NULL, dst VARCHAR NOT NULL, state VARCHAR NOT NULL, last_index BIGINT NOT NULL, close_at BIGINT);
CREATE TABLE IF NOT EXISTS watch_alerts (seq BIGINT NOT NULL, alert VARCHAR NOT NULL, emitted BOOLEAN NOT NULL);
`;

const MEMORY_LIMIT = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/** Examples of skipped lines kept per stream (as the bulk import keeps a few per file). */
const MAX_EXAMPLES = 5;

function num(value: DuckDBValue | undefined): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  return Number.NaN;
}

const strings = (values: readonly string[]) => listValue(values as string[]);

export class DuckDbWatchStore implements WatchStore {
  private constructor(private readonly db: DuckDBConnection) {}

  static async open(db: DuckDBConnection, options: WatchStoreOptions): Promise<DuckDbWatchStore> {
    if (options.memoryLimit !== undefined) {
      if (!MEMORY_LIMIT.test(options.memoryLimit))
        throw new InputError(`memory limit "${options.memoryLimit}" is not a size such as 256MB`);
      // Validated above: a number and a unit, nothing else reaches the statement.
      await db.run(`SET memory_limit = '${options.memoryLimit}'`);
    }
    await db.run(WATCH_SCHEMA);
    return new DuckDbWatchStore(db);
  }

  async begin(): Promise<void> {
    await this.db.run('BEGIN TRANSACTION');
  }

  async commit(): Promise<void> {
    await this.db.run('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.db.run('ROLLBACK');
  }

  async getMeta(): Promise<Record<string, string>> {
    const r = await this.db.runAndReadAll('SELECT key, value FROM watch_meta');
    return Object.fromEntries(r.getRows().map(([k, v]) => [String(k), String(v)]));
  }

  async setMeta(values: Record<string, string>): Promise<void> {
    const keys = Object.keys(values);
    if (keys.length === 0) return;
    const params = { k: strings(keys), v: strings(keys.map((k) => values[k] as string)) };
    const types = { k: LIST(VARCHAR), v: LIST(VARCHAR) };
    await this.db.run('DELETE FROM watch_meta WHERE list_contains($k, key)', { k: params.k }, { k: types.k });
    await this.db.run('INSERT INTO watch_meta SELECT unnest($k), unnest($v)', params, types);
  }

  async streams(): Promise<WatchStream[]> {
    const r = await this.db.runAndReadAll(
      'SELECT stream_id, head_hash, head_bytes, inode, path, format, byte_offset, lines, done FROM watch_streams ORDER BY stream_id',
    );
    return r.getRows().map((row) => ({
      id: num(row[0]),
      headHash: String(row[1]),
      headBytes: num(row[2]),
      inode: num(row[3]),
      path: String(row[4]),
      format: String(row[5]),
      offset: num(row[6]),
      lines: num(row[7]),
      done: row[8] === true,
    }));
  }

  async addStream(s: Omit<WatchStream, 'id' | 'offset' | 'lines' | 'done'>): Promise<WatchStream> {
    const next = await this.db.runAndReadAll('SELECT coalesce(max(file_id), 0) + 1 FROM files');
    const id = num(next.getRows()[0]?.[0]);
    await this.db.run(
      `INSERT INTO files (file_id, path, fingerprint, format, data_rows, used, rejected_json)
       VALUES ($id, $path, $fp, $format, 0, 0, $extra)`,
      {
        id,
        path: s.path,
        fp: `watch:${s.headHash}`,
        format: s.format,
        extra: JSON.stringify({
          skipped: {},
          examples: [],
          nonDataLines: 0,
          notes: ['followed live (beaconhunt watch)'],
        }),
      },
    );
    await this.db.run(
      `INSERT INTO watch_streams VALUES ($id, $hash, $bytes, $inode, $path, $format, 0, 0, false)`,
      { id, hash: s.headHash, bytes: s.headBytes, inode: s.inode, path: s.path, format: s.format },
    );
    return { ...s, id, offset: 0, lines: 0, done: false };
  }

  async moveStream(id: number, path: string, inode: number): Promise<void> {
    await this.db.run('UPDATE watch_streams SET path = $path, inode = $inode WHERE stream_id = $id', {
      id,
      path,
      inode,
    });
  }

  /** The staged lines as raw columns r0…rN (and `j`, the line when it is a JSON object). */
  private sourceOf(
    plan: DelimitedPlan | JsonLinesPlan,
    params: Record<string, DuckDBValue>,
    types: Record<string, ReturnType<typeof LIST>>,
  ): string {
    if (plan.kind === 'jsonl') {
      const columns = plan.jsonPaths.map((path, i) => {
        params[`jp${i}`] = `$.${path.map((k) => `"${k.replace(/["\\]/g, '')}"`).join('.')}`;
        return `json_extract_string(j, $jp${i}) AS r${i}`;
      });
      return `(SELECT *, ${columns.join(', ')} FROM (
          SELECT line, CASE WHEN json_valid(line) AND starts_with(ltrim(line), '{') THEN line END AS j
          FROM watch_lines WHERE trim(line) <> ''))`;
    }
    params.sep = plan.delimiter;
    params.ncols = plan.rawNames.length;
    params.nulls = strings(plan.nullValues);
    types.nulls = LIST(VARCHAR);
    const columns = plan.rawNames.map((_, i) => `p[${i + 1}] AS r${i}`);
    return `(SELECT ${columns.join(', ')} FROM (
        SELECT list_transform(string_split(line, $sep), x -> CASE WHEN list_contains($nulls, x) THEN NULL ELSE x END) AS p
        FROM watch_lines WHERE len(string_split(line, $sep)) = $ncols))`;
  }

  async ingest(chunk: WatchChunk): Promise<WatchIngest> {
    const { plan } = chunk;
    if (plan.kind === 'delimited' && plan.quote !== '') {
      throw new InputError(
        `${plan.format}: live mode reads unquoted delimited logs (Zeek TSV) and JSON lines`,
        chunk.path,
      );
    }
    // Staging tables are made anew for each use: rows deleted from a temporary table keep its
    // memory, so a long run would grow.
    await this.db.run('CREATE OR REPLACE TEMP TABLE watch_lines (n BIGINT, line VARCHAR)');
    let malformed = 0;
    const examples: string[] = [];
    if (chunk.lines.length > 0) {
      // The appender writes inside the open transaction (a rollback takes the lines back too).
      const appender = await this.db.createAppender('watch_lines', 'main', 'temp');
      chunk.lines.forEach((line, i) => {
        appender.appendBigInt(BigInt(chunk.lineNumbers[i] as number));
        appender.appendVarchar(line);
        appender.endRow();
      });
      appender.closeSync();
      if (plan.kind === 'delimited') {
        // A line with the wrong number of fields is what the bulk reader rejects as malformed.
        const bad = await this.db.runAndReadAll(
          `SELECT count(*), list(n ORDER BY n)[1:${MAX_EXAMPLES}] FROM watch_lines WHERE len(string_split(line, $sep)) <> $ncols`,
          { sep: plan.delimiter, ncols: plan.rawNames.length },
        );
        const row = bad.getRows()[0];
        malformed = num(row?.[0]);
        const lines = (row?.[1] as { items?: DuckDBValue[] } | null)?.items ?? [];
        for (const n of lines) examples.push(`line ${num(n)}: ${SKIP_REASONS.malformedLine}`);
      }
      const params: Record<string, DuckDBValue> = {};
      const types: Record<string, ReturnType<typeof LIST>> = {};
      const source = this.sourceOf(plan, params, types);
      const select = importSelectSql(plan, source, plan.kind === 'jsonl' ? 'j IS NOT NULL' : undefined);
      await this.db.run(
        `CREATE OR REPLACE TEMP TABLE watch_batch AS ${select.sql}`,
        { ...params, ...select.params },
        types,
      );
      await this.db.run(
        `INSERT INTO flows (${CANONICAL_FIELDS.join(', ')}, skip_reason, file_id) SELECT *, $id FROM watch_batch`,
        { id: chunk.streamId },
      );
    }
    const skipped: Record<string, number> = {};
    let used = 0;
    let minTs: number | null = null;
    let maxTs: number | null = null;
    if (chunk.lines.length > 0) {
      const counts = await this.db.runAndReadAll(
        `SELECT coalesce(skip_reason, ''), count(*), min(ts) FILTER (WHERE skip_reason IS NULL),
           max(ts) FILTER (WHERE skip_reason IS NULL AND ts <= $believable)
         FROM watch_batch GROUP BY 1`,
        { believable: chunk.maxBelievableTs ?? Number.MAX_VALUE },
      );
      for (const [reason, n, lo, hi] of counts.getRows()) {
        if (reason === '') {
          used = num(n);
          minTs = lo === null ? null : num(lo);
          maxTs = hi === null ? null : num(hi);
        } else skipped[String(reason)] = num(n);
      }
    }
    if (malformed > 0) skipped[SKIP_REASONS.malformedLine] = malformed;
    const rows = used + Object.values(skipped).reduce((a, b) => a + b, 0);
    await this.account(chunk, rows, used, skipped, examples);
    await this.db.run(
      `UPDATE watch_streams SET byte_offset = $offset, lines = $lines, done = $done, path = $path, inode = $inode
       WHERE stream_id = $id`,
      {
        id: chunk.streamId,
        offset: chunk.offset,
        lines: chunk.totalLines,
        done: chunk.done,
        path: chunk.path,
        inode: chunk.inode,
      },
    );
    return { rows, used, skipped, minTs, maxTs };
  }

  /** Adds a chunk's rows to its stream's files row (rows read, used, skipped by reason). */
  private async account(
    chunk: WatchChunk,
    rows: number,
    used: number,
    skipped: Record<string, number>,
    examples: string[],
  ): Promise<void> {
    const r = await this.db.runAndReadAll('SELECT rejected_json FROM files WHERE file_id = $id', {
      id: chunk.streamId,
    });
    const extra = JSON.parse(String(r.getRows()[0]?.[0] ?? '{}')) as {
      skipped?: Record<string, number>;
      examples?: string[];
      nonDataLines?: number;
      notes?: string[];
    };
    const total = extra.skipped ?? {};
    for (const [reason, n] of Object.entries(skipped)) total[reason] = (total[reason] ?? 0) + n;
    const kept = [...(extra.examples ?? []), ...examples].slice(0, MAX_EXAMPLES);
    await this.db.run(
      `UPDATE files SET data_rows = data_rows + $rows, used = used + $used, path = $path, format = $format, rejected_json = $extra
       WHERE file_id = $id`,
      {
        id: chunk.streamId,
        rows,
        used,
        path: chunk.path,
        format: chunk.plan.format,
        extra: JSON.stringify({ ...extra, skipped: total, examples: kept }),
      },
    );
  }

  async pairStates(pairs: readonly { src: string; dst: string }[]): Promise<Map<string, WatchPairState>> {
    const out = new Map<string, WatchPairState>();
    if (pairs.length === 0) return out;
    const r = await this.db.runAndReadAll(
      `SELECT p.src, p.dst, p.state, p.last_index, p.close_at
       FROM watch_pairs p SEMI JOIN (SELECT unnest($src) AS src, unnest($dst) AS dst) q ON p.src = q.src AND p.dst = q.dst`,
      { src: strings(pairs.map((p) => p.src)), dst: strings(pairs.map((p) => p.dst)) },
      { src: LIST(VARCHAR), dst: LIST(VARCHAR) },
    );
    for (const row of r.getRows()) {
      const s = stateOf(row);
      out.set(pairKey(s.src, s.dst), s);
    }
    return out;
  }

  async episodesClosingBefore(index: number): Promise<WatchPairState[]> {
    const r = await this.db.runAndReadAll(
      'SELECT src, dst, state, last_index, close_at FROM watch_pairs WHERE close_at IS NOT NULL AND close_at <= $index ORDER BY src, dst',
      { index },
    );
    return r.getRows().map(stateOf);
  }

  async savePairStates(states: readonly WatchPairState[]): Promise<void> {
    if (states.length === 0) return;
    await this.db.run(
      'CREATE OR REPLACE TEMP TABLE watch_pair_staging (src VARCHAR, dst VARCHAR, state VARCHAR, last_index BIGINT, close_at BIGINT)',
    );
    const appender = await this.db.createAppender('watch_pair_staging', 'main', 'temp');
    for (const s of states) {
      appender.appendVarchar(s.src);
      appender.appendVarchar(s.dst);
      appender.appendVarchar(s.state);
      appender.appendBigInt(BigInt(s.lastIndex));
      if (s.closeAt === null) appender.appendNull();
      else appender.appendBigInt(BigInt(s.closeAt));
      appender.endRow();
    }
    appender.closeSync();
    await this.db.run(
      'DELETE FROM watch_pairs p USING watch_pair_staging q WHERE p.src = q.src AND p.dst = q.dst',
    );
    await this.db.run('INSERT INTO watch_pairs SELECT * FROM watch_pair_staging');
  }

  async forgetPairsIdleBefore(index: number): Promise<number> {
    const r = await this.db.runAndReadAll(
      'DELETE FROM watch_pairs WHERE last_index < $index AND close_at IS NULL RETURNING 1',
      { index },
    );
    return r.currentRowCount;
  }

  async nextAlertSeq(): Promise<number> {
    const r = await this.db.runAndReadAll('SELECT coalesce(max(seq), 0) + 1 FROM watch_alerts');
    return num(r.getRows()[0]?.[0]);
  }

  async addAlerts(alerts: readonly { seq: number; alert: string }[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.db.run(
      'INSERT INTO watch_alerts SELECT unnest($seq)::BIGINT, unnest($alert), false',
      { seq: listValue(alerts.map((a) => a.seq)), alert: strings(alerts.map((a) => a.alert)) },
      { seq: LIST(DOUBLE), alert: LIST(VARCHAR) },
    );
  }

  async alertText(seq: number): Promise<string | null> {
    const r = await this.db.runAndReadAll('SELECT alert FROM watch_alerts WHERE seq = $seq', { seq });
    const v = r.getRows()[0]?.[0];
    return v === undefined || v === null ? null : String(v);
  }

  async pendingAlerts(): Promise<{ seq: number; alert: string }[]> {
    const r = await this.db.runAndReadAll(
      'SELECT seq, alert FROM watch_alerts WHERE NOT emitted ORDER BY seq',
    );
    return r.getRows().map(([seq, alert]) => ({ seq: num(seq), alert: String(alert) }));
  }

  async markEmitted(uptoSeq: number): Promise<void> {
    await this.db.run('UPDATE watch_alerts SET emitted = true WHERE seq <= $seq AND NOT emitted', {
      seq: uptoSeq,
    });
  }

  async flowCount(): Promise<number> {
    const r = await this.db.runAndReadAll('SELECT count(*) FROM flows WHERE skip_reason IS NULL');
    return num(r.getRows()[0]?.[0]);
  }
}

function stateOf(row: DuckDBValue[]): WatchPairState {
  return {
    src: String(row[0]),
    dst: String(row[1]),
    state: String(row[2]),
    lastIndex: num(row[3]),
    closeAt: row[4] === null ? null : num(row[4]),
  };
}
