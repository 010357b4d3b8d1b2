import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/*
 * Byte-level reading of followed logs: a file's head (its identity), and complete lines from an
 * offset, plain or gzip. Offsets count decompressed bytes, so a log that was rotated and then
 * gzipped continues where the plain file was left.
 */

/** The head is at most this long; a data line is expected well before. */
export const MAX_HEAD_BYTES = 64 * 1024;

const NEWLINE = 0x0a;

export function isGzip(firstBytes: Buffer): boolean {
  return firstBytes.length >= 2 && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
}

/**
 * Length of a log's head: its bytes through the end of the first data line (a complete line that is
 * neither blank nor a `#` comment). Zeek's header carries the file's #open time and the first record
 * its uid, so the head tells one log from another, and survives renames and compression.
 * Null while the file has no complete data line yet.
 */
export function headLength(bytes: Buffer, complete: boolean): number | null {
  let start = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(NEWLINE, start);
    const end = nl < 0 ? bytes.length : nl + 1;
    if (nl < 0 && !complete) return null;
    let i = start;
    while (i < end && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d || bytes[i] === NEWLINE))
      i++;
    const blank = i >= end;
    if (!blank && bytes[start] !== 0x23 /* # */) return end;
    start = end;
  }
  return null;
}

export function hashHead(head: Buffer): string {
  return createHash('sha256').update(head).digest('hex');
}

/** Up to `max` bytes from the start of an open plain file. */
export async function readPlainHead(handle: FileHandle, max = MAX_HEAD_BYTES): Promise<Buffer> {
  const buf = Buffer.alloc(max);
  const { bytesRead } = await handle.read(buf, 0, max, 0);
  return buf.subarray(0, bytesRead);
}

/** Up to `max` decompressed bytes from the start of a gzip file; `complete` when it ended before. */
export async function readGzipHead(
  path: string,
  max = MAX_HEAD_BYTES,
): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  let complete = true;
  const input = createReadStream(path);
  const gunzip = createGunzip();
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= max) {
        complete = false;
        break;
      }
    }
  } catch {
    // A gzip still being written (or cut) is read as far as it goes.
    complete = false;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  return { bytes: Buffer.concat(chunks).subarray(0, max), complete };
}

/** Complete lines cut out of a byte buffer, with the byte length each took (line end included). */
export interface LineBatch {
  lines: string[];
  /** Bytes consumed: through the last complete line (or everything when `final`). */
  bytes: number;
}

/**
 * Splits `buf` into lines (without \n or \r\n). A last line without a newline is only taken when
 * `final` (the end of a complete file); otherwise it stays for the next read. Stops after `maxLines`.
 */
export function splitLines(buf: Buffer, final: boolean, maxLines: number): LineBatch {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < maxLines && start < buf.length) {
    const nl = buf.indexOf(NEWLINE, start);
    if (nl < 0) {
      if (!final) break;
      lines.push(trimCr(buf.toString('utf8', start, buf.length)));
      start = buf.length;
      break;
    }
    lines.push(trimCr(buf.toString('utf8', start, nl)));
    start = nl + 1;
  }
  return { lines, bytes: start };
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Reads complete lines of a plain file from `offset`: at most `maxBytes` bytes, at most `maxLines` lines. */
export async function readPlainLines(
  handle: FileHandle,
  offset: number,
  size: number,
  maxBytes: number,
  maxLines: number,
): Promise<LineBatch> {
  const want = Math.min(maxBytes, size - offset);
  if (want <= 0) return { lines: [], bytes: 0 };
  const buf = Buffer.alloc(want);
  const { bytesRead } = await handle.read(buf, 0, want, offset);
  const batch = splitLines(buf.subarray(0, bytesRead), false, maxLines);
  if (batch.lines.length === 0 && bytesRead === maxBytes) {
    // One line longer than a whole read: take it as it is (it will be counted as malformed).
    const nl = buf.indexOf(NEWLINE);
    return nl < 0 ? { lines: [trimCr(buf.toString('utf8'))], bytes: bytesRead } : batch;
  }
  return batch;
}

/**
 * A gzip file read sequentially from a decompressed offset. Kept open between batches of one run
 * so a large rotated log is decompressed once, not once per batch.
 */
export class GzipLineReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private readonly input: ReturnType<typeof createReadStream>;
  private readonly gunzip: ReturnType<typeof createGunzip>;
  private pending: Buffer = Buffer.alloc(0);
  /** Decompressed position of `pending`'s first byte. */
  position = 0;
  ended = false;
  /** The stream broke (truncated or still being written); the reader must be reopened later. */
  failed = false;

  constructor(readonly path: string) {
    this.input = createReadStream(path);
    this.gunzip = createGunzip();
    this.input.pipe(this.gunzip);
    this.iterator = (this.gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    if (this.ended || this.failed) return false;
    let next: IteratorResult<Buffer>;
    try {
      next = await this.iterator.next();
    } catch {
      // Cut or still being written (gzip runs after a rotation): read again on a later poll.
      this.failed = true;
      return false;
    }
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, next.value]) : next.value;
    return true;
  }

  /** Skips to decompressed `offset` (forward only). */
  async seek(offset: number): Promise<void> {
    while (this.position + this.pending.length < offset && (await this.more())) {
      if (this.position + this.pending.length < offset) {
        this.position += this.pending.length;
        this.pending = Buffer.alloc(0);
      }
    }
    const skip = Math.min(this.pending.length, offset - this.position);
    this.pending = this.pending.subarray(skip);
    this.position += skip;
  }

  /** Next complete lines (the last line of the file counts even without a newline). */
  async read(maxBytes: number, maxLines: number): Promise<LineBatch & { eof: boolean }> {
    while (this.pending.length < maxBytes && !this.ended) {
      if (this.pending.indexOf(NEWLINE) >= 0 && this.pending.length >= maxBytes / 2) break;
      if (!(await this.more())) break;
    }
    const batch = splitLines(
      this.pending.subarray(0, maxBytes),
      this.ended && this.pending.length <= maxBytes,
      maxLines,
    );
    this.pending = this.pending.subarray(batch.bytes);
    this.position += batch.bytes;
    return { ...batch, eof: this.ended && this.pending.length === 0 };
  }

  close(): void {
    this.input.destroy();
    this.gunzip.destroy();
  }
}
