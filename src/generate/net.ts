import type { Rng } from '../math/random.js';

/** Dotted quad of a 32-bit address. */
export function ipv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text of eight 16-bit groups: lower case, longest zero run (≥ 2) collapsed to "::". */
export function ipv6(groups: readonly number[]): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

/**
 * Blocks that are not public unicast (RFC 6890 and friends), as [first, last] 32-bit ranges:
 * external destinations must look like Internet hosts, never like private or documentation space.
 */
const RESERVED_V4: readonly (readonly [number, number])[] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
].map(([net, bits]) => {
  const base = (net as string).split('.').reduce((a, o) => a * 256 + Number(o), 0);
  return [base, base + 2 ** (32 - (bits as number)) - 1] as const;
});

function isReservedV4(n: number): boolean {
  return RESERVED_V4.some(([lo, hi]) => n >= lo && n <= hi);
}

/** Leading decimal octet of `text` from `at`, and where it stopped (the dot). */
function octetAt(text: string, at: number): [number, number] {
  let value = 0;
  let i = at;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i))
    value = value * 10 + (c - 48);
  return [value, i];
}

/**
 * True for RFC 1918, loopback, link-local and RFC 4193 / link-local IPv6: Zeek's local_orig.
 * Hand-parsed: the writers call it twice per flow, so it must not allocate.
 */
export function isInternal(address: string): boolean {
  if (address.includes(':')) {
    const first = Number.parseInt(address.slice(0, address.indexOf(':')) || '0', 16);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || address === '::1';
  }
  const [a, dot] = octetAt(address, 0);
  if (a === 10 || a === 127) return true;
  if (a !== 172 && a !== 192 && a !== 169) return false;
  const [b] = octetAt(address, dot + 1);
  return (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

/**
 * Hands out distinct public addresses. One allocator serves browsing sites, NTP pools, telemetry
 * and C2 servers alike, so a planted pair never shares its destination with benign traffic by accident.
 */
export class ExternalAddresses {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Rng) {}

  v4(): string {
    for (;;) {
      const n = (this.rng.int(0, 0xffff) * 0x10000 + this.rng.int(0, 0xffff)) >>> 0;
      if (isReservedV4(n) || (n & 255) === 0 || (n & 255) === 255) continue;
      const text = ipv4(n);
      if (this.used.has(text)) continue;
      this.used.add(text);
      return text;
    }
  }

  /** Global unicast 2000::/3 in provider-like shape (/32 prefix, a site, a short interface id). */
  v6(): string {
    for (;;) {
      const g0 = 0x2000 + this.rng.int(0x0400, 0x0fff);
      const g1 = this.rng.int(0, 0xffff);
      if (g0 === 0x2001 && g1 === 0x0db8) continue; // documentation prefix
      const groups = [g0, g1, this.rng.int(0, 0xffff), this.rng.int(0, 0x00ff), 0, 0, 0, 0];
      if (this.rng.chance(0.5)) {
        groups[6] = this.rng.int(0, 0xffff);
        groups[7] = this.rng.int(1, 0xffff);
      } else {
        groups[7] = this.rng.int(1, 0x1fff);
      }
      const text = ipv6(groups);
      if (this.used.has(text)) continue;
      this.used.add(text);
      return text;
    }
  }
}

/** Internal client addresses: 10.0.<subnet>.<host>, leaving 10.0.0.0/24 to servers. */
export function internalV4(index: number): string {
  return `10.0.${1 + Math.floor(index / 250)}.${2 + (index % 250)}`;
}

/** Dual-stack clients get a unique-local address in fd00::/8 (internal by RFC 4193). */
export function internalV6(index: number): string {
  return ipv6([0xfd42, 0x7c1e, 0x9a00, 1 + Math.floor(index / 250), 0, 0, 0, 0x100 + index]);
}
