import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTERNAL_NETWORKS } from '../src/context/networks.js';
import type { FeatureOptions } from '../src/features/options.js';
import type { PairFeatures } from '../src/features/pair-features.js';
import { planImport } from '../src/read/formats.js';
import type { FileAccounting } from '../src/read/plan.js';
import type { HuntResult } from '../src/score/finding.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import { InputError } from '../src/util/errors.js';
import { runCli } from './cli.js';
import {
  buildCorpus,
  GOOD_PAIR,
  type MalformedCase,
  seedOutputCases,
  TEMPLATES,
} from './corpus/malformed.js';

/*
 * The malformed-input corpus (test/corpus/malformed.ts), generated here: every case either reads
 * with every bad row counted by reason and the good pair's features unchanged, or fails with an
 * InputError naming the file (exit 2 through the CLI). All cases run in-process; through the built
 * CLI, a representative subset: one directory of row-level cases, and one case of every kind of
 * file-level error.
 */
const CASES: MalformedCase[] = [...buildCorpus(), ...seedOutputCases()];
const OPTIONS: FeatureOptions = {
  sizeField: 'resp',
  dropZeroBytes: false,
  internalNetworks: DEFAULT_INTERNAL_NETWORKS,
};
const GOOD_FEATURES = [
  't_bytecount',
  'i_bytecount',
  'distinct_byte_count',
  'avgcount',
  'mode_size',
  'first_ts',
  'last_ts',
  'orig_mode_size',
  'orig_distinct_sizes',
] as const;
const BUILT = existsSync(resolve(import.meta.dirname, '..', 'dist', 'cli', 'main.js'));

let dir: string;
const paths = new Map<MalformedCase, string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-malformed-'));
  for (const c of CASES) {
    const sub = join(dir, c.format);
    await mkdir(sub, { recursive: true });
    const path = join(sub, c.file);
    await writeFile(path, c.content);
    paths.set(c, path);
  }
});

function goodPair(p: PairFeatures): Record<string, number | null> | undefined {
  const i = p.src.findIndex((s, k) => s === GOOD_PAIR.src && p.dst[k] === GOOD_PAIR.dst);
  if (i < 0) return undefined;
  const row: Record<string, number | null> = { dport: p.dport[i] ?? null };
  for (const f of GOOD_FEATURES) row[f] = p.numeric[f][i] as number;
  return row;
}

/** Skip counts compared whatever the order of their keys. */
const sorted = (o: Record<string, number>) =>
  JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * All of a format's cases go into one database (one engine: fast), each file accounted on its own.
 * The good pair's 24 rows are in every case that keeps them, so in the combined database its
 * counts must be exactly N times the clean file's and its sizes and times the same: a case that
 * lost, gained or changed a good row breaks that.
 */
async function checkFormat(format: string): Promise<string[]> {
  const failures: string[] = [];
  const cases = CASES.filter((c) => c.format === format);
  const clean = cases.find((c) => c.name === 'clean') as MalformedCase;
  const single = await DuckDbEngine.open();
  await single.importFile(await planImport(paths.get(clean) as string));
  const base = goodPair(await single.pairFeatures(OPTIONS));
  await single.close();
  const engine = await DuckDbEngine.open();
  let keeping = 0;
  try {
    for (const c of cases) {
      let accounting: FileAccounting;
      try {
        accounting = await engine.importFile(await planImport(paths.get(c) as string));
      } catch (error) {
        if (c.expect.kind !== 'error') failures.push(`${c.name}: unexpected error ${String(error)}`);
        else if (!(error instanceof InputError))
          failures.push(`${c.name}: not an input error: ${String(error)}`);
        else {
          const line = error.describe();
          if (!c.expect.message.test(line))
            failures.push(`${c.name}: message "${line}" does not match ${c.expect.message}`);
          if (!line.includes(c.file)) failures.push(`${c.name}: message "${line}" does not name the file`);
        }
        continue;
      }
      if (c.expect.kind === 'error') {
        failures.push(`${c.name}: expected an input error, read ${accounting.dataRows} rows`);
        continue;
      }
      const a = accounting;
      const skippedTotal = Object.values(a.skipped).reduce((x, y) => x + y, 0);
      if (a.used + skippedTotal !== a.dataRows)
        failures.push(`${c.name}: used ${a.used} + skipped ${skippedTotal} ≠ rows ${a.dataRows}`);
      if (a.dataRows !== c.expect.rows || a.used !== c.expect.used)
        failures.push(
          `${c.name}: rows/used ${a.dataRows}/${a.used}, expected ${c.expect.rows}/${c.expect.used} (${JSON.stringify(a.skipped)})`,
        );
      if (c.expect.skipped !== 'any' && sorted(a.skipped) !== sorted(c.expect.skipped)) {
        failures.push(
          `${c.name}: skipped ${JSON.stringify(a.skipped)}, expected ${JSON.stringify(c.expect.skipped)}`,
        );
      }
      // the same content under another name (the .gz of the clean file) is not counted twice
      if (c.goodPairUnchanged && !a.sameContentAs) keeping++;
    }
    const combined = goodPair(await engine.pairFeatures(OPTIONS));
    // Flows add up; the seed output's precomputed rows are features, not flows: they stay as they are.
    const times = format === 'seed-output' ? 1 : keeping;
    const expected = base
      ? {
          ...base,
          t_bytecount: (base.t_bytecount as number) * times,
          i_bytecount: (base.i_bytecount as number) * times,
        }
      : undefined;
    if (JSON.stringify(combined) !== JSON.stringify(expected))
      failures.push(
        `the good pair changed: ${JSON.stringify(combined)} vs ${keeping} × ${JSON.stringify(base)}`,
      );
  } finally {
    await engine.close();
  }
  return failures;
}

