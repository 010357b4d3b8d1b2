/**
 * Context factors: what the rest of the network says about a pair. Demotions are factors below 1
 * that multiply the channels' evidence; threat intel adds decades. Each factor is a behaviour, never an address or a name:
 * - prevalence: many internal hosts contact the destination (a shared service, not a C2 server);
 * - protocol profile: the pair looks exactly like NTP, DNS to the host's own resolver, DHCP or
 *   NetBIOS — unless its sizes or its peer are off-profile;
 * - fan-out: one source polls many internal servers on one schedule (monitoring, management);
 * - no payload: successful connections carry nothing either way (a reachability check);
 * - reply stream: the destination port changes with nearly every flow (the answers of unidirectional
 *   records, or a port sweep);
 * - inbound: an external client calling an internal server (kept only under `direction: both`);
 * - intel: a threat-intel list names the destination.
 * Pure: pair columns in, one record per pair out.
 */
import type { ScoringConfig } from '../config/defaults.js';
import type { PairFeatures } from '../features/pair-features.js';
import type { PairTiming } from '../features/pair-timing.js';
import type { ContextName } from './evidence.js';

export interface ContextInputs {
  pairs: PairFeatures;
  timing?: readonly (PairTiming | undefined)[];
  /** Pairs left out entirely (multicast, direction, allowlist). */
  ignored: Uint8Array;
  intel?: readonly (string | undefined)[];
  isInternal: (address: string) => boolean;
  internalHosts: number;
  config: ScoringConfig;
}

export interface PairContextFactors {
  /** Per factor that applies: a multiplier of the evidence (demotions) or, for intel, decades added. */
  factors: Partial<Record<ContextName, number>>;
  /** Why, in words, for each factor that applies (intel first: it is the reason to look at all). */
  reasons: string[];
}

/** NTP's request and response are 48 bytes of payload (RFC 5905); unanswered ones carry 0. */
const NTP_SIZES = new Set([0, 48]);
/** Ports of protocols whose profile is demoted: NTP, DNS, DHCP server/client, NetBIOS name/datagram. */
const PROFILE_PORTS = { ntp: 123, dns: 53, dhcp: [67, 68], netbios: [137, 138] } as const;

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The resolver of each source: the destination receiving most of its port-53 flows. */
function resolversBySource(pairs: PairFeatures): Map<string, string> {
  const best = new Map<string, { dst: string; flows: number }>();
  for (let i = 0; i < pairs.length; i++) {
    if (pairs.dport[i] !== PROFILE_PORTS.dns) continue;
    const src = pairs.src[i] as string;
    const flows = pairs.numeric.flows[i] as number;
    const cur = best.get(src);
    if (!cur || flows > cur.flows) best.set(src, { dst: pairs.dst[i] as string, flows });
  }
  return new Map([...best].map(([src, v]) => [src, v.dst]));
}

/** Which well-known profile pair i follows, or null. */
function protocolProfile(pairs: PairFeatures, i: number, resolvers: Map<string, string>): string | null {
  const port = pairs.dport[i];
  const proto = pairs.proto[i];
  const n = pairs.numeric;
  if (port === PROFILE_PORTS.ntp && proto === 'udp') {
    const onProfile =
      NTP_SIZES.has(n.orig_mode_size[i] as number) &&
      NTP_SIZES.has(n.mode_size[i] as number) &&
      (n.orig_mode_share[i] as number) >= 0.9;
    return onProfile ? 'NTP (48-byte udp/123 exchanges)' : null;
  }
  if (port === PROFILE_PORTS.dns && resolvers.get(pairs.src[i] as string) === pairs.dst[i])
    return "DNS to the host's own resolver";
  if (proto === 'udp' && port !== null && port !== undefined) {
    if ((PROFILE_PORTS.dhcp as readonly number[]).includes(port)) return 'DHCP';
    if ((PROFILE_PORTS.netbios as readonly number[]).includes(port)) return 'NetBIOS name/datagram service';
  }
  return null;
}

/**
 * Fan-out groups: pairs of one source to internal destinations on one port whose check-in periods
 * agree within 10 % (log-period buckets of 10 %; neighbours are merged by counting both buckets).
 */
