import type { Flow } from '../flow/schema.js';
import type { Rng } from '../math/random.js';

/** What stays fixed for one actor's flows: who talks to whom, on which port. */
export interface Endpoint {
  src: string;
  dst: string;
  dport: number;
  proto: 'tcp' | 'udp';
  /** Zeek's service guess for answered connections (ssl, http, dns, ntp …), null when unknown. */
  service: string | null;
  /** SNI / HTTP Host, where the client sent one. */
  host: string | null;
}

const TCP_MSS = 1448;

/** Segments needed to carry `bytes` of payload. */
function segments(bytes: number): number {
  return bytes > 0 ? Math.ceil(bytes / TCP_MSS) : 0;
}

/**
 * An answered TCP connection (SF, or torn down by a reset): handshake, data both ways with delayed
 * ACKs, FINs. Packet counts follow from the payload so that Zeek's *_ip_bytes stay consistent.
 */
export function tcpSession(
  ep: Endpoint,
  ts: number,
  sport: number,
  origBytes: number,
  respBytes: number,
  duration: number,
  state: 'SF' | 'RSTO' | 'RSTR' = 'SF',
): Flow {
  const od = segments(origBytes);
  const rd = segments(respBytes);
  const close = state === 'SF' ? 1 : 0;
  return {
    ts,
    duration,
    src: ep.src,
    sport,
    dst: ep.dst,
    dport: ep.dport,
    proto: 'tcp',
    orig_bytes: origBytes,
    resp_bytes: respBytes,
    orig_pkts: 2 + od + Math.ceil(rd / 2) + close + (state === 'RSTO' ? 1 : 0),
    resp_pkts: 1 + rd + Math.ceil(od / 2) + close + (state === 'RSTR' ? 1 : 0),
    conn_state: state,
    service: ep.service,
    host: ep.host,
    sensor: null,
  };
}

/** SYN answered by RST: a closed port or a C2 server that is down. */
export function tcpRejected(ep: Endpoint, ts: number, sport: number, rtt: number): Flow {
  return {
    ts,
    duration: rtt,
    src: ep.src,
    sport,
    dst: ep.dst,
    dport: ep.dport,
    proto: 'tcp',
    orig_bytes: 0,
    resp_bytes: 0,
    orig_pkts: 1,
    resp_pkts: 1,
    conn_state: 'REJ',
    service: null,
    host: null,
    sensor: null,
  };
}

/**
 * Unanswered SYNs. Zeek leaves duration and byte counts unset for a lone SYN and reports the
 * retransmission time span otherwise (SYN retries after ~3 s and ~9 s).
 */
export function tcpUnanswered(ep: Endpoint, ts: number, sport: number, syns: number, rng: Rng): Flow {
  const lone = syns <= 1;
  return {
    ts,
    duration: lone ? null : micros((syns === 2 ? 3 : 9) + rng.uniform(0, 0.02)),
    src: ep.src,
    sport,
    dst: ep.dst,
    dport: ep.dport,
    proto: 'tcp',
    orig_bytes: lone ? null : 0,
    resp_bytes: lone ? null : 0,
    orig_pkts: syns,
    resp_pkts: 0,
    conn_state: 'S0',
    service: null,
    host: null,
    sensor: null,
  };
}

/** One UDP request/response exchange (DNS, NTP). `respBytes` null means no answer came back. */
export function udpExchange(
  ep: Endpoint,
  ts: number,
  sport: number,
  origBytes: number,
  respBytes: number | null,
  duration: number,
): Flow {
  const answered = respBytes !== null;
  return {
    ts,
    duration: answered ? duration : null,
    src: ep.src,
    sport,
    dst: ep.dst,
    dport: ep.dport,
    proto: 'udp',
    orig_bytes: answered ? origBytes : null,
    resp_bytes: respBytes,
    orig_pkts: 1,
    resp_pkts: answered ? 1 : 0,
    conn_state: answered ? 'SF' : 'S0',
    service: answered ? ep.service : null,
    host: null,
    sensor: null,
  };
}

/** Client operating systems differ in how they pick ephemeral ports. */
export type ClientOs = 'windows' | 'linux' | 'macos';

/**
 * Ephemeral source ports: Windows walks 49152–65535 sequentially (other connections of the host
 * advance the counter too), Linux picks from 32768–60999 at random, macOS from 49152–65535.
 */
export class SourcePorts {
  private next: number;

  constructor(
    private readonly os: ClientOs,
    private readonly rng: Rng,
  ) {
    this.next = rng.int(49152, 65535);
  }

  take(): number {
    if (this.os === 'windows') {
      this.next += this.rng.int(1, 6);
      if (this.next > 65535) this.next = 49152 + (this.next - 65536);
      return this.next;
    }
    return this.os === 'linux' ? this.rng.int(32768, 60999) : this.rng.int(49152, 65535);
  }
}

/** Round-trip time of a connection: LAN-fast to the far side of the planet. */
export function roundTrip(rng: Rng, internal: boolean): number {
  return internal ? rng.uniform(0.0002, 0.002) : Math.min(0.6, rng.logNormal(0.035, 0.6));
}

/** Rounds to Zeek's microsecond resolution, so every writer prints the same instant. */
export function micros(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
