import type { Flow } from '../../flow/schema.js';
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
  if (!/[",\r\n]/.test(value) && value.trim() === value) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

const opt = (v: number | string | null): string => (v === null ? '' : csvField(String(v)));

/** Splunk's export of _time: ISO 8601, milliseconds, explicit +00:00 offset. */
export function splunkTime(epochSeconds: number): string {
  return new Date(Math.round(epochSeconds * 1000)).toISOString().replace('Z', '+00:00');
}

/** A Splunk Stream stream:tcp / stream:udp search exported as CSV. */
export const splunkCsv: FlowFormat = {
  name: 'splunk-csv',
  description: 'Splunk Stream stream:tcp/stream:udp export (CSV)',
  extension: '.csv',
  create() {
    return {
      header: () => `${SPLUNK_STREAM_COLUMNS.join(',')}\n`,
      footer: () => '',
      encode(f: Flow) {
        const sourcetype = f.proto === 'tcp' || f.proto === 'udp' ? `stream:${f.proto}` : 'stream:ip';
        const taken = f.duration === null ? '' : String(Math.round(f.duration * 1e6));
        return `${splunkTime(f.ts)},${sourcetype},${csvField(f.src)},${opt(f.sport)},${csvField(f.dst)},${opt(
          f.dport,
        )},${opt(f.proto)},${opt(f.service)},${opt(f.orig_bytes)},${opt(f.resp_bytes)},${opt(f.orig_pkts)},${opt(
          f.resp_pkts,
        )},${taken}\n`;
      },
    };
  },
};
