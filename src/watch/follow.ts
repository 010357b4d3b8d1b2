import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { planImport } from '../read/formats.js';
import type { DelimitedPlan, JsonLinesPlan } from '../read/plan.js';
import type { WatchStream } from '../store/engine.js';
import { errorMessage } from '../util/errors.js';
import {
  GzipLineReader,
  hashHead,
  headLength,
  isGzip,
  readGzipHead,
  readPlainHead,
  readPlainLines,
} from './lines.js';

/*
 * Following growing logs. A stream is one log's content, known by its head (bytes through the
 * first data line): Zeek renames conn.log at rotation and may gzip it, but the head stays, so the
 * renamed or compressed file continues the same stream from the same (decompressed) offset. A new
 * conn.log has a new head (its #open time, its first uid): a new stream.
 */

export type FollowPlan = DelimitedPlan | JsonLinesPlan;

/** A stream not yet in the database (id 0 until stored). */
export type FollowStream = WatchStream;

/** Lines read from one stream in one poll, and where the stream stands after them. */
export interface FollowChunk {
  stream: FollowStream;
  isNew: boolean;
  plan: FollowPlan;
  lines: string[];
  lineNumbers: number[];
  offset: number;
  totalLines: number;
  done: boolean;
  path: string;
  inode: number;
}

export interface FollowOptions {
  /** `--format` (default auto: recognised by content). */
  format: string;
  /**
   * When live mode started on this database (epoch ms). A rotated copy of the followed log that is
   * not a known stream is read from its start if it changed since then: it got data while we were
   * responsible for it (the watcher was down when it was rotated). Older archives are left alone.
   */
  since: number;
  /** Bytes read from one file per poll at most. */
  maxBytes: number;
  onWarning?: (message: string) => void;
}

/** Zeek's conn logs: conn.log, conn.2024-03-05-10-00-00.log, conn.00:00:00-01:00:00.log.gz. */
const CONN_LOG = /^conn([.\-_].*)?\.log(\.gz)?$|^conn\.log(\.gz)?$/;
const LOG_LIKE = /\.(log|json|jsonl|ndjson|tsv|csv)(\.gz)?$/;

interface Identity {
  hash: string;
  headBytes: number;
}

export class Follower {
  private readonly byHash = new Map<string, FollowStream>();
  private readonly plans = new Map<string, FollowPlan>();
  private readonly gzip = new Map<string, GzipLineReader>();
  /** Identity per (path, inode, size, mtime): unchanged files are not hashed again. */
  private readonly identities = new Map<string, Identity | null>();
  /** Files that cannot be followed (not a supported log), warned about once. */
  private readonly refused = new Set<string>();
  private waitingSaid = false;

  constructor(
    private readonly target: string,
    streams: readonly WatchStream[],
    private readonly options: FollowOptions,
  ) {
    for (const s of streams) this.byHash.set(s.headHash, { ...s });
  }

  private warn(message: string): void {
    this.options.onWarning?.(message);
  }

