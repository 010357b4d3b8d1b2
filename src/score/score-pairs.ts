import type { ScoringConfig } from '../config/defaults.js';
import type { SizeField } from '../features/options.js';
import {
  NUMERIC_PAIR_FEATURES,
  type NumericPairFeature,
  type PairFeatures,
} from '../features/pair-features.js';
import { isoTime } from '../util/time.js';
import type { Finding, Severity, Verdict } from './finding.js';

/** What the timing analysis says about one pair (see features/timing). */
export interface PairTiming {
  /** 0–1: how regular the check-ins are. */
  score: number;
  /** The timing analysis calls the pair periodic (gaps or a confirmed periodogram). */
  periodic: boolean;
  strobe: boolean;
  reasons: string[];
  features: Record<string, number | null>;
}

export interface ScoreInputs {
  pairs: PairFeatures;
  /** Per pair index; undefined when timing was not computed. */
  timing?: (PairTiming | undefined)[];
  /** Per pair index, 0–1 outlierness from the models. */
  outlierness: Float64Array;
  /** Pairs left out entirely (multicast, direction, allowlist). */
  ignored: Uint8Array;
  /** Per pair: the threat-intel list naming its destination, if any. */
  intel?: readonly (string | undefined)[];
  internalHosts: number;
  sizeField: SizeField;
  config: ScoringConfig;
}

const SIZE_WORDS: Record<SizeField, string> = {
  resp: 'response (server→client)',
  orig: 'request (client→server)',
  total: 'request+response',
};

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : Number.isFinite(x) ? x : 0);
const pct = (x: number) => `${Math.round(x * 100)}%`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** log-scale ramp: 0 at minFlows, 1 at fullVolumeFlows. */
export function volumeFactor(flows: number, config: ScoringConfig): number {
  if (flows < config.minFlows) return 0;
  return (
    clamp01(Math.log(flows / config.minFlows) / Math.log(config.fullVolumeFlows / config.minFlows)) * 0.7 +
    0.3
  );
}

/** 1 for rare destinations, falling linearly to prevalenceFloor for those most internal hosts contact. */
export function prevalenceFactor(prevalence: number, internalHosts: number, config: ScoringConfig): number {
  if (internalHosts < config.prevalenceMinHosts) return 1;
  const t = clamp01((prevalence - config.prevalenceStart) / (config.prevalenceFull - config.prevalenceStart));
  return 1 - t * (1 - config.prevalenceFloor);
}

/**
 * Byte-size uniformity: the larger of the two directions' modal shares (beacon requests are as
 * uniform as their responses), lowered when the pair shows many distinct sizes.
 */
export function sizeUniformity(modeShare: number, origModeShare: number): number {
  return clamp01(Math.max(modeShare, origModeShare));
}

export function severityOf(score: number, config: ScoringConfig): Severity {
  const s = config.severity;
  return score >= s.critical
    ? 'critical'
    : score >= s.high
      ? 'high'
      : score >= s.medium
        ? 'medium'
        : score >= s.low
          ? 'low'
          : 'none';
}

function featureRecord(pairs: PairFeatures, i: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(NUMERIC_PAIR_FEATURES) as NumericPairFeature[]) {
    out[name] = pairs.numeric[name][i] as number;
  }
  return out;
}

/**
 * The highest score pair `i` could reach whatever its timing and outlierness turn out to be (both
 * taken as 1). Below minScore, the expensive timing tests cannot make it a finding.
 */
export function scoreUpperBound(
  pairs: PairFeatures,
  i: number,
  internalHosts: number,
  config: ScoringConfig,
): number {
  const n = pairs.numeric;
  const uniformity = sizeUniformity(n.avgcount[i] as number, n.orig_mode_share[i] as number);
  const w = config.weights;
  const base =
    (w.sizeUniformity * uniformity +
      w.timing +
      w.outlierness +
      w.failedRetries * clamp01(n.failed_share[i] as number)) /
    (w.sizeUniformity + w.timing + w.outlierness + w.failedRetries);
  return (
    base *
    volumeFactor(n.flows[i] as number, config) *
    prevalenceFactor(n.prevalence[i] as number, internalHosts, config)
  );
}

