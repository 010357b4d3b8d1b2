import type { Flow } from '../../flow/schema.js';
import { mix32 } from '../../math/random.js';
import type { ByteWriter } from './bytes.js';

/*
 * Small pieces the NetFlow, Argus, Suricata and VPC writers share. Like the Zeek writers, these
 * write the generator's payload byte counts where the real tools count IP or frame bytes, so a
 * round trip (generate → hunt) gives the same sizes whatever the format (docs/FORMATS.md).
 */

/**
 * "YYYY-MM-DD HH:MM:SS" (with `dateSep` between the date parts and `timeSep` between date and
 * time) of an epoch second, built once per distinct second: flows arrive in time order.
 */
export class SecondText {
  private second = Number.NaN;
  private text = '';

  constructor(
    private readonly dateSep: string,
    private readonly timeSep: string,
  ) {}

  of(second: number): string {
    if (second !== this.second) {
      this.second = second;
      const iso = new Date(second * 1000).toISOString(); // 2024-03-05T00:00:12.000Z
      this.text = `${iso.slice(0, 10).replaceAll('-', this.dateSep)}${this.timeSep}${iso.slice(11, 19)}`;
    }
    return this.text;
  }
}

/** `digits` decimals of the fractional part of `v` (0 ≤ frac < 1), zero-padded, after a '.'. */
export function fraction(out: ByteWriter, v: number, digits: number): void {
  const scale = 10 ** digits;
  let frac = Math.round((v - Math.floor(v)) * scale);
  if (frac >= scale) frac = scale - 1;
  out.byte(46);
  const text = String(frac);
  for (let i = text.length; i < digits; i++) out.byte(48);
  out.text(text);
}

/** A non-negative number with three decimals (nfdump's duration). */
export function fixed3(out: ByteWriter, v: number): void {
  const ms = Math.round(Math.max(0, v) * 1000);
  out.uint(Math.floor(ms / 1000));
  fraction(out, (ms % 1000) / 1000, 3);
}

/** Seconds and microseconds of a time, rounded once so the two parts agree. */
export function splitMicros(ts: number): { second: number; micros: number } {
  const total = Math.round(ts * 1e6);
  const second = Math.floor(total / 1e6);
  return { second, micros: total - second * 1e6 };
}

/** Six-digit microseconds. */
export function micros6(out: ByteWriter, micros: number): void {
  const text = String(micros);
  for (let i = text.length; i < 6; i++) out.byte(48);
  out.text(text);
}

/** Whether the server answered at all (a reverse record exists in unidirectional formats). */
export function answered(f: Flow): boolean {
  return (f.resp_pkts ?? 0) > 0 || (f.resp_bytes ?? 0) > 0;
}

/** TCP flags seen in each direction, nfdump style (8 characters, e.g. "...AP.SF"). */
export function tcpFlags(f: Flow, direction: 'fwd' | 'rev'): string {
  if (f.proto !== 'tcp') return '........';
  switch (f.conn_state) {
    case 'S0':
      return '......S.';
    case 'REJ':
      return direction === 'fwd' ? '......S.' : '...A.R..';
    case 'RSTO':
      return direction === 'fwd' ? '...APRS.' : '...AP.S.';
    case 'RSTR':
      return direction === 'fwd' ? '...AP.S.' : '...APRS.';
    default:
      return '...AP.SF';
  }
}

/** A deterministic 32-bit id from the seed and a counter (flow ids, interface ids). */
export function idOf(seed: number, n: number): number {
  return mix32(seed ^ mix32(n));
}

/** A stable 32-bit hash of a string (an interface id per host). */
export function hashText(seed: number, s: string): number {
  let h = mix32(seed);
  for (let i = 0; i < s.length; i++) h = mix32(h ^ s.charCodeAt(i));
  return h >>> 0;
}
