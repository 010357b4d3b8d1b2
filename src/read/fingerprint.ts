import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * A file's identity for "already imported": its size plus the first and last 64 KiB. Cheap on a
 * 10 GB file, and a grown or edited log differs. Every engine uses this one definition.
 */
export async function fingerprintFile(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const chunk = END_BYTES;
    const head = Buffer.alloc(Math.min(chunk, size));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(chunk, size));
    await handle.read(tail, 0, tail.length, Math.max(0, size - chunk));
    return createHash('sha256').update(String(size)).update(head).update(tail).digest('hex');
  } finally {
    await handle.close();
  }
}

/** Bytes hashed at each end of a file (the fingerprint's 64 KiB). */
export const END_BYTES = 64 * 1024;

/**
 * What a later run needs to recognise this file grown by appending: its size, and hashes of its
 * first and last END_BYTES (of the whole file when smaller).
 */
export interface FileIdentity {
  fingerprint: string;
  size: number;
  head: string;
  tail: string;
}

/** SHA-256 of the bytes [start, end) of a file. */
export async function hashRange(path: string, start: number, end: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const bytes = Buffer.alloc(Math.max(0, end - start));
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return createHash('sha256').update(bytes.subarray(0, done)).digest('hex');
  } finally {
    await handle.close();
  }
}

/** One open and two reads: the fingerprint (as fingerprintFile) and the hashes of both ends. */
export async function fileIdentity(path: string): Promise<FileIdentity> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(END_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const tail = size <= END_BYTES ? head : Buffer.alloc(END_BYTES);
    if (tail !== head) await handle.read(tail, 0, tail.length, size - END_BYTES);
    const sha = () => createHash('sha256');
    return {
      fingerprint: sha().update(String(size)).update(head).update(tail).digest('hex'),
      size,
      head: sha().update(head).digest('hex'),
      tail: sha().update(tail).digest('hex'),
    };
  } finally {
    await handle.close();
  }
}

/**
 * Whether `path` (now `identity`) is an earlier file of `size` bytes with bytes appended: its first
 * `size` bytes begin and end as that file did (the same head and tail hashes). Like `watch`, this
 * trusts the two ends of the old part, which is how a log grows (appends only).
 */
export async function isAppendOf(
  path: string,
  identity: FileIdentity,
  earlier: { size: number; head: string; tail: string },
): Promise<boolean> {
  if (earlier.size <= 0 || earlier.size >= identity.size) return false;
  const head =
    earlier.size >= END_BYTES ? identity.head : await hashRange(path, 0, Math.min(END_BYTES, earlier.size));
  if (head !== earlier.head) return false;
  return (await hashRange(path, Math.max(0, earlier.size - END_BYTES), earlier.size)) === earlier.tail;
}
