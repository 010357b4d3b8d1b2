import { describe, expect, it } from 'vitest';
import type { Finding } from '../score/finding.js';
import type { CorpusResult } from './corpus.js';
import { evaluateRanking, topFindings } from './metrics.js';
import { caseReport, corpusTable, groupTotals } from './report.js';
import { parseTruthCsv } from './truth.js';

const rows = parseTruthCsv(
  'src,dst,role,primary\n10.0.0.5,203.0.113.7,c2_beacon,yes\n10.0.0.6,198.51.100.9,c2_beacon,yes\n',
  't.csv',
);
const good = evaluateRanking(
  [
    { rank: 1, src: '10.0.0.5', dst: '203.0.113.7', host: null, severity: 'critical' },
    { rank: 2, src: '10.0.0.6', dst: '198.51.100.9', host: null, severity: 'high' },
  ],
  rows,
);
const bad = evaluateRanking(
  [{ rank: 1, src: '10.0.0.9', dst: '192.0.2.1\u001b[31m', host: null, severity: 'high' }],
  rows,
);
const finding = (rank: number, src: string, dst: string): Finding => ({
  rank,
  src,
  dst,
  dport: 443,
  proto: 'tcp',
  host: null,
  score: 0.5,
  severity: 'high',
  verdict: 'beacon',
  flows: 10,
  first_seen: '',
  last_seen: '',
  features: {},
  components: {},
  reasons: [],
  episodes: [],
});
const result = (c: string, metrics: CorpusResult['metrics'], status: CorpusResult['status'] = 'ok') => ({
  case: c,
  input: 'argus',
  main: true,
  status,
  elapsed_s: 0,
  ...(metrics ? { metrics } : { message: 'no input' }),
});

describe('eval reports', () => {
  it('totals count passes over evaluated cases and leave cases without flows out', () => {
    const t = groupTotals([result('a', good), result('b', bad), result('c', undefined, 'no-input')]);
    expect(t).toEqual({ pass: 1, evaluated: 2, noInput: 1, meanMrr: 0.5, falseAlerts: 1 });
  });

  it('the corpus table shows ranks, x for a miss, and the totals line', () => {
    const text = corpusTable(
      [
        {
          title: 'calibration',
          results: [result('a', good), result('b', bad), result('c', undefined, 'no-input')],
        },
      ],
      false,
    );
    expect(text).toMatch(/^a\s+argus\s+2\s+1,2\s+1\.00\s+–\s+0\s+pass$/m);
    expect(text).toMatch(/^b\s+argus\s+2\s+x,x\s+0\.00\s+1\s+1\s+FAIL$/m);
    expect(text).toMatch(/^c\s+argus\s+no flows input$/m);
    expect(text).toContain('calibration: 1 of 2 cases pass (1 without a flows input); mean MRR 0.50');
  });

  it('the case report names failures and never passes control characters to the terminal', () => {
    const top = topFindings(
      [finding(1, '10.0.0.9', '192.0.2.1\u001b[31m'), finding(2, '10.0.0.6', '198.51.100.9')],
      rows,
    );
    expect(top.map((f) => f.roles)).toEqual([[], ['c2_beacon']]);
    const text = caseReport(
      bad,
      top,
      { truthFile: 't.csv', caseName: null, truthRows: 2, flowsUsed: 10 },
      false,
    );
    expect(text).toContain('FAIL: primary 10.0.0.5 → 203.0.113.7 missed');
    expect(text).toContain('192.0.2.1\\x1b[31m');
    expect(text).not.toContain('\u001b');
    expect(text).toMatch(
      /^ {2}#1 10\.0\.0\.9 → 192\.0\.2\.1\\x1b\[31m:443 0\.50 high beacon \[unlabelled\]$/m,
    );
    expect(text).toMatch(/^ {2}#2 10\.0\.0\.6 → 198\.51\.100\.9:443 0\.50 high beacon \[c2_beacon\]$/m);
  });
});
