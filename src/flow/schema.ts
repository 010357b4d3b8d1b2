/**
 * The canonical flow row every reader produces and every engine stores.
 *
 * Directions are named by who sent the bytes, never "in/out": `src` is the client/originator,
 * `dst` the server/responder; `orig_bytes` flowed src→dst, `resp_bytes` dst→src. Splunk Stream's
 * `bytes_in` is client→server (orig) and `bytes_out` server→client (resp).
 */
export interface Flow {
  /** Start time, epoch seconds (fractional). */
  ts: number;
  /** Seconds; null when the source does not say. */
  duration: number | null;
  src: string;
  sport: number | null;
  dst: string;
  dport: number | null;
  /** Lower-case transport name: tcp, udp, icmp, ... */
  proto: string | null;
  orig_bytes: number | null;
  resp_bytes: number | null;
  orig_pkts: number | null;
  resp_pkts: number | null;
  /** Packets both ways, where the format gives only the total (Argus TotPkts without SrcPkts). */
  pkts?: number | null;
  /** Zeek conn_state (REJ, S0, SF, ...) or the format's equivalent. */
  conn_state: string | null;
  service: string | null;
  /** SNI, HTTP Host or FQDN of the server, where the format has one. */
  host: string | null;
  sensor: string | null;
  /**
   * Zeek's `local_orig`/`local_resp`: whether the sensor's Site::local_nets holds the originator /
   * responder. Absent or null when the format does not say.
   */
  local_orig?: boolean | null;
  local_resp?: boolean | null;
}

export const CANONICAL_FIELDS = [
  'ts',
  'duration',
  'src',
  'sport',
  'dst',
  'dport',
  'proto',
  'orig_bytes',
  'resp_bytes',
  'orig_pkts',
  'resp_pkts',
  'pkts',
  'conn_state',
  'service',
  'host',
  'sensor',
  'local_orig',
  'local_resp',
] as const satisfies readonly (keyof Flow)[];

export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** How a raw text value is turned into the canonical value (and validated). */
export type FieldKind =
  /** epoch seconds or ISO 8601 text */
  | 'time'
  /** non-negative seconds */
  | 'seconds'
  /** IPv4 or IPv6 address */
  | 'address'
  /** 0..65535 */
  | 'port'
  /** non-negative integer count (bytes, packets) */
  | 'count'
  /** free text, lower-cased (protocol names) */
  | 'lowertext'
  /** free text */
  | 'text'
  /** true/false: Zeek's T/F, JSON's true/false */
  | 'flag';

export const FIELD_KINDS: Record<CanonicalField, FieldKind> = {
  ts: 'time',
  duration: 'seconds',
  src: 'address',
  sport: 'port',
  dst: 'address',
  dport: 'port',
  proto: 'lowertext',
  orig_bytes: 'count',
  resp_bytes: 'count',
  orig_pkts: 'count',
  resp_pkts: 'count',
  pkts: 'count',
  conn_state: 'text',
  service: 'text',
  host: 'text',
  sensor: 'text',
  local_orig: 'flag',
  local_resp: 'flag',
};

/** Fields without which a row cannot be used. */
export const REQUIRED_FIELDS: readonly CanonicalField[] = ['ts', 'src', 'dst'];

/** Reasons a data row is skipped; counted per file and in the summary. */
export const SKIP_REASONS = {
  malformedLine: 'malformed line',
  missingField: 'missing field',
  badTimestamp: 'bad timestamp',
  implausibleTime: 'implausible time',
  badAddress: 'bad address',
  badPort: 'bad port',
  badNumber: 'bad number',
  badFlag: 'bad flag',
  badJson: 'invalid json',
  nonFlowEvent: 'non-flow event',
  /** An open_conn row of a connection logged again later (a later snapshot, or conn.log at its end). */
  supersededSnapshot: 'open connection logged again',
} as const;

/**
 * Zeek's failed-connection states: nothing answered, or the server refused (`failed_share`).
 * Not OTH: "no SYN seen" is a connection picked up mid-stream (a long session that began before
 * the capture, or ICMP), not a failure.
 */
export const FAILED_STATES: readonly string[] = ['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR'];
