import { availableParallelism } from 'node:os';
import { InputError } from '../../util/errors.js';
import { tempFolderSync } from '../../util/temp-files.js';

/**
 * How much of the machine the embedded DuckDB may use. Memory is capped and a temp directory set
 * so that inputs larger than the cap spill to disk instead of growing the process without bound.
 */
export interface DuckDbSettings {
  /** DuckDB `memory_limit`, e.g. "1GB" (DuckDB's own default is 80 % of RAM). */
  memoryLimit: string;
  /** DuckDB `threads`. */
  threads: number;
  /**
   * Where DuckDB spills. Undefined: a fresh private folder under the OS temp dir for an in-memory
   * database (DuckDB has none by default, so it could not spill), DuckDB's `<db>.tmp` for a file.
   */
  tempDirectory?: string;
}

/**
 * 1 GB keeps a hunt within the 1.5 GB peak RSS the project targets at 5 M flows (issue 12): the
 * rest is JavaScript's per-pair arrays (~235 k pairs × ~30 numbers) and Node itself.
 */
export const DEFAULT_MEMORY_LIMIT = '1GB';

/** Environment overrides, documented in docs/SCALING.md. */
export const DUCKDB_ENV = {
  memoryLimit: 'BEACONHUNT_DUCKDB_MEMORY_LIMIT',
  threads: 'BEACONHUNT_DUCKDB_THREADS',
  tempDirectory: 'BEACONHUNT_DUCKDB_TEMP_DIR',
} as const;

const MEMORY = /^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i;

/** Defaults ← environment ← explicit options; bad values are errors naming where they came from. */
export function duckDbSettings(
  options: Partial<DuckDbSettings> = {},
  env: NodeJS.ProcessEnv = process.env,
): DuckDbSettings {
  const memoryLimit = options.memoryLimit ?? env[DUCKDB_ENV.memoryLimit] ?? DEFAULT_MEMORY_LIMIT;
  if (!MEMORY.test(memoryLimit))
    throw new InputError(
      `DuckDB memory limit "${memoryLimit}" is not a size like 1GB or 512MB (${DUCKDB_ENV.memoryLimit})`,
    );
  const threadText = env[DUCKDB_ENV.threads];
  const threads = options.threads ?? (threadText ? Number(threadText) : availableParallelism());
  if (!Number.isInteger(threads) || threads < 1)
    throw new InputError(
      `DuckDB threads must be a whole number ≥ 1, not "${threadText ?? threads}" (${DUCKDB_ENV.threads})`,
    );
  const tempDirectory = options.tempDirectory ?? env[DUCKDB_ENV.tempDirectory];
  return { memoryLimit: memoryLimit.trim(), threads, ...(tempDirectory ? { tempDirectory } : {}) };
}

/**
 * The SET statements for `settings`, and a cleanup for a private spill folder made here (in-memory
 * database, no folder named). Values are validated above and sent as bound parameters where
 * DuckDB allows it; SET does not, so they are quoted here after validation.
 */
export function settingStatements(
  settings: DuckDbSettings,
  inMemory: boolean,
): { sql: string[]; cleanup: () => void } {
  let dir = settings.tempDirectory;
  let cleanup = () => {};
  if (!dir && inMemory) {
    // removed on close, and on exit or a signal if the database is never closed
    const made = tempFolderSync('duckdb');
    dir = made.path;
    cleanup = made.remove;
  }
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return {
    sql: [
      `SET memory_limit = ${quote(settings.memoryLimit)}`,
      `SET threads = ${settings.threads}`,
      ...(dir ? [`SET temp_directory = ${quote(dir)}`] : []),
      // row order of a bulk INSERT … SELECT never matters here (every read orders explicitly), and
      // keeping it costs memory on large imports
      'SET preserve_insertion_order = false',
    ],
    cleanup,
  };
}
