import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CorpusGroup,
  type CorpusResult,
  passed,
  runCorpus,
  sharedDataGroups,
} from '../src/eval/corpus.js';
import { corpusTable } from '../src/eval/report.js';
import { HAVE_SHARED_DATA, SHARED_DATA, SKIP_MESSAGE } from './shared-data.js';

/**
 * Cases (case + input) that fail the pass rule of issue 11 on today's scoring. The list may only
 * shrink: a case not listed here that fails breaks the test; a listed case that passes is reported
 * so that it can be removed. Measured with `npm run eval:calibration`.
 */
const KNOWN_FAILING: ReadonlySet<string> = new Set([
  // nine pairs of one host on one 120-s clock, all critical: five C2 named by the exercise's answers
  // and four TLS pairs on the same schedule (c2_probable, most likely the same malware). Nothing in
  // the flows tells "named" from "probable" (same source, period, size class), so the order among
  // the nine is a tie broken by size uniformity, and with P + 2 = 7 one named pair lands 8th. A
  // separator would be keyed to the answer sheet, not a behaviour; the behaviour that would help is
  // one finding for "one host, one schedule, many destinations" (a multi-server beacon), not built.
  'mta-2017-03-25-kovter argus',
  // DGA C2 search spurt: uniform request sizes but no schedule. Its logs count time from 0 s, so
  // without --allow-any-time no row is read; with it the client is a critical dga finding (#1 its
  // IPv6 address, #2 its IPv4; test/dns.test.ts), but the truth's primaries are its HTTP connections
  'strat-005-simda-dga zeek',
  // the same nine-pair tie in the NetFlow records: one named pair ranks 8th
  'mta-2017-03-25-kovter nfdump',
  // http.log alone (read since issue 14): a FortiClient update check, POST /fdsupdate every
  // 3,602 s from one host, scores critical; the fleet's 300-s alexa checks stay quiet
  'rita-dnscat2-strobe-http-only zeek',
]);

const FIXTURE_TRUTH = resolve(import.meta.dirname, 'fixtures', 'shared-truth.csv');
const key = (r: CorpusResult) => `${r.case} ${r.input}`;

describe.skipIf(!HAVE_SHARED_DATA)(
  'eval:calibration — ranking on the labelled captures of ../shared/data',
  () => {
    let groups: CorpusGroup[] = [];
    const results: CorpusResult[] = [];

    it('runs every case in one process', async () => {
      groups = await sharedDataGroups(SHARED_DATA, FIXTURE_TRUTH);
      const tables: { title: string; results: CorpusResult[] }[] = [];
      for (const g of groups) {
        const rs = await runCorpus(g.entries, { seed: 1 });
        results.push(...rs);
        tables.push({ title: g.title, results: rs });
      }
      console.log(corpusTable(tables, false));
      // every case folder of the corpus is measured, on at least its main input
      const cases = new Set(results.map((r) => r.case));
      expect(cases.size).toBeGreaterThanOrEqual(18 + 3);
    }, 120_000);

    it('no case outside KNOWN_FAILING fails the pass rule (every primary in the top P + 2, no false high/critical)', () => {
      expect(results.length).toBeGreaterThan(0);
      const regressions = results
        .filter((r) => !passed(r) && !KNOWN_FAILING.has(key(r)))
        .map(
          (r) =>
            `${key(r)}: ${r.status === 'ok' ? r.metrics?.failures.join('; ') : `${r.status} ${r.message}`}`,
        );
      expect(regressions).toEqual([]);
      const fixed = results.filter((r) => passed(r) && KNOWN_FAILING.has(key(r))).map(key);
      if (fixed.length) console.log(`now passing, remove from KNOWN_FAILING: ${fixed.join(', ')}`);
      const stale = [...KNOWN_FAILING].filter((k) => !results.some((r) => key(r) === k));
      expect(stale, 'KNOWN_FAILING names a case+input that was not run').toEqual([]);
    });

    it("the shared fixtures' known C2 ranks 1 (RemcosRAT, the curl loop, the proxy beacon)", () => {
      const fixtures = groups.find((g) => g.title === 'shared fixtures')?.entries ?? [];
      expect(fixtures.length).toBeGreaterThanOrEqual(3);
      for (const entry of fixtures) {
        const r = results.find((x) => x.case === entry.case && x.input === entry.input);
        expect(r?.status, `${entry.case} ${entry.input}: ${r?.message}`).toBe('ok');
        expect(
          r?.metrics?.primaries.map((p) => p.rank),
          `${entry.case} ${entry.input}`,
        ).toEqual([1]);
      }
    });
  },
);

describe.skipIf(HAVE_SHARED_DATA)('eval:calibration without ../shared/data', () => {
  it('is skipped', () => {
    console.warn(`${SKIP_MESSAGE} (looked in ${join(SHARED_DATA, 'calibration')})`);
  });
});
