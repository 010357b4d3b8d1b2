import type { Flow } from '../../flow/schema.js';
import type { FlowFormat } from './types.js';
import {
  ZEEK_CONN_FIELDS,
  ZEEK_CONN_TYPES,
  ZeekUids,
  zeekHistory,
  zeekIpBytes,
  zeekLocal,
  zeekLogTime,
} from './zeek-common.js';

const UNSET = '-';
const EMPTY = '(empty)';

// biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
const NEEDS_ESCAPE = /[\x00-\x1f\x7f\\]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
const ESCAPED_CHARS = /[\x00-\x1f\x7f\\]/g;

/**
 * Zeek's ASCII escaping: the separator and non-printable bytes become \xNN, a backslash is
 * doubled, and a value that would read as unset or empty is escaped too.
 */
export function zeekEscape(value: string): string {
  if (value === '') return EMPTY;
  if (value === UNSET) return '\\x2d';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPED_CHARS, (c) =>
    c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** Services, states and histories repeat endlessly: escape each distinct value once. */
const escaped = new Map<string, string>();
function text(v: string | null): string {
  if (v === null) return UNSET;
  let e = escaped.get(v);
  if (e === undefined) {
    e = zeekEscape(v);
    if (escaped.size < 4096) escaped.set(v, e);
  }
  return e;
}
const count = (v: number | null): string => (v === null ? UNSET : String(v));
const seconds = (v: number | null): string => (v === null ? UNSET : v.toFixed(6));
const bool = (v: boolean): string => (v ? 'T' : 'F');

/** Zeek conn.log, TSV as Zeek's ASCII writer produces it (headers, `-` unset, #close trailer). */
export const zeekTsv: FlowFormat = {
  name: 'zeek',
  description: 'Zeek conn.log (tab-separated, #fields/#types headers)',
  extension: '.log',
  create(context) {
    const uids = new ZeekUids(context.seed);
    return {
      header() {
        return [
          '#separator \\x09',
          '#set_separator\t,',
          `#empty_field\t${EMPTY}`,
          `#unset_field\t${UNSET}`,
          '#path\tconn',
          `#open\t${zeekLogTime(context.window.start)}`,
          `#fields\t${ZEEK_CONN_FIELDS.join('\t')}`,
          `#types\t${ZEEK_CONN_TYPES.join('\t')}`,
          '',
        ].join('\n');
      },
      encode(f: Flow) {
        return `${f.ts.toFixed(6)}\t${uids.next()}\t${f.src}\t${count(f.sport)}\t${f.dst}\t${count(f.dport)}\t${text(
          f.proto,
        )}\t${text(f.service)}\t${seconds(f.duration)}\t${count(f.orig_bytes)}\t${count(f.resp_bytes)}\t${text(
          f.conn_state,
        )}\t${bool(zeekLocal(f.src))}\t${bool(zeekLocal(f.dst))}\t0\t${text(zeekHistory(f))}\t${count(
          f.orig_pkts,
        )}\t${count(zeekIpBytes(f, 'orig'))}\t${count(f.resp_pkts)}\t${count(zeekIpBytes(f, 'resp'))}\t${UNSET}\n`;
      },
      footer() {
        return `#close\t${zeekLogTime(context.window.end)}\n`;
      },
    };
  },
};
