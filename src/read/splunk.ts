import type { CanonicalField } from '../flow/schema.js';
import { InputError } from '../util/errors.js';
import { rejectDuplicateColumns } from './columns.js';
import type { DelimitedPlan, FieldMapping, JsonLinesPlan, ValueSource } from './plan.js';
import { SEED_OUTPUT_COLUMNS } from './seed-output.js';
import { type FileHead, headerColumns } from './sniff.js';

/**
 * Splunk Stream (stream:tcp / stream:udp) field names → canonical fields, first match wins.
 * Splunk Stream's `bytes_in` is client→server (canonical orig_bytes) and `bytes_out` is
 * server→client (resp_bytes): the seed's `bytes_out` is the response size. Splunk's own `host`
 * field names the forwarder that captured the event, so it is the sensor, not the server name.
 */
const SPLUNK_FIELDS: Record<CanonicalField, readonly string[]> = {
  ts: ['_time', 'timestamp', 'start_time'],
  duration: ['duration'],
  src: ['src_ip', 'src'],
  sport: ['src_port'],
  dst: ['dest_ip', 'dest'],
  dport: ['dest_port'],
  proto: ['transport', 'protocol', 'sourcetype'],
  orig_bytes: ['bytes_in'],
  resp_bytes: ['bytes_out'],
  orig_pkts: ['packets_in'],
  resp_pkts: ['packets_out'],
  pkts: [],
  conn_state: ['conn_state'],
  service: ['app', 'service'],
  host: ['server_name', 'dest_host', 'site'],
  sensor: ['host'],
  // Splunk Stream does not say which end is local
  local_orig: [],
  local_resp: [],
};
/** Other ways a duration is given: microseconds taken, or an end time. */
const TIME_TAKEN = 'time_taken';
const END_TIME = 'endtime';

function mappingFor(columnOf: (name: string) => number | undefined): FieldMapping {
  const fields: FieldMapping = {};
  for (const [canonical, names] of Object.entries(SPLUNK_FIELDS) as [CanonicalField, readonly string[]][]) {
    const sources: ValueSource[] = [];
    for (const name of names) {
      const column = columnOf(name);
      if (column !== undefined) sources.push({ column });
    }
    if (canonical === 'duration') {
      const taken = columnOf(TIME_TAKEN);
      if (taken !== undefined) sources.push({ column: taken, scale: 1e-6 });
      const end = columnOf(END_TIME);
      const start = columnOf('timestamp') ?? columnOf('_time');
      if (end !== undefined && start !== undefined) sources.push({ column: end, endMinusStart: start });
    }
    if (sources.length) fields[canonical] = sources;
  }
  return fields;
}

/** The header's names, lower-case, and its delimiter (a Splunk export is CSV; tab, ; and | too). */
function headerNames(head: FileHead): { names: string[]; delimiter: string } {
  const header = headerColumns(head);
  return header
    ? { names: header.names.map((n) => n.toLowerCase()), delimiter: header.delimiter }
    : { names: [], delimiter: ',' };
}

export function looksLikeSplunkCsv(head: FileHead): boolean {
  const { names } = headerNames(head);
  return (
    names.includes('src_ip') &&
    names.includes('dest_ip') &&
    !SEED_OUTPUT_COLUMNS.some((c) => names.includes(c))
  );
}

export function splunkCsvPlan(head: FileHead): DelimitedPlan {
  const { names, delimiter } = headerNames(head);
  rejectDuplicateColumns(names, head.path);
  const fields = mappingFor((name) => {
    const i = names.indexOf(name);
    return i >= 0 ? i : undefined;
  });
  if (!fields.ts) throw new InputError('Splunk CSV has no _time or timestamp column', head.path, 1);
  return {
    kind: 'delimited',
    format: 'splunk-csv',
    path: head.path,
    compression: head.compression,
    rawNames: names,
    fields,
    delimiter,
    quote: '"',
    comment: '',
    skipLines: 1,
    nullValues: [''],
  };
}

/** Splunk's JSON export wraps each event as {"preview":false,"result":{…}}; raw Stream events are flat. */
function splunkJsonRoot(head: FileHead): string[] | undefined {
  const first = head.firstJson;
  if (!first) return undefined;
  const result = first.result;
  if (result && typeof result === 'object' && 'src_ip' in result && 'dest_ip' in result) return ['result'];
  if ('src_ip' in first && 'dest_ip' in first) return [];
  return undefined;
}

export function looksLikeSplunkJson(head: FileHead): boolean {
  return splunkJsonRoot(head) !== undefined;
}

export function splunkJsonPlan(head: FileHead): JsonLinesPlan {
  const root = splunkJsonRoot(head) ?? [];
  const names = [...new Set([...Object.values(SPLUNK_FIELDS).flat(), TIME_TAKEN, END_TIME])];
  const fields = mappingFor((name) => names.indexOf(name));
  return {
    kind: 'jsonl',
    format: 'splunk-json',
    path: head.path,
    compression: head.compression,
    rawNames: names,
    fields,
    jsonPaths: names.map((n) => [...root, n]),
  };
}
