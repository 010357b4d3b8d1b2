import { describe, expect, it } from 'vitest';
import { hunt } from '../src/hunt/hunt.js';
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

  it('the proxy beacon ranks in the top 3 of the rita-proxy Zeek directory', async () => {
    const result = await hunt({ inputs: [sharedPath('rita-proxy', 'proxy')] });
    // only conn.log of the 17 logs carries flows
    expect(result.summary.files.map((f) => f.path.split('/').pop())).toEqual(['conn.log']);
    expect(result.summary.flows_read).toBe(463);
    expect(rankOf(result.findings, '10.136.0.18', '10.136.0.16')).toBeLessThanOrEqual(3);
  });
});
