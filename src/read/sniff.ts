import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { errorMessage, InputError } from '../util/errors.js';

/** The first bytes of a file, decompressed, as the format detectors see them. */
export interface FileHead {
  path: string;
  compression: 'none' | 'gzip' | 'zstd';
  text: string;
  /** Complete lines of `text` (the last, possibly cut, line is dropped unless the file ended). */
  lines: string[];
  /** The first non-empty line parsed as a JSON object, when it is one. */
  firstJson?: Record<string, unknown>;
  /** True when the whole (decompressed) file fit into `text`. */
  complete: boolean;
}

const HEAD_BYTES = 64 * 1024;

async function readRaw(path: string, bytes: number): Promise<{ buf: Buffer; size: number }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : errorMessage(err);
    throw new InputError(why, path);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new InputError('is a directory', path);
    const buf = Buffer.alloc(Math.min(bytes, stat.size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return { buf: buf.subarray(0, bytesRead), size: stat.size };
  } finally {
    await handle.close();
  }
}

function gunzipHead(
  path: string,
  compressed: Buffer,
  wholeFile: boolean,
): Promise<{ text: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (ended: boolean) => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      resolve({ text: Buffer.concat(chunks).subarray(0, HEAD_BYTES), ended });
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= HEAD_BYTES) finish(false);
    });
    gunzip.on('end', () => finish(true));
    gunzip.on('error', (err) => {
      if (settled) return;
      // A cut stream is only an error if we handed over the whole file.
      if (!wholeFile && total > 0) return finish(false);
      settled = true;
      reject(new InputError(`corrupt or truncated gzip (${errorMessage(err)})`, path));
    });
    gunzip.end(compressed);
  });
}

/** The `fzstd` package's streaming decoder, when installed (Node 20's zlib has no zstd). */
interface ZstdDecoder {
  push(chunk: Uint8Array, final?: boolean): void;
}
type ZstdModule = { Decompress: new (ondata: (chunk: Uint8Array, final: boolean) => void) => ZstdDecoder };

async function loadFzstd(): Promise<ZstdModule | undefined> {
  const name = 'fzstd'; // a variable, so the type checker does not require the package
  try {
    const mod = (await import(name)) as Partial<ZstdModule> & { default?: ZstdModule };
    return mod.Decompress ? (mod as ZstdModule) : mod.default;
  } catch {
    return undefined;
  }
}

/**
 * The first bytes of a zstd file, decompressed for detection only (DuckDB reads the whole file
 * itself). With the `fzstd` package, in process; else with the `zstd` program if there is one.
 */
async function zstdHead(
  path: string,
  compressed: Buffer,
  wholeFile: boolean,
): Promise<{ text: Buffer; ended: boolean }> {
  const corrupt = (why: string) => new InputError(`corrupt or truncated zstd (${why})`, path);
  const fzstd = await loadFzstd();
  if (fzstd) {
    const chunks: Buffer[] = [];
    let total = 0;
    let ended = false;
    const decoder = new fzstd.Decompress((chunk, final) => {
      chunks.push(Buffer.from(chunk));
      total += chunk.length;
      if (final) ended = true;
    });
    try {
      // Feed it in pieces so a large file stops decoding once the head is there.
      for (let at = 0; at < compressed.length && total < HEAD_BYTES; at += 16 * 1024) {
        const end = Math.min(at + 16 * 1024, compressed.length);
        decoder.push(compressed.subarray(at, end), wholeFile && end === compressed.length);
      }
    } catch (err) {
      if (total === 0 || wholeFile) throw corrupt(errorMessage(err));
    }
    if (wholeFile && !ended && total < HEAD_BYTES) throw corrupt('unexpected end of data');
    return { text: Buffer.concat(chunks).subarray(0, HEAD_BYTES), ended };
  }
  return zstdProgramHead(path, compressed, wholeFile);
}

