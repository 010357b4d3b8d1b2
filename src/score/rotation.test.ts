import { describe, expect, it } from 'vitest';
import {
  NUMERIC_PAIR_FEATURES,
  type NumericPairFeature,
  type PairFeatures,
} from '../features/pair-features.js';
import { seededRng, uniformFloat64Fast } from '../math/random.js';
import {
  mergeSeries,
  type RotationGroup,
  resolveRotations,
  rotationGroups,
  rotationNetwork,
} from './rotation.js';

/** The reference: one pass, one key per pair (how groups were first built). */
function referenceGroups(
  pairs: PairFeatures,
  ignored: Uint8Array,
  minFlows: number,
  isInternal: (a: string) => boolean,
): RotationGroup[] {
  const n = pairs.numeric;
  const byKey = new Map<string, RotationGroup>();
  for (let i = 0; i < pairs.length; i++) {
    if (ignored[i] || isInternal(pairs.dst[i] as string)) continue;
    const network = rotationNetwork(pairs.dst[i] as string);
    if (!network) continue;
    const key = [
      pairs.src[i],
      network,
      pairs.dport[i],
      pairs.proto[i],
      n.mode_size[i],
      n.orig_mode_size[i],
    ].join('\u0000');
    const g = byKey.get(key);
    if (g) g.members.push(i);
    else byKey.set(key, { network, members: [i] });
  }
  return [...byKey.values()]
    .filter(
      (g) => g.members.length >= 2 && g.members.reduce((s, i) => s + (n.flows[i] as number), 0) >= minFlows,
    )
    .map((g) => ({
      ...g,
      members: [...g.members].sort((a, b) => (n.flows[b] as number) - (n.flows[a] as number)),
    }));
}

/** Seeded pairs that collide often: few sources, ports, sizes and networks; some nulls and NaN. */
function randomPairs(length: number, seed: number): PairFeatures {
  const gen = seededRng(seed);
  const rng = () => uniformFloat64Fast(gen);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const numeric = {} as Record<NumericPairFeature, Float64Array>;
  for (const name of Object.keys(NUMERIC_PAIR_FEATURES) as NumericPairFeature[])
    numeric[name] = new Float64Array(length);
  const pairs: PairFeatures = { length, src: [], dst: [], dport: [], proto: [], host: [], numeric };
  for (let i = 0; i < length; i++) {
    pairs.src.push(pick(['10.0.0.1', '10.0.0.2', '10.0.0.3', '192.168.1.9']));
    pairs.dst.push(
      pick([
        `203.0.113.${Math.floor(rng() * 6)}`,
        `198.51.100.${Math.floor(rng() * 6)}`,
        `2001:db8:1:2::${Math.floor(rng() * 6)}`,
        `10.0.1.${Math.floor(rng() * 6)}`,
        'not-an-address',
      ]),
    );
    pairs.dport.push(pick([443, 80, null]));
    pairs.proto.push(pick(['tcp', 'udp', null]));
    pairs.host.push(null);
    numeric.mode_size[i] = pick([52, 0, Number.NaN]);
    numeric.orig_mode_size[i] = pick([33, 0]);
    numeric.flows[i] = 1 + Math.floor(rng() * 5);
  }
  return pairs;
}

describe('rotation', () => {
  it('groups IPv4 by /24 and IPv6 by /64', () => {
    expect(rotationNetwork('203.0.113.77')).toBe('203.0.113.0/24');
    expect(rotationNetwork('2001:db8:1:2:3::9')).toBe('2001:db8:1:2::/64');
    expect(rotationNetwork('not an address')).toBeNull();
  });

  it('groups exactly as the one-key-per-pair reference, in its order', () => {
    const isInternal = (a: string) => a.startsWith('10.');
    for (const seed of [1, 2, 3]) {
      const pairs = randomPairs(3000, seed);
      const ignored = Uint8Array.from(pairs.src, (_, i) => (i % 17 === 0 ? 1 : 0));
      const groups = rotationGroups(pairs, ignored, 4, isInternal);
      expect(groups.length).toBeGreaterThan(10);
      expect(groups).toEqual(referenceGroups(pairs, ignored, 4, isInternal));
    }
  });

  it('merges member series in time order', () => {
    const m = mergeSeries([
      { ts: Float64Array.from([0, 20]), sizes: Float64Array.from([1, 3]) },
      { ts: Float64Array.from([10, 30]), sizes: Float64Array.from([2, 4]) },
    ]);
    expect([...m.ts]).toEqual([0, 10, 20, 30]);
    expect([...m.sizes]).toEqual([1, 2, 3, 4]);
  });

  it('a sharper group replaces its members; a blurrier one (parallel schedules) is dropped', () => {
    interface Row {
      src: string;
      dst: string;
      dport: number;
      components: { regularity: number };
      ev: number;
      addresses?: string[];
    }
    const member = (dst: string, regularity: number, ev: number): Row => ({
      src: 's',
      dst,
      dport: 443,
      components: { regularity },
      ev,
    });
    const group = (regularity: number, ev: number): Row => ({
      ...member('a', regularity, ev),
      addresses: ['a', 'b'],
    });
    const ev = (f: { ev: number }) => f.ev;
    const sharp = resolveRotations([group(12, 15), member('a', 4, 6), member('b', 4, 6)], ev);
    expect(sharp.map((f) => f.dst)).toEqual(['a']);
    expect(sharp[0]?.addresses).toEqual(['a', 'b']);
    const parallel = resolveRotations([group(2, 9), member('a', 12, 8), member('b', 12, 8)], ev);
    expect(parallel.every((f) => f.addresses === undefined)).toBe(true);
    expect(parallel).toHaveLength(2);
  });
});
