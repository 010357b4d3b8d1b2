#!/usr/bin/env node
// Reading speed per input format: rows/s of the import (detect + DuckDB load + validate) on
// generated files, next to the time `wc -l` takes to read the same file.
//
//   npm run build && node bench/formats.js [--flows 1000000] [--formats zeek,nfdump,…] [--dir bench/data/formats]
//
// Files are generated once (same seed) and kept in --dir; delete them to regenerate.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const dist = new URL('../dist/', import.meta.url);
const { generateToFile, FORMAT_NAMES } = await import(new URL('generate/index.js', dist).href);
const { planImport } = await import(new URL('read/formats.js', dist).href);
const { DuckDbEngine } = await import(new URL('store/duckdb/duckdb-engine.js', dist).href);

const { values } = parseArgs({
  options: {
    flows: { type: 'string', default: '1000000' },
    formats: { type: 'string', default: FORMAT_NAMES.join(',') },
    dir: { type: 'string', default: join('bench', 'data', 'formats') },
    runs: { type: 'string', default: '2' },
  },
});
const flows = Number(values.flows);
const runs = Number(values.runs);
await mkdir(values.dir, { recursive: true });

function seconds(fn) {
  const t = performance.now();
  const out = fn();
  return { s: (performance.now() - t) / 1000, out };
}

async function asyncSeconds(fn) {
  const t = performance.now();
  const out = await fn();
  return { s: (performance.now() - t) / 1000, out };
}

const rows = [];
for (const format of values.formats.split(',')) {
  const path = join(values.dir, `flows-${flows}.${format}`);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${path}…\n`);
    await generateToFile({ flows, seed: 1, format, out: path });
  }
  const lines = Number(execFileSync('wc', ['-l', path], { encoding: 'utf8' }).trim().split(/\s+/)[0]);
  let wc = Number.POSITIVE_INFINITY;
  let read = Number.POSITIVE_INFINITY;
  let accounting;
  for (let r = 0; r < runs; r++) {
    wc = Math.min(wc, seconds(() => execFileSync('wc', ['-l', path])).s);
    const engine = await DuckDbEngine.open();
    const t = await asyncSeconds(async () => engine.importFile(await planImport(path)));
    await engine.close();
    read = Math.min(read, t.s);
    accounting = t.out;
  }
  rows.push({
    format,
    reader: accounting.format,
    MB: Math.round(statSync(path).size / 1e6),
    lines,
    rows: accounting.dataRows,
    used: accounting.used,
    read_s: Number(read.toFixed(2)),
    'rows/s': Math.round(accounting.dataRows / read),
    wc_s: Number(wc.toFixed(3)),
    'x wc': Math.round(read / wc),
  });
}
console.table(rows);
