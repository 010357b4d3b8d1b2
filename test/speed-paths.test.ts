import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PairTiming } from '../src/features/pair-timing.js';
import { timingOfSeries } from '../src/features/pair-timing.js';
import { byteSeries, cobaltStrikeSeries, poissonSeries } from '../src/features/timing/synthetic.js';
import type { TimingPool } from '../src/features/timing-pool.js';
import type { Truth } from '../src/generate/index.js';
import type { HuntOptions } from '../src/hunt/hunt.js';
import type { HuntResult } from '../src/score/finding.js';
import { DUCKDB_ENV, duckDbSettings, settingStatements } from '../src/store/duckdb/settings.js';
import { runCli } from './cli.js';
import { HAVE_SHARED_DATA, SKIP_MESSAGE, sharedPath } from './shared-data.js';

/*
 * The fast paths of issue 12 against their reference paths: the same findings (ranks, scores,
 * verdicts, reasons, features, episodes) with and without timing workers, with a tight DuckDB
 * memory cap (spilling) and without, and with the models fitted on a sample or on every pair.
 * The worker pool needs the compiled worker script, so the hunt is the built one (npm test builds).
 */
const DIST = resolve(import.meta.dirname, '..', 'dist');
const DIST_HUNT = join(DIST, 'hunt', 'hunt.js');
let hunt: (options: HuntOptions) => Promise<HuntResult>;
let Pool: typeof TimingPool;
let dir: string;
let conn: string;
let truth: Truth;

beforeAll(async () => {
  if (!existsSync(DIST_HUNT)) throw new Error(`${DIST_HUNT} is missing: run npm run build first`);
  ({ hunt } = (await import(DIST_HUNT)) as { hunt: typeof hunt });
  ({ TimingPool: Pool } = (await import(join(DIST, 'features', 'timing-pool.js'))) as {
    TimingPool: typeof TimingPool;
  });
  dir = await mkdtemp(join(tmpdir(), 'bh-speed-'));
  conn = join(dir, 'conn.log');
  const gen = runCli([
    'generate',
    '--flows',
    '40000',
    '--seed',
    '11',
    '--format',
    'zeek',
    '--out',
    conn,
    '--truth',
    join(dir, 'truth.json'),
    // the sampled models are compared on the planted pairs alone: clockwork hard negatives rank
    // among them by design (generated-day-e2e covers them)
    '--no-hard-negatives',
  ]);
  expect(gen.status, gen.stderr).toBe(0);
  truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')) as Truth;
});

/** The reference path on the generated network: timing in this thread, models fitted on every pair. */
let reference: Promise<HuntResult> | undefined;
const referenceHunt = () => {
  reference ??= hunt({ inputs: [conn], timingWorkers: 0, modelFitSample: Number.POSITIVE_INFINITY });
  return reference;
};

/** Everything a user sees of the findings; only the run's timings may differ. */
const seen = (r: HuntResult) => ({
  findings: r.findings,
  pairs: r.summary.pairs,
  flows: r.summary.flows_used,
  bySeverity: r.summary.findings_by_severity,
});

