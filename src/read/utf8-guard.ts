import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ImportPlan } from './plan.js';

/** Reason counted for lines that are not valid UTF-8. */
export const INVALID_UTF8 = 'invalid utf-8';

function open(plan: ImportPlan): Readable | undefined {
  const raw = createReadStream(plan.path, { highWaterMark: 1 << 20 });
  if (plan.compression === 'none') return raw;
  if (plan.compression === 'gzip') return raw.pipe(createGunzip());
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

/** One fast pass: true when every byte sequence is valid UTF-8 (checked between newlines). */
async function allValid(stream: Readable): Promise<boolean> {
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const cut = buf.lastIndexOf(10) + 1;
      if (!isUtf8(buf.subarray(0, cut))) return false;
      carry = Buffer.from(buf.subarray(cut));
    }
  } catch {
    return true; // a corrupt stream is the engine's to report, with its own message
  } finally {
    stream.destroy();
  }
  return isUtf8(carry);
}

/**
 * DuckDB's CSV reader can crash the whole database on a line whose last field holds invalid UTF-8
 * (1.5: "database has been invalidated"). So files are checked first; a file with such lines is
 * copied with each of them blanked (line numbers stay right) and the engine reads the copy. The
 * blanked lines are counted as skipped. Clean files — nearly all — cost one fast read.
 */
export async function guardUtf8(
  plan: ImportPlan,
): Promise<{ plan: ImportPlan; cleanup: () => Promise<void> }> {
  const noop = async () => {};
  const check = open(plan);
  if (!check || (await allValid(check))) return { plan, cleanup: noop };
  const dir = await mkdtemp(join(tmpdir(), 'beaconhunt-utf8-'));
  const copy = join(dir, 'clean');
  const out = createWriteStream(copy);
  let invalid = 0;
  const source = open(plan) as Readable;
  try {
    for await (const line of lines(source)) {
      const ok = isUtf8(line);
      if (!ok) invalid++;
      if (!out.write(ok ? line : Buffer.alloc(0)) || !out.write('\n')) await once(out, 'drain');
    }
  } catch {
    // a stream cut mid-way: keep what was read; the engine counts what it can use
  }
  out.end();
  await once(out, 'finish');
  return {
    plan: { ...plan, readFrom: { path: copy, compression: 'none' }, preSkipped: { [INVALID_UTF8]: invalid } },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
