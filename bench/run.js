#!/usr/bin/env node
// Benchmark: hunt 1 M and 10 M generated flows (Zeek conn.log TSV) end to end.
// Reports flows/s, seconds per stage, peak RSS, and the time `wc -l` takes on the same file.
// Usage: npm run bench [-- --flows 1000000,10000000] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const flowsArg = args.includes('--flows') ? args[args.indexOf('--flows') + 1] : '1000000,10000000';
const sizes = flowsArg.split(',').map(Number);
const dataDir = join(import.meta.dirname, 'data');
mkdirSync(dataDir, { recursive: true });

function generate(flows) {
  const out = join(dataDir, `conn-${flows}.log`);
  if (!existsSync(out)) {
    const t = performance.now();
    execFileSync(
      'node',
      [
        'bin/beaconhunt.js',
        'generate',
        '--flows',
        String(flows),
        '--format',
        'zeek',
        '--out',
        out,
        '--seed',
        '7',
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    console.error(`generated ${out} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return out;
}

function wcSeconds(path) {
  const t = performance.now();
  execFileSync('wc', ['-l', path], { stdio: ['ignore', 'ignore', 'inherit'] });
  return (performance.now() - t) / 1000;
}

/** Run the hunt in a fresh process so peak RSS is its own. */
function huntOnce(path) {
  const script = `
    import { hunt } from './dist/hunt/hunt.js';
    const t = performance.now();
    const r = await hunt({ inputs: [${JSON.stringify(path)}] });
    const wall = (performance.now() - t) / 1000;
    console.log(JSON.stringify({ wall, summary: r.summary, top: r.findings.slice(0, 5).map(f => [f.src, f.dst, f.dport, f.score, f.verdict]), maxRssKb: process.resourceUsage().maxRSS }));`;
  const res = spawnSync('node', ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout.trim().split('\n').pop());
}

const rows = [];
for (const flows of sizes) {
  const path = generate(flows);
  const bytes = statSync(path).size;
  const wc = wcSeconds(path);
  const r = huntOnce(path);
  const row = {
    flows,
    file_mb: +(bytes / 1e6).toFixed(1),
    wc_l_s: +wc.toFixed(3),
    hunt_s: +r.wall.toFixed(2),
    ratio_to_wc: +(r.wall / wc).toFixed(1),
    flows_per_s: Math.round(r.summary.flows_read / r.wall),
    peak_rss_mb: Math.round(r.maxRssKb / 1024),
    ...Object.fromEntries(Object.entries(r.summary.stages_s).map(([k, v]) => [`${k}_s`, v])),
    pairs: r.summary.pairs,
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  console.log('  top 5:', JSON.stringify(r.top));
}
console.table(rows);
