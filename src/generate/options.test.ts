import { describe, expect, it } from 'vitest';
import { defaultHostCount, resolveOptions, spanOf } from './options.js';

describe('resolveOptions', () => {
  it('fills documented defaults', () => {
    const o = resolveOptions();
    expect(o).toEqual({
      seed: 1,
      flows: 250_000,
      hours: 24,
      start: '2024-03-05T00:00:00.000Z',
      hosts: 200,
      refused: true,
      activeC2: 1,
      hardNegatives: true,
    });
    expect(spanOf(o).end - spanOf(o).start).toBe(86_400);
  });

  it('scales hosts mildly with the flow count', () => {
    expect(defaultHostCount(250_000)).toBe(200);
    expect(defaultHostCount(10_000_000)).toBeGreaterThan(500);
    expect(defaultHostCount(10_000_000)).toBeLessThan(700);
    expect(defaultHostCount(1000)).toBe(40);
  });

  it('rejects nonsense with a readable message', () => {
    expect(() => resolveOptions({ flows: -1 })).toThrow(/flows/);
    expect(() => resolveOptions({ hours: 0 })).toThrow(/hours/);
    expect(() => resolveOptions({ start: 'yesterday' })).toThrow(/start/);
    expect(() => resolveOptions({ hosts: 3 })).toThrow(/hosts/);
    expect(() => resolveOptions({ seed: 1.5 })).toThrow(/seed/);
    expect(() => resolveOptions({ activeC2: -1 })).toThrow(/activeC2/);
    // every planted pair needs its own host: 5 + 8 active-C2 + the refused beacon > 12 hosts
    expect(() => resolveOptions({ hosts: 12, activeC2: 8 })).toThrow(/14 planted pairs need as many hosts/);
    expect(resolveOptions({ hosts: 12, activeC2: 6 }).activeC2).toBe(6);
  });
});
