import type { ScoringConfig } from '../config/defaults.js';
import type { SizeField } from '../features/options.js';
import { NUMERIC_FEATURE_NAMES, type PairFeatures } from '../features/pair-features.js';
import type { PairTiming } from '../features/pair-timing.js';
import { formatDuration } from '../features/timing/classify.js';
import { isoTime } from '../util/time.js';
import type { PairContextFactors } from './context-factors.js';
import {
  type ChannelName,
  channelEvidence,
  combineEvidence,
  evidenceFor,
  evidenceUpperBound,
  type PairEvidenceInput,
  scoreOf,
  severityOf,
  weighChannels,
} from './evidence.js';
import type { Finding, Verdict } from './finding.js';

export { severityOf } from './evidence.js';

export interface ScoreInputs {
  pairs: PairFeatures;
  /** Per pair index; undefined when timing was not computed. */
  timing?: (PairTiming | undefined)[];
  /** Per pair index, 0–1 outlierness from the models. */
  outlierness: Float64Array;
  /** Pairs left out entirely (multicast, direction, allowlist). */
  ignored: Uint8Array;
  /** Per pair: the context factors (contextFactors()), undefined for ignored pairs. */
  context: readonly (PairContextFactors | undefined)[];
  /** Per pair: external client to an internal server. */
  inbound?: Uint8Array;
  sizeField: SizeField;
  /** Per row: the addresses of a rotation group (score/rotation.ts), undefined for plain pairs. */
  addresses?: readonly (string[] | undefined)[];
  /** Dataset window (epoch seconds) for coverage in the reasons. */
  window?: { start: number; end: number };
  config: ScoringConfig;
}

const SIZE_WORDS: Record<SizeField, string> = {
  resp: 'response (server→client)',
  orig: 'request (client→server)',
  total: 'request+response',
};

const pct = (x: number) => `${Math.round(x * 100)}%`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const round3 = (x: number) => Math.round(x * 1000) / 1000;
/** Decades as "1 in 10^k" for the reasons. */
const odds = (decades: number) =>
  decades >= 12 ? 'under 1 in 10^12' : `about 1 in 10^${Math.floor(decades)}`;

function featureRecord(pairs: PairFeatures, i: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of NUMERIC_FEATURE_NAMES) {
    out[name] = pairs.numeric[name][i] as number;
  }
  return out;
}

/** What the channels read of pair i. */
export function evidenceInput(
  pairs: PairFeatures,
  i: number,
  timing: PairTiming | undefined,
  outlierness: number,
  inbound: boolean,
  episodes = 0,
): PairEvidenceInput {
  const n = pairs.numeric;
  const flows = n.flows[i] as number;
  return {
    flows,
    modeCount: n.i_bytecount[i] as number,
    modeSize: n.mode_size[i] as number,
    origModeCount: Math.round((n.orig_mode_share[i] as number) * flows),
    origModeSize: n.orig_mode_size[i] as number,
    failedShare: n.failed_share[i] as number,
    noPayloadShare: n.zero_byte_share[i] as number,
    spanSeconds: Math.max(0, (n.last_ts[i] as number) - (n.first_ts[i] as number)),
    proto: pairs.proto[i] ?? null,
    durationMax: n.duration_max[i] as number,
    timing,
    outlierness,
    episodes,
    inbound,
  };
}

/**
 * The highest evidence pair i could reach whatever its timing, outlierness and episodes turn out to
 * be: below the evidence of minScore, the periodogram cannot make it a finding.
 */
export function scoreUpperBound(
  pairs: PairFeatures,
  i: number,
  context: PairContextFactors | undefined,
  inbound: boolean,
  config: ScoringConfig,
): number {
  const raw = channelEvidence(evidenceInput(pairs, i, undefined, 1, inbound), config);
  return scoreOf(evidenceUpperBound(raw, context?.factors ?? {}, config), config);
}

/** Combined evidence (decades) of a finding: its channel components under its context factors. */
export function findingEvidence(f: Pick<Finding, 'components' | 'context'>): number {
  return combineEvidence(f.components, f.context ?? {});
}

/** Combine the channels of every pair into ranked findings. Pure. */
export function scorePairs(inputs: ScoreInputs): Finding[] {
  const { pairs, config } = inputs;
  const findings: Finding[] = [];
  const minEvidence = evidenceFor(config.minScore, config);
  for (let i = 0; i < pairs.length; i++) {
    if (inputs.ignored[i]) continue;
    const context = inputs.context[i];
    const listed = context?.factors.intel !== undefined;
    if ((pairs.numeric.flows[i] as number) < config.minFlows && !listed) continue;
    const timing = inputs.timing?.[i];
    const inbound = inputs.inbound?.[i] === 1;
    const raw = channelEvidence(
      evidenceInput(pairs, i, timing, inputs.outlierness[i] as number, inbound),
      config,
    );
    const channels = weighChannels(raw, config, timing !== undefined);
    const factors = context?.factors ?? {};
    const evidence = combineEvidence(channels, factors);
    if (evidence < minEvidence) continue;
    // the record of every feature only for findings: most pairs stop above
    const f = featureRecord(pairs, i);
    const score = scoreOf(evidence, config);
    const addresses = inputs.addresses?.[i];
    const rotation = addresses
      ? [
          `rotates over ${addresses.length} addresses of one network: ${addresses.slice(0, 8).join(', ')}${addresses.length > 8 ? ', …' : ''}`,
        ]
      : [];
    findings.push({
      rank: 0,
      src: pairs.src[i] as string,
      dst: pairs.dst[i] as string,
      dport: pairs.dport[i] ?? null,
      proto: pairs.proto[i] ?? null,
      host: pairs.host[i] ?? null,
      score: round3(score),
      severity: severityOf(score, config),
      verdict: verdictOf(channels, timing, f, config),
      flows: f.flows as number,
      first_seen: isoTime(f.first_ts as number),
      last_seen: isoTime(f.last_ts as number),
      features: { ...f, ...(timing?.features ?? {}), evidence: round3(evidence) },
      ...(addresses ? { addresses } : {}),
      components: Object.fromEntries(Object.entries(channels).map(([k, v]) => [k, round3(v)])),
      context: Object.fromEntries(Object.entries(factors).map(([k, v]) => [k, round3(v as number)])),
      reasons: listed
        ? [
            ...rotation,
            ...(context?.reasons.slice(0, 1) ?? []),
            ...reasonsFor(f, raw, timing, inputs),
            ...(context?.reasons.slice(1) ?? []),
          ]
        : [...rotation, ...reasonsFor(f, raw, timing, inputs), ...(context?.reasons ?? [])],
      episodes: [],
    });
  }
  return rank(findings);
}

