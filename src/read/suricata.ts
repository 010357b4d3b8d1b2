import type { CanonicalField } from '../flow/schema.js';
import type { FieldMapping, JsonLinesPlan } from './plan.js';
import type { FileHead } from './sniff.js';

/*
 * Suricata EVE JSON lines. Flows come from `event_type: "flow"` (one bidirectional record per
 * flow: flow.start/end, bytes_toserver/bytes_toclient, pkts_*, flow.state) and `"netflow"` (one
 * record per direction: netflow.start/end, bytes, pkts). Every other event type (alert, dns, http,
 * tls, stats, …) is skipped and counted as a non-flow event.
 *
 * Times come from flow.start, never from `timestamp`: a flow event's `timestamp` is when it was
 * logged (in the fixture, one value for all 3512 flows). src_ip is the client (toserver side).
 */

/** [JSON path, canonical field, how]: alternatives for one field are tried in this order. */
const PATHS: [path: string[], field: CanonicalField, how?: 'end'][] = [
  [['flow', 'start'], 'ts'],
  [['netflow', 'start'], 'ts'],
  [['flow', 'end'], 'duration', 'end'],
  [['netflow', 'end'], 'duration', 'end'],
  [['src_ip'], 'src'],
  [['src_port'], 'sport'],
  [['dest_ip'], 'dst'],
  [['dest_port'], 'dport'],
  [['proto'], 'proto'],
  [['flow', 'bytes_toserver'], 'orig_bytes'],
  [['netflow', 'bytes'], 'orig_bytes'],
  [['flow', 'bytes_toclient'], 'resp_bytes'],
  [['flow', 'pkts_toserver'], 'orig_pkts'],
  [['netflow', 'pkts'], 'orig_pkts'],
  [['flow', 'pkts_toclient'], 'resp_pkts'],
  [['flow', 'state'], 'conn_state'],
  [['app_proto'], 'service'],
  [['host'], 'sensor'],
];
const EVENT_TYPE = ['event_type'];

export function looksLikeSuricata(head: FileHead): boolean {
  const first = head.firstJson;
  return (
    first !== undefined &&
    typeof first.event_type === 'string' &&
    ('timestamp' in first || 'flow_id' in first)
  );
}

export function suricataPlan(head: FileHead): JsonLinesPlan {
  const jsonPaths: string[][] = [EVENT_TYPE];
  const fields: FieldMapping = {};
  const startOf = (path: string[]) => jsonPaths.findIndex((p) => p.join('.') === `${path[0]}.start`);
  for (const [path, field, how] of PATHS) {
    const column = jsonPaths.length;
    jsonPaths.push(path);
    const source = how === 'end' ? { column, endMinusStart: startOf(path) } : { column };
    fields[field] = [...(fields[field] ?? []), source];
  }
  const uidColumn = jsonPaths.length;
  jsonPaths.push(['flow_id']);
  return {
    uidColumn,
    kind: 'jsonl',
    format: 'suricata-eve',
    path: head.path,
    compression: head.compression,
    rawNames: jsonPaths.map((p) => p.join('.')),
    fields,
    jsonPaths,
    eventFilter: { column: 0, pattern: '^(flow|netflow)$' },
    directionality: 'bidirectional',
  };
}