function zstdProgramHead(
  path: string,
  compressed: Buffer,
  wholeFile: boolean,
): Promise<{ text: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    let stderr = '';
    const done = (ended: boolean) => {
      if (settled) return;
      settled = true;
      child.kill();
      resolve({ text: Buffer.concat(chunks).subarray(0, HEAD_BYTES), ended });
    };
    child.on('error', () => {
      if (settled) return;
      settled = true;
      reject(
        new InputError(
          'zstd-compressed input needs the fzstd package or the zstd program; decompress it with `zstd -d` first',
          path,
        ),
      );
    });
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= HEAD_BYTES) done(false);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => {
      if (settled) return;
      if (code === 0) return done(true);
      if (!wholeFile && total > 0) return done(false);
      settled = true;
      reject(
        new InputError(
          `corrupt or truncated zstd (${stderr.trim().split('\n')[0] || `zstd exit ${code}`})`,
          path,
        ),
      );
    });
    child.stdin.on('error', () => {}); // the child may exit before it has read everything
    child.stdin.end(compressed);
  });
}

export async function sniffFile(path: string): Promise<FileHead> {
  const { buf, size } = await readRaw(path, 256 * 1024);
  let compression: FileHead['compression'] = 'none';
  let body = buf;
  let complete = buf.length >= size;
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    compression = 'gzip';
    const out = await gunzipHead(path, buf, buf.length >= size);
    body = out.text;
    complete = out.ended && body.length < HEAD_BYTES;
  } else if (buf[0] === 0x28 && buf[1] === 0xb5 && buf[2] === 0x2f && buf[3] === 0xfd) {
    compression = 'zstd';
    const out = await zstdHead(path, buf, buf.length >= size);
    body = out.text;
    complete = out.ended && body.length < HEAD_BYTES;
  } else {
    body = buf.subarray(0, HEAD_BYTES);
    complete = buf.length >= size && size <= HEAD_BYTES;
  }
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  const rawLines = text.split('\n');
  if (!complete) rawLines.pop();
  const lines = rawLines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const head: FileHead = { path, compression, text, lines, complete };
  const firstLine = lines.find((l) => l.trim() !== '');
  if (firstLine?.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(firstLine);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        head.firstJson = parsed as Record<string, unknown>;
      }
    } catch {
      // not JSON after all; other detectors get their turn
    }
  }
  return head;
}

/** True when the head looks like binary data rather than text. */
export function looksBinary(head: FileHead): boolean {
  const sample = head.text.slice(0, 4096);
  if (sample.length === 0) return false;
  let bad = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0 || c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) bad++;
  }
  return bad / sample.length > 0.05;
}

/** The data lines of a head: not empty, not `#` comments. */
export function dataLines(head: FileHead): string[] {
  return head.lines.filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

/** Splits one line with a delimiter, honouring double quotes; [] when it does not parse. */
export function splitLine(line: string, delimiter: string): string[] {
  try {
    const rows = parse(line, {
      delimiter,
      relax_quotes: true,
      relax_column_count: true,
      trim: true,
    }) as string[][];
    return rows[0] ?? [];
  } catch {
    return [];
  }
}

export const DELIMITERS = [',', '\t', ';', '|'] as const;

/**
 * A header line's column names (trimmed, as written) and its delimiter: the candidate that splits
 * the first non-empty line into the most columns, and at least two.
 */
export function headerColumns(
  head: FileHead,
  delimiters: readonly string[] = DELIMITERS,
): { delimiter: string; names: string[] } | undefined {
  const first = head.lines.find((l) => l.trim() !== '');
  if (first === undefined) return undefined;
  let best: { delimiter: string; names: string[] } | undefined;
  for (const delimiter of delimiters) {
    if (!first.includes(delimiter)) continue;
    const names = splitLine(first, delimiter);
    if (names.length >= 2 && (!best || names.length > best.names.length)) best = { delimiter, names };
  }
  return best;
}
