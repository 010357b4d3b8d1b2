import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { HAVE_SHARED_DATA, sharedPath } from './shared-data.js';

describe('beaconhunt eval', () => {
  let dir = '';
  let flows = '';
  let truth = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beaconhunt-eval-'));
    flows = join(dir, 'conn.log');
    truth = join(dir, 'truth.json');
    const gen = runCli([
      'generate',
      '--flows',
      '5000',
      '--hours',
      '4',
      '--hosts',
      '30',
      '--seed',
      '3',
      '--out',
      flows,
      '--truth',
      truth,
    ]);
    expect(gen.status, gen.stderr).toBe(0);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("measures a hunt against the generator's truth: JSON with every planted pair's rank", () => {
    const run = runCli(['eval', '--truth', truth, '--json', '-q', flows]);
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.truth.file).toBe(truth);
    expect(out.metrics.P).toBe(7);
    expect(out.metrics.primaries).toHaveLength(7);
    for (const p of out.metrics.primaries) expect(p.rank === null || Number.isInteger(p.rank)).toBe(true);
    expect(out.metrics.recall.map((r: { k: number }) => r.k)).toEqual([7, 9, 10]);
    expect(typeof out.metrics.pass).toBe('boolean');
    expect(out.top.length).toBe(Math.min(10, out.metrics.findings));
    // the top findings carry the truth roles they match: planted kinds for the planted pairs found
    const ranked = new Set(out.metrics.primaries.map((p: { rank: number | null }) => p.rank));
    for (const f of out.top) expect(f.roles.length > 0 || !ranked.has(f.rank)).toBe(true);
    expect(out.summary.flows_used).toBeGreaterThan(0);
  });

  it('prints a human table by default and exits 0 whether or not the pass rule holds', () => {
    const run = runCli(['eval', '--truth', truth, '-q', flows]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^primary pair\s+rank$/m);
    expect(run.stdout).toMatch(/^recall\s+\d/m);
    expect(run.stdout).toMatch(/MRR \(filtered ranks\): \d\.\d\d/);
    expect(run.stdout).toMatch(/^top findings \[truth roles they match\]$/m);
    expect(run.stdout).toMatch(/^(PASS|FAIL): /m);
  });

  it('a truth file with a bad line is a usage error naming file and line, before any hunt', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(
      bad,
      'src,dst,role,primary\n10.0.0.1,192.0.2.1,c2_beacon,yes\n10.0.0.1,192.0.2.2,c2_beacon,perhaps\n',
    );
    const run = runCli(['eval', '--truth', bad, flows]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`beaconhunt: ${bad}:3: primary "perhaps" must be yes or no\n`);
    expect(run.stdout).toBe('');
  });

  it('an unknown case, a missing truth file or a missing --truth are usage errors', async () => {
    const multi = join(dir, 'multi.csv');
    await writeFile(
      multi,
      'case,src,dst,role,primary\na,10.0.0.1,192.0.2.1,c2_beacon,yes\nb,10.0.0.2,192.0.2.2,c2_beacon,yes\n',
    );
    const unknown = runCli(['eval', '--truth', multi, '--case', 'c', flows]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(`beaconhunt: ${multi}: no case "c" (cases: a, b)\n`);
    const missing = runCli(['eval', '--truth', join(dir, 'nope.csv'), flows]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.csv: no such truth file');
    const noTruth = runCli(['eval', flows]);
    expect(noTruth.status).toBe(2);
    expect(noTruth.stderr).toContain("required option '--truth <file>' not specified");
  });

  it.skipIf(!HAVE_SHARED_DATA)('selects one case of truth-all.csv with --case and takes hunt options', () => {
    const c = 'mta-2017-12-15-2-teamviewer';
    const run = runCli([
      'eval',
      '--truth',
      sharedPath('calibration', 'truth-all.csv'),
      '--case',
      c,
      '--format',
      'argus',
      '--json',
      '-q',
      sharedPath('calibration', c, 'flows.argus.csv'),
    ]);
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.truth.rows).toBe(4);
    expect(out.metrics.primaries).toEqual([{ src: '10.1.1.213', dst: '108.61.179.223', rank: 1 }]);
  });
});
