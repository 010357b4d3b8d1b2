import { InputError } from '../util/errors.js';
import { columnFinder, rejectDuplicateColumns } from './columns.js';
import type { PrecomputedPlan } from './plan.js';
import { type FileHead, headerColumns } from './sniff.js';

/*
 * The seed's Splunk search output (`beaconhunt spl` prints that search), exported as CSV: one row
 * per (src_ip, dest_ip, dest_port, bytes_out) with i_bytecount, t_bytecount, distinct_byte_count
 * and avgcount. It holds features, not flows: no timestamps, so no timing analysis.
 */

export const SEED_OUTPUT_COLUMNS = ['i_bytecount', 't_bytecount', 'distinct_byte_count', 'avgcount'];

const NOTE =
  'precomputed seed features (the Splunk search output): no timestamps, so no timing analysis; ' +
  'sizes, counts and prevalence only';

export function looksLikeSeedOutput(head: FileHead): boolean {
  const header = headerColumns(head);
  if (!header) return false;
  const find = columnFinder(header.names);
  return (
    find('i_bytecount') !== undefined &&
    find('t_bytecount') !== undefined &&
    find('src_ip', 'src') !== undefined
  );
}

export function seedOutputPlan(head: FileHead): PrecomputedPlan {
  const header = headerColumns(head);
  if (!header) throw new InputError('not the seed search output: no header line', head.path, 1);
  const { names, delimiter } = header;
  rejectDuplicateColumns(names, head.path);
  const find = columnFinder(names);
  const out = find('bytes_out');
  const sizeColumn = out ?? find('bytes_in');
  const columns = {
    src: find('src_ip', 'src'),
    dst: find('dest_ip', 'dst', 'dest'),
    dport: find('dest_port', 'dport'),
    size: sizeColumn,
    i_bytecount: find('i_bytecount'),
    t_bytecount: find('t_bytecount'),
    distinct_byte_count: find('distinct_byte_count'),
    avgcount: find('avgcount'),
    host: find('server_name', 'site', 'dest_host'),
  };
  const missing = Object.entries(columns)
    .filter(([k, v]) => v === undefined && k !== 'avgcount' && k !== 'dport' && k !== 'host')
    .map(([k]) => k);
  if (missing.length) {
    throw new InputError(
      `the seed search output needs src_ip, dest_ip, bytes_out, i_bytecount, t_bytecount and distinct_byte_count (missing: ${missing.join(', ')})`,
      head.path,
      1,
    );
  }
  return {
    kind: 'precomputed',
    format: 'seed-output',
    path: head.path,
    compression: head.compression,
    rawNames: names,
    fields: {},
    columns: Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined)),
    sizeField: out !== undefined ? 'resp' : 'orig',
    delimiter,
    quote: '"',
    comment: '',
    skipLines: 1,
    nullValues: [''],
    notes: [NOTE],
  };
}
