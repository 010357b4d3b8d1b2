import type { Flow } from '../../flow/schema.js';
import type { ByteWriter } from './bytes.js';
import { answered, hashText } from './flow-text.js';
import type { FlowFormat } from './types.js';

const PROTO_NUMBER: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };
const ACCOUNT = '123456789012';

/**
 * AWS VPC Flow Logs, default version-2 format with its S3 header line: one record per direction
 * (src → dst, and dst → src when the server answered), whole-second start/end, protocol numbers,
 * ACCEPT/OK. One record per connection (real logs aggregate a 5-tuple over 1–10 min windows).
 * Bytes are payload bytes here; AWS counts IP bytes.
 */
export const vpcFlowLogs: FlowFormat = {
  name: 'vpc',
  description: 'AWS VPC Flow Logs, default v2 format with header (unidirectional records)',
  extension: '.log',
  create(context) {
    const interfaces = new Map<string, string>();
    const eni = (host: string) => {
      let id = interfaces.get(host);
      if (id === undefined) {
        id = `eni-${hashText(context.seed, host).toString(16).padStart(8, '0')}${hashText(
          context.seed + 1,
          host,
        )
          .toString(16)
          .padStart(8, '0')
          .slice(0, 9)}`;
        if (interfaces.size < 100_000) interfaces.set(host, id);
      }
      return id;
    };
    const record = (out: ByteWriter, f: Flow, dir: 'fwd' | 'rev') => {
      const start = Math.floor(f.ts);
      out.text('2 ');
      out.text(ACCOUNT);
      out.byte(32);
      out.text(eni(f.src)); // the client's interface sees both directions
      out.byte(32);
      out.text(dir === 'fwd' ? f.src : f.dst);
      out.byte(32);
      out.text(dir === 'fwd' ? f.dst : f.src);
      out.byte(32);
      const sp = dir === 'fwd' ? f.sport : f.dport;
      const dp = dir === 'fwd' ? f.dport : f.sport;
      if (sp === null) out.byte(45);
      else out.uint(sp);
      out.byte(32);
      if (dp === null) out.byte(45);
      else out.uint(dp);
      out.byte(32);
      out.uint(PROTO_NUMBER[f.proto ?? ''] ?? 0);
      out.byte(32);
      out.uint((dir === 'fwd' ? f.orig_pkts : f.resp_pkts) ?? 0);
      out.byte(32);
      out.uint((dir === 'fwd' ? f.orig_bytes : f.resp_bytes) ?? 0);
      out.byte(32);
      out.uint(start);
      out.byte(32);
      out.uint(Math.max(start, Math.floor(f.ts + (f.duration ?? 0))));
      out.text(' ACCEPT OK\n');
    };
    return {
      header: () =>
        'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n',
      write(f: Flow, out: ByteWriter) {
        record(out, f, 'fwd');
        if (answered(f)) record(out, f, 'rev');
      },
      footer: () => '',
    };
  },
};
