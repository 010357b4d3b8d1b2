import type { Flow } from '../../flow/schema.js';
import { mix32 } from '../../math/random.js';
import { isInternal } from '../net.js';

/** Zeek conn.log columns, in Zeek's order, and their Zeek types. */
export const ZEEK_CONN_FIELDS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'service',
  'duration',
  'orig_bytes',
  'resp_bytes',
  'conn_state',
  'local_orig',
  'local_resp',
  'missed_bytes',
  'history',
  'orig_pkts',
  'orig_ip_bytes',
  'resp_pkts',
  'resp_ip_bytes',
  'tunnel_parents',
] as const;

export const ZEEK_CONN_TYPES = [
  'time',
  'string',
  'addr',
  'port',
  'addr',
  'port',
  'enum',
  'string',
  'interval',
  'count',
  'count',
  'string',
  'bool',
  'bool',
  'count',
  'string',
  'count',
  'count',
  'count',
  'count',
  'set[string]',
] as const;

/**
 * Zeek's connection history letters, reconstructed from the state and the payload (upper case:
 * originator; S syn, h syn-ack, A ack, D/d data, F/f fin, R/r reset).
 */
export function zeekHistory(f: Flow): string | null {
  const od = (f.orig_bytes ?? 0) > 0;
  const rd = (f.resp_bytes ?? 0) > 0;
  if (f.proto === 'udp') {
    if (f.conn_state === 'S0') return 'D';
    if (f.conn_state === 'SF') return rd ? 'Dd' : 'D';
    return null;
  }
  if (f.proto !== 'tcp' || f.conn_state === null) return null;
  const forms = TCP_HISTORY[f.conn_state];
  return forms ? (forms[(od ? 1 : 0) + (rd ? 2 : 0)] as string) : null;
}

/** TCP histories by state, indexed by (orig sent data) + 2 × (resp sent data); built once. */
const TCP_HISTORY: Record<string, readonly string[]> = (() => {
  const data = ['', 'D', 'ad', 'Dad'];
  return {
    S0: data.map(() => 'S'),
    REJ: data.map(() => 'Sr'),
    SF: data.map((d) => `ShA${d}Ff`),
    RSTO: data.map((d) => `ShA${d}R`),
    RSTR: data.map((d) => `ShA${d}r`),
  };
})();

/** IP + transport header bytes per packet (TCP with the timestamp option). */
function headerBytes(f: Flow, address: string): number {
  const ip = address.includes(':') ? 40 : 20;
  return ip + (f.proto === 'tcp' ? 32 : f.proto === 'udp' ? 8 : 8);
}

/** orig_ip_bytes / resp_ip_bytes: payload plus per-packet headers, as Zeek counts them. */
export function zeekIpBytes(f: Flow, direction: 'orig' | 'resp'): number | null {
  const pkts = direction === 'orig' ? f.orig_pkts : f.resp_pkts;
  if (pkts === null) return null;
  const payload = (direction === 'orig' ? f.orig_bytes : f.resp_bytes) ?? 0;
  return payload + pkts * headerBytes(f, f.src);
}

/** Zeek's local_orig / local_resp, as with Site::local_nets set to the private ranges. */
export function zeekLocal(address: string): boolean {
  return isInternal(address);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** All 3 844 two-digit base-62 strings: a uid is built from 9 lookups instead of 17 appends. */
const PAIRS = Array.from({ length: 62 * 62 }, (_, i) => `${BASE62[Math.floor(i / 62)]}${BASE62[i % 62]}`);

/** Six base-62 digits of a 32-bit word (62^6 > 2^32), as three two-digit lookups. */
function digits6(word: number): string {
  const lo = word % 3844;
  const rest = Math.floor(word / 3844);
  return (PAIRS[lo] as string) + (PAIRS[rest % 3844] as string) + (PAIRS[Math.floor(rest / 3844)] as string);
}

/**
 * Zeek-shaped connection uids ("C" + 17 base-62 characters), a hash of (seed, sequence number):
 * unique per file and identical for identical runs.
 */
export class ZeekUids {
  private n = 0;

  constructor(private readonly seed: number) {}

  next(): string {
    this.n++;
    const a = mix32(this.seed ^ mix32(this.n));
    const b = mix32(a + 0x9e3779b9);
    const c = mix32(b ^ Math.imul(this.n, 0x85ebca6b));
    return `C${digits6(a)}${digits6(b)}${digits6(c).slice(1)}`;
  }
}

/** Zeek's "%Y-%m-%d-%H-%M-%S" used on #open / #close. */
export function zeekLogTime(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds) * 1000)
    .toISOString()
    .slice(0, 19)
    .replace('T', '-')
    .replace(/:/g, '-');
}
