import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCORING_DEFAULTS } from '../src/config/defaults.js';
import { DEFAULT_INTERNAL_NETWORKS } from '../src/context/networks.js';
import type { FeatureOptions } from '../src/features/options.js';
import { planImport } from '../src/read/formats.js';
import { ClickHouseEngine } from '../src/store/clickhouse/clickhouse-engine.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import type { Engine } from '../src/store/engine.js';
import { CH_CLUSTER, CH_SHARDS, dropDatabase, uniqueDatabase, urlFor } from './clickhouse/server.js';

/*
 * Benchmark behind docs/SCALING.md; skipped unless asked for:
 *
 *   BEACONHUNT_CLICKHOUSE_BENCH=/tmp/conn-1m.log BH_BENCH_ENGINE=duckdb|clickhouse|clickhouse-single \
 *     npx vitest run test/clickhouse-bench.test.ts
 *
 * One engine per run (a separate process), so the RSS of this process is that engine's. Seconds for
 * the import and each per-pair query; peak RSS of this process and of each ClickHouse server,
 * sampled every 100 ms from /proc. Appends a JSON line to $BH_BENCH_OUT (default
 * /tmp/beaconhunt-bench.jsonl).
 */

const FILE = process.env.BEACONHUNT_CLICKHOUSE_BENCH;
const ENGINE = process.env.BH_BENCH_ENGINE ?? 'duckdb';
const OUT = process.env.BH_BENCH_OUT ?? '/tmp/beaconhunt-bench.jsonl';
const CH_DIR =
  process.env.BH_CLICKHOUSE_DIR ??
  `${process.env.TMPDIR ?? '/tmp'}/beaconhunt-clickhouse-${process.getuid?.() ?? 0}`;

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function serverPids(): number[] {
  return [1, 2]
    .map((i) => join(CH_DIR, `shard${i}`, 'server.pid'))
    .filter((p) => existsSync(p))
    .map((p) => Number(readFileSync(p, 'utf8').trim()));
}

/** Peak RSS (bytes) of this process and of each server while `fn` runs, and its seconds. */
async function measure<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; seconds: number; nodeRss: number; serverRss: number[] }> {
  const pids = serverPids();
  let nodeRss = process.memoryUsage().rss;
  const serverRss = pids.map(rssOf);
  const timer = setInterval(() => {
    nodeRss = Math.max(nodeRss, process.memoryUsage().rss);
    pids.forEach((pid, i) => {
      serverRss[i] = Math.max(serverRss[i] as number, rssOf(pid));
    });
  }, 100);
  const start = performance.now();
  try {
    const value = await fn();
    nodeRss = Math.max(nodeRss, process.memoryUsage().rss);
    return { value, seconds: (performance.now() - start) / 1000, nodeRss, serverRss };
  } finally {
    clearInterval(timer);
  }
}

const MB = (b: number) => Math.round(b / 1048576);

describe.skipIf(!FILE)('benchmark: DuckDB vs ClickHouse (docs/SCALING.md)', () => {
  it(`${ENGINE} on ${FILE}`, async () => {
    const options: FeatureOptions = {
      sizeField: 'resp',
      dropZeroBytes: false,
      internalNetworks: DEFAULT_INTERNAL_NETWORKS,
    };
    const database = uniqueDatabase('bh_bench');
    const distributed = ENGINE === 'clickhouse';
    const engine: Engine =
      ENGINE === 'duckdb'
        ? await DuckDbEngine.open()
        : await ClickHouseEngine.open(
            urlFor(database),
            distributed ? { cluster: CH_CLUSTER as string, shards: CH_SHARDS } : {},
          );
    const result: Record<string, unknown> = { engine: ENGINE, file: FILE, at: new Date().toISOString() };
    try {
      const imported = await measure(async () => engine.importFile(await planImport(FILE as string)));
      result.flows = imported.value.used;
      result.import = {
        s: imported.seconds,
        nodeMB: MB(imported.nodeRss),
        serversMB: imported.serverRss.map(MB),
      };
      const features = await measure(() => engine.pairFeatures(options));
      result.pairs = features.value.length;
      result.pairFeatures = {
        s: features.seconds,
        nodeMB: MB(features.nodeRss),
        serversMB: features.serverRss.map(MB),
      };
      const seed = await measure(() => engine.seedRows(options));
      result.seedRows = {
        s: seed.seconds,
        rows: seed.value.length,
        nodeMB: MB(seed.nodeRss),
        serversMB: seed.serverRss.map(MB),
      };
      let series = 0;
      let points = 0;
      const s = await measure(() =>
        engine.pairSeries(options, SCORING_DEFAULTS.minFlows, (x) => {
          series++;
          points += x.ts.length;
        }),
      );
      result.pairSeries = {
        s: s.seconds,
        pairs: series,
        flows: points,
        nodeMB: MB(s.nodeRss),
        serversMB: s.serverRss.map(MB),
      };
      expect(features.value.length).toBeGreaterThan(0);
    } finally {
      await engine.close();
      if (ENGINE !== 'duckdb') await dropDatabase(database, distributed);
    }
    console.log(JSON.stringify(result));
    appendFileSync(OUT, `${JSON.stringify(result)}\n`);
  }, 3_600_000);
});