describe('fast paths give the reference findings', () => {
  it('the worker pool runs on 2 threads and returns what the same call returns in this thread', async () => {
    const window = { start: 0, end: 86_400 };
    const series = Array.from({ length: 40 }, (_, k) => {
      const ts =
        k % 2 === 0
          ? cobaltStrikeSeries({ sleep: 60 + k, jitter: 0.2, count: 300 + 10 * k, seed: k + 1 })
          : poissonSeries({ meanGap: 90, count: 200 + 5 * k, seed: k + 1 });
      return { src: `s${k}`, dst: 'd', ts, sizes: byteSeries(ts.length, 52 + k, k % 3, k + 1) };
    });
    const inThread = series.map((s, k) => timingOfSeries(s, window, k % 4 !== 3));
    const out: (PairTiming | undefined)[] = new Array(series.length);
    const pool = new Pool(out, window, 2, 2_000); // small batches: every worker gets several
    for (const [k, s] of series.entries()) await pool.add(k, s, k % 4 !== 3);
    await pool.finish();
    expect(pool.threads).toBe(2);
    expect(out).toEqual(inThread);
  });

  it('timing on 2 worker threads = timing in this thread, on a generated network', async () => {
    const inline = await referenceHunt();
    const pooled = await hunt({ inputs: [conn], timingWorkers: 2 });
    expect(inline.findings.length).toBeGreaterThan(7);
    expect(seen(pooled)).toEqual(seen(inline));
  });

  it('a 200 MB DuckDB cap on one thread changes no finding', async () => {
    const free = await referenceHunt();
    const capped = await hunt({
      inputs: [conn],
      timingWorkers: 0,
      duckdb: { memoryLimit: '200MB', threads: 1 },
    });
    expect(seen(capped)).toEqual(seen(free));
  });

  it('models fitted on a 300-pair seeded sample keep every planted pair on top', async () => {
    const reference = await referenceHunt();
    const sampled = await hunt({ inputs: [conn], timingWorkers: 0, modelFitSample: 300 });
    expect(reference.summary.pairs).toBeGreaterThan(300);
    const plantedRanks = (r: HuntResult) =>
      truth.pairs
        .filter((p) => p.planted)
        .map(
          (p) => r.findings.find((f) => f.src === p.src && f.dst === p.dst)?.rank ?? Number.POSITIVE_INFINITY,
        )
        .sort((a, b) => a - b);
    const ref = plantedRanks(reference);
    expect(Math.max(...ref)).toBe(ref.length); // the reference puts them exactly on top
    expect(plantedRanks(sampled)).toEqual(ref);
    // outlierness is one channel of several: verdicts of the top findings do not move
    const top = (r: HuntResult) => r.findings.slice(0, ref.length).map((f) => [f.src, f.dst, f.verdict]);
    expect(new Set(top(sampled).map(String))).toEqual(new Set(top(reference).map(String)));
  });

  it.skipIf(!HAVE_SHARED_DATA)(
    'the default paths equal the reference paths on the shared fixtures',
    async () => {
      if (!HAVE_SHARED_DATA) console.warn(SKIP_MESSAGE);
      const fixtures = [
        [sharedPath('zeek-remcos', 'conn.log')],
        [sharedPath('rita-proxy', 'proxy')],
        [sharedPath('zeek-dir', 'test9-mixed-zeek-dir')],
      ];
      for (const inputs of fixtures) {
        const fast = await hunt({ inputs, timingWorkers: 2 });
        const reference = await hunt({ inputs, timingWorkers: 0, modelFitSample: Number.POSITIVE_INFINITY });
        expect(seen(fast), inputs.join(' ')).toEqual(seen(reference));
      }
    },
  );
});

describe('DuckDB settings (memory cap, spill folder, threads)', () => {
  it('defaults, then the environment, then explicit options', () => {
    const d = duckDbSettings({}, {});
    expect(d.memoryLimit).toBe('1GB');
    expect(d.threads).toBeGreaterThanOrEqual(1);
    expect(d.tempDirectory).toBeUndefined();
    const env = {
      [DUCKDB_ENV.memoryLimit]: '2GB',
      [DUCKDB_ENV.threads]: '3',
      [DUCKDB_ENV.tempDirectory]: '/tmp/x',
    };
    expect(duckDbSettings({}, env)).toEqual({ memoryLimit: '2GB', threads: 3, tempDirectory: '/tmp/x' });
    expect(duckDbSettings({ memoryLimit: '512MB', threads: 1 }, env)).toEqual({
      memoryLimit: '512MB',
      threads: 1,
      tempDirectory: '/tmp/x',
    });
  });

  it('bad values are errors naming the variable', () => {
    expect(() => duckDbSettings({}, { [DUCKDB_ENV.memoryLimit]: "1GB'; DROP" })).toThrow(
      DUCKDB_ENV.memoryLimit,
    );
    expect(() => duckDbSettings({}, { [DUCKDB_ENV.threads]: 'two' })).toThrow(DUCKDB_ENV.threads);
    expect(() => duckDbSettings({}, { [DUCKDB_ENV.threads]: '0' })).toThrow(DUCKDB_ENV.threads);
  });

  it('DuckDB takes them, and an in-memory database gets a private spill folder removed on cleanup', async () => {
    const { sql, cleanup } = settingStatements({ memoryLimit: '300MB', threads: 1 }, true);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    for (const s of sql) await db.run(s);
    const r = await db.runAndReadAll(
      "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')",
    );
    const [limit, threads, temp] = r.getRows()[0] ?? [];
    expect(String(limit)).toMatch(/^(286\.1 MiB|300\.0 MB)$/);
    expect(Number(threads)).toBe(1);
    expect(String(temp)).toContain('beaconhunt-duckdb-');
    expect(existsSync(String(temp))).toBe(true);
    db.closeSync();
    cleanup();
    expect(existsSync(String(temp))).toBe(false);
  });
});
