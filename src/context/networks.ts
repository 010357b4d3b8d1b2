import ipaddr from 'ipaddr.js';

/** RFC 1918, RFC 4193 (unique local IPv6), loopback and link-local: "ours" unless configured. */
export const DEFAULT_INTERNAL_NETWORKS: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
];

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface NetworkSet {
  contains(address: string): boolean;
}

/** Parse CIDRs once; a bad entry is reported with its text. */
export function networkSet(cidrs: readonly string[]): NetworkSet {
  const parsed: Cidr[] = cidrs.map((c) => {
    try {
      return c.includes('/')
        ? ipaddr.parseCIDR(c)
        : [ipaddr.parse(c), ipaddr.parse(c).kind() === 'ipv4' ? 32 : 128];
    } catch {
      throw new Error(`not a network: ${JSON.stringify(c)}`);
    }
  });
  const test = (address: string): boolean => {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.process(address.replace(/%.*$/, ''));
    } catch {
      return false;
    }
    return parsed.some(([net, bits]) => net.kind() === ip.kind() && ip.match([net, bits] as never));
  };
  return { contains: memoized(test) };
}

/**
 * Answers kept per address test: a hunt asks about each address once per pair it is in (scope,
 * context, rotation), and parsing is most of the cost. A hunt has far fewer distinct addresses than
 * this; a long `watch` that meets more starts over, so the memory stays bounded.
 */
const MEMO_ADDRESSES = 1 << 20;

/** `test` with its answers remembered per address (bounded, see MEMO_ADDRESSES). */
function memoized(test: (address: string) => boolean): (address: string) => boolean {
  let seen = new Map<string, boolean>();
  return (address) => {
    const known = seen.get(address);
    if (known !== undefined) return known;
    const answer = test(address);
    if (seen.size >= MEMO_ADDRESSES) seen = new Map();
    seen.set(address, answer);
    return answer;
  };
}

/**
 * Destinations that no C2 channel uses: multicast, broadcast, unspecified. Their traffic is
 * housekeeping (SSDP, mDNS, router solicitations) and would only crowd the findings.
 */
export const isIgnoredDestination = memoized((address: string): boolean => {
  try {
    const ip = ipaddr.process(address.replace(/%.*$/, ''));
    const range = ip.range();
    return range === 'multicast' || range === 'broadcast' || range === 'unspecified';
  } catch {
    return false;
  }
});
