import type { PairFlows } from '../../src/features/pair-features.js';
import { pairKey } from '../../src/features/pair-features.js';
import type { Finding, HuntResult } from '../../src/score/finding.js';

/**
 * Log values are attacker-controlled. These probes set window.__xss if any of them ever runs as
 * markup or script in the report page.
 */
export const PROBES = [
  '<img src=x onerror=window.__xss=1>',
  '</script><script>window.__xss=1</script>',
  `"'><svg onload=window.__xss=1>`,
  '<!--<script>window.__xss=1//',
  '\u2028\u2029</SCRIPT ><img src=x onerror=window.__xss=1>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-literal injection probe
  '${window.__xss=1}`',
];

const [IMG, SCRIPT, QUOTES, COMMENT, SEPARATORS, TEMPLATE] = PROBES as [
  string,
  string,
  string,
  string,
  string,
  string,
];

function flows(n: number, states: string[]): PairFlows {
  const t0 = Date.parse('2024-03-05T00:00:00Z') / 1000;
  return {
    total: n,
    ts: Float64Array.from({ length: n }, (_, i) => t0 + i * 60 + (i % 3)),
    duration: Float64Array.from({ length: n }, () => 0.2),
    origBytes: Float64Array.from({ length: n }, (_, i) => 120 + (i % 2)),
    respBytes: Float64Array.from({ length: n }, () => 52),
    dport: Int32Array.from({ length: n }, () => 443),
    connState: Array.from({ length: n }, (_, i) => states[i % states.length] ?? null),
  };
}

function finding(rank: number, src: string, dst: string, over: Partial<Finding> = {}): Finding {
  return {
    rank,
    src,
    dst,
    dport: 443,
    proto: 'tcp',
    host: IMG,
    score: 0.9 - rank / 100,
    severity: rank === 1 ? 'critical' : 'high',
    verdict: rank === 1 ? 'beacon' : 'active-c2',
    flows: 40,
    first_seen: '2024-03-05T00:00:00.000Z',
    last_seen: '2024-03-05T00:39:00.000Z',
    features: { t_bytecount: 40, avgcount: 0.975, distinct_byte_count: 1, period_s: 60, [SCRIPT]: 1 },
    components: { sizeUniformity: 0.97, timing: 0.8, [QUOTES]: 0.5 },
    reasons: [
      `97% of flows carry the same 52-byte response to ${IMG}`,
      SCRIPT,
      QUOTES,
      COMMENT,
      SEPARATORS,
      TEMPLATE,
    ],
    episodes: [
      {
        start: '2024-03-05T00:10:00.000Z',
        end: '2024-03-05T00:20:00.000Z',
        kind: 'active-c2',
        reasons: [IMG, SCRIPT],
      },
    ],
    ...over,
  };
}

/** A hand-made result whose addresses, host, reasons, file names and states hold the probes. */
export function hostileResult(): HuntResult {
  const findings = [
    finding(1, IMG, SCRIPT),
    finding(2, QUOTES, '10.0.0.9', { host: SEPARATORS }),
    finding(3, '10.0.0.7', TEMPLATE),
  ];
  const extra = Array.from({ length: 20 }, (_, i) => ({
    src: `10.1.0.${i}`,
    dst: i % 2 ? COMMENT : `198.51.100.${i}`,
  }));
  const pairs = [...findings.map((f) => ({ src: f.src, dst: f.dst })), ...extra];
  const n = pairs.length;
  return {
    findings,
    summary: {
      flows_read: 1000,
      flows_used: 990,
      lines_skipped: 10,
      skipped_by_reason: { [IMG]: 6, 'bad address': 4 },
      pairs: n,
      pairs_excluded: { 'multicast/broadcast': 1, [IMG]: 2 },
      internal_hosts: 24,
      findings_by_severity: { critical: 1, high: 2, medium: 0, low: 0, none: 0 },
      time_range: ['2024-03-05T00:00:00.000Z', '2024-03-05T23:59:59.000Z'],
      files: [
        {
          path: `/tmp/${IMG}.log`,
          format: SCRIPT,
          rows: 1000,
          used: 990,
          skipped: { [QUOTES]: 10 },
          examples: PROBES,
          already_imported: false,
        },
      ],
      engine: 'duckdb',
      mode: 'default',
      size_field: 'resp',
      elapsed_s: 1.5,
      stages_s: { read: 0.5, [IMG]: 1 },
    },
    report: {
      pairs: {
        src: pairs.map((p) => p.src),
        dst: pairs.map((p) => p.dst),
        avgcount: Float64Array.from({ length: n }, (_, i) => (i < 3 ? 0.97 - i / 10 : (i % 10) / 10)),
        t_bytecount: Float64Array.from({ length: n }, (_, i) => (i < 3 ? 40 * (i + 1) : 1 + i * 7)),
        distinct_byte_count: Float64Array.from({ length: n }, (_, i) => (i < 3 ? 1 : 1 + (i % 5))),
        ignored: Uint8Array.from({ length: n }, (_, i) => (i === n - 1 ? 1 : 0)),
      },
      flows: new Map([
        [pairKey(IMG, SCRIPT), flows(40, [IMG, SCRIPT, QUOTES])],
        [pairKey(QUOTES, '10.0.0.9'), flows(40, [SEPARATORS, TEMPLATE])],
      ]),
    },
  };
}
