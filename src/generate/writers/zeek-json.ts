import type { Flow } from '../../flow/schema.js';
import type { ByteWriter } from './bytes.js';
import type { FlowFormat } from './types.js';
import { ZeekUids, zeekHistory, zeekIpBytes, zeekLocal } from './zeek-common.js';

/** A JSON string; plain printable ASCII (every address, service, state) skips JSON.stringify. */
function jsonString(out: ByteWriter, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 34 || c === 92) {
      out.text(JSON.stringify(s));
      return;
    }
  }
  out.byte(34);
  out.text(s);
  out.byte(34);
}

/**
 * Zeek conn.log as JSON lines (LogAscii::use_json=T): the same field names, epoch `ts`, and unset
 * fields left out rather than written as null. Times keep Zeek's microseconds.
 */
export const zeekJson: FlowFormat = {
  name: 'zeek-json',
  description: 'Zeek conn.log as JSON lines (epoch ts)',
  extension: '.log',
  create(context) {
    const uids = new ZeekUids(context.seed);
    return {
      header: () => '',
      footer: () => '',
      write(f: Flow, out: ByteWriter) {
        out.text('{"ts":');
        out.fixed6(f.ts);
        out.text(',"uid":"');
        out.text(uids.next());
        out.text('","id.orig_h":');
        jsonString(out, f.src);
        if (f.sport !== null) {
          out.text(',"id.orig_p":');
          out.uint(f.sport);
        }
        out.text(',"id.resp_h":');
        jsonString(out, f.dst);
        if (f.dport !== null) {
          out.text(',"id.resp_p":');
          out.uint(f.dport);
        }
        if (f.proto !== null) {
          out.text(',"proto":');
          jsonString(out, f.proto);
        }
        if (f.service !== null) {
          out.text(',"service":');
          jsonString(out, f.service);
        }
        if (f.duration !== null) {
          out.text(',"duration":');
          out.fixed6(f.duration);
        }
        if (f.orig_bytes !== null) {
          out.text(',"orig_bytes":');
          out.uint(f.orig_bytes);
        }
        if (f.resp_bytes !== null) {
          out.text(',"resp_bytes":');
          out.uint(f.resp_bytes);
        }
        if (f.conn_state !== null) {
          out.text(',"conn_state":');
          jsonString(out, f.conn_state);
        }
        out.text(zeekLocal(f.src) ? ',"local_orig":true' : ',"local_orig":false');
        out.text(zeekLocal(f.dst) ? ',"local_resp":true' : ',"local_resp":false');
        out.text(',"missed_bytes":0');
        const history = zeekHistory(f);
        if (history !== null) {
          out.text(',"history":');
          jsonString(out, history);
        }
        if (f.orig_pkts !== null) {
          out.text(',"orig_pkts":');
          out.uint(f.orig_pkts);
          out.text(',"orig_ip_bytes":');
          out.uint(zeekIpBytes(f, 'orig') as number);
        }
        if (f.resp_pkts !== null) {
          out.text(',"resp_pkts":');
          out.uint(f.resp_pkts);
          out.text(',"resp_ip_bytes":');
          out.uint(zeekIpBytes(f, 'resp') as number);
        }
        out.text('}\n');
      },
    };
  },
};
