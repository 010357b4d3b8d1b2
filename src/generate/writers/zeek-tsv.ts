import type { Flow } from '../../flow/schema.js';
import type { ByteWriter } from './bytes.js';
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
const TAB = 9;
const DASH = 45;

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
function text(out: ByteWriter, v: string | null): void {
  if (v === null) {
    out.byte(DASH);
    return;
  }
  let e = escaped.get(v);
  if (e === undefined) {
    e = zeekEscape(v);
    if (escaped.size < 4096) escaped.set(v, e);
  }
  out.text(e);
}

function count(out: ByteWriter, v: number | null): void {
  if (v === null) out.byte(DASH);
  else out.uint(v);
}

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
      write(f: Flow, out: ByteWriter) {
        out.fixed6(f.ts);
        out.byte(TAB);
        out.text(uids.next());
        out.byte(TAB);
        out.text(f.src); // addresses never need escaping
        out.byte(TAB);
        count(out, f.sport);
        out.byte(TAB);
        out.text(f.dst);
        out.byte(TAB);
        count(out, f.dport);
        out.byte(TAB);
        text(out, f.proto);
        out.byte(TAB);
        text(out, f.service);
        out.byte(TAB);
        if (f.duration === null) out.byte(DASH);
        else out.fixed6(f.duration);
        out.byte(TAB);
        count(out, f.orig_bytes);
        out.byte(TAB);
        count(out, f.resp_bytes);
        out.byte(TAB);
        text(out, f.conn_state);
        out.byte(TAB);
        out.byte(zeekLocal(f.src) ? 84 : 70); // T / F
        out.byte(TAB);
        out.byte(zeekLocal(f.dst) ? 84 : 70);
        out.byte(TAB);
        out.byte(48); // missed_bytes 0
        out.byte(TAB);
        text(out, zeekHistory(f));
        out.byte(TAB);
        count(out, f.orig_pkts);
        out.byte(TAB);
        count(out, zeekIpBytes(f, 'orig'));
        out.byte(TAB);
        count(out, f.resp_pkts);
        out.byte(TAB);
        count(out, zeekIpBytes(f, 'resp'));
        out.byte(TAB);
        out.byte(DASH); // tunnel_parents
        out.byte(10);
      },
      footer() {
        return `#close\t${zeekLogTime(context.window.end)}\n`;
      },
    };
  },
};