/** Sort by combined evidence (scores saturate near 1; evidence does not) and number the ranks. */
export function rank(findings: Finding[]): Finding[] {
  const ev = new Map(findings.map((f) => [f, findingEvidence(f)]));
  findings.sort(
    (a, b) =>
      (ev.get(b) as number) - (ev.get(a) as number) ||
      b.flows - a.flows ||
      a.src.localeCompare(b.src) ||
      a.dst.localeCompare(b.dst),
  );
  findings.forEach((f, k) => {
    f.rank = k + 1;
  });
  return findings;
}

/**
 * Change episodes are evidence too: a beacon turning non-uniform in spurts is an operator at the
 * keyboard, the seed's headline alert. Adds the change channel to findings with episodes, updates
 * score and severity, and re-ranks.
 */
export function applyEpisodes(findings: Finding[], config: ScoringConfig): Finding[] {
  const { weight, cap } = config.channels.change;
  for (const f of findings) {
    if (!f.episodes.length) continue;
    f.components.change = round3(weight * Math.min(cap, f.episodes.length * config.nulls.episodeEvidence));
    const evidence = findingEvidence(f);
    const score = scoreOf(evidence, config);
    f.score = round3(score);
    f.severity = severityOf(score, config);
    f.features.evidence = round3(evidence);
  }
  return rank(findings);
}

function verdictOf(
  channels: Record<ChannelName, number>,
  timing: PairTiming | undefined,
  f: Record<string, number>,
  config: ScoringConfig,
): Verdict {
  if (timing?.strobe) return 'strobe';
  if (
    (f.duration_max as number) >= config.longConnectionSeconds &&
    channels.persistence >= channels.regularity
  )
    return 'long-connection';
  if (timing?.periodic) return 'beacon';
  if ((f.failed_share as number) >= 0.9 && channels.failedRetries > 0 && channels.regularity > 0)
    return 'beacon';
  return 'anomaly';
}

/** Reasons in words, generated from the same numbers as the channels (strongest evidence first). */
function reasonsFor(
  f: Record<string, number>,
  raw: Record<ChannelName, number>,
  timing: PairTiming | undefined,
  inputs: ScoreInputs,
): string[] {
  const reasons: { decades: number; text: string }[] = [];
  const flows = f.flows as number;
  const sizeWord = SIZE_WORDS[inputs.sizeField];
  const failed = f.failed_share as number;
  if (timing) {
    for (const text of timing.reasons) reasons.push({ decades: raw.regularity, text });
    if (raw.regularity >= 1)
      reasons.push({
        decades: raw.regularity - 0.01,
        text: `chance of check-ins this regular from random traffic: ${odds(raw.regularity)}`,
      });
  }
  const empty = f.zero_byte_share as number;
  if (empty === 1) {
    reasons.push({ decades: 0, text: `all ${int(flows)} flows carry no payload in either direction` });
  } else if (empty >= 0.5) {
    // the size channel is off for them (evidence.ts): their sizes are the headers'
    reasons.push({ decades: 0, text: `${pct(empty)} of flows carry no payload in either direction` });
  } else if (failed < 0.5) {
    const respShare = f.avgcount as number;
    const origShare = f.orig_mode_share as number;
    const text =
      respShare >= origShare
        ? `${pct(respShare)} of flows carry the same ${int(f.mode_size as number)}-byte ${sizeWord} (${int(f.i_bytecount as number)} of ${int(f.t_bytecount as number)})`
        : `${pct(origShare)} of requests carry the same ${int(f.orig_mode_size as number)} bytes client→server`;
    reasons.push({ decades: raw.sizeUniformity, text });
  }
  if (failed >= 0.5) {
    reasons.push({
      decades: raw.failedRetries,
      text:
        raw.failedRetries > 0
          ? `${pct(failed)} of connection attempts failed (refused or unanswered): a C2 server that is down is still being called`
          : `${pct(failed)} of connection attempts failed (refused or unanswered)`,
    });
  }
  if (raw.persistence >= 1) {
    const win = inputs.window;
    const coverage = win && win.end > win.start ? (f.duration_total as number) / (win.end - win.start) : null;
    reasons.push({
      decades: raw.persistence,
      text: `longest connection ${formatDuration(f.duration_max as number)}${coverage !== null ? `; connections cover ${pct(Math.min(1, coverage))} of the capture` : ''}`,
    });
  }
  if (raw.outlierness >= 1)
    reasons.push({ decades: raw.outlierness, text: 'an outlier among this network’s pairs (models)' });
  return reasons.sort((a, b) => b.decades - a.decades).map((r) => r.text);
}
