import type { CanonicalField } from '../flow/schema.js';
import { InputError } from '../util/errors.js';
import { columnFinder, mappingFromNames, rejectDuplicateColumns, requireFields } from './columns.js';
import type { DelimitedPlan, FieldMapping, HeaderBytes } from './plan.js';
import { dataLines, type FileHead, headerColumns, splitLine } from './sniff.js';

/*
 * Argus `ra -c , -L0` CSV (a header line of ra's column labels) and the CTU-13 / Stratosphere
 * `.binetflow` files, which are the same thing with a `Label` column.
 *
 * Argus flows are bidirectional; SrcAddr is the side that started the flow. Sizes, per file:
 * SAppBytes/DAppBytes (payload, what Zeek calls orig_bytes/resp_bytes) when present, else
 * SrcBytes/DstBytes (whole frames), else SrcBytes and TotBytes − SrcBytes (binetflow).
 * Ports may be hex (ICMP type/id: 0x0008) or empty (ARP, IGMP). StartTime is epoch seconds (ra -u)
 * or "YYYY/MM/DD HH:MM:SS.ffffff" without a zone, which is read as UTC.
 */

const FIELDS: Partial<Record<CanonicalField, readonly string[]>> = {
  ts: ['StartTime', 'stime'],
  duration: ['Dur'],
  src: ['SrcAddr', 'saddr'],
  dst: ['DstAddr', 'daddr'],
  proto: ['Proto'],
  conn_state: ['State'],
};

function isArgusHeader(names: readonly string[]): boolean {
  const find = columnFinder(names);
  return (
    find('SrcAddr', 'saddr') !== undefined &&
    find('DstAddr', 'daddr') !== undefined &&
    find('StartTime', 'stime') !== undefined
  );
}

/** Argus states that mean what a Zeek conn_state means: no reply (S0) or refused (REJ). */
const STATES: Record<string, string> = { REQ: 'S0', INT: 'S0', S_: 'S0', S_RA: 'REJ', S_R: 'REJ' };

export function looksLikeArgus(head: FileHead): boolean {
  const header = headerColumns(head);
  return header !== undefined && isArgusHeader(header.names);
}

export function argusPlan(head: FileHead): DelimitedPlan {
  const header = headerColumns(head);
  if (!header || !isArgusHeader(header.names)) {
    throw new InputError(
      'not Argus CSV: the header needs StartTime, SrcAddr and DstAddr (ra -c , -L0)',
      head.path,
      1,
    );
  }
  const { names, delimiter } = header;
  rejectDuplicateColumns(names, head.path);
  const find = columnFinder(names);
  const fields: FieldMapping = mappingFromNames(FIELDS, find);
  if (fields.conn_state?.[0]) fields.conn_state = [{ ...fields.conn_state[0], values: STATES }];
  const port = (name: string, short: string) => {
    const column = find(name, short);
    return column === undefined ? undefined : [{ column, hex: true }];
  };
  const sport = port('Sport', 'sport');
  const dport = port('Dport', 'dport');
  if (sport) fields.sport = sport;
  if (dport) fields.dport = dport;
  const last = find('LastTime', 'ltime');
  const start = find('StartTime', 'stime');
  if (!fields.duration && last !== undefined && start !== undefined)
    fields.duration = [{ column: last, endMinusStart: start }];

  const notes: string[] = [];
  let headerBytes: HeaderBytes | undefined;
  const sApp = find('SAppBytes', 'sappbytes');
  const dApp = find('DAppBytes', 'dappbytes');
  const sBytes = find('SrcBytes', 'sbytes');
  const dBytes = find('DstBytes', 'dbytes');
  const tBytes = find('TotBytes', 'bytes');
  if (sApp !== undefined && dApp !== undefined) {
    fields.orig_bytes = [{ column: sApp }];
    fields.resp_bytes = [{ column: dApp }];
    notes.push('sizes are payload bytes (SAppBytes → orig_bytes, DAppBytes → resp_bytes)');
  } else if (sBytes !== undefined && dBytes !== undefined) {
    fields.orig_bytes = [{ column: sBytes }];
    fields.resp_bytes = [{ column: dBytes }];
    notes.push('sizes are whole-frame bytes (SrcBytes → orig_bytes, DstBytes → resp_bytes)');
    headerBytes = 'frame';
  } else if (sBytes !== undefined && tBytes !== undefined) {
    fields.orig_bytes = [{ column: sBytes }];
    fields.resp_bytes = [{ column: tBytes, minus: sBytes }];
    notes.push('sizes are whole-frame bytes (SrcBytes → orig_bytes, TotBytes − SrcBytes → resp_bytes)');
    headerBytes = 'frame';
  }
  const sPkts = find('SrcPkts', 'spkts');
  const dPkts = find('DstPkts', 'dpkts');
  const tPkts = find('TotPkts', 'pkts');
  if (sPkts !== undefined) fields.orig_pkts = [{ column: sPkts }];
  if (dPkts !== undefined) fields.resp_pkts = [{ column: dPkts }];
  else if (sPkts !== undefined && tPkts !== undefined) fields.resp_pkts = [{ column: tPkts, minus: sPkts }];
  // only the total: kept as such (header-only frames are recognised from bytes per packet)
  if (sPkts === undefined && tPkts !== undefined) fields.pkts = [{ column: tPkts }];

  if (!fields.orig_bytes)
    notes.push(
      'no per-direction byte columns (run ra with -s … sbytes dbytes or sappbytes dappbytes): sizes are unknown',
    );
  requireFields(fields, ['ts', 'src', 'dst'], 'Argus CSV', head.path);
  const firstTime = splitLine(dataLines(head)[1] ?? '', delimiter)[start ?? 0] ?? '';
  if (/^\d{1,2}:\d{2}:\d{2}(\.\d+)?$/.test(firstTime.trim())) {
    throw new InputError(
      'StartTime has no date (ra prints the time of day by default): run ra with -u, or set RA_TIME_FORMAT="%Y/%m/%d %T.%f"',
      head.path,
      2,
    );
  }
  const binetflow = find('Label') !== undefined;
  return {
    kind: 'delimited',
    format: binetflow ? 'argus-binetflow' : 'argus-csv',
    path: head.path,
    compression: head.compression,
    rawNames: names,
    fields,
    delimiter,
    quote: '', // the tool never quotes: a stray " is text, not the start of a multi-line field
    comment: '',
    skipLines: 1,
    nullValues: [''],
    directionality: 'bidirectional',
    ...(headerBytes ? { headerBytes } : {}),
    notes,
  };
}
