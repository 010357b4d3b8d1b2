import type { Flow } from '../../flow/schema.js';
import type { ByteWriter } from './bytes.js';
import { idOf, micros6, SecondText, splitMicros } from './flow-text.js';
import type { FlowFormat } from './types.js';

const PROTO: Record<string, string> = { tcp: 'TCP', udp: 'UDP', icmp: 'ICMP' };

/** Suricata's flow.state: closed after FIN/RST, new when only one side spoke. */
function flowState(f: Flow): string {
  if (f.conn_state === 'S0') return 'new';
  if (f.proto === 'udp') return 'established';
  return 'closed';
}

/**
 * Suricata EVE JSON, `event_type: "flow"` only: one bidirectional record per connection with
 * flow.start/end (µs, +0000), bytes/pkts toserver/toclient (payload bytes here; Suricata counts
 * whole packets) and `timestamp` = the end, when Suricata would log it.
 */
export const suricataEve: FlowFormat = {
  name: 'suricata',
  description: 'Suricata EVE JSON, flow events',
  extension: '.json',
  create(context) {
    const seconds = new SecondText('-', 'T');
    let n = 0;
    const time = (out: ByteWriter, ts: number) => {
      const { second, micros } = splitMicros(ts);
      out.byte(34);
      out.text(seconds.of(second));
      out.byte(46);
      micros6(out, micros);
      out.text('+0000"');
    };
    return {
      header: () => '',
      write(f: Flow, out: ByteWriter) {
        const end = f.ts + (f.duration ?? 0);
        out.text('{"timestamp":');
        time(out, end);
        out.text(',"flow_id":');
        out.uint((idOf(context.seed, ++n) >>> 0) * 1024 + (n % 1024));
        out.text(',"event_type":"flow","src_ip":"');
        out.text(f.src);
        out.byte(34);
        if (f.sport !== null) {
          out.text(',"src_port":');
          out.uint(f.sport);
        }
        out.text(',"dest_ip":"');
        out.text(f.dst);
        out.byte(34);
        if (f.dport !== null) {
          out.text(',"dest_port":');
          out.uint(f.dport);
        }
        out.text(',"proto":"');
        out.text(PROTO[f.proto ?? ''] ?? String(f.proto ?? ''));
        out.byte(34);
        if (f.service !== null && /^[a-z0-9_-]+$/.test(f.service)) {
          out.text(',"app_proto":"');
          out.text(f.service);
          out.byte(34);
        }
        out.text(',"flow":{"pkts_toserver":');
        out.uint(f.orig_pkts ?? 0);
        out.text(',"pkts_toclient":');
        out.uint(f.resp_pkts ?? 0);
        out.text(',"bytes_toserver":');
        out.uint(f.orig_bytes ?? 0);
        out.text(',"bytes_toclient":');
        out.uint(f.resp_bytes ?? 0);
        out.text(',"start":');
        time(out, f.ts);
        out.text(',"end":');
        time(out, end);
        out.text(',"age":');
        out.uint(Math.floor(end) - Math.floor(f.ts));
        out.text(',"state":"');
        out.text(flowState(f));
        out.text('","reason":"timeout","alerted":false}}\n');
      },
      footer: () => '',
    };
  },
};
