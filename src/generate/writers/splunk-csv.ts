import type { Flow } from '../../flow/schema.js';
import type { ByteWriter } from './bytes.js';
import type { FlowFormat } from './types.js';

/**
 * Splunk Stream columns. Directions follow Splunk Stream: `bytes_in`/`packets_in` are client→server
 * (canonical orig_*), `bytes_out`/`packets_out` server→client (resp_*); the seed's `bytes_out` is
 * therefore the response size. `app` is Stream's protocol guess (Zeek's service).
 */
export const SPLUNK_STREAM_COLUMNS = [
  '_time',
  'sourcetype',
  'src_ip',
  'src_port',
  'dest_ip',
  'dest_port',
  'transport',
  'app',
  'bytes_in',
  'bytes_out',
  'packets_in',
  'packets_out',
  'time_taken',
] as const;

/** RFC 4180: quote a field only when it holds a comma, quote, line break or edge space. */
export function csvField(value: string): string {
  let plain = value.length === 0 || (value.charCodeAt(0) !== 32 && value.charCodeAt(value.length - 1) !== 32);
  for (let i = 0; plain && i < value.length; i++) {
    const c = value.charCodeAt(i);
    plain = c !== 44 && c !== 34 && c !== 10 && c !== 13;
  }
  return plain ? value : `"${value.replace(/"/g, '""')}"`;
}

const COMMA = 44;

function field(out: ByteWriter, v: number | string | null): void {
  if (v === null) return; // empty field
  if (typeof v === 'number') out.uint(v);
  else out.text(csvField(v));
}

/** A Splunk Stream stream:tcp / stream:udp search exported as CSV. */
export const splunkCsv: FlowFormat = {
  name: 'splunk-csv',
  description: 'Splunk Stream stream:tcp/stream:udp export (CSV)',
  extension: '.csv',
  create() {
    // Flows arrive in time order, so the "YYYY-MM-DDTHH:MM:SS" part repeats; build it once a second.
    let second = Number.NaN;
    let prefix = '';
    return {
      header: () => `${SPLUNK_STREAM_COLUMNS.join(',')}\n`,
      footer: () => '',
      write(f: Flow, out: ByteWriter) {
        const ms = Math.round(f.ts * 1000);
        const s = Math.floor(ms / 1000);
        if (s !== second) {
          second = s;
          prefix = new Date(s * 1000).toISOString().slice(0, 19);
        }
        const frac = ms - s * 1000;
        out.text(prefix);
        out.byte(46);
        out.byte(48 + Math.floor(frac / 100));
        out.byte(48 + (Math.floor(frac / 10) % 10));
        out.byte(48 + (frac % 10));
        out.text(
          f.proto === 'tcp'
            ? '+00:00,stream:tcp,'
            : f.proto === 'udp'
              ? '+00:00,stream:udp,'
              : '+00:00,stream:ip,',
        );
        field(out, f.src);
        out.byte(COMMA);
        field(out, f.sport);
        out.byte(COMMA);
        field(out, f.dst);
        out.byte(COMMA);
        field(out, f.dport);
        out.byte(COMMA);
        field(out, f.proto);
        out.byte(COMMA);
        field(out, f.service);
        out.byte(COMMA);
        field(out, f.orig_bytes);
        out.byte(COMMA);
        field(out, f.resp_bytes);
        out.byte(COMMA);
        field(out, f.orig_pkts);
        out.byte(COMMA);
        field(out, f.resp_pkts);
        out.byte(COMMA);
        if (f.duration !== null) out.uint(Math.round(f.duration * 1e6)); // time_taken, microseconds
        out.byte(10);
      },
    };
  },
};