  /** The files to look at, oldest first; in file mode the target comes last (it is the newest). */
  private async candidates(): Promise<{ files: string[]; directory: boolean }> {
    const info = await stat(this.target).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(this.target, { withFileTypes: true }))
        .filter((e) => e.isFile() && !e.name.startsWith('.'))
        .map((e) => e.name);
      const conn = names.filter((n) => CONN_LOG.test(n));
      const chosen = conn.length ? conn : names.filter((n) => LOG_LIKE.test(n));
      return { files: await byAge(chosen.map((n) => join(this.target, n))), directory: true };
    }
    if (!info && !this.waitingSaid) {
      this.waitingSaid = true;
      this.warn(`waiting for ${this.target} to appear`);
    }
    // Rotated copies of the target beside it (conn.log → conn.2024-…log, conn.log.1, …gz).
    const dir = dirname(this.target);
    const base = basename(this.target);
    const stem = base.split('.')[0] ?? base;
    const names = await readdir(dir).catch(() => [] as string[]);
    const siblings = names.filter(
      (n) => n !== base && (n.startsWith(`${stem}.`) || n.startsWith(`${stem}-`) || n.startsWith(base)),
    );
    return {
      files: [...(await byAge(siblings.map((n) => join(dir, n)))), ...(info ? [this.target] : [])],
      directory: false,
    };
  }

  private async identify(
    path: string,
    handle: FileHandle,
    ino: number,
    size: number,
    mtimeMs: number,
    gz: boolean,
  ): Promise<Identity | null> {
    const key = `${path}\u0000${ino}\u0000${size}\u0000${mtimeMs}`;
    if (this.identities.has(key)) return this.identities.get(key) ?? null;
    let bytes: Buffer;
    let complete: boolean;
    if (gz) ({ bytes, complete } = await readGzipHead(path));
    else {
      bytes = await readPlainHead(handle);
      complete = false; // a plain log may still be written: its last line counts once it ends
    }
    const length = headLength(bytes, complete);
    const identity =
      length === null ? null : { hash: hashHead(bytes.subarray(0, length)), headBytes: length };
    if (this.identities.size > 10_000) this.identities.clear();
    this.identities.set(key, identity);
    return identity;
  }

  private async planFor(path: string, hash: string): Promise<FollowPlan | null> {
    const known = this.plans.get(hash);
    if (known) return known;
    let plan: Awaited<ReturnType<typeof planImport>>;
    try {
      plan = await planImport(path, this.options.format);
    } catch (err) {
      this.warn(`${path}: not followed (${errorMessage(err)})`);
      return null;
    }
    if (plan.kind === 'precomputed' || (plan.kind === 'delimited' && plan.quote !== '')) {
      this.warn(
        `${path}: not followed (${plan.format}: live mode reads Zeek TSV, other unquoted delimited logs and JSON lines)`,
      );
      return null;
    }
    this.plans.set(hash, plan);
    return plan;
  }

  /**
   * Reads what is new in every followed file, up to `maxLines` lines in all. Nothing is marked
   * read here: `committed` does that once the chunks are stored.
   */
  async poll(maxLines: number): Promise<FollowChunk[]> {
    const { files, directory } = await this.candidates();
    const chunks: FollowChunk[] = [];
    const seen = new Set<string>();
    let budget = maxLines;
    for (const path of files) {
      if (budget <= 0) break;
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch {
        continue; // renamed or removed since the listing
      }
      try {
        const chunk = await this.readFile(path, handle, directory || path === this.target, seen, budget);
        if (chunk) {
          chunks.push(chunk);
          budget -= chunk.lines.length;
        }
      } finally {
        await handle.close();
      }
    }
    return chunks;
  }

  private async readFile(
    path: string,
    handle: FileHandle,
    mayStart: boolean,
    seen: Set<string>,
    budget: number,
  ): Promise<FollowChunk | null> {
    const info = await handle.stat();
    if (!info.isFile() || info.size === 0) return null;
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    const gz = isGzip(magic);
    const identity = await this.identify(path, handle, info.ino, info.size, info.mtimeMs, gz);
    if (!identity || seen.has(identity.hash)) return null;
    seen.add(identity.hash);
    let stream = this.byHash.get(identity.hash);
    const isNew = stream === undefined;
    if (!stream) {
      const refusedKey = `${path}\u0000${info.ino}`;
      if (!(mayStart || info.mtimeMs >= this.options.since) || this.refused.has(refusedKey)) return null;
      const plan = await this.planFor(path, identity.hash);
      if (!plan) {
        this.refused.add(refusedKey);
        return null;
      }
      stream = {
        id: 0,
        headHash: identity.hash,
        headBytes: identity.headBytes,
        inode: info.ino,
        path,
        format: plan.format,
        offset: 0,
        lines: 0,
        done: false,
      };
    }
    if (stream.done) return null;
    const plan = await this.planFor(path, identity.hash);
    if (!plan) return null;
    let lines: string[];
    let bytes: number;
    let done = false;
    if (gz) {
      let reader = this.gzip.get(identity.hash);
      if (!reader || reader.path !== path || reader.failed || reader.position > stream.offset) {
        reader?.close();
        reader = new GzipLineReader(path);
        this.gzip.set(identity.hash, reader);
      }
      await reader.seek(stream.offset);
      const r = await reader.read(this.options.maxBytes, budget);
      ({ lines, bytes } = r);
      done = r.eof;
      if (done) {
        reader.close();
        this.gzip.delete(identity.hash);
      }
    } else {
      ({ lines, bytes } = await readPlainLines(
        handle,
        stream.offset,
        info.size,
        this.options.maxBytes,
        budget,
      ));
    }
    const data: string[] = [];
    const lineNumbers: number[] = [];
    const comment = plan.kind === 'delimited' ? plan.comment : '';
    const skipLines = plan.kind === 'delimited' ? plan.skipLines : 0;
    lines.forEach((line, i) => {
      const n = stream.lines + i + 1;
      if (line.trim() === '') return;
      if (comment && line.startsWith(comment)) {
        if (line.startsWith('#close')) done = true; // Zeek closed the log (rotation or shutdown)
        return;
      }
      if (n <= skipLines) return;
      data.push(line);
      lineNumbers.push(n);
    });
    const moved = path !== stream.path || info.ino !== stream.inode;
    if (bytes === 0 && !done && !moved && !isNew) return null;
    if (bytes === 0 && isNew) return null;
    return {
      stream,
      isNew,
      plan,
      lines: data,
      lineNumbers,
      offset: stream.offset + bytes,
      totalLines: stream.lines + lines.length,
      done,
      path,
      inode: info.ino,
    };
  }

  /** The chunks are stored: their streams move on (new ones with the id the database gave them). */
  committed(chunks: readonly FollowChunk[]): void {
    for (const c of chunks) {
      this.byHash.set(c.stream.headHash, {
        ...c.stream,
        offset: c.offset,
        lines: c.totalLines,
        done: c.done,
        path: c.path,
        inode: c.inode,
      });
    }
  }

  close(): void {
    for (const reader of this.gzip.values()) reader.close();
    this.gzip.clear();
  }
}

async function byAge(paths: string[]): Promise<string[]> {
  const withTime = await Promise.all(
    paths.map(async (p) => ({ p, t: (await stat(p).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  return withTime.sort((a, b) => a.t - b.t || a.p.localeCompare(b.p)).map((x) => x.p);
}
