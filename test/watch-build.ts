import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The watch command on its own (src/cli/watch-main.ts, built): what the tests run as a user would. */
export const ROOT = resolve(import.meta.dirname, '..');
export const ENTRY = join(ROOT, 'dist', 'cli', 'watch-main.js');
const LOCK = join(ROOT, 'dist', '.watch-test-build.lock');

function stale(): boolean {
  if (!existsSync(ENTRY)) return true;
  const built = statSync(ENTRY).mtimeMs;
  const newer = spawnSync('find', [join(ROOT, 'src'), '-name', '*.ts', '-newer', ENTRY, '-print', '-quit'], {
    encoding: 'utf8',
  });
  return newer.stdout.trim() !== '' || built === 0;
}

/**
 * `npm test` builds first (pretest); `npx vitest run test/watch-` may not have: build dist when it is
 * missing or older than the sources. Test files run in parallel, so one builds and the others wait.
 */
export function ensureBuilt(): void {
  if (!stale()) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  let mine = false;
  try {
    mkdirSync(LOCK);
    mine = true;
  } catch {
    // another test file is building
  }
  if (mine) {
    try {
      spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')],
        { stdio: 'ignore' },
      );
    } finally {
      rmdirSync(LOCK);
    }
  } else {
    const until = Date.now() + 120_000;
    while (existsSync(LOCK) && Date.now() < until) spawnSync('sleep', ['0.2']);
  }
  if (!existsSync(ENTRY)) throw new Error('dist/cli/watch-main.js missing: run npm run build');
}
