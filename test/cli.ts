import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'beaconhunt.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (npm test builds first) as a user would. */
export function runCli(args: string[], input?: string | Buffer): CliRun {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 28,
    timeout: 120_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** The header of a minimal Zeek conn.log (TSV) with the columns the hand-made test rows fill. */
export const ZEEK_CONN_HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring',
].join('\n');
