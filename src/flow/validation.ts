/**
 * What counts as a valid canonical value, in one place for every engine: the DuckDB import SQL
 * uses the patterns as RE2 literals, the ClickHouse import's JS twin as RegExps.
 */

/** Dotted-quad IPv4, each octet 0–255. */
export const IPV4_PATTERN =
  '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$';
/**
 * Loose IPv6 shape (hex groups, ::, optional embedded IPv4, optional zone); exact parsing would
 * need DuckDB's inet extension, which is not bundled.
 */
export const IPV6_PATTERN = '^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}(:[0-9.]{7,15})?(%[0-9a-z_.-]{1,32})?$';
/**
 * Earliest believable flow time, 1990-01-01 UTC: flow export (Argus, NetFlow, Bro/Zeek) barely
 * predates it, and times near 1970 come from a sensor whose clock was never set. Rows outside the
 * plausible range are skipped as "implausible time" unless --allow-any-time.
 */
export const EARLIEST_PLAUSIBLE_TIME = Date.UTC(1990, 0, 1) / 1000;
/** Seconds a flow may lie in the future (sensor clock skew, time zones mislabelled as UTC). */
export const FUTURE_TIME_SLACK = 2 * 86400;
/** Latest believable flow time (epoch seconds) when reading at `nowMs`. */
export function latestPlausibleTime(nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000) + FUTURE_TIME_SLACK;
}
/** Largest integer a double holds exactly; byte counts above it are not believable. */
export const MAX_COUNT = 9007199254740991;
/** Text fields are cut to this many characters. */
export const MAX_TEXT = 1024;
/** IANA protocol numbers (VPC Flow Logs, nfdump -N) → the names Zeek and the other formats use. */
export const IP_PROTOCOLS: Readonly<Record<string, string>> = {
  '1': 'icmp',
  '2': 'igmp',
  '6': 'tcp',
  '17': 'udp',
  '47': 'gre',
  '50': 'esp',
  '51': 'ah',
  '58': 'icmp6',
  '132': 'sctp',
};
