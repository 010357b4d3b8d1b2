import { describe, expect, it } from 'vitest';
import { SCORING_DEFAULTS, type ScoringConfig } from '../config/defaults.js';
import {
  NUMERIC_FEATURE_NAMES,
  type NumericPairFeature,
  type PairFeatures,
} from '../features/pair-features.js';
import type { PairTiming } from '../features/pair-timing.js';
import { contextFactors } from './context-factors.js';
import {
  channelEvidence,
  combineEvidence,
  evidenceFor,
  evidenceUpperBound,
  failedEvidence,
  persistenceEvidence,
  scoreOf,
  sizeEvidence,
  weighChannels,
} from './evidence.js';
import { applyEpisodes, evidenceInput, scorePairs } from './score-pairs.js';

const config = SCORING_DEFAULTS as ScoringConfig;

describe('channel statistics against reference values', () => {
  it('size uniformity: the modal size chosen after looking is not counted', () => {
    // 10 of 10 flows share a size: the other 9 each had probability 0.25 → 9·log10(4) decades
    expect(sizeEvidence(10, 10, 0.25)).toBeCloseTo(9 * Math.log10(4), 9);
    expect(sizeEvidence(1, 10, 0.25)).toBe(0);
  });
  it('failed retries: binomial tail of failures at a 10 % base rate', () => {
    // all 5 of 5 failed: 0.1^5 → 5 decades; P(X ≥ 2 | 10, 0.1) = 0.2639
    expect(failedEvidence(5, 5, 0.1)).toBeCloseTo(5, 9);
    expect(10 ** -failedEvidence(2, 10, 0.1)).toBeCloseTo(0.263901, 5);
  });
  it('persistence: exponential tail of the longest connection', () => {
    expect(persistenceEvidence(300 * Math.LN10, 300)).toBeCloseTo(1, 12);
    expect(persistenceEvidence(0, 300)).toBe(0);
  });
  it('the logistic and its inverse agree; 6 decades is 0.5', () => {
    expect(scoreOf(6, config)).toBeCloseTo(0.5, 12);
    for (const s of [0.4, 0.55, 0.7, 0.85]) expect(scoreOf(evidenceFor(s, config), config)).toBeCloseTo(s, 9);
  });
});

describe('combination', () => {
  it('caps and weights each channel; demotions multiply, intel adds', () => {
    const raw = {
      regularity: 40,
      spectral: 2,
      sizeUniformity: 10,
      failedRetries: 0,
      persistence: 0,
      outlierness: 0,
      change: 0,
      strobe: 0,
    };
    const w = weighChannels(raw, config);
    expect(w.regularity).toBe(12);
    expect(w.spectral).toBe(1);
    expect(w.sizeUniformity).toBe(3);
    expect(combineEvidence(w, {})).toBe(16);
    expect(combineEvidence(w, { prevalence: 0.5, protocolProfile: 0.25 })).toBe(2);
    expect(combineEvidence(w, { prevalence: 0.5, intel: 4 })).toBe(20);
  });
  it('one decisive channel is enough: a clockwork beacon alone is critical', () => {
    const w = weighChannels(
      {
        regularity: 16,
        spectral: 0,
        sizeUniformity: 0,
        failedRetries: 0,
        persistence: 0,
        outlierness: 0,
        change: 0,
        strobe: 0,
      },
      config,
    );
    expect(scoreOf(combineEvidence(w, {}), config)).toBeGreaterThanOrEqual(config.severity.critical);
  });
  it('failures of one outage are one event per minute of the span', () => {
    const base = {
      flows: 8,
      modeCount: 8,
      modeSize: 0,
      origModeCount: 8,
      origModeSize: 0,
      failedShare: 1,
      spanSeconds: 54,
      durationMax: 0,
      timing: undefined,
      outlierness: 0,
      episodes: 0,
      proto: 'tcp',
      inbound: false,
    };
    // 8 retries within 54 s: one event, one decade — not eight
    expect(channelEvidence(base, config).failedRetries).toBeCloseTo(1, 9);
    // the same 8 failures spread over 10 minutes: eight events
    expect(channelEvidence({ ...base, spanSeconds: 600 }, config).failedRetries).toBeCloseTo(8, 9);
  });
  it('failures count only for outbound TCP', () => {
    const base = {
      flows: 50,
      modeCount: 50,
      modeSize: 0,
      origModeCount: 50,
      origModeSize: 0,
      failedShare: 1,
      spanSeconds: 3600,
      durationMax: 0,
      timing: undefined,
      outlierness: 0,
      episodes: 0,
    };
    expect(channelEvidence({ ...base, proto: 'tcp', inbound: false }, config).failedRetries).toBeGreaterThan(
      40,
    );
    expect(channelEvidence({ ...base, proto: 'udp', inbound: false }, config).failedRetries).toBe(0);
    expect(channelEvidence({ ...base, proto: 'tcp', inbound: true }, config).failedRetries).toBe(0);
  });
});

