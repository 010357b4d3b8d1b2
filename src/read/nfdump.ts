import type { CanonicalField } from '../flow/schema.js';
import { InputError } from '../util/errors.js';
import { columnFinder, mappingFromNames, rejectDuplicateColumns, requireFields } from './columns.js';
import type { DelimitedPlan, Directionality, FieldMapping } from './plan.js';
import { dataLines, type FileHead, headerColumns, splitLine } from './sniff.js';

/*
 * NetFlow/IPFIX as nfdump prints it.
 *
 * `nfdump -o csv`: a header of short names (ts,te,td,sa,da,sp,dp,pr,flg,…,ipkt,ibyt,opkt,obyt,…).
 * 1.6 and 1.7 differ in the column set (1.7.1: 48 columns, whole-second ts/te); we go by name.
 * After the records nfdump writes a trailer: `Summary`, `flows,bytes,packets,…`, the values.
 *
 * `nfdump -o 'fmt:%ts,%td,…'`: a space-aligned header of titles ("Date first seen", "Src IP Addr")
 * and comma-separated, space-padded values, then a plain-text summary.
 *
 * NetFlow records are unidirectional unless the exporter sends bidirectional flows (NSEL, IPFIX
 * biflow): `ibyt`/`ipkt` are the record's own direction (src → dst). The reverse direction
 * (`obyt`/`opkt`) is taken when the file's records carry it; in a unidirectional file it stays unset.
 */

/** nfdump's trailers: CSV `Summary` + `flows,bytes,…` + values; fmt's four summary lines. */
const TRAILER = '^(Summary$|Summary:|flows,bytes,packets|Time window:|Total flows processed:|Sys:)';

const CSV_FIELDS: Partial<Record<CanonicalField, readonly string[]>> = {
  ts: ['ts', 'first'],
  duration: ['td'],
  src: ['sa'],
  dst: ['da'],
  sport: ['sp'],
  dport: ['dp'],
  proto: ['pr'],
  orig_bytes: ['ibyt', 'byt'],
  orig_pkts: ['ipkt', 'pkt'],
  conn_state: ['flg'],
  sensor: ['ra', 'exp'],
};

/** The titles nfdump prints for its fmt: tokens, longest first, and the field each one feeds. */
const FMT_TITLES: [title: string, field: CanonicalField | 'te' | 'obyt' | 'opkt' | null][] = [
  ['Date first seen (raw)', 'ts'],
  ['Date last seen (raw)', 'te'],
  ['Date flow received', null],
  ['Date first seen', 'ts'],
  ['Date last seen', 'te'],
  ['Src IP Addr:Port', null],
  ['Dst IP Addr:Port', null],
  ['Src IP Addr', 'src'],
  ['Dst IP Addr', 'dst'],
  ['Src Pt', 'sport'],
  ['Dst Pt', 'dport'],
  ['Duration', 'duration'],
  ['Proto', 'proto'],
  ['Flags', 'conn_state'],
  ['In Pkt', 'orig_pkts'],
  ['Out Pkt', 'opkt'],
  ['In Byte', 'orig_bytes'],
  ['Out Byte', 'obyt'],
  ['Packets', 'orig_pkts'],
  ['Bytes', 'orig_bytes'],
  ['Flows', null],
  ['Router IP', 'sensor'],
  ['Src AS', null],
  ['Dst AS', null],
  ['Input', null],
  ['Output', null],
  ['bps', null],
  ['pps', null],
  ['Bpp', null],
];
const TITLE_RE = new RegExp(FMT_TITLES.map(([t]) => t.replace(/[()[\]:.]/g, '\\$&')).join('|'), 'g');

/** A record whose only TCP flag is SYN: nothing came back in this direction (Zeek's S0). */
const STATES: Record<string, string> = { '......S.': 'S0' };

function looksLikeCsvHeader(names: readonly string[]): boolean {
  const set = new Set(names.map((n) => n.toLowerCase()));
  return set.has('ts') && set.has('sa') && set.has('da') && (set.has('te') || set.has('td'));
}

export function looksLikeNfdumpCsv(head: FileHead): boolean {
  const header = headerColumns(head, [',']);
  return header !== undefined && looksLikeCsvHeader(header.names);
}

/** Whether any record in the head carries the reverse direction (a bidirectional exporter). */
function directionalityOf(
  head: FileHead,
  delimiter: string,
  outColumns: (number | undefined)[],
): Directionality {
  const columns = outColumns.filter((c): c is number => c !== undefined);
  if (columns.length === 0) return 'unidirectional';
  for (const line of dataLines(head).slice(1, 2000)) {
    const values = splitLine(line, delimiter);
    if (columns.some((c) => Number(values[c]) > 0)) return 'bidirectional';
  }
  return 'unidirectional';
}

const UNIDIRECTIONAL_NOTE =
  'unidirectional NetFlow records: each is kept as its own src → dst flow with its bytes as orig_bytes; ' +
  'the answer is a separate record (dst → src). Use --bytes orig for the seed features on these records.';

/** TCP flags become conn_state; the reverse direction is taken only from bidirectional records. */
function finishFields(
  fields: FieldMapping,
  obyt: number | undefined,
  opkt: number | undefined,
  directionality: Directionality,
): void {
  if (fields.conn_state?.[0]) fields.conn_state = [{ ...fields.conn_state[0], values: STATES }];
  if (directionality !== 'bidirectional') return;
  if (obyt !== undefined) fields.resp_bytes = [{ column: obyt, abbreviated: true }];
  if (opkt !== undefined) fields.resp_pkts = [{ column: opkt, abbreviated: true }];
}

