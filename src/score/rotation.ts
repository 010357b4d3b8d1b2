/**
 * Rotating destinations: a beacon that spreads its check-ins over several addresses of one network
 * (a C2 behind a small server farm or a CDN block) shows as several weak pairs, each with a fraction
 * of the check-ins and a broken clock. Pairs of one source to one /24 (IPv4) or /64 (IPv6) with the
 * same port, protocol and modal sizes form a rotation group; the group is scored as one more pair
 * (its flows merged), and reported instead of its members when it carries more evidence than the
 * best of them. Pure: pair columns in, groups and the merged rows out.
 */
import ipaddr from 'ipaddr.js';
import {
  LABEL_NAMES,
  NUMERIC_FEATURE_NAMES,
  type NumericPairFeature,
  PAIR_FEATURES,
  type PairFeatures,
} from '../features/pair-features.js';

/** The network a destination rotates within: /24 for IPv4, /64 for IPv6. */
export function rotationNetwork(address: string): string | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') {
    const o = (parsed as ipaddr.IPv4).octets;
    return `${o[0]}.${o[1]}.${o[2]}.0/24`;
  }
  const p = (parsed as ipaddr.IPv6).parts;
  return `${p
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

export interface RotationGroup {
  network: string;
  /** Pair indices of the members, most flows first. */
  members: number[];
}

/** Total order on a group's fields: null first, NaN last (so equal values end up side by side). */
function compareValues(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a - b;
  }
  return String(a) < String(b) ? -1 : 1;
}

/**
 * Groups of ≥ 2 scored pairs: same source, network, port, protocol and modal sizes. Internal
 * destinations are left out: one source polling many internal servers is a monitoring fan-out
 * (each server on its own full schedule, demoted as such), not a beacon spreading one schedule.
 */
export function rotationGroups(
  pairs: PairFeatures,
  ignored: Uint8Array,
  minFlows: number,
  isInternal: (address: string) => boolean = () => false,
): RotationGroup[] {
  const n = pairs.numeric;
  // A group never spans sources, ports, protocols or modal sizes: pairs are bucketed by source
  // (existing strings as keys), each bucket sorted on those fields, and only runs of ≥ 2 equal
  // pairs have their destinations' networks looked up. No key string per pair: a hunt of half a
  // million pairs mostly has runs of one.
  const bySource = new Map<string, number[]>();
  for (let i = 0; i < pairs.length; i++) {
    if (ignored[i]) continue;
    const src = pairs.src[i] as string;
    const bucket = bySource.get(src);
    if (bucket) bucket.push(i);
    else bySource.set(src, [i]);
  }
  const fields = (a: number, b: number) =>
    compareValues(pairs.dport[a] ?? null, pairs.dport[b] ?? null) ||
    compareValues(pairs.proto[a] ?? null, pairs.proto[b] ?? null) ||
    compareValues(n.mode_size[a] as number, n.mode_size[b] as number) ||
    compareValues(n.orig_mode_size[a] as number, n.orig_mode_size[b] as number);
  // a destination is in many pairs: parse each address once
  const networks = new Map<string, string | null>();
  const found: RotationGroup[] = [];
  for (const bucket of bySource.values()) {
    if (bucket.length < 2) continue;
    bucket.sort((a, b) => fields(a, b) || a - b);
    for (let from = 0; from < bucket.length; ) {
      let to = from + 1;
      while (to < bucket.length && fields(bucket[from] as number, bucket[to] as number) === 0) to++;
      if (to - from >= 2) {
        const byNetwork = new Map<string, number[]>();
        for (let k = from; k < to; k++) {
          const i = bucket[k] as number;
          const dst = pairs.dst[i] as string;
          if (isInternal(dst)) continue;
          let network = networks.get(dst);
          if (network === undefined) {
            network = rotationNetwork(dst);
            networks.set(dst, network);
          }
          if (!network) continue;
          const members = byNetwork.get(network);
          if (members) members.push(i);
          else byNetwork.set(network, [i]);
        }
        for (const [network, members] of byNetwork) found.push({ network, members });
      }
      from = to;
    }
  }
  // in the order of each group's first pair, members by pair index: as if built in one pass
  found.sort((a, b) => (a.members[0] as number) - (b.members[0] as number));
  const groups: RotationGroup[] = [];
  for (const g of found) {
    if (g.members.length < 2) continue;
    const flows = g.members.reduce((s, i) => s + (n.flows[i] as number), 0);
    if (flows < minFlows) continue;
    g.members.sort((a, b) => (n.flows[b] as number) - (n.flows[a] as number));
    groups.push(g);
  }
  return groups;
}

/**
 * The pairs with one row appended per group (dst = the member with most flows). Shares are
 * flow-weighted means; avgcount is recomputed from the summed counts.
 */
export function withGroupRows(pairs: PairFeatures, groups: readonly RotationGroup[]): PairFeatures {
  if (!groups.length) return pairs;
  const total = pairs.length + groups.length;
  const numeric = {} as Record<NumericPairFeature, Float64Array>;
  for (const name of NUMERIC_FEATURE_NAMES) {
    const col = new Float64Array(total);
    col.set(pairs.numeric[name]);
    groups.forEach((g, k) => {
      const values = g.members.map((i) => pairs.numeric[name][i] as number);
      const flows = g.members.map((i) => pairs.numeric.flows[i] as number);
      const how = PAIR_FEATURES[name].merge;
      col[pairs.length + k] =
        how === 'sum'
          ? values.reduce((a, b) => a + b, 0)
          : how === 'max'
            ? Math.max(...values)
            : how === 'min'
              ? Math.min(...values)
              : values.reduce((a, v, j) => a + v * (flows[j] as number), 0) /
                Math.max(
                  1,
                  flows.reduce((a, b) => a + b, 0),
                );
    });
    numeric[name] = col;
  }
  for (let k = 0; k < groups.length; k++) {
    const row = pairs.length + k;
    numeric.avgcount[row] =
      (numeric.i_bytecount[row] as number) / Math.max(1, numeric.t_bytecount[row] as number);
  }
  const first = groups.map((g) => g.members[0] as number);
  // labels: the busiest member's
  const labels = Object.fromEntries(
    LABEL_NAMES.map((k) => {
      const column = pairs[k] as readonly unknown[];
      return [k, [...column, ...first.map((i) => column[i] ?? null)]];
    }),
  );
  return {
    length: total,
    src: [...pairs.src, ...first.map((i) => pairs.src[i] as string)],
    dst: [...pairs.dst, ...first.map((i) => pairs.dst[i] as string)],
    numeric,
    ...labels,
  } as PairFeatures;
}

/** Merge sorted timestamp (and size) arrays of the members into one sorted series. */
export function mergeSeries(parts: readonly { ts: Float64Array; sizes: Float64Array }[]): {
  ts: Float64Array;
  sizes: Float64Array;
} {
  const n = parts.reduce((s, p) => s + p.ts.length, 0);
  const order = new Uint32Array(n);
  const ts = new Float64Array(n);
  const sizes = new Float64Array(n);
  let k = 0;
  for (const p of parts) {
    ts.set(p.ts, k);
    sizes.set(p.sizes, k);
    k += p.ts.length;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (ts[a] as number) - (ts[b] as number));
  return {
    ts: Float64Array.from(order, (i) => ts[i] as number),
    sizes: Float64Array.from(order, (i) => sizes[i] as number),
  };
}

/** Per-pair inputs of the scorer that grow by one row per group. */
export interface RowInputs<T> {
  timing: (T | undefined)[];
  outlierness: Float64Array;
  ignored: Uint8Array;
  intel: (string | undefined)[];
  inbound: Uint8Array;
}

/**
 * The per-pair inputs extended by one row per group (timing given per group; outlierness, intel and
 * direction from the members), and each row's addresses (undefined for plain pairs).
 */
export function extendRows<T>(
  rows: RowInputs<T>,
  groups: readonly RotationGroup[],
  groupTiming: readonly (T | undefined)[],
  pairs: PairFeatures,
): RowInputs<T> & { addresses: (string[] | undefined)[] } {
  if (!groups.length) return { ...rows, addresses: [] };
  const n = rows.ignored.length;
  const outlierness = new Float64Array(n + groups.length);
  outlierness.set(rows.outlierness);
  const ignored = new Uint8Array(n + groups.length);
  ignored.set(rows.ignored);
  const inbound = new Uint8Array(n + groups.length);
  inbound.set(rows.inbound);
  const addresses: (string[] | undefined)[] = new Array(n);
  groups.forEach((g, k) => {
    outlierness[n + k] = Math.max(...g.members.map((i) => rows.outlierness[i] as number));
    inbound[n + k] = rows.inbound[g.members[0] as number] as number;
    addresses[n + k] = g.members.map((i) => pairs.dst[i] as string);
  });
  return {
    timing: [...rows.timing, ...groupTiming],
    outlierness,
    ignored,
    inbound,
    intel: [
      ...rows.intel,
      ...groups.map((g) => g.members.map((i) => rows.intel[i]).find((x) => x !== undefined)),
    ],
    addresses,
  };
}

interface Scored {
  src: string;
  dst: string;
  dport: number | null;
  addresses?: string[];
  components?: Record<string, number>;
}

/**
 * Keep a group's finding instead of its members' when it carries more evidence than the best of
 * them; otherwise drop the group's finding. `evidence` reads a finding's combined evidence.
 */
export function resolveRotations<F extends Scored>(findings: F[], evidence: (f: F) => number): F[] {
  const drop = new Set<F>();
  for (const g of findings) {
    if (!g.addresses) continue;
    const set = new Set(g.addresses);
    const members = findings.filter(
      (f) => !f.addresses && f.src === g.src && f.dport === g.dport && set.has(f.dst),
    );
    const best = Math.max(0, ...members.map(evidence));
    // a rotation sharpens one clock: a group whose merged timing is less regular than a member's
    // is several parallel schedules, and its members speak for themselves
    const regularity = (f: F) => f.components?.regularity ?? 0;
    const sharper = members.every((m) => regularity(g) >= regularity(m));
    if (evidence(g) > best && sharper) for (const m of members) drop.add(m);
    else drop.add(g);
  }
  return findings.filter((f) => !drop.has(f));
}
