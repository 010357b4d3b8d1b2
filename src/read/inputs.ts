import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fg from 'fast-glob';
import { InputError } from '../util/errors.js';
import { tempFolder } from '../util/temp-files.js';

/**
 * Zeek writes conn.log, rotated as conn.00:00:00-01:00:00.log.gz, conn.2024-03-05-10-00-00.log.zst.
 * Taken from a Zeek folder: conn logs (and open_conn, connections still open at rotation) and the
 * logs that name connections (ssl, http, dns; src/read/names.ts).
 */
const ZEEK_CONN_NAME = /^conn[.\-_].*log|^conn\.log/;
const ZEEK_TAKEN_NAME = /^(conn|open_conn|ssl|open_ssl|http|open_http|dns)([.\-_].*log|\.log)/;
const ZEEK_LOG_NAME = /^[a-z_0-9]+[.\-_].*log(\.gz|\.zst)?$|^[a-z_0-9]+\.log(\.gz|\.zst)?$/;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile() && !entry.name.startsWith('.')) out.push(full);
  }
  return out;
}

/**
 * In a directory that holds Zeek logs, the conn logs carry flows and ssl/http/dns name them; other
 * Zeek logs (dhcp, files, weird, ...) are left out; anything else is taken as given.
 */
function selectFlowFiles(files: string[]): string[] {
  const base = (f: string) => f.slice(f.lastIndexOf('/') + 1);
  const isZeekDir = files.some((f) => ZEEK_CONN_NAME.test(base(f)));
  if (!isZeekDir) return files;
  return files.filter((f) => ZEEK_TAKEN_NAME.test(base(f)) || !ZEEK_LOG_NAME.test(base(f)));
}

/** How long a pipe may stay silent before the user is told what the run is waiting for. */
const WAIT_NOTICE_MS = 1000;

export interface ExpandOptions {
  /** Told once when a pipe (stdin, a named pipe) has given nothing for a second. */
  onWaiting?: (name: string) => void;
  /** Collects the removal of each copy made (stdin, named pipes): call them when done. */
  cleanups?: (() => Promise<void>)[];
}

/**
 * A pipe can be read once, but a file is read several times (format sniffing, checks, import):
 * its bytes are copied to a private temporary file first, removed when the run ends (also on
 * errors and signals, see util/temp-files.ts).
 */
async function spool(source: Readable | string, name: string, options: ExpandOptions): Promise<string> {
  const folder = await tempFolder(name === '-' ? 'stdin' : 'pipe');
  options.cleanups?.push(folder.remove);
  const path = join(folder.path, name === '-' ? 'stdin' : basename(name));
  const input = typeof source === 'string' ? createReadStream(source) : source;
  let got = false;
  const timer = setTimeout(() => {
    if (!got) options.onWaiting?.(name === '-' ? 'stdin' : name);
  }, WAIT_NOTICE_MS);
  input.once('data', () => {
    got = true;
  });
  try {
    await pipeline(input, createWriteStream(path));
  } finally {
    clearTimeout(timer);
  }
  return path;
}

/** Expand files, directories (recursively), globs and `-` (stdin) into a list of files. */
export async function expandInputs(args: readonly string[], options: ExpandOptions = {}): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      files.push(await spool(process.stdin, '-', options));
      continue;
    }
    const info = await stat(arg).catch(() => undefined);
    if (info?.isDirectory()) {
      const inDir = selectFlowFiles(await walk(arg));
      if (inDir.length === 0) throw new InputError('directory holds no flow files', arg);
      files.push(...inDir);
    } else if (info?.isFIFO()) {
      files.push(await spool(arg, arg, options));
    } else if (info) {
      files.push(arg);
    } else if (fg.isDynamicPattern(arg)) {
      const matched = (await fg(arg, { onlyFiles: true, dot: false })).sort();
      if (matched.length === 0) throw new InputError('no file matches this pattern', arg);
      files.push(...matched);
    } else {
      throw new InputError('no such file or directory', arg);
    }
  }
  return [...new Set(files)];
}
