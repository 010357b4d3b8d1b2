import { describe, expect, it } from 'vitest';
import type { Severity } from '../score/finding.js';
import {
  evaluateRanking,
  meanReciprocalRank,
  precisionAtK,
  type RankedFinding,
  recallAtK,
} from './metrics.js';
import { parseTruthCsv, type TruthRow } from './truth.js';

const HEADER = 'case,src,dst,dport,proto,role,primary,notes';
const truth = (...rows: string[]): TruthRow[] => parseTruthCsv([HEADER, ...rows].join('\n'), 'hand.csv');

let nextRank = 1;
function ranking(
  ...items: [src: string, dst: string, severity?: Severity, host?: string][]
): RankedFinding[] {
  nextRank = 1;
  return items.map(([src, dst, severity, host]) => ({
    rank: nextRank++,
    src,
    dst,
    host: host ?? null,
    severity: severity ?? 'medium',
  }));
}

describe('recall, precision and MRR on hand-made ranks', () => {
  it('recall@k is the share of primaries ranked within k; null without primaries or for k = 0', () => {
    expect(recallAtK([1, 3, null], 2)).toBeCloseTo(1 / 3);
    expect(recallAtK([1, 3, null], 3)).toBeCloseTo(2 / 3);
    expect(recallAtK([1, 3, null], 10)).toBeCloseTo(2 / 3);
    expect(recallAtK([], 10)).toBeNull();
    expect(recallAtK([1], 0)).toBeNull();
  });

  it('precision@k divides by k even when fewer findings were emitted', () => {
    expect(precisionAtK([true, false, true], 2)).toBe(0.5);
    expect(precisionAtK([true, false, true], 3)).toBeCloseTo(2 / 3);
    expect(precisionAtK([true, false, true], 10)).toBe(0.2);
    expect(precisionAtK([], 0)).toBeNull();
  });

  it('MRR uses filtered ranks: P primaries in the top P score 1; a miss scores 0', () => {
    expect(meanReciprocalRank([1, 2, 3])).toBe(1);
    expect(meanReciprocalRank([3, 1, 2])).toBe(1);
    // 1, 2, 4 → filtered 1, 1, 2
    expect(meanReciprocalRank([1, 2, 4])).toBeCloseTo((1 + 1 + 0.5) / 3);
    expect(meanReciprocalRank([2, null])).toBeCloseTo(0.25);
    expect(meanReciprocalRank([])).toBeNull();
  });
});