export function nfdumpCsvPlan(head: FileHead): DelimitedPlan {
  const header = headerColumns(head, [',']);
  if (!header || !looksLikeCsvHeader(header.names)) {
    throw new InputError(
      'not nfdump CSV: the header needs ts, te/td, sa and da (nfdump -o csv, without -q)',
      head.path,
      1,
    );
  }
  const names = header.names;
  rejectDuplicateColumns(names, head.path);
  const find = columnFinder(names);
  const fields = mappingFromNames(CSV_FIELDS, find);
  const te = find('te', 'last');
  const ts = find('ts', 'first');
  if (!fields.duration && te !== undefined && ts !== undefined)
    fields.duration = [{ column: te, endMinusStart: ts }];
  const obyt = find('obyt');
  const opkt = find('opkt');
  const directionality = directionalityOf(head, ',', [obyt, opkt]);
  finishFields(fields, obyt, opkt, directionality);
  requireFields(fields, ['ts', 'src', 'dst'], 'nfdump CSV', head.path);
  return {
    kind: 'delimited',
    format: 'nfdump-csv',
    path: head.path,
    compression: head.compression,
    rawNames: names,
    fields,
    delimiter: ',',
    quote: '', // the tool never quotes: a stray " is text, not the start of a multi-line field
    comment: '',
    skipLines: 1,
    nullValues: [''],
    trailer: TRAILER,
    directionality,
    // NetFlow's octet counters count each packet from its IP header on
    headerBytes: 'ip',
    notes: directionality === 'unidirectional' ? [UNIDIRECTIONAL_NOTE] : [],
  };
}

/** The fmt: header's titles in order; text between known titles counts as one unknown column. */
function fmtTitles(line: string): string[] {
  const titles: string[] = [];
  let at = 0;
  for (const m of line.matchAll(TITLE_RE)) {
    if (line.slice(at, m.index).trim() !== '') titles.push(line.slice(at, m.index).trim());
    titles.push(m[0]);
    at = (m.index ?? 0) + m[0].length;
  }
  if (line.slice(at).trim() !== '') titles.push(line.slice(at).trim());
  return titles;
}

interface FmtLayout {
  titles: string[];
  delimiter: string;
}

function fmtLayout(head: FileHead): FmtLayout | undefined {
  const lines = head.lines.filter((l) => l.trim() !== '');
  const first = lines[0];
  const second = lines[1];
  if (first === undefined || !/Date (first|last) seen|Src IP Addr/.test(first)) return undefined;
  const titles = fmtTitles(first);
  if (titles.length < 2) return undefined;
  // The values of the first record must split into as many fields as there are titles; with no
  // record (only the summary follows), nfdump's usual comma.
  if (second === undefined || new RegExp(TRAILER).test(second)) return { titles, delimiter: ',' };
  for (const delimiter of [',', ';', '|', '\t']) {
    if (splitLine(second, delimiter).length === titles.length) return { titles, delimiter };
  }
  return undefined;
}

export function looksLikeNfdumpFmt(head: FileHead): boolean {
  return fmtLayout(head) !== undefined;
}

export function nfdumpFmtPlan(head: FileHead): DelimitedPlan {
  const layout = fmtLayout(head);
  if (!layout) {
    throw new InputError(
      "not an nfdump fmt: layout this reader knows: keep the header (no -q) and separate the fields with commas, e.g. -o 'fmt:%ts,%td,%pr,%sa,%sp,%da,%dp,%flg,%ipkt,%ibyt'",
      head.path,
      1,
    );
  }
  const fields: FieldMapping = {};
  let te: number | undefined;
  let obyt: number | undefined;
  let opkt: number | undefined;
  layout.titles.forEach((title, column) => {
    const field = FMT_TITLES.find(([t]) => t === title)?.[1];
    if (field === 'te') te ??= column;
    else if (field === 'obyt') obyt ??= column;
    else if (field === 'opkt') opkt ??= column;
    else if (field === 'duration') fields.duration ??= [{ column, clock: true }];
    else if (field === 'orig_bytes' || field === 'orig_pkts')
      fields[field] ??= [{ column, abbreviated: true }];
    else if (field && !fields[field]) fields[field] = [{ column }];
  });
  const ts = fields.ts?.[0]?.column;
  if (!fields.duration && te !== undefined && ts !== undefined)
    fields.duration = [{ column: te, endMinusStart: ts }];
  const directionality = directionalityOf(head, layout.delimiter, [obyt, opkt]);
  finishFields(fields, obyt, opkt, directionality);
  requireFields(fields, ['ts', 'src', 'dst'], 'nfdump fmt: output', head.path);
  return {
    kind: 'delimited',
    format: 'nfdump-fmt',
    path: head.path,
    compression: head.compression,
    rawNames: layout.titles,
    fields,
    delimiter: layout.delimiter,
    quote: '',
    comment: '',
    skipLines: 1,
    nullValues: [''],
    trailer: TRAILER,
    directionality,
    // NetFlow's octet counters count each packet from its IP header on
    headerBytes: 'ip',
    notes: directionality === 'unidirectional' ? [UNIDIRECTIONAL_NOTE] : [],
  };
}
