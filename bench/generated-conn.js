// The benches' input: a generated Zeek conn.log of N flows (seed 7), made once and kept in bench/data.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = join(import.meta.dirname, '..');
export const dataDir = join(import.meta.dirname, 'data');

/** The path of the conn.log with `flows` flows, generating it first when it is not there. */
export function generatedConnLog(flows) {
  mkdirSync(dataDir, { recursive: true });
  const out = join(dataDir, `conn-${flows}.log`);
  if (!existsSync(out)) {
    const t = performance.now();
    const argv = [
      'bin/beaconhunt.js',
      'generate',
      '--flows',
      String(flows),
      '--format',
      'zeek',
      '--out',
      out,
    ];
    execFileSync('node', [...argv, '--seed', '7'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    console.error(`generated ${out} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return out;
}
