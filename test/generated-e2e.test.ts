import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Truth } from '../src/generate/index.js';
import type { HuntResult } from '../src/score/finding.js';
import { runCli } from './cli.js';
import {
  evidenceOf,
  HARD_NEGATIVE_KINDS,
  pairRanks,
  plantedRankLimit,
  rankTable,
} from './generated-ranks.js';

/*
 * End to end through the CLI: generate flows with planted beacons, hunt them, and check against
 * the generator's own truth file that every planted pair ranks above every benign heartbeat.
 * 90 000 flows on 80 hosts: the recorded pairs (the monitoring fan-out alone is 28 800 flows a day)
 * take ~63 000, browsing the rest.
 */
let dir: string;
let truth: Truth;
let base: HuntResult;
const SIZE = ['--flows', '90000', '--hosts', '80', '--seed', '3'];
/** Benign heartbeats that prevalence and protocol profiles tell apart from beacons. */
const HEARTBEATS = new Set(['benign-ntp', 'benign-telemetry', 'benign-mail']);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-e2e-'));
  const gen = runCli([
    'generate',
    ...SIZE,
    '--format',
    'zeek',
    '--out',
    join(dir, 'conn.log'),
    '--truth',
    join(dir, 'truth.json'),
  ]);
  expect(gen.status, gen.stderr).toBe(0);
  truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')) as Truth;
  base = await huntJson([join(dir, 'conn.log')]);
});

async function huntJson(args: string[]): Promise<HuntResult> {
  const out = join(dir, `findings-${Math.random().toString(36).slice(2)}.json`);
  const run = runCli(['hunt', ...args, '--json', out]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(await readFile(out, 'utf8')) as HuntResult;
}

function ranks(result: HuntResult, which: (p: Truth['pairs'][number]) => boolean): number[] {
  return pairRanks(truth, result.findings)
    .filter((r) => which(r.pair))
    .map((r) => r.rank);
}

describe('generated flows with planted beacons, through the CLI', () => {
  it('every planted pair ranks at the top, above every benign heartbeat (NTP, telemetry, mail)', () => {
    const result = base;
    expect(result.summary.flows_read).toBe(truth.total_flows);
    expect(result.summary.lines_skipped).toBe(0);
    const planted = ranks(result, (p) => p.planted);
    const heartbeats = ranks(result, (p) => HEARTBEATS.has(p.kind));
    expect(planted.length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...planted)).toBeLessThanOrEqual(plantedRankLimit(planted.length));
    expect(Math.min(...heartbeats)).toBeGreaterThan(Math.max(...planted));
    const relay = truth.pairs.find((p) => p.kind === 'netcat-relay');
    const relayFinding = result.findings.find((f) => f.src === relay?.src && f.dst === relay?.dst);
    expect(relayFinding?.features.avgcount).toBeCloseTo(0.97, 2);
    expect(relayFinding?.features.distinct_byte_count).toBe(19);
    expect(relayFinding?.reasons[0]).toMatch(/97% of flows carry the same 52-byte response/);
    // the beacon that takes orders in spurts: verdict active-c2, one episode per planted spurt
    const c2 = truth.pairs.find((p) => p.kind === 'active-c2');
    const c2Finding = result.findings.find((f) => f.src === c2?.src && f.dst === c2?.dst);
    expect(c2Finding?.verdict).toBe('active-c2');
    for (const spurt of c2?.spurts ?? []) {
      const overlaps = c2Finding?.episodes.some((e) => e.start < spurt.end && e.end > spurt.start);
      expect(overlaps, `spurt ${spurt.start} → ${spurt.end}`).toBe(true);
    }
    expect(result.findings.filter((f) => f.episodes.length > 0).length).toBe(1);
  });

  it('active C2 ranks above every benign pair, the hard negatives included', () => {
    const rows = pairRanks(truth, base.findings);
    const shown = rows.filter((r) => r.pair.planted || HARD_NEGATIVE_KINDS.has(r.pair.kind));
    console.log(`demo scenario (seed 3): planted pairs and hard negatives\n${rankTable(shown)}`);
    const planted = new Set(truth.pairs.filter((p) => p.planted).map((p) => `${p.src} ${p.dst}`));
    const bestBenign = base.findings.find((f) => !planted.has(`${f.src} ${f.dst}`))?.rank ?? Infinity;
    const below = rows.filter((r) => r.pair.kind === 'active-c2' && r.rank >= bestBenign);
    expect(below, `best benign rank ${bestBenign}\n${evidenceOf(below)}`).toEqual([]);
  });

  // internal servers are never a rotation group: the ten parallel polls stay ten demoted pairs
  it('the monitoring fan-out is demoted below minScore: one source, ten servers, one schedule', () => {
    const rows = pairRanks(truth, base.findings);
    expect(rows.filter((r) => r.pair.kind === 'benign-monitoring' && r.finding)).toEqual([]);
  });

  it("--seed-compat ranks with the seed's K-Means and still surfaces the netcat-relay pair", async () => {
    const result = await huntJson([join(dir, 'conn.log'), '--seed-compat']);
    expect(result.summary.mode).toBe('seed-compat');
    const relay = truth.pairs.find((p) => p.kind === 'netcat-relay');
    const rank = result.findings.find((f) => f.src === relay?.src && f.dst === relay?.dst)?.rank;
    expect(rank).toBeLessThanOrEqual(3);
    expect(result.findings[0]?.reasons[0]).toMatch(/K-Means/);
  });

  it('--csv writes one row per finding with the seed features', async () => {
    const csv = join(dir, 'f.csv');
    const run = runCli(['hunt', join(dir, 'conn.log'), '--csv', csv, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const lines = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(lines[0]).toMatch(
      /^rank,score,severity,verdict,src,dst,dport,proto,host,flows,first_seen,last_seen,t_bytecount,i_bytecount,distinct_byte_count,avgcount/,
    );
    expect(lines.length).toBeGreaterThan(7);
  });
});

describe('the same flows in other formats, through the CLI', () => {
  /** Smaller than the demo: this compares readers, not rankings, so half a day on 40 hosts does. */
  const FORMAT_SIZE = ['--flows', '30000', '--hosts', '40', '--hours', '12', '--seed', '3'];
  let zeek: HuntResult;
  beforeAll(async () => {
    const file = join(dir, 'formats-conn.log');
    const gen = runCli(['generate', ...FORMAT_SIZE, '--format', 'zeek', '--out', file]);
    expect(gen.status, gen.stderr).toBe(0);
    zeek = await huntJson([file]);
  });

  it.each(['zeek-json', 'splunk-csv'])('the same pairs and seed features come out of %s', async (format) => {
    const file = join(dir, `flows.${format}`);
    const gen = runCli(['generate', ...FORMAT_SIZE, '--format', format, '--out', file]);
    expect(gen.status, gen.stderr).toBe(0);
    const other = await huntJson([file]);
    expect(other.summary.flows_used).toBe(zeek.summary.flows_used);
    expect(other.summary.pairs).toBe(zeek.summary.pairs);
    expect(zeek.findings.length).toBeGreaterThanOrEqual(7);
    for (const f of zeek.findings.slice(0, 10)) {
      const g = other.findings.find((x) => x.src === f.src && x.dst === f.dst);
      expect(g, `${format}: ${f.src} → ${f.dst}`).toBeDefined();
      for (const k of ['t_bytecount', 'i_bytecount', 'distinct_byte_count', 'avgcount']) {
        expect(g?.features[k], `${format} ${k}`).toBe(f.features[k]);
      }
    }
  });
});
