import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fg from 'fast-glob';
import { InputError } from '../util/errors.js';

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

async function spoolStdin(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'beaconhunt-stdin-'));
  const path = join(dir, 'stdin');
  await pipeline(process.stdin, createWriteStream(path));
  return path;
}

/** Expand files, directories (recursively), globs and `-` (stdin) into a list of files. */
export async function expandInputs(args: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      files.push(await spoolStdin());
      continue;
    }
    const info = await stat(arg).catch(() => undefined);
    if (info?.isDirectory()) {
      const inDir = selectFlowFiles(await walk(arg));
      if (inDir.length === 0) throw new InputError('directory holds no flow files', arg);
      files.push(...inDir);
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
