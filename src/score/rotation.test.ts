import { describe, expect, it } from 'vitest';
import { mergeSeries, resolveRotations, rotationNetwork } from './rotation.js';

describe('rotation', () => {
  it('groups IPv4 by /24 and IPv6 by /64', () => {
    expect(rotationNetwork('203.0.113.77')).toBe('203.0.113.0/24');
    expect(rotationNetwork('2001:db8:1:2:3::9')).toBe('2001:db8:1:2::/64');
    expect(rotationNetwork('not an address')).toBeNull();
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