/** Combine the sub-scores of every pair into ranked findings. Pure. */
export function scorePairs(inputs: ScoreInputs): Finding[] {
  const { pairs, config } = inputs;
  const n = pairs.numeric;
  const findings: Finding[] = [];
  for (let i = 0; i < pairs.length; i++) {
    if (inputs.ignored[i]) continue;
    const flows = n.flows[i] as number;
    if (flows < config.minFlows && !inputs.intel?.[i]) continue;
    const f = featureRecord(pairs, i);
    const timing = inputs.timing?.[i];
    const uniformity = sizeUniformity(f.avgcount as number, f.orig_mode_share as number);
    const failed = f.failed_share as number;
    const components: Record<string, number> = {
      sizeUniformity: uniformity,
      outlierness: clamp01(inputs.outlierness[i] as number),
      failedRetries: clamp01(failed),
    };
    if (timing) components.timing = clamp01(timing.score);
    let weighted = 0;
    let weightSum = 0;
    for (const [name, weight] of Object.entries(config.weights)) {
      const value = components[name];
      if (value === undefined) continue;
      weighted += weight * value;
      weightSum += weight;
    }
    const base = weightSum > 0 ? weighted / weightSum : 0;
    const volume = volumeFactor(flows, config);
    const prevalence = prevalenceFactor(f.prevalence as number, inputs.internalHosts, config);
    components.volume = volume;
    components.prevalence = prevalence;
    const intelList = inputs.intel?.[i];
    // A listed destination is suspicious whatever its pattern: pull the score most of the way up.
    const plain = clamp01(base * volume * prevalence);
    const score = intelList ? 1 - (1 - plain) * (1 - config.intelBoost) : plain;
    if (intelList) components.intel = 1;
    const severity = severityOf(score, config);
    if (score < config.minScore) continue;
    const verdict = verdictOf(uniformity, timing, f, config);
    findings.push({
      rank: 0,
      src: pairs.src[i] as string,
      dst: pairs.dst[i] as string,
      dport: pairs.dport[i] ?? null,
      proto: pairs.proto[i] ?? null,
      host: pairs.host[i] ?? null,
      score: Math.round(score * 1000) / 1000,
      severity,
      verdict,
      flows,
      first_seen: isoTime(f.first_ts as number),
      last_seen: isoTime(f.last_ts as number),
      features: { ...f, ...(timing?.features ?? {}) },
      components: Object.fromEntries(
        Object.entries(components).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
      ),
      reasons: [
        ...(intelList ? [`destination listed in threat intel ${intelList}`] : []),
        ...reasonsFor(f, timing, inputs, uniformity),
      ],
      episodes: [],
    });
  }
  findings.sort(
    (a, b) =>
      b.score - a.score || b.flows - a.flows || a.src.localeCompare(b.src) || a.dst.localeCompare(b.dst),
  );
  findings.forEach((f, k) => {
    f.rank = k + 1;
  });
  return findings;
}

function verdictOf(
  uniformity: number,
  timing: PairTiming | undefined,
  f: Record<string, number>,
  config: ScoringConfig,
): Verdict {
  if (timing?.strobe) return 'strobe';
  const regular = timing ? timing.periodic || timing.score >= 0.5 : true;
  if (uniformity >= config.uniformShare && regular) return 'beacon';
  // clockwork timing is a beacon even when the payload varies somewhat (a C2 that pads or
  // compresses); mail polling and similar, whose sizes follow the content, stay anomalies
  if (timing?.periodic && timing.score >= 0.8 && uniformity >= 0.5) return 'beacon';
  if ((f.failed_share as number) >= 0.9 && regular) return 'beacon';
  return 'anomaly';
}

function reasonsFor(
  f: Record<string, number>,
  timing: PairTiming | undefined,
  inputs: ScoreInputs,
  uniformity: number,
): string[] {
  const reasons: string[] = [];
  const flows = f.flows as number;
  const sizeWord = SIZE_WORDS[inputs.sizeField];
  if (f.zero_byte_share === 1) {
    reasons.push(`all ${int(flows)} flows carry no payload in either direction`);
  } else if ((f.avgcount as number) >= (f.orig_mode_share as number)) {
    reasons.push(
      `${pct(f.avgcount as number)} of flows carry the same ${int(f.mode_size as number)}-byte ${sizeWord} (${int(f.i_bytecount as number)} of ${int(f.t_bytecount as number)})`,
    );
  } else {
    reasons.push(
      `${pct(f.orig_mode_share as number)} of requests carry the same ${int(f.orig_mode_size as number)} bytes client→server`,
    );
  }
  if (uniformity >= inputs.config.uniformShare && (f.distinct_byte_count as number) > 1) {
    reasons.push(
      `${int(f.distinct_byte_count as number)} distinct ${sizeWord.split(' ')[0]} sizes in ${int(flows)} flows`,
    );
  }
  if ((f.failed_share as number) >= 0.5) {
    reasons.push(
      `${pct(f.failed_share as number)} of connection attempts failed (refused or unanswered): a C2 server that is down is still being called`,
    );
  }
  if (timing) reasons.push(...timing.reasons);
  if (inputs.internalHosts >= inputs.config.prevalenceMinHosts) {
    const talkers = Math.round((f.prevalence as number) * inputs.internalHosts);
    reasons.push(`${int(talkers)} of ${int(inputs.internalHosts)} internal hosts talk to this destination`);
  }
  return reasons;
}
