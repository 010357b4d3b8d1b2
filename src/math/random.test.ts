import { describe, expect, it } from 'vitest';
import { deriveSeed, mix32, Rng, sampleRows, seededRng, uniformFloat64Fast } from './random.js';

// Reference values recorded from the three generators this module replaced (models/random.ts,
// generate/rng.ts, features/timing/rng.ts): seeded outputs — generated logs, model fits,
// permutation p-values — must not move when the code does.
describe('seeded randomness', () => {
  it('seededRng: the raw 32-bit-seeded stream the models and timing statistics use', () => {
    const r = seededRng(42);
    expect(r.float()).toBe(0.9999993701129287);
    expect(r.below(1000)).toBe(875);
    expect(Array.from(sampleRows(1000, 5, seededRng(9)))).toEqual([543, 724, 749, 812, 999]);
    const t = seededRng(11);
    expect(uniformFloat64Fast(t)).toBe(0.9999999972060323);
    expect(uniformFloat64Fast(t)).toBe(0.9568480649031699);
  });

  it('deriveSeed and mix32 keep their values', () => {
    expect(deriveSeed(7, 'iforest')).toBe(736456163);
    expect(deriveSeed(-3, 'kmeans-run-2')).toBe(-636046111);
    expect(mix32(1)).toBe(1364076727);
    expect(mix32(0xdeadbeef)).toBe(233162409);
  });

  it('new Rng: the mixed, warmed-up stream of the log generator, with named children', () => {
    const g = new Rng(5);
    expect(g.float()).toBe(0.5927784617279545);
    expect(g.int(10, 20)).toBe(18);
    expect(g.normal()).toBe(-0.26257763371728554);
    expect(g.normal()).toBe(0.38152370149862086);
    expect(g.floatOpen()).toBe(0.6869677067356564);
    const c = new Rng(5).child('host-3');
    expect(c.seed).toBe(159118865);
    expect(c.float()).toBe(0.4595147164617237);
  });

  it('normal() has mean 0 and variance 1', () => {
    const g = seededRng(3);
    let s = 0;
    let ss = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = g.normal();
      s += x;
      ss += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(ss / n - 1)).toBeLessThan(0.01);
  });
});
