import { describe, expect, it } from 'vitest';
import { hunt } from '../src/hunt/hunt.js';
import { findingsCsv } from '../src/report/csv-report.js';
import { renderHtmlReport } from '../src/report/html-report.js';
import { findingsJson } from '../src/report/json-report.js';
import { findingsTable } from '../src/report/terminal-report.js';
import type { Finding } from '../src/score/finding.js';
import { HAVE_SHARED_DATA, sharedPath } from './shared-data.js';

const rankOf = (findings: Finding[], src: string, dst: string) =>
  findings.find((f) => f.src === src && f.dst === dst)?.rank ?? Number.POSITIVE_INFINITY;

describe.skipIf(!HAVE_SHARED_DATA)('real captures with known C2 (../shared/data)', () => {
  for (const file of ['conn.log', 'conn.json', 'conn.log.labeled']) {
    it(`RemcosRAT pair ranks #1 in zeek-remcos/${file}`, async () => {
      const result = await hunt({ inputs: [sharedPath('zeek-remcos', file)] });
      expect(result.summary.flows_read).toBe(766);
      expect(result.summary.flows_used).toBe(766);
      const rank = rankOf(result.findings, '192.168.1.107', '66.63.168.35');
      expect(rank).toBe(1);
      const c2 = result.findings[0] as Finding;
      expect(c2.dport).toBe(5888);
      expect(c2.features.t_bytecount).toBe(719);
      expect(c2.reasons.join(' ')).toMatch(/fail/);
    });
  }

  it('the seed filter (--seed-compat) loses the all-zero-byte RemcosRAT C2, as the brief warns', async () => {
    const result = await hunt({ inputs: [sharedPath('zeek-remcos', 'conn.log')], seedCompat: true });
    expect(rankOf(result.findings, '192.168.1.107', '66.63.168.35')).toBe(Number.POSITIVE_INFINITY);
  });

  it('the proxy beacon ranks in the top 3 of the rita-proxy Zeek directory, named by its CONNECT target', async () => {
    const result = await hunt({ inputs: [sharedPath('rita-proxy', 'proxy')] });
    // conn.log carries the flows; dns, http and ssl name them; the other 13 logs are left out
    expect(result.summary.files.map((f) => f.path.split('/').pop())).toEqual([
      'conn.log',
      'dns.log',
      'http.log',
      'ssl.log',
    ]);
    expect(result.summary.flows_read).toBe(463);
    const rank = rankOf(result.findings, '10.136.0.18', 'www.honestimnotevil.com');
    expect(rank).toBeLessThanOrEqual(3);
    const beacon = result.findings[rank - 1] as Finding;
    expect(beacon.via).toBe('10.136.0.16');
    expect(beacon.dport).toBe(3128);
    expect(beacon.host).toBe('www.honestimnotevil.com');
    expect(beacon.flows).toBe(397);
    // the proxy is never the destination
    expect(result.findings.some((f) => f.dst === '10.136.0.16')).toBe(false);
  });

  it('the rita-proxy beacon is named with its target and proxy in the terminal, JSON, CSV and HTML report', async () => {
    const result = await hunt({ inputs: [sharedPath('rita-proxy', 'proxy')], reportTop: 5 });
    expect(findingsTable(result, 5, false)).toContain(
      '10.136.0.18 → www.honestimnotevil.com via 10.136.0.16:3128/tcp',
    );
    const json = JSON.parse(findingsJson(result)) as { findings: Finding[] };
    expect(json.findings.find((f) => f.dst === 'www.honestimnotevil.com')).toMatchObject({
      src: '10.136.0.18',
      host: 'www.honestimnotevil.com',
      via: '10.136.0.16',
    });
    const csv = findingsCsv(result.findings).trim().split('\n');
    expect(csv[0]).toMatch(/^rank,score,severity,verdict,src,dst,.*,via$/);
    const row = csv.find((l) => l.includes(',www.honestimnotevil.com,')) as string;
    expect(row).toMatch(/^\d+,[^,]*,[^,]*,[^,]*,10\.136\.0\.18,www\.honestimnotevil\.com,/);
    expect(row).toMatch(/,10\.136\.0\.16$/);
    // the page draws pairText(finding) from the report's data block
    const html = renderHtmlReport(result);
    const block = html.match(/<script[^>]*application\/json[^>]*>([\s\S]*?)<\/script>/)?.[1] ?? 'null';
    const listed = (JSON.parse(block) as { findings: Finding[] }).findings;
    expect(listed.find((f) => f.dst === 'www.honestimnotevil.com')?.via).toBe('10.136.0.16');
  });
});
