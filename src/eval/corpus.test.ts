import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToFile } from '../generate/index.js';
import { calibrationEntries, passed, runCorpus } from './corpus.js';

/** A corpus laid out like ../shared/data/calibration, built from generated flows. */
describe('calibration corpus runner', () => {
  let root = '';
  let planted = 0;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'beaconhunt-corpus-'));
    await mkdir(join(root, 'gen'));
    const { truth } = await generateToFile({
      format: 'argus',
      out: join(root, 'gen', 'flows.argus.csv'),
      flows: 3000,
      hours: 2,
      hosts: 20,
      seed: 5,
    });
    const rows = truth.pairs
      .filter((p) => p.planted)
      .map((p) => `gen,${p.src},${p.dst},${p.dport},${p.proto},c2_beacon,yes,${p.label}`);
    planted = rows.length;
    // a Zeek case whose only log is not a flow log, a broken explicit input, and a tools folder
    await mkdir(join(root, 'http-only'));
    await writeFile(
      join(root, 'http-only', 'http.log'),
      '#separator \\x09\n#path\thttp\n#fields\tts\tuid\thost\n1.0\tC1\texample.com\n',
    );
    await mkdir(join(root, 'broken'));
    await writeFile(join(root, 'broken', 'flows.argus.csv'), 'this is not argus\n');
    await mkdir(join(root, '_tools'));
    await writeFile(
      join(root, 'truth-all.csv'),
      [
        'case,src,dst,dport,proto,role,primary,notes',
        ...rows,
        'broken,10.0.0.1,192.0.2.1,80,tcp,c2_beacon,yes,',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('finds every case folder and its main input; _folders are not cases', async () => {
    const entries = await calibrationEntries(root);
    expect(entries.map((e) => [e.case, e.input, e.main, e.mayHoldNoFlows])).toEqual([
      ['broken', 'argus', true, false],
      ['gen', 'argus', true, false],
      ['http-only', 'zeek', true, true],
    ]);
    expect(entries[1]?.truth).toHaveLength(planted);
  });

  it('runs each case: measured, "no flows input", or an error that does not stop the others', async () => {
    const results = await runCorpus(await calibrationEntries(root), { seed: 1 });
    const [broken, gen, httpOnly] = results;
    expect(broken?.status).toBe('error');
    expect(broken?.message).toContain('flows.argus.csv');
    expect(passed(broken as NonNullable<typeof broken>)).toBe(false);
    expect(gen?.status).toBe('ok');
    expect(gen?.metrics?.P).toBe(planted);
    expect(gen?.metrics?.primaries.filter((p) => p.rank !== null).length).toBeGreaterThan(0);
    expect(gen?.top?.[0]?.roles).toBeDefined();
    expect(httpOnly?.status).toBe('no-input');
    expect(httpOnly?.metrics).toBeUndefined();
  });
});
