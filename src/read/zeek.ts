import type { CanonicalField } from '../flow/schema.js';
import { InputError } from '../util/errors.js';
import { rejectDuplicateColumns } from './columns.js';
import type { DelimitedPlan, FieldMapping, JsonLinesPlan } from './plan.js';
import type { FileHead } from './sniff.js';

/** Zeek conn.log field name → canonical field. Zeek's names already say the direction. */
const ZEEK_CONN_FIELDS: Record<string, CanonicalField> = {
  ts: 'ts',
  duration: 'duration',
  'id.orig_h': 'src',
  'id.orig_p': 'sport',
  'id.resp_h': 'dst',
  'id.resp_p': 'dport',
  proto: 'proto',
  orig_bytes: 'orig_bytes',
  resp_bytes: 'resp_bytes',
  orig_pkts: 'orig_pkts',
  resp_pkts: 'resp_pkts',
  conn_state: 'conn_state',
  service: 'service',
  // which end the sensor's Site::local_nets holds: direction without guessing from address ranges
  local_orig: 'local_orig',
  local_resp: 'local_resp',
  // not in stock conn.log, but common additions (e.g. a SNI/host enrichment script)
  server_name: 'host',
  host: 'host',
  _node_name: 'sensor',
  _system_name: 'sensor',
};

/**
 * Logs whose rows are connections: conn, and open_conn (connections still open when the log
 * rotated, written by Zeek's long-connections package; RITA reads them as long connections).
 */
const ZEEK_CONN_PATHS = new Set(['conn', 'open_conn']);

interface ZeekHeader {
  separator: string;
  unset: string;
  empty: string;
  fields: string[];
  path?: string;
}

/** Zeek writes `\x09`-style escapes in its `#separator` line. */
function unescapeZeek(value: string): string {
  return value.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

export function parseZeekHeader(head: FileHead): ZeekHeader {
  let separator = '\t';
  let unset = '-';
  let empty = '(empty)';
  let fields: string[] | undefined;
  let path: string | undefined;
  for (const line of head.lines) {
    if (line.trim() === '') continue;
    if (!line.startsWith('#')) break;
    if (line.startsWith('#separator ')) {
      separator = unescapeZeek(line.slice('#separator '.length));
      continue;
    }
    const [key, ...rest] = line.split(separator);
    if (key === '#fields') fields = rest;
    else if (key === '#unset_field') unset = rest[0] ?? unset;
    else if (key === '#empty_field') empty = rest[0] ?? empty;
    else if (key === '#path') path = rest[0];
  }
  if (!fields) throw new InputError('Zeek log without a #fields header line', head.path);
  if (separator.length !== 1)
    throw new InputError(`unsupported Zeek separator ${JSON.stringify(separator)}`, head.path);
  return { separator, unset, empty, fields, ...(path ? { path } : {}) };
}

function mappingFromNames(names: readonly string[], head: FileHead): FieldMapping {
  const fields: FieldMapping = {};
  names.forEach((name, column) => {
    const canonical = ZEEK_CONN_FIELDS[name];
    if (canonical && !fields[canonical]) fields[canonical] = [{ column }];
  });
  for (const required of ['ts', 'id.orig_h', 'id.resp_h']) {
    if (!names.includes(required)) {
      throw new InputError(`Zeek log has no "${required}" field; is it a conn.log?`, head.path);
    }
  }
  return fields;
}

export function zeekTsvPlan(head: FileHead): DelimitedPlan {
  const header = parseZeekHeader(head);
  rejectDuplicateColumns(header.fields, head.path);
  if (header.path && !ZEEK_CONN_PATHS.has(header.path)) {
    throw new InputError(`Zeek "${header.path}" log, not a conn log`, head.path);
  }
  const uid = header.fields.indexOf('uid');
  return {
    ...(uid >= 0 ? { uidColumn: uid } : {}),
    kind: 'delimited',
    // open_conn: snapshots of still-open connections; the engine keeps one row per uid
    format: header.path === 'open_conn' ? 'zeek-open-conn' : 'zeek-tsv',
    path: head.path,
    compression: head.compression,
    rawNames: header.fields,
    fields: mappingFromNames(header.fields, head),
    delimiter: header.separator,
    quote: '',
    comment: '#',
    skipLines: 0,
    nullValues: [header.unset, header.empty],
  };
}

/** Zeek JSON writes dotted names flat ("id.orig_h"); some pipelines nest them ({"id":{"orig_h":…}}). */
export function zeekJsonPlan(head: FileHead): JsonLinesPlan {
  const names = Object.keys(ZEEK_CONN_FIELDS);
  const jsonPaths: string[][] = [];
  const rawNames: string[] = [];
  const fields: FieldMapping = {};
  for (const name of names) {
    const canonical = ZEEK_CONN_FIELDS[name] as CanonicalField;
    const alternatives = name.includes('.') ? [[name], name.split('.')] : [[name]];
    for (const path of alternatives) {
      const column = jsonPaths.length;
      jsonPaths.push(path);
      rawNames.push(path.join('.'));
      fields[canonical] = [...(fields[canonical] ?? []), { column }];
    }
  }
  const uidColumn = jsonPaths.length;
  jsonPaths.push(['uid']);
  rawNames.push('uid');
  return {
    uidColumn,
    kind: 'jsonl',
    format: 'zeek-json',
    path: head.path,
    compression: head.compression,
    rawNames,
    fields,
    jsonPaths,
  };
}

export function looksLikeZeekTsv(head: FileHead): boolean {
  return head.lines.some((l) => l.startsWith('#fields')) && head.lines[0]?.startsWith('#') === true;
}

export function looksLikeZeekJson(head: FileHead): boolean {
  const first = head.firstJson;
  if (!first) return false;
  const id = first.id;
  return ('id.orig_h' in first || (typeof id === 'object' && id !== null && 'orig_h' in id)) && 'ts' in first;
}
