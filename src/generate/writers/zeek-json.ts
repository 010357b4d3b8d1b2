import type { Flow } from '../../flow/schema.js';
import type { FlowFormat } from './types.js';
import { ZeekUids, zeekHistory, zeekIpBytes, zeekLocal } from './zeek-common.js';

/**
 * Zeek conn.log as JSON lines (LogAscii::use_json=T): the same field names, epoch `ts`, and unset
 * fields left out rather than written as null. Numbers are written as Zeek does, microseconds.
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
      encode(f: Flow) {
        // Built by hand, not JSON.stringify: ts/duration keep exactly six decimals like Zeek's
        // writer, and field order is fixed.
        let line = `{"ts":${f.ts.toFixed(6)},"uid":"${uids.next()}","id.orig_h":${JSON.stringify(f.src)}`;
        if (f.sport !== null) line += `,"id.orig_p":${f.sport}`;
        line += `,"id.resp_h":${JSON.stringify(f.dst)}`;
        if (f.dport !== null) line += `,"id.resp_p":${f.dport}`;
        if (f.proto !== null) line += `,"proto":${JSON.stringify(f.proto)}`;
        if (f.service !== null) line += `,"service":${JSON.stringify(f.service)}`;
        if (f.duration !== null) line += `,"duration":${f.duration.toFixed(6)}`;
        if (f.orig_bytes !== null) line += `,"orig_bytes":${f.orig_bytes}`;
        if (f.resp_bytes !== null) line += `,"resp_bytes":${f.resp_bytes}`;
        if (f.conn_state !== null) line += `,"conn_state":${JSON.stringify(f.conn_state)}`;
        line += `,"local_orig":${zeekLocal(f.src)},"local_resp":${zeekLocal(f.dst)},"missed_bytes":0`;
        const history = zeekHistory(f);
        if (history !== null) line += `,"history":"${history}"`;
        const origIp = zeekIpBytes(f, 'orig');
        const respIp = zeekIpBytes(f, 'resp');
        if (f.orig_pkts !== null) line += `,"orig_pkts":${f.orig_pkts},"orig_ip_bytes":${origIp}`;
        if (f.resp_pkts !== null) line += `,"resp_pkts":${f.resp_pkts},"resp_ip_bytes":${respIp}`;
        return `${line}}\n`;
      },
    };
  },
};
