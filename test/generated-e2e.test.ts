import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Truth } from '../src/generate/index.js';
import type { HuntResult } from '../src/score/finding.js';
import { runCli } from './cli.js';

/*
 * End to end through the CLI: generate flows with planted beacons, hunt them, and check against
 * the generator's own truth file that every planted pair ranks above every benign heartbeat.
 */
let dir: string;
let truth: Truth;
const FLOWS = '60000';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-e2e-'));
  const gen = runCli([
    'generate',
    '--flows',
    FLOWS,
    '--seed',
    '3',
    '--format',
    'zeek',
    '--out',
    join(dir, 'conn.log'),
    '--truth',
    join(dir, 'truth.json'),
  ]);
  expect(gen.status, gen.stderr).toBe(0);
  truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')) as Truth;
});

async function huntJson(args: string[]): Promise<HuntResult> {
  const out = join(dir, `findings-${Math.random().toString(36).slice(2)}.json`);
  const run = runCli(['hunt', ...args, '--json', out]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(await readFile(out, 'utf8')) as HuntResult;
}

function ranks(result: HuntResult, planted: boolean): number[] {
  return truth.pairs
    .filter((p) => p.planted === planted)
    .map(
      (p) =>
        result.findings.find((f) => f.src === p.src && f.dst === p.dst)?.rank ?? Number.POSITIVE_INFINITY,
    );
}

describe('generated flows with planted beacons, through the CLI', () => {
  it('every planted pair ranks at the top, above every benign heartbeat (NTP, telemetry, mail)', async () => {
    const result = await huntJson([join(dir, 'conn.log')]);
    expect(result.summary.flows_read).toBe(truth.total_flows);
    expect(result.summary.lines_skipped).toBe(0);
    const planted = ranks(result, true);
    const benign = ranks(result, false);
    expect(planted.length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...planted)).toBe(planted.length); // exactly the top N
    expect(Math.min(...benign)).toBeGreaterThan(Math.max(...planted));
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

  it('the same pairs and seed features come out of Zeek JSON and Splunk Stream CSV', async () => {
    const base = await huntJson([join(dir, 'conn.log')]);
    for (const format of ['zeek-json', 'splunk-csv']) {
      const file = join(dir, `flows.${format}`);
      const gen = runCli(['generate', '--flows', FLOWS, '--seed', '3', '--format', format, '--out', file]);
      expect(gen.status, gen.stderr).toBe(0);
      const other = await huntJson([file]);
      expect(other.summary.flows_used).toBe(base.summary.flows_used);
      expect(other.summary.pairs).toBe(base.summary.pairs);
      for (const f of base.findings.slice(0, 10)) {
        const g = other.findings.find((x) => x.src === f.src && x.dst === f.dst);
        expect(g, `${format}: ${f.src} → ${f.dst}`).toBeDefined();
        for (const k of ['t_bytecount', 'i_bytecount', 'distinct_byte_count', 'avgcount']) {
          expect(g?.features[k], `${format} ${k}`).toBe(f.features[k]);
        }
      }
    }
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
