import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temporary folders (the stdin copy, cleaned copies of files) removed on every way out: when their
 * user is done, on a normal or error exit (process 'exit'), and on SIGINT/SIGTERM/SIGHUP, which
 * would otherwise end the process without running any cleanup. Only SIGKILL can leave one behind.
 */
const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Exit status after a signal: 128 + its number, as a shell reports it. */
const SIGNAL_STATUS: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

function removeAllNow(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

function onSignal(signal: (typeof SIGNALS)[number]): void {
  // Someone else (watch's graceful stop) also listens: let them finish — their database may still
  // use a folder here (DuckDB's spill folder) — and the 'exit' handler removes the folders after.
  if (process.listenerCount(signal) > 1) return;
  removeAllNow();
  process.exit(SIGNAL_STATUS[signal]);
}

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeAllNow);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** A new private temporary folder; `remove()` deletes it (and it goes at exit in any case). */
export async function tempFolder(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  install();
  const path = await mkdtemp(join(tmpdir(), `beaconhunt-${prefix}-`));
  live.add(path);
  return {
    path,
    remove: async () => {
      live.delete(path);
      await rm(path, { recursive: true, force: true });
    },
  };
}

/** tempFolder for synchronous callers (opening a database): the same removal on every way out. */
export function tempFolderSync(prefix: string): { path: string; remove: () => void } {
  install();
  const path = mkdtempSync(join(tmpdir(), `beaconhunt-${prefix}-`));
  live.add(path);
  return {
    path,
    remove: () => {
      live.delete(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
