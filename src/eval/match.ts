import ipaddr from 'ipaddr.js';
import type { TruthRow } from './truth.js';

/** What a finding offers for matching: its pair and the server name seen on it. */
export interface PairRef {
  src: string;
  dst: string;
  host: string | null;
}

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/** IPv4-mapped IPv6 is the IPv4 address: one spelling per address. */
function address(text: string): Parsed | null {
  return ipaddr.isValid(text) ? ipaddr.process(text) : null;
}

function sameAddress(a: Parsed, b: Parsed): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** `name` is `domain` or one of its subdomains. */
function inDomain(name: string, domain: string): boolean {
  const n = normalName(name);
  const d = normalName(domain);
  return n === d || n.endsWith(`.${d}`);
}

/** A compiled test "does this finding belong to that truth row". */
export type RowMatcher = (pair: PairRef) => boolean;

/**
 * src must be the same address; dst matches when it is the same address, lies in the row's
 * network, or when the row names a server and the finding's host (or its dst, for name-keyed
 * findings) is that name or a subdomain of it.
 */
export function rowMatcher(row: Pick<TruthRow, 'src' | 'dst'>): RowMatcher {
  const src = address(row.src);
  const sameSrc = (s: string) => {
    const a = address(s);
    return src !== null && a !== null && sameAddress(a, src);
  };
  let dstTest: (pair: PairRef) => boolean;
  if (row.dst.includes('/')) {
    const [net, bits] = ipaddr.parseCIDR(row.dst);
    dstTest = (p) => {
      const a = address(p.dst);
      return a !== null && a.kind() === net.kind() && a.match(net, bits);
    };
  } else {
    const dst = address(row.dst);
    dstTest = dst
      ? (p) => {
          const a = address(p.dst);
          return a !== null && sameAddress(a, dst);
        }
      : (p) =>
          (p.host !== null && inDomain(p.host, row.dst)) || (!address(p.dst) && inDomain(p.dst, row.dst));
  }
  return (p) => sameSrc(p.src) && dstTest(p);
}