function fanOutSizes(inputs: ContextInputs): Map<number, number> {
  const { pairs, timing } = inputs;
  const groups = new Map<string, number[]>();
  const keys: (string | undefined)[] = new Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const period = timing?.[i]?.periodSeconds;
    if (inputs.ignored[i] || !period || !inputs.isInternal(pairs.dst[i] as string)) continue;
    const bucket = Math.round(Math.log(period) / Math.log(1.1));
    const key = `${pairs.src[i]}\u0000${pairs.dport[i]}\u0000`;
    keys[i] = key;
    for (const b of [bucket - 1, bucket, bucket + 1]) {
      const k = key + b;
      const g = groups.get(k);
      if (g) g.push(i);
      else groups.set(k, [i]);
    }
  }
  const size = new Map<number, number>();
  for (const members of groups.values())
    for (const i of members) size.set(i, Math.max(size.get(i) ?? 0, members.length));
  return size;
}

/** Context factors of every pair (undefined for ignored pairs). */
export function contextFactors(inputs: ContextInputs): (PairContextFactors | undefined)[] {
  const { pairs, config } = inputs;
  const c = config.context;
  const n = pairs.numeric;
  const resolvers = resolversBySource(pairs);
  const fanOut = fanOutSizes(inputs);
  // Formats without connection states (Splunk Stream, VPC) never show a failure: there a flow
  // without payload may be a refused connection as well as a successful empty one.
  const statesKnown = n.failed_share.some((x) => x > 0);
  const out: (PairContextFactors | undefined)[] = new Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    if (inputs.ignored[i]) continue;
    const factors: Partial<Record<ContextName, number>> = {};
    const reasons: string[] = [];
    const src = pairs.src[i] as string;
    const dst = pairs.dst[i] as string;
    if (inputs.internalHosts >= c.prevalenceMinHosts) {
      const prevalence = n.prevalence[i] as number;
      const talkers = Math.round(prevalence * inputs.internalHosts);
      // the share of the network, or the head count, whichever says "shared service" louder
      const share = (prevalence - c.prevalenceStart) / (c.prevalenceFull - c.prevalenceStart);
      const count =
        (talkers - c.prevalenceMinTalkers + 1) / (c.prevalenceFullTalkers - c.prevalenceMinTalkers + 1);
      const t = Math.min(1, Math.max(0, share, count));
      if (t > 0 && talkers >= c.prevalenceMinTalkers) {
        factors.prevalence = 1 - t * (1 - c.prevalence);
        reasons.push(
          `demoted: ${talkers} of ${inputs.internalHosts} internal hosts (${pct(prevalence)}) talk to this destination`,
        );
      }
    }
    const profile = protocolProfile(pairs, i, resolvers);
    if (profile) {
      factors.protocolProfile = c.protocolProfile;
      reasons.push(`demoted: follows the ${profile} profile`);
    }
    const group = fanOut.get(i) ?? 0;
    if (group >= c.fanOutMinDestinations) {
      factors.fanOut = c.fanOut;
      reasons.push(
        `demoted: ${src} polls ${group} internal servers on this port on the same schedule (monitoring or management fan-out)`,
      );
    }
    const failed = n.failed_share[i] as number;
    if (statesKnown && (n.zero_byte_share[i] as number) >= 0.9 && failed < 0.5) {
      factors.noPayload = c.noPayload;
      reasons.push(
        'demoted: the connections succeed but carry no payload either way (a reachability check carries no orders)',
      );
    }
    const flows = n.flows[i] as number;
    if (flows >= 4 && (n.distinct_dports[i] as number) >= 0.9 * flows) {
      factors.replyStream = c.replyStream;
      reasons.push(
        `demoted: ${Math.round(n.distinct_dports[i] as number)} destination ports in ${flows} flows (answers to the other side's connections, or a port sweep)`,
      );
    }
    if (!inputs.isInternal(src) && inputs.isInternal(dst)) {
      factors.inbound = c.inbound;
      reasons.push('inbound: an external client calling an internal server');
    }
    const listed = inputs.intel?.[i];
    if (listed) {
      factors.intel = c.intel;
      reasons.unshift(`destination listed in threat intel ${listed}`);
    }
    out[i] = { factors, reasons };
  }
  return out;
}
