import type { FieldKind } from '../flow/schema.js';
import { InputError } from '../util/errors.js';
import { rejectDuplicateColumns } from './columns.js';
import type { DelimitedPlan, JsonLinesPlan, ValueSource } from './plan.js';
import { type FileHead, looksBinary, sniffFile } from './sniff.js';
import { looksLikeSuricata } from './suricata.js';
import { parseZeekHeader } from './zeek.js';

/*
 * Name logs: the records that say which name a connection was for. Zeek ssl.log (SNI), http.log
 * (Host, and CONNECT / absolute-URI requests through an explicit proxy) and dns.log (queries and
 * the addresses the answers gave), and Suricata EVE tls/http/dns events. They are not flows: they
 * go to their own table (`name_events`) and are joined to the flows by the connection id (Zeek
 * `uid`, EVE `flow_id`) or, for DNS answers, by (client, answered address, time).
 */

/** Which log a name event came from. */
export type NameLog = 'ssl' | 'http' | 'dns';

/** One name event, as stored; the columns in table order. */
export const NAME_FIELDS = [
  'ts',
  'src',
  'sport',
  'dst',
  'dport',
  'proto',
  /** ssl / http / dns (EVE: from event_type; Zeek: from the log's #path). */
  'log',
  /** SNI, HTTP Host, or the DNS query name. */
  'name',
  'method',
  'uri',
  'user_agent',
  /** DNS: query type name (A, TXT, NULL, …), response code name, answers as given by the log. */
  'qtype',
  'rcode',
  'answers',
  /** EVE DNS events are a query or an answer each; Zeek's rows are both (NULL). */
  'dns_event',
  'orig_bytes',
  'resp_bytes',
  /** HTTP response status code. */
  'status',
] as const;
export type NameField = (typeof NAME_FIELDS)[number];

export const NAME_FIELD_KINDS: Record<NameField, FieldKind> = {
  ts: 'time',
  src: 'address',
  sport: 'port',
  dst: 'address',
  dport: 'port',
  proto: 'lowertext',
  log: 'text',
  name: 'text',
  method: 'text',
  uri: 'text',
  user_agent: 'text',
  qtype: 'text',
  rcode: 'text',
  answers: 'text',
  dns_event: 'text',
  orig_bytes: 'count',
  resp_bytes: 'count',
  status: 'count',
};

export const NAME_REQUIRED_FIELDS: readonly NameField[] = ['ts', 'src', 'dst'];

export type NameMapping = Partial<Record<NameField, ValueSource[]>>;

/**
 * A name log's import: the same raw-column layout as a flow file's plan (so the engine's bulk
 * readers load it the same way), with its fields in `nameFields` and no flow fields.
 */
export type NamePlan = (DelimitedPlan | JsonLinesPlan) & {
  /** The log every row comes from; undefined when a raw column says it (EVE event_type). */
  log?: NameLog;
  nameFields: NameMapping;
  /** Raw column of the connection id (Zeek uid, EVE flow_id). */
  uidColumn?: number;
};

/** Zeek field → name field, per log. */
const ZEEK_NAME_FIELDS: Record<NameLog, Record<string, NameField>> = {
  ssl: { server_name: 'name' },
  http: {
    host: 'name',
    method: 'method',
    uri: 'uri',
    user_agent: 'user_agent',
    request_body_len: 'orig_bytes',
    response_body_len: 'resp_bytes',
    status_code: 'status',
  },
  dns: { query: 'name', qtype_name: 'qtype', rcode_name: 'rcode', answers: 'answers' },
};
const ZEEK_COMMON: Record<string, NameField> = {
  ts: 'ts',
  'id.orig_h': 'src',
  'id.orig_p': 'sport',
  'id.resp_h': 'dst',
  'id.resp_p': 'dport',
  proto: 'proto',
};

/** Zeek `#path` of a name log (open_ssl/open_http: the same records for connections still open). */
export function zeekNameLog(path: string | undefined): NameLog | undefined {
  const base = path?.replace(/^open_/, '');
  return base === 'ssl' || base === 'http' || base === 'dns' ? base : undefined;
}

function zeekTsvNamePlan(head: FileHead, log: NameLog): NamePlan {
  const header = parseZeekHeader(head);
  rejectDuplicateColumns(header.fields, head.path);
  const nameFields: NameMapping = {};
  const own = { ...ZEEK_COMMON, ...ZEEK_NAME_FIELDS[log] };
  header.fields.forEach((field, column) => {
    const target = own[field];
    if (target && !nameFields[target]) nameFields[target] = [{ column }];
  });
  for (const required of ['ts', 'id.orig_h', 'id.resp_h']) {
    if (!header.fields.includes(required))
      throw new InputError(`Zeek ${log} log has no "${required}" field`, head.path);
  }
  const uid = header.fields.indexOf('uid');
  return {
    kind: 'delimited',
    format: `zeek-${log}`,
    path: head.path,
    compression: head.compression,
    rawNames: header.fields,
    fields: {},
    nameFields,
    log,
    ...(uid >= 0 ? { uidColumn: uid } : {}),
    delimiter: header.separator,
    quote: '',
    comment: '#',
    skipLines: 0,
    nullValues: [header.unset, header.empty],
  };
}

