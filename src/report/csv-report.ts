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

/** A whole cell that is a plain number (the only cells starting with - or + left as they are). */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * OWASP's CSV-injection rule: a cell starting with = + - @ tab or CR is prefixed with ' so a
 * spreadsheet never runs a formula from a log value, unless the whole cell is a number.
 */
export function csvSafeCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /^[=+\-@\t\r]/.test(s) && !NUMBER.test(s) ? `'${s}` : s;
}

/** One row per finding; cells are CSV-quoted and made formula-safe (csvSafeCell). */
export function findingsCsv(findings: readonly Finding[]): string {
  const guard = csvSafeCell;
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
    'flows',
    'first_seen',
    'last_seen',
    ...FEATURE_COLUMNS,
    'reasons',
    // added columns go last: a reader that takes columns by position keeps working
    'via',
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
      f.flows,
      f.first_seen,
      f.last_seen,
      ...FEATURE_COLUMNS.map((c) => f.features[c]),
      f.reasons.join('; '),
      f.via ?? null,
    ].map(guard),
  );
  return stringify([header, ...rows]);
}
