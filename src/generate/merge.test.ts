import { describe, expect, it } from 'vitest';
import type { Flow } from '../flow/schema.js';
import { mergeByTime } from './merge.js';

const flow = (ts: number, src: string): Flow => ({
  ts,
  duration: null,
  src,
  sport: null,
  dst: '192.0.2.1',
  dport: null,
  proto: 'tcp',
  orig_bytes: null,
  resp_bytes: null,
  orig_pkts: null,
  resp_pkts: null,
  conn_state: null,
  service: null,
  host: null,
  sensor: null,
});

describe('mergeByTime', () => {
  it('merges sorted sources into one sorted stream, ties in source order', () => {
    const a = [1, 3, 5, 5, 9].map((t) => flow(t, 'a'));
    const b = [2, 3, 4].map((t) => flow(t, 'b'));
    const c: Flow[] = [];
    const d = [0, 10].map((t) => flow(t, 'd'));
    const out = [...mergeByTime([a, b, c, d].map((s) => s[Symbol.iterator]()))];
    expect(out.map((f) => `${f.ts}${f.src}`)).toEqual([
      '0d',
      '1a',
      '2b',
      '3a',
      '3b',
      '4b',
      '5a',
      '5a',
      '9a',
      '10d',
    ]);
  });

  it('handles no sources', () => {
    expect([...mergeByTime([])]).toEqual([]);
  });
});
