import { stringify } from 'csv-stringify/sync';
import type { Finding } from '../score/finding.js';

const FEATURE_COLUMNS = [
  't_bytecount',
  'i_bytecount',
  'distinct_byte_count',
  'avgcount',
  'mode_size',
  'orig_mode_share',
  'prevalence',
];

/**
 * One row per finding. Cells are CSV-quoted; cells starting with = + - @ are prefixed with ' so a
 * spreadsheet never runs a formula from a log value.
 */
export function findingsCsv(findings: readonly Finding[]): string {
  const guard = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  };
  const header = [
    'rank',
    'score',
    'severity',
    'verdict',
    'src',
    'dst',
    'dport',
    'proto',
    'host',
    'via',
    'flows',
    'first_seen',
    'last_seen',
    ...FEATURE_COLUMNS,
    'reasons',
  ];
  const rows = findings.map((f) =>
    [
      f.rank,
      f.score,
      f.severity,
      f.verdict,
      f.src,
      f.dst,
      f.dport,
      f.proto,
      f.host,
      f.via ?? null,
      f.flows,
      f.first_seen,
      f.last_seen,
      ...FEATURE_COLUMNS.map((c) => f.features[c]),
      f.reasons.join('; '),
    ].map(guard),
  );
  return stringify([header, ...rows]);
}
