import type { CanonicalField } from '../flow/schema.js';
import { InputError } from '../util/errors.js';
import { columnFinder, mappingFromNames, rejectDuplicateColumns, requireFields } from './columns.js';
import type { DelimitedPlan, FieldMapping, SkipRule } from './plan.js';
import type { FileHead } from './sniff.js';

/*
 * AWS VPC Flow Logs as delivered to S3: space-separated, one header line naming the fields in the
 * log's own order (the default version-2 format or any custom format), `-` for "no value".
 * The default format without its header (CloudWatch Logs) is recognised by its shape.
 *
 * Each record is one direction of a flow, as seen at one interface: src → dst, with that
 * direction's bytes and packets. Nothing is invented for the reverse direction.
 * log-status NODATA (no traffic in the interval) and SKIPDATA (records lost) carry no flow: they
 * are counted under their own reasons.
 */

export const VPC_DEFAULT_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
] as const;

export const VPC_SKIP_REASONS = {
  noData: 'no data (VPC NODATA)',
  skipData: 'records lost (VPC SKIPDATA)',
} as const;

const FIELDS: Partial<Record<CanonicalField, readonly string[]>> = {
  ts: ['start'],
  src: ['srcaddr'],
  dst: ['dstaddr'],
  sport: ['srcport'],
  dport: ['dstport'],
  proto: ['protocol'],
  orig_bytes: ['bytes'],
  orig_pkts: ['packets'],
  conn_state: ['action'],
  sensor: ['interface-id', 'instance-id'],
};

/** Header names are written with dashes in S3 files and with underscores by some exporters. */
const normalise = (name: string) => name.trim().toLowerCase().replace(/_/g, '-');

const DEFAULT_RECORD =
  /^2 \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ \d+ \d+ (ACCEPT|REJECT|-) (OK|NODATA|SKIPDATA)$/;

function layoutOf(head: FileHead): { names: string[]; skipLines: number } | undefined {
  const first = head.lines.find((l) => l.trim() !== '');
  if (first === undefined) return undefined;
  const names = first.trim().split(/ +/).map(normalise);
  if (names.includes('srcaddr') && names.includes('dstaddr') && names.includes('start'))
    return { names, skipLines: 1 };
  if (DEFAULT_RECORD.test(first.trim())) return { names: [...VPC_DEFAULT_FIELDS], skipLines: 0 };
  return undefined;
}

export function looksLikeVpc(head: FileHead): boolean {
  return layoutOf(head) !== undefined;
}

export function vpcPlan(head: FileHead): DelimitedPlan {
  const layout = layoutOf(head);
  if (!layout)
    throw new InputError('not a VPC flow log: the header needs srcaddr, dstaddr and start', head.path, 1);
  const { names } = layout;
  rejectDuplicateColumns(names, head.path);
  const find = columnFinder(names, normalise);
  const fields: FieldMapping = mappingFromNames(FIELDS, find);
  // A security group or NACL drops silently: the client saw no answer (Zeek's S0).
  if (fields.conn_state?.[0]) fields.conn_state = [{ ...fields.conn_state[0], values: { REJECT: 'S0' } }];
  const start = find('start');
  const end = find('end');
  if (start !== undefined && end !== undefined) fields.duration = [{ column: end, endMinusStart: start }];
  requireFields(fields, ['ts', 'src', 'dst'], 'VPC flow log', head.path);
  const status = find('log-status');
  const skipRules: SkipRule[] =
    status === undefined
      ? []
      : [
          { column: status, pattern: '^NODATA$', reason: VPC_SKIP_REASONS.noData },
          { column: status, pattern: '^SKIPDATA$', reason: VPC_SKIP_REASONS.skipData },
        ];
  return {
    kind: 'delimited',
    format: 'vpc-flow',
    path: head.path,
    compression: head.compression,
    rawNames: names,
    fields,
    delimiter: ' ',
    quote: '',
    comment: '',
    skipLines: layout.skipLines,
    nullValues: ['-'],
    skipRules,
    directionality: 'unidirectional',
    notes: [
      'unidirectional VPC records: each is kept as its own src → dst flow with its bytes as orig_bytes; ' +
        'the answer is a separate record (dst → src). Use --bytes orig for the seed features on these records.',
    ],
  };
}