describe('evaluateRanking', () => {
  const twoPrimaries = truth(
    'c,10.0.0.5,203.0.113.7,443,tcp,c2_beacon,yes,',
    'c,10.0.0.5,203.0.113.7,80,tcp,c2_beacon,no,same pair on another port: still one primary pair',
    'c,10.0.0.6,198.51.100.9,80,tcp,c2_beacon,yes,',
    'c,10.0.0.5,192.0.2.44,443,tcp,c2_probable,no,',
    'c,10.0.0.7,192.0.2.123,123,udp,benign_periodic,no,',
  );

  it('a perfect ranking passes with every metric at its best', () => {
    const m = evaluateRanking(
      ranking(
        ['10.0.0.6', '198.51.100.9', 'critical'],
        ['10.0.0.5', '203.0.113.7', 'high'],
        ['10.0.0.7', '192.0.2.123', 'medium'],
      ),
      twoPrimaries,
    );
    expect(m.P).toBe(2);
    expect(m.primaries.map((p) => p.rank)).toEqual([2, 1]);
    expect(m.recall).toEqual([
      { k: 2, value: 1 },
      { k: 4, value: 1 },
      { k: 10, value: 1 },
    ]);
    expect(m.precision).toEqual([
      { k: 2, value: 1 },
      { k: 4, value: 0.5 },
      { k: 10, value: 0.2 },
    ]);
    expect(m.mrr).toBe(1);
    expect(m.bestBenignRank).toBe(3);
    expect(m.falseAlerts).toEqual([]);
    expect(m.pass).toBe(true);
  });

  it('a primary at rank P + 2 passes, at P + 3 fails, and a miss fails', () => {
    const filler = (n: number) =>
      Array.from({ length: n }, (_, i) => ['10.0.0.9', `192.0.2.${i + 1}`] as [string, string]);
    const atSlack = evaluateRanking(
      ranking(['10.0.0.6', '198.51.100.9'], ...filler(2), ['10.0.0.5', '203.0.113.7']),
      twoPrimaries,
    );
    expect(atSlack.primaries.map((p) => p.rank)).toEqual([4, 1]);
    expect(atSlack.pass).toBe(true);
    const beyond = evaluateRanking(
      ranking(['10.0.0.6', '198.51.100.9'], ...filler(3), ['10.0.0.5', '203.0.113.7']),
      twoPrimaries,
    );
    expect(beyond.pass).toBe(false);
    expect(beyond.failures).toEqual(['primary 10.0.0.5 → 203.0.113.7 ranks 5 > 4']);
    const missed = evaluateRanking(ranking(['10.0.0.6', '198.51.100.9']), twoPrimaries);
    expect(missed.primaries.map((p) => p.rank)).toEqual([null, 1]);
    expect(missed.mrr).toBeCloseTo(0.5);
    expect(missed.recall[0]).toEqual({ k: 2, value: 0.5 });
    expect(missed.failures).toEqual(['primary 10.0.0.5 → 203.0.113.7 missed']);
  });

  it('high/critical on an unlabelled or benign pair fails; on a malicious non-primary it does not', () => {
    const onProbable = evaluateRanking(
      ranking(
        ['10.0.0.5', '203.0.113.7'],
        ['10.0.0.6', '198.51.100.9'],
        ['10.0.0.5', '192.0.2.44', 'critical'],
      ),
      twoPrimaries,
    );
    expect(onProbable.pass).toBe(true);
    expect(onProbable.bestBenignRank).toBeNull();
    const onUnlabelled = evaluateRanking(
      ranking(
        ['10.0.0.5', '203.0.113.7'],
        ['10.0.0.6', '198.51.100.9'],
        ['10.0.0.5', '192.0.2.45', 'high'],
        ['10.0.0.7', '192.0.2.123', 'critical'],
        ['10.0.0.7', '192.0.2.124', 'low'],
      ),
      twoPrimaries,
    );
    expect(onUnlabelled.pass).toBe(false);
    expect(onUnlabelled.falseAlerts).toEqual([
      { rank: 3, src: '10.0.0.5', dst: '192.0.2.45', severity: 'high' },
      { rank: 4, src: '10.0.0.7', dst: '192.0.2.123', severity: 'critical' },
    ]);
    expect(onUnlabelled.bestBenignRank).toBe(3);
    expect(onUnlabelled.failures).toEqual(['2 high/critical finding(s) on non-malicious pairs']);
  });

  it('a case without primaries passes when quiet and has no recall@P', () => {
    const negative = truth('n,10.0.0.5,203.0.113.7,443,tcp,c2_other,no,single connection');
    const quiet = evaluateRanking(ranking(['10.0.0.8', '192.0.2.1', 'low']), negative);
    expect(quiet.P).toBe(0);
    expect(quiet.recall).toEqual([
      { k: 0, value: null },
      { k: 2, value: null },
      { k: 10, value: null },
    ]);
    expect(quiet.precision[1]).toEqual({ k: 2, value: 0 });
    expect(quiet.mrr).toBeNull();
    expect(quiet.pass).toBe(true);
    expect(evaluateRanking(ranking(['10.0.0.8', '192.0.2.1', 'high']), negative).pass).toBe(false);
  });

  it('networks and names in dst match the findings they describe, whatever order findings come in', () => {
    const rows = truth(
      's,172.16.4.193,91.239.24.0/23,6892,udp,c2_other,yes,spray',
      's,10.0.0.111,safebrowsing.googleapis.com,443,tcp,rita_expected,no,',
      's,10.0.0.111,evil.example,443,tcp,c2_beacon,yes,',
    );
    const findings = ranking(
      ['10.0.0.111', '10.0.0.238', 'high', 'safebrowsing.googleapis.com'],
      ['172.16.4.193', '91.239.25.17', 'low'],
      ['10.0.0.111', '10.0.0.238', 'medium', 'CDN.Evil.Example.'],
      ['172.16.4.193', '91.239.26.1', 'low'],
    ).reverse();
    const m = evaluateRanking(findings, rows);
    expect(m.primaries.map((p) => p.rank)).toEqual([2, 3]);
    expect(m.falseAlerts.map((f) => f.rank)).toEqual([1]);
    expect(m.bestBenignRank).toBe(1);
  });
});
