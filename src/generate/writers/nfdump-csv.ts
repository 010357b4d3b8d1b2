import type { Flow } from '../../flow/schema.js';
import type { ByteWriter } from './bytes.js';
import { answered, fixed3, SecondText, tcpFlags } from './flow-text.js';
import type { FlowFormat } from './types.js';

/** nfdump 1.7's `-o csv` columns (48). */
export const NFDUMP_CSV_COLUMNS = [
  'ts',
  'te',
  'td',
  'sa',
  'da',
  'sp',
  'dp',
  'pr',
  'flg',
  'fwd',
  'stos',
  'ipkt',
  'ibyt',
  'opkt',
  'obyt',
  'in',
  'out',
  'sas',
  'das',
  'smk',
  'dmk',
  'dtos',
  'dir',
  'nh',
  'nhb',
  'svln',
  'dvln',
  'ismc',
  'odmc',
  'idmc',
  'osmc',
  'mpls1',
  'mpls2',
  'mpls3',
  'mpls4',
  'mpls5',
  'mpls6',
  'mpls7',
  'mpls8',
  'mpls9',
  'mpls10',
  'cl',
  'sl',
  'al',
  'ra',
  'eng',
  'exid',
  'tr',
] as const;

/** Everything after `obyt` that this exporter leaves at nfdump's defaults. */
const TAIL =
  ',0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,' +
  '0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,127.0.0.1,0/0,0,1970-01-01 00:00:00.000\n';

const PROTO_NAME: Record<string, string> = { tcp: 'TCP', udp: 'UDP', icmp: 'ICMP' };

/**
 * NetFlow as `nfdump -o csv` 1.7 prints it: unidirectional records, so each connection is one
 * record src → dst and, when the server answered, one record dst → src; whole-second ts/te; the
 * 3-line Summary trailer. ibyt holds payload bytes (real NetFlow counts IP bytes): see FORMATS.md.
 */
export const nfdumpCsv: FlowFormat = {
  name: 'nfdump',
  description: 'NetFlow: nfdump -o csv (1.7 layout, unidirectional records, Summary trailer)',
  extension: '.csv',
  create(context) {
    const seconds = new SecondText('-', ' ');
    const totals = { flows: 0, bytes: 0, packets: 0 };
    const record = (out: ByteWriter, f: Flow, dir: 'fwd' | 'rev') => {
      const start = Math.floor(f.ts);
      const end = Math.floor(f.ts + (f.duration ?? 0));
      const pkts = (dir === 'fwd' ? f.orig_pkts : f.resp_pkts) ?? 0;
      const bytes = (dir === 'fwd' ? f.orig_bytes : f.resp_bytes) ?? 0;
      totals.flows++;
      totals.packets += pkts;
      totals.bytes += bytes;
      out.text(seconds.of(start));
      out.byte(44);
      out.text(seconds.of(end));
      out.byte(44);
      fixed3(out, f.duration ?? 0);
      out.byte(44);
      out.text(dir === 'fwd' ? f.src : f.dst);
      out.byte(44);
      out.text(dir === 'fwd' ? f.dst : f.src);
      out.byte(44);
      out.uint((dir === 'fwd' ? f.sport : f.dport) ?? 0);
      out.byte(44);
      out.uint((dir === 'fwd' ? f.dport : f.sport) ?? 0);
      out.byte(44);
      out.text(PROTO_NAME[f.proto ?? ''] ?? (f.proto ?? '0').toUpperCase());
      out.byte(44);
      out.text(tcpFlags(f, dir));
      out.text(',0,0,');
      out.uint(pkts);
      out.byte(44);
      out.uint(bytes);
      out.text(',0,0');
      out.text(TAIL);
    };
    return {
      header: () => `${NFDUMP_CSV_COLUMNS.join(',')}\n`,
      write(f: Flow, out: ByteWriter) {
        record(out, f, 'fwd');
        if (answered(f)) record(out, f, 'rev');
      },
      footer() {
        const span = Math.max(1, context.window.end - context.window.start);
        const bps = Math.round((totals.bytes * 8) / span);
        const pps = Math.round(totals.packets / span);
        const bpp = totals.packets ? Math.floor(totals.bytes / totals.packets) : 0;
        return `Summary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n${totals.flows},${totals.bytes},${totals.packets},${bps},${pps},${bpp}\n`;
      },
    };
  },
};