/** A PairFeatures of hand-set rows; unspecified numeric features are 0. */
function pairsOf(
  rows: {
    src: string;
    dst: string;
    dport: number | null;
    proto: string;
    f: Partial<Record<NumericPairFeature, number>>;
  }[],
): PairFeatures {
  const numeric = {} as Record<NumericPairFeature, Float64Array>;
  for (const name of NUMERIC_FEATURE_NAMES) numeric[name] = Float64Array.from(rows, (r) => r.f[name] ?? 0);
  return {
    length: rows.length,
    src: rows.map((r) => r.src),
    dst: rows.map((r) => r.dst),
    dport: rows.map((r) => r.dport),
    proto: rows.map((r) => r.proto),
    host: rows.map(() => null),
    numeric,
  };
}

const timingOf = (periodSeconds: number, regularity: number): PairTiming => ({
  score: 1,
  periodic: true,
  strobe: false,
  regularity,
  spectral: 0,
  checkIns: 100,
  strobePeakFlows: 5,
  periodSeconds,
  reasons: [`check-ins every ${periodSeconds} s`],
  features: {},
});

const isInternal = (a: string) => a.startsWith('10.');

describe('context factors', () => {
  it('demotes NTP on profile, DNS to the host resolver, fan-out to internal servers and reply streams', () => {
    const pairs = pairsOf([
      {
        src: '10.0.0.1',
        dst: '203.0.113.1',
        dport: 123,
        proto: 'udp',
        f: { flows: 100, orig_mode_size: 48, mode_size: 48, orig_mode_share: 1 },
      },
      {
        src: '10.0.0.1',
        dst: '203.0.113.2',
        dport: 123,
        proto: 'udp',
        f: { flows: 100, orig_mode_size: 300, mode_size: 48, orig_mode_share: 1 },
      },
      { src: '10.0.0.1', dst: '10.0.0.53', dport: 53, proto: 'udp', f: { flows: 500 } },
      { src: '10.0.0.1', dst: '203.0.113.53', dport: 53, proto: 'udp', f: { flows: 20 } },
      ...Array.from({ length: 6 }, (_, k) => ({
        src: '10.0.0.9',
        dst: `10.0.1.${k}`,
        dport: 161,
        proto: 'udp',
        f: { flows: 100 },
      })),
      {
        src: '203.0.113.9',
        dst: '10.0.0.1',
        dport: 50000,
        proto: 'tcp',
        f: { flows: 40, distinct_dports: 40 },
      },
    ]);
    const timing = pairs.src.map((_, i) =>
      i >= 4 && i < 10 ? timingOf(30 * (1 + i / 1000), 12) : undefined,
    );
    const ctx = contextFactors({
      pairs,
      timing,
      ignored: new Uint8Array(pairs.length),
      isInternal,
      internalHosts: 2,
      config,
    });
    expect(ctx[0]?.factors.protocolProfile).toBe(config.context.protocolProfile);
    expect(ctx[1]?.factors.protocolProfile).toBeUndefined(); // off-profile request size
    expect(ctx[2]?.factors.protocolProfile).toBe(config.context.protocolProfile);
    expect(ctx[3]?.factors.protocolProfile).toBeUndefined(); // not the host's resolver
    expect(ctx[4]?.factors.fanOut).toBe(config.context.fanOut);
    expect(ctx[10]?.factors.replyStream).toBe(config.context.replyStream);
    expect(ctx[10]?.factors.inbound).toBe(config.context.inbound);
  });

  it('prevalence: a head count of 10 internal talkers is full demotion; 2 talkers none', () => {
    const pairs = pairsOf([
      {
        src: '10.0.0.1',
        dst: '203.0.113.1',
        dport: 443,
        proto: 'tcp',
        f: { flows: 100, prevalence: 10 / 1000 },
      },
      {
        src: '10.0.0.1',
        dst: '203.0.113.2',
        dport: 443,
        proto: 'tcp',
        f: { flows: 100, prevalence: 2 / 1000 },
      },
    ]);
    const ctx = contextFactors({
      pairs,
      ignored: new Uint8Array(2),
      isInternal,
      internalHosts: 1000,
      config,
    });
    expect(ctx[0]?.factors.prevalence).toBeCloseTo(config.context.prevalence, 9);
    expect(ctx[1]?.factors.prevalence).toBeUndefined();
  });

  it('no payload is demoted only where the data can tell success from failure', () => {
    const rows = (failedElsewhere: number) =>
      pairsOf([
        {
          src: '10.0.0.1',
          dst: '203.0.113.1',
          dport: 80,
          proto: 'tcp',
          f: { flows: 20, zero_byte_share: 1 },
        },
        {
          src: '10.0.0.2',
          dst: '203.0.113.2',
          dport: 80,
          proto: 'tcp',
          f: { flows: 20, failed_share: failedElsewhere },
        },
      ]);
    const withStates = contextFactors({
      pairs: rows(0.5),
      ignored: new Uint8Array(2),
      isInternal,
      internalHosts: 2,
      config,
    });
    const without = contextFactors({
      pairs: rows(0),
      ignored: new Uint8Array(2),
      isInternal,
      internalHosts: 2,
      config,
    });
    expect(withStates[0]?.factors.noPayload).toBe(config.context.noPayload);
    expect(without[0]?.factors.noPayload).toBeUndefined();
  });
});