/** Which Zeek log a JSON line is, by the fields only that log has. */
function zeekJsonNameLog(first: Record<string, unknown>): NameLog | undefined {
  const id = first.id;
  const zeek = 'id.orig_h' in first || (typeof id === 'object' && id !== null && 'orig_h' in id);
  if (!zeek || !('ts' in first) || 'conn_state' in first || 'orig_bytes' in first) return undefined;
  if ('qtype_name' in first || 'trans_id' in first || 'query' in first) return 'dns';
  if ('method' in first || 'trans_depth' in first || 'uri' in first) return 'http';
  if ('server_name' in first || 'cipher' in first || 'ja3' in first) return 'ssl';
  return undefined;
}

function jsonNamePlan(
  head: FileHead,
  format: string,
  paths: [string[], NameField | 'uid' | 'event', Partial<ValueSource>?][],
  log?: NameLog,
): NamePlan {
  const jsonPaths: string[][] = [];
  const nameFields: NameMapping = {};
  let uidColumn: number | undefined;
  let eventFilter: JsonLinesPlan['eventFilter'];
  for (const [path, field, extra] of paths) {
    const column = jsonPaths.length;
    jsonPaths.push(path);
    if (field === 'uid') uidColumn = column;
    else if (field === 'event') eventFilter = { column, pattern: '^(tls|http|dns)$' };
    else nameFields[field] = [...(nameFields[field] ?? []), { column, ...extra }];
  }
  return {
    kind: 'jsonl',
    format,
    path: head.path,
    compression: head.compression,
    rawNames: jsonPaths.map((p) => p.join('.')),
    fields: {},
    jsonPaths,
    nameFields,
    ...(log ? { log } : {}),
    ...(uidColumn !== undefined ? { uidColumn } : {}),
    ...(eventFilter ? { eventFilter } : {}),
  };
}

function zeekJsonNamePlan(head: FileHead, log: NameLog): NamePlan {
  const entries: [string[], NameField | 'uid'][] = [[['uid'], 'uid']];
  for (const [zeek, field] of Object.entries({ ...ZEEK_COMMON, ...ZEEK_NAME_FIELDS[log] })) {
    entries.push([[zeek], field]);
    if (zeek.includes('.')) entries.push([zeek.split('.'), field]);
  }
  return jsonNamePlan(head, `zeek-json-${log}`, entries, log);
}

/**
 * Suricata EVE: tls (SNI), http (hostname, method, url) and dns events (v2: one query event, one
 * answer event with the answered addresses grouped by type). Flow events are read by the flow
 * reader; here they are skipped as non-name events. Only A answers are taken when a record has A
 * and AAAA answers both (one raw column per field: the first alternative present wins).
 */
function suricataNamePlan(head: FileHead): NamePlan {
  return jsonNamePlan(head, 'suricata-eve-names', [
    [['event_type'], 'event'],
    [['event_type'], 'log', { values: { tls: 'ssl', http: 'http', dns: 'dns' } }],
    [['flow_id'], 'uid'],
    [['timestamp'], 'ts'],
    [['src_ip'], 'src'],
    [['src_port'], 'sport'],
    [['dest_ip'], 'dst'],
    [['dest_port'], 'dport'],
    [['proto'], 'proto'],
    [['tls', 'sni'], 'name'],
    [['http', 'hostname'], 'name'],
    [['dns', 'rrname'], 'name'],
    [['http', 'http_method'], 'method'],
    [['http', 'url'], 'uri'],
    [['http', 'http_user_agent'], 'user_agent'],
    [['http', 'length'], 'resp_bytes'],
    [['http', 'status'], 'status'],
    [['dns', 'rrtype'], 'qtype'],
    [['dns', 'rcode'], 'rcode'],
    [['dns', 'grouped', 'A'], 'answers'],
    [['dns', 'grouped', 'AAAA'], 'answers'],
    [['dns', 'rdata'], 'answers'],
    [['dns', 'type'], 'dns_event'],
  ]);
}

/**
 * The name plan for a file, or undefined when it holds no name records. `onlyNames` is true for
 * Zeek ssl/http/dns logs (no flows in them); an EVE file holds flows and names both.
 */
export async function planNameImport(
  path: string,
  format = 'auto',
): Promise<{ plan: NamePlan; onlyNames: boolean } | undefined> {
  if (!['auto', 'zeek', 'suricata'].includes(format)) return undefined;
  const head = await sniffFile(path);
  if (looksBinary(head) || head.text.trim() === '') return undefined;
  if (format !== 'suricata' && head.lines[0]?.startsWith('#')) {
    if (!head.lines.some((l) => l.startsWith('#fields'))) {
      const path = head.lines.find((l) => l.startsWith('#path'))?.split(/[\t ]/)[1];
      if (zeekNameLog(path))
        throw new InputError(`Zeek ${path} log without a #fields line: nothing to read`, head.path);
      return undefined;
    }
    const log = zeekNameLog(parseZeekHeader(head).path);
    return log ? { plan: zeekTsvNamePlan(head, log), onlyNames: true } : undefined;
  }
  const first = head.firstJson;
  if (!first) return undefined;
  if (format !== 'suricata') {
    const log = zeekJsonNameLog(first);
    if (log) return { plan: zeekJsonNamePlan(head, log), onlyNames: true };
  }
  if (format !== 'zeek' && looksLikeSuricata(head)) return { plan: suricataNamePlan(head), onlyNames: false };
  return undefined;
}
