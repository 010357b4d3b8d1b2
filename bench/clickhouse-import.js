#!/usr/bin/env node
// Benchmark (issue 13): importing generated Zeek conn.logs into the embedded DuckDB engine and into
// a ClickHouse cluster (the Distributed layout of docs/SCALING.md), run after run in alternation.
// For each size and run it prints: DuckDB import s, ClickHouse import s, their ratio, the CPU seconds
// of the importing process and of the ClickHouse servers (from /proc, when their pid files are
// found), and the 1-minute load average when each import started (the machine may be shared).
// Each import runs in a fresh process, into a fresh DuckDB / a fresh ClickHouse database that is
// dropped afterwards (so background merges of one run do not load the next).
//
// Usage: npm run build && node bench/clickhouse-import.js [--flows 1000000,10000000] [--runs 2]
// Servers: scripts/clickhouse-cluster.sh start; BEACONHUNT_CLICKHOUSE_URL, _CLUSTER and _SHARDS
// (as the tests read them) point elsewhere; BH_CLICKHOUSE_DIR is where the script keeps pid files.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { generatedConnLog } from './generated-conn.js';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const sizes = option('--flows', '1000000,10000000').split(',').map(Number);
const runs = Number(option('--runs', '2'));
const url = process.env.BEACONHUNT_CLICKHOUSE_URL ?? 'clickhouse://default@127.0.0.1:18123/default';
const cluster = process.env.BEACONHUNT_CLICKHOUSE_CLUSTER ?? 'bh_cluster';
const shards = (
  process.env.BEACONHUNT_CLICKHOUSE_SHARDS ??
  'clickhouse://default@127.0.0.1:18123,clickhouse://default@127.0.0.1:18124'
)
  .split(',')
  .filter(Boolean);
const serverDir =
  process.env.BH_CLICKHOUSE_DIR ??
  `${process.env.TMPDIR ?? '/tmp'}/beaconhunt-clickhouse-${process.getuid?.() ?? 0}`;
const root = join(import.meta.dirname, '..');

const generate = generatedConnLog;

/** Runs an ES module snippet in a fresh node process (from the repo root); returns its last JSON line. */
function child(script) {
  const res = spawnSync('node', ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout.trim().split('\n').pop());
}

/** CPU seconds (user + system) the ClickHouse servers used so far, or null without their pid files. */
function serverCpu() {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const i of [1, 2]) {
    const pidFile = join(serverDir, `shard${i}`, 'server.pid');
    if (!existsSync(pidFile)) return null;
    try {
      // fields after the command name: state is field 3, utime 14, stime 15 (1-based)
      const stat = readFileSync(`/proc/${readFileSync(pidFile, 'utf8').trim()}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      return null;
    }
  }
  return total;
}

const timed = (body) => `
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  ${body}
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ wall: (performance.now() - t) / 1000, cpu: (cpu.user + cpu.system) / 1e6,
    used: a.used, dataRows: a.dataRows, skipped: a.skipped }));`;

function duckdbImport(path) {
  return child(`
    import { DuckDbEngine } from './dist/store/duckdb/duckdb-engine.js';
    import { planImport } from './dist/read/formats.js';
    ${timed(`
    const engine = await DuckDbEngine.open();
    const a = await engine.importFile(await planImport(${JSON.stringify(path)}));
    await engine.close();`)}`);
}

function clickhouseImport(path, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return child(`
    import { ClickHouseEngine } from './dist/store/clickhouse/clickhouse-engine.js';
    import { planImport } from './dist/read/formats.js';
    ${timed(`
    const engine = await ClickHouseEngine.open(${JSON.stringify(u.toString())},
      { cluster: ${JSON.stringify(cluster)}, shards: ${JSON.stringify(shards)} });
    const a = await engine.importFile(await planImport(${JSON.stringify(path)}));
    await engine.close();`)}`);
}

function dropDatabase(database) {
  child(`
    import { createClient } from '@clickhouse/client';
    import { parseClickHouseUrl } from './dist/store/clickhouse/clickhouse-engine.js';
    for (const spec of ${JSON.stringify(shards)}) {
      const p = parseClickHouseUrl(spec);
      const client = createClient({ url: p.url, username: p.username, password: p.password });
      await client.command({ query: 'DROP DATABASE IF EXISTS ${database}' });
      await client.close();
    }
    console.log('{}');`);
}

const load = () => +loadavg()[0].toFixed(1);
const round = (x, d = 1) => (x === null ? null : +x.toFixed(d));
const rows = [];
for (const flows of sizes) {
  const path = generate(flows);
  for (let run = 0; run < runs; run++) {
    const duckLoad = load();
    const duck = duckdbImport(path);
    const database = `bh_bench_${randomBytes(4).toString('hex')}`;
    const chLoad = load();
    const cpu0 = serverCpu();
    let ch;
    try {
      ch = clickhouseImport(path, database);
    } finally {
      const cpu1 = serverCpu();
      if (ch) ch.serverCpu = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
      dropDatabase(database);
    }
    if (ch.used !== duck.used || JSON.stringify(ch.skipped) !== JSON.stringify(duck.skipped))
      throw new Error(
        `the engines disagree: DuckDB ${JSON.stringify(duck)}, ClickHouse ${JSON.stringify(ch)}`,
      );
    const row = {
      flows,
      run: run + 1,
      duckdb_s: round(duck.wall),
      duckdb_cpu_s: round(duck.cpu),
      duckdb_load: duckLoad,
      clickhouse_s: round(ch.wall),
      clickhouse_cpu_s: round(ch.cpu),
      servers_cpu_s: round(ch.serverCpu),
      clickhouse_load: chLoad,
      ratio: round(ch.wall / duck.wall, 2),
      cpu_ratio: ch.serverCpu === null ? null : round((ch.cpu + ch.serverCpu) / duck.cpu, 2),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
console.table(rows);