describe('findings', () => {
  const pairs = pairsOf([
    {
      src: '10.0.0.1',
      dst: '203.0.113.1',
      dport: 443,
      proto: 'tcp',
      f: { flows: 100, i_bytecount: 90, mode_size: 52, avgcount: 0.9, t_bytecount: 100 },
    },
    {
      src: '10.0.0.2',
      dst: '203.0.113.2',
      dport: 443,
      proto: 'tcp',
      f: { flows: 100, i_bytecount: 60, mode_size: 52, avgcount: 0.6, t_bytecount: 100 },
    },
  ]);
  const timing = [timingOf(60, 30), timingOf(60, 30)];
  const score = () =>
    scorePairs({
      pairs,
      timing,
      outlierness: new Float64Array(2),
      ignored: new Uint8Array(2),
      context: contextFactors({
        pairs,
        timing,
        ignored: new Uint8Array(2),
        isInternal,
        internalHosts: 2,
        config,
      }),
      sizeField: 'resp',
      config,
    });

  it('reasons come from the same numbers: regular pairs never read "irregular"', () => {
    const f = score()[0];
    expect(f?.verdict).toBe('beacon');
    expect(f?.reasons.join('\n')).not.toMatch(/irregular/);
    expect(f?.reasons.join('\n')).toMatch(/under 1 in 10\^12/);
    expect(f?.reasons.join('\n')).toMatch(/90% of flows carry the same 52-byte response/);
  });

  it('an active-C2 episode raises a beacon above an otherwise stronger idle one', () => {
    const findings = score();
    expect(findings[0]?.src).toBe('10.0.0.1');
    const weaker = findings.find((f) => f.src === '10.0.0.2');
    if (!weaker) throw new Error('missing finding');
    weaker.episodes = [{ start: 'a', end: 'b', kind: 'active-c2', reasons: [] }];
    const ranked = applyEpisodes(findings, config);
    expect(ranked[0]?.src).toBe('10.0.0.2');
    expect(ranked[0]?.components.change).toBe(config.nulls.episodeEvidence);
  });
});

describe('the bound before timing (which pairs get the periodogram)', () => {
  const pairs = pairsOf([
    {
      src: '10.0.0.1',
      dst: '203.0.113.9',
      dport: 443,
      proto: 'tcp',
      f: { flows: 400, first_ts: 0, last_ts: 600 },
    },
  ]);
  const strobing: PairTiming = {
    ...timingOf(1, 12),
    strobe: true,
    strobePeakFlows: 300_000,
    spectral: 5,
  };

  it('holds for any timing, models and episodes the pair may turn out to have', () => {
    const known = channelEvidence(evidenceInput(pairs, 0, undefined, 0, false), config);
    const bound = evidenceUpperBound(known, {}, config);
    const reached = combineEvidence(
      weighChannels(channelEvidence(evidenceInput(pairs, 0, strobing, 1, false, 10), config), config),
      {},
    );
    expect(reached).toBeLessThanOrEqual(bound);
  });

  it("follows the scoring table: raising a timing channel's weight raises it", () => {
    const known = channelEvidence(evidenceInput(pairs, 0, undefined, 0, false), config);
    const heavier: ScoringConfig = {
      ...config,
      channels: { ...config.channels, strobe: { ...config.channels.strobe, weight: 2 } },
    };
    expect(evidenceUpperBound(known, {}, heavier) - evidenceUpperBound(known, {}, config)).toBeCloseTo(
      config.channels.strobe.cap,
    );
  });
});
