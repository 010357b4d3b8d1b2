import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** ../shared/data relative to the repository root; absent in a user's clone. */
export const SHARED_DATA = resolve(import.meta.dirname, '..', '..', 'shared', 'data');
export const HAVE_SHARED_DATA = existsSync(join(SHARED_DATA, 'README.md'));
export const SKIP_MESSAGE = `real captures not found at ${SHARED_DATA}; skipping (they ship beside the repository, not in it)`;

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

if (!HAVE_SHARED_DATA) console.warn(SKIP_MESSAGE);