describe('malformed input: counted by reason or one clear error, never a crash', () => {
  it(`the corpus has at least 200 cases across every format (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(200);
    const formats = new Set(CASES.map((c) => c.format));
    expect([...formats].sort()).toEqual([...Object.keys(TEMPLATES), 'seed-output'].sort());
  });

  for (const format of [...Object.keys(TEMPLATES), 'seed-output']) {
    it(`${format}: every case, in-process`, async () => {
      expect(await checkFormat(format)).toEqual([]);
    });
  }
});

/** Through the CLI: the cases most likely to differ between the engine and the command. */
const CLI_CASES = new Set([
  'clean',
  'all-bad-values',
  'crlf',
  'gz',
  'line-10MB',
  'invalid-utf8',
  'stray-quote',
  'bom',
  'valid-ipv6',
  'short-row',
]);

describe.skipIf(!BUILT)('malformed input through the built CLI (npm run build first)', () => {
  it('a representative case of every kind, every format, as one directory: exit 0, each file counted', async () => {
    const rowCases = CASES.filter((c) => c.expect.kind === 'rows' && CLI_CASES.has(c.name));
    const sub = join(dir, 'cli-rows');
    await mkdir(sub, { recursive: true });
    for (const c of rowCases) await writeFile(join(sub, c.file), c.content);
    const out = join(dir, 'cli-rows.json');
    const run = runCli(['hunt', sub, '--json', out, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/\n\s+at |internal error/);
    const result = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    const byFile = new Map(result.summary.files.map((f) => [f.path.split('/').pop() as string, f]));
    const duplicates = new Set<string>();
    for (const c of rowCases) {
      const f = byFile.get(c.file);
      expect(f, c.file).toBeDefined();
      if (c.expect.kind !== 'rows' || !f) continue;
      if (f.same_content_as) {
        // the same content as another file (the .gz of the clean one): listed, not counted twice
        expect(f.rows, c.file).toBe(0);
        duplicates.add(c.file);
        continue;
      }
      expect([f.rows, f.used], c.file).toEqual([c.expect.rows, c.expect.used]);
      if (c.expect.skipped !== 'any') expect(sorted(f.skipped), c.file).toEqual(sorted(c.expect.skipped));
    }
    expect(result.summary.flows_read).toBe(
      rowCases.reduce(
        (n, c) => n + (c.expect.kind === 'rows' && !duplicates.has(c.file) ? c.expect.rows : 0),
        0,
      ),
    );
  });

  it('file-level errors: exit 2 and one line naming the file', () => {
    const errors = CASES.filter((c) => c.expect.kind === 'error');
    expect(errors.length).toBeGreaterThan(30);
    // one representative per kind of failure
    const picked = new Map<string, MalformedCase>();
    for (const c of errors) if (!picked.has(c.name)) picked.set(c.name, c);
    for (const c of picked.values()) {
      const run = runCli(['hunt', paths.get(c) as string, '--quiet']);
      expect(run.status, `${c.file}: ${run.stderr}`).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines.length, run.stderr).toBe(1);
      expect(lines[0]).toContain(c.file);
      if (c.expect.kind === 'error') expect(lines[0]).toMatch(c.expect.message);
    }
  });

  it('a directory mixing every format and the broken files: exit 0, broken files named on stderr', async () => {
    const mixed = join(dir, 'mixed');
    await mkdir(mixed, { recursive: true });
    const picks = CASES.filter(
      (c) =>
        c.name === 'clean' ||
        c.name === 'all-bad-values' ||
        c.name === 'gzip-truncated' ||
        c.name === 'binary-junk',
    );
    for (const c of picks) await writeFile(join(mixed, c.file), c.content);
    const out = join(dir, 'mixed.json');
    const run = runCli(['hunt', mixed, '--json', out]);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    const formats = new Set(result.summary.files.filter((f) => !f.error).map((f) => f.format));
    expect(formats.size).toBe(Object.keys(TEMPLATES).length + 1);
    for (const c of picks.filter((x) => x.expect.kind === 'error')) {
      expect(run.stderr).toContain(c.file);
      // and listed in the summary with its error (issue 15)
      expect(result.summary.files.find((f) => f.path.endsWith(c.file))?.error, c.file).toBeTruthy();
    }
    for (const f of result.summary.files)
      expect(f.used + Object.values(f.skipped).reduce((x, y) => x + y, 0)).toBe(f.rows);
  });
});
