#!/usr/bin/env node
// Benchmark: hunt generated Zeek conn.logs (1 M and 5 M flows; 20 M with --big) end to end.
// For each size it prints, from the same run: the floor (DuckDB's bare parallel read_csv count(*) of
// the same file, in a fresh process), the hunt's wall time, seconds per stage, peak RSS, hunt/floor,
// and the 1-minute load average beside each number (the machine may be shared; ratios to the
// floor measured in the same run are what compare across runs).
// Usage: npm run bench [-- --flows 1000000,5000000] [--big] [--runs N]
// Engine settings come from the environment (BEACONHUNT_DUCKDB_MEMORY_LIMIT, …_THREADS, …_TEMP_DIR).
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { generatedConnLog } from './generated-conn.js';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const sizes = option('--flows', args.includes('--big') ? '1000000,5000000,20000000' : '1000000,5000000')
  .split(',')
  .map(Number);
const runs = Number(option('--runs', '1'));

const generate = generatedConnLog;

/** Runs an ES module snippet in a fresh node process (own peak RSS); returns its last JSON line. */
function child(script) {
  const res = spawnSync('node', ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout.trim().split('\n').pop());
}

/** The floor: DuckDB reading the same TSV with every column as text, counting rows, nothing else. */
function floorOnce(path) {
  return child(`
    import { DuckDBInstance } from '@duckdb/node-api';
    import { openSync, readSync } from 'node:fs';
    const buf = Buffer.alloc(65536);
    const head = buf.subarray(0, readSync(openSync(${JSON.stringify(path)}, 'r'), buf, 0, 65536, 0)).toString('latin1').split('\\n');
    const fields = head.find((l) => l.startsWith('#fields')).split('\\t').length - 1;
    const cols = '{' + Array.from({ length: fields }, (_, i) => "'c" + i + "': 'VARCHAR'").join(', ') + '}';
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const t = performance.now();
    const r = await db.runAndReadAll("SELECT count(*) FROM read_csv($p, delim = '\\t', quote = '', escape = '', comment = '#', header = false, auto_detect = false, columns = " + cols + ")", { p: ${JSON.stringify(path)} });
    const wall = (performance.now() - t) / 1000;
    console.log(JSON.stringify({ wall, rows: Number(r.getRows()[0][0]), maxRssKb: process.resourceUsage().maxRSS }));`);
}

function huntOnce(path) {
  return child(`
    import { hunt } from './dist/hunt/hunt.js';
    const t = performance.now();
    const r = await hunt({ inputs: [${JSON.stringify(path)}] });
    const wall = (performance.now() - t) / 1000;
    console.log(JSON.stringify({ wall, summary: r.summary, top: r.findings.slice(0, 5).map(f => [f.src, f.dst, f.dport, f.score, f.verdict]), maxRssKb: process.resourceUsage().maxRSS }));`);
}

const load = () => +loadavg()[0].toFixed(1);
const rows = [];
for (const flows of sizes) {
  const path = generate(flows);
  for (let run = 0; run < runs; run++) {
    const floorLoad = load();
    const floor = floorOnce(path);
    const huntLoad = load();
    const r = huntOnce(path);
    const row = {
      flows,
      file_mb: +(statSync(path).size / 1e6).toFixed(1),
      floor_s: +floor.wall.toFixed(2),
      floor_load: floorLoad,
      hunt_s: +r.wall.toFixed(2),
      hunt_load: huntLoad,
      ratio: +(r.wall / floor.wall).toFixed(1),
      flows_per_s: Math.round(r.summary.flows_read / r.wall),
      peak_rss_mb: Math.round(r.maxRssKb / 1024),
      ...Object.fromEntries(Object.entries(r.summary.stages_s).map(([k, v]) => [`${k}_s`, v])),
      pairs: r.summary.pairs,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
    console.log('  top 5:', JSON.stringify(r.top));
  }
}
console.table(rows);
