import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { InputError, errorMessage } from '../util/errors.js';

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
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : errorMessage(err);
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

function gunzipHead(path: string, compressed: Buffer, wholeFile: boolean): Promise<{ text: Buffer; ended: boolean }> {
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
    throw new InputError('zstd-compressed input is not supported yet; decompress it with `zstd -d` first', path);
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
