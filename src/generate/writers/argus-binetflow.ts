import type { Flow } from '../../flow/schema.js';
import type { ByteWriter } from './bytes.js';
import { micros6, SecondText, splitMicros } from './flow-text.js';
import type { FlowFormat } from './types.js';

export const BINETFLOW_COLUMNS = [
  'StartTime',
  'Dur',
  'Proto',
  'SrcAddr',
  'Sport',
  'Dir',
  'DstAddr',
  'Dport',
  'State',
  'sTos',
  'dTos',
  'TotPkts',
  'TotBytes',
  'SrcBytes',
  'SrcPkts',
  'Label',
] as const;

/** Argus-style state names for Zeek's connection states (TCP flags seen per side; UDP CON/INT). */
function argusState(f: Flow): string {
  if (f.proto === 'udp') return f.conn_state === 'S0' ? 'INT' : 'CON';
  switch (f.conn_state) {
    case 'S0':
      return 'S_';
    case 'REJ':
      return 'S_RA';
    case 'RSTO':
      return 'SRPA_SPA';
    case 'RSTR':
      return 'SPA_SRPA';
    default:
      return 'FSPA_FSPA';
  }
}

/** ICMP "ports" as Argus prints them: hex. */
function port(out: ByteWriter, f: Flow, p: number | null): void {
  if (p === null) return;
  if (f.proto === 'icmp') out.text(`0x${p.toString(16).padStart(4, '0')}`);
  else out.uint(p);
}

/**
 * CTU-13 / Stratosphere `.binetflow` (Argus ra CSV): StartTime "YYYY/MM/DD HH:MM:SS.ffffff" in
 * UTC without a zone, space-padded Dir, TotBytes/SrcBytes (payload bytes here; Argus counts frame
 * bytes), an empty Label.
 */
export const argusBinetflow: FlowFormat = {
  name: 'argus',
  description: 'Argus / CTU-13 binetflow (ra CSV with Label column)',
  extension: '.binetflow',
  create() {
    const seconds = new SecondText('/', ' ');
    return {
      header: () => `${BINETFLOW_COLUMNS.join(',')}\n`,
      write(f: Flow, out: ByteWriter) {
        const { second, micros } = splitMicros(f.ts);
        out.text(seconds.of(second));
        out.byte(46);
        micros6(out, micros);
        out.byte(44);
        out.fixed6(f.duration ?? 0);
        out.byte(44);
        out.text(f.proto ?? '');
        out.byte(44);
        out.text(f.src);
        out.byte(44);
        port(out, f, f.sport);
        out.text((f.resp_pkts ?? 0) > 0 ? ',  <->,' : ',   ->,');
        out.text(f.dst);
        out.byte(44);
        port(out, f, f.dport);
        out.byte(44);
        out.text(argusState(f));
        out.text(',0,0,');
        const op = f.orig_pkts ?? 0;
        const ob = f.orig_bytes ?? 0;
        out.uint(op + (f.resp_pkts ?? 0));
        out.byte(44);
        out.uint(ob + (f.resp_bytes ?? 0));
        out.byte(44);
        out.uint(ob);
        out.byte(44);
        out.uint(op);
        out.text(',\n');
      },
      footer: () => '',
    };
  },
};
