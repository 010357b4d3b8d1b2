import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { errorMessage } from '../util/errors.js';
import { tempFolder } from '../util/temp-files.js';
import type { ImportPlan } from './plan.js';

/** Reason counted for lines that are not valid UTF-8. */
export const INVALID_UTF8 = 'invalid utf-8';

const NEWLINE = Buffer.from('\n');

/** The bytes the engine will read: the plan's copy (`readFrom`) if any, decompressed. */
function open(plan: ImportPlan, size: number): Readable | undefined {
  // chunks of up to 1 MiB, but no 1 MiB buffer for a file of a few hundred bytes
  const highWaterMark = Math.max(64 * 1024, Math.min(1 << 20, size));
  const raw = createReadStream(plan.readFrom?.path ?? plan.path, { highWaterMark });
  const compression = plan.readFrom?.compression ?? plan.compression;
  if (compression === 'none') return raw;
  if (compression === 'gzip') return raw.pipe(createGunzip());
  raw.destroy();
  return undefined; // zstd: no streaming decoder here; DuckDB reads it as is
}

/** Complete lines of a stream as buffers (without the newline); the last line even if unterminated. */
async function* lines(stream: Readable): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      yield buf.subarray(start, nl);
      start = nl + 1;
    }
    carry = Buffer.from(buf.subarray(start));
  }
  if (carry.length) yield carry;
}

/**
 * One fast pass: whether every byte sequence is valid UTF-8 (checked between newlines), and why a
 * compressed stream ended early (truncated or corrupt) — DuckDB reads such a file up to the cut
 * without a word, so the cut must be found here.
 */
async function checkStream(stream: Readable): Promise<{ valid: boolean; cut?: string; contentHash: string }> {
  let carry: Buffer = Buffer.alloc(0);
  let valid = true;
  const hash = createHash('sha256');
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (!valid) continue; // keep reading: the end of the stream is still to be checked
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const cut = buf.lastIndexOf(10) + 1;
      if (!isUtf8(buf.subarray(0, cut))) valid = false;
      carry = Buffer.from(buf.subarray(cut));
    }
  } catch (err) {
    return { valid: valid && isUtf8(carry), cut: errorMessage(err), contentHash: hash.digest('hex') };
  } finally {
    stream.destroy();
  }
  return { valid: valid && isUtf8(carry), contentHash: hash.digest('hex') };
}

/**
 * One pass over the (decompressed) bytes before the engine reads them. It finds a compressed
 * stream that ends early (`truncated`), hashes the content (`contentHash`: the same log given
 * twice, even once plain and once gzipped, is recognised), and guards against invalid UTF-8.
 *
 * DuckDB's CSV reader can crash the whole database on a line whose last field holds invalid UTF-8
 * (1.5: "database has been invalidated"). So files are checked first; a file with such lines is
 * copied with each of them blanked (line numbers stay right) and the engine reads the copy. The
 * blanked lines are counted as skipped. Clean files — nearly all — cost one fast read.
 */
export async function guardUtf8<P extends ImportPlan>(
  given: P,
): Promise<{ plan: P; cleanup: () => Promise<void> }> {
  const noop = async () => {};
  const { size } = await stat(given.readFrom?.path ?? given.path);
  const check = open(given, size);
  if (!check) return { plan: given, cleanup: noop };
  const { valid, cut, contentHash } = await checkStream(check);
  const plan: P = { ...given, contentHash, ...(cut ? { truncated: cut } : {}) };
  if (valid) return { plan, cleanup: noop };
  const folder = await tempFolder('utf8');
  const copy = join(folder.path, 'clean');
  const out = createWriteStream(copy);
  let invalid = 0;
  const source = open(plan, size) as Readable;
  try {
    for await (const line of lines(source)) {
      const ok = isUtf8(line);
      if (!ok) invalid++;
      // One write per line, newline included: a backpressured first write must never skip the
      // newline (that glued lines together and lost them uncounted).
      if (!out.write(ok ? Buffer.concat([line, NEWLINE]) : NEWLINE)) await once(out, 'drain');
    }
  } catch {
    // a stream cut mid-way: keep what was read; the engine counts what it can use
  }
  out.end();
  await once(out, 'finish');
  return {
    plan: {
      ...plan,
      readFrom: { path: copy, compression: 'none' },
      preSkipped: { ...plan.preSkipped, [INVALID_UTF8]: invalid },
    },
    cleanup: folder.remove,
  };
}

/** How the note on a truncated compressed file starts (for finding it among a file's notes). */
export const TRUNCATED_NOTE_START = 'truncated or corrupt compressed file';

/** The note for a compressed file that ends early: what happened and what was still recovered. */
export function truncatedNote(reason: string, rows: number): string {
  return `${TRUNCATED_NOTE_START} (${reason}): only the ${rows.toLocaleString('en-US')} rows before the cut were read`;
}
