/**
 * The evidence model: every channel reports decades of evidence (−log10 p under a stated null model
 * of ordinary traffic), the weighted sum is discounted by context factors (a benign explanation
 * accounts for part of it) and raised by threat intel, and the result maps to a 0–1 score.
 * One table (SCORING_DEFAULTS.channels / .context) holds the weights and caps; docs/SCORING.md says
 * why each is what it is. Pure functions only.
 */
import type { ScoringConfig } from '../config/defaults.js';
import type { PairTiming } from '../features/pair-timing.js';
import { log10BinomialTail } from '../features/timing/regularity.js';
import type { Severity } from './finding.js';

export type ChannelName = keyof ScoringConfig['channels'];
/** The context factors: the entries of the scoring table's `context` that are not thresholds. */
export type ContextName = Exclude<
  keyof ScoringConfig['context'],
  | 'prevalenceStart'
  | 'prevalenceFull'
  | 'prevalenceMinHosts'
  | 'prevalenceMinTalkers'
  | 'prevalenceFullTalkers'
  | 'fanOutMinDestinations'
>;

/** What the channels read of one pair (seed and pair features, timing, models). */
export interface PairEvidenceInput {
  flows: number;
  /** Flows of the modal (port, size) row on the selected size field, and that size. */
  modeCount: number;
  modeSize: number;
  /** Flows with the modal client→server size, and that size. */
  origModeCount: number;
  origModeSize: number;
  failedShare: number;
  /** Share of flows without payload either way (0 bytes, or bare headers where sizes include them). */
  noPayloadShare?: number;
  /** Seconds from the pair's first to its last flow. */
  spanSeconds: number;
  /** tcp, udp, icmp, …: connection failure means something only for tcp. */
  proto: string | null;
  durationMax: number;
  timing: PairTiming | undefined;
  /** 0–1 rank-averaged outlierness from the models. */
  outlierness: number;
  /** Active-C2 episodes found by change detection. */
  episodes: number;
  /** The pair is inbound (external client to an internal server): failures there are scanning. */
  inbound: boolean;
}

// biome-ignore lint/complexity/useMathMinMax: Math.max would let NaN through; a NaN must count 0
const clamp01 = (x: number) => (x > 1 ? 1 : x > 0 ? x : 0);

/**
 * Size uniformity: `count` of `n` flows share one size. Null: an ordinary flow has the modal size
 * with probability q. The mode is chosen after looking, so its first flow is not counted.
 */
export function sizeEvidence(count: number, n: number, q: number): number {
  if (n < 2 || count < 2) return 0;
  return -log10BinomialTail(count - 1, n - 1, q);
}

/** Failed retries: `failed` of `n` attempts failed, where ordinary attempts fail with probability f. */
export function failedEvidence(failed: number, n: number, f: number): number {
  if (failed < 1) return 0;
  return -log10BinomialTail(failed, n, f);
}

/**
 * Persistence: the longest connection lasted `seconds`; ordinary connection lengths have an
 * exponential tail with mean `mean`, so P(d ≥ seconds) = exp(−seconds/mean).
 */
export function persistenceEvidence(seconds: number, mean: number): number {
  if (!(seconds > 0) || !(mean > 0)) return 0;
  return seconds / (mean * Math.LN10);
}

/** Each channel's raw evidence (decades, before weight and cap). */
export function channelEvidence(p: PairEvidenceInput, config: ScoringConfig): Record<ChannelName, number> {
  const nulls = config.nulls;
  // failure events: at most one per failureEventSeconds of the span the failures cover
  const slots = 1 + Math.floor(p.spanSeconds / nulls.failureEventSeconds);
  const trials = Math.min(p.flows, slots);
  const failed = Math.min(Math.round(p.failedShare * p.flows), Math.round(p.failedShare * trials));
  // sizes of failed connections are the failure's, not content: size evidence only on the rest
  // likewise the sizes of payload-free flows are their headers' (Argus frames, NetFlow octets)
  const mostlyFailed = p.failedShare >= 0.5 || (p.noPayloadShare ?? 0) >= 0.5;
  const resp = p.modeSize > 0 && !mostlyFailed ? sizeEvidence(p.modeCount, p.flows, nulls.modalSizeShare) : 0;
  const orig =
    p.origModeSize > 0 && !mostlyFailed ? sizeEvidence(p.origModeCount, p.flows, nulls.modalSizeShare) : 0;
  return {
    regularity: p.timing?.regularity ?? 0,
    spectral: p.timing?.spectral ?? 0,
    // two directions tried: one decade of the better one's evidence is the price (Bonferroni, ×2)
    sizeUniformity: Math.max(0, Math.max(resp, orig) - Math.log10(2)),
    // an inbound failure is a scan, never a C2 server that is down; only TCP has a connection
    // that can be refused or go unanswered (a UDP datagram without reply is how discovery, syslog
    // and casting protocols work, and ICMP's OTH is just "no handshake seen")
    failedRetries: p.inbound || p.proto !== 'tcp' ? 0 : failedEvidence(failed, trials, nulls.failedShare),
    persistence: persistenceEvidence(p.durationMax, nulls.sessionSeconds),
    outlierness: clamp01((p.outlierness - 0.5) / 0.5) * config.channels.outlierness.cap,
    change: p.episodes * nulls.episodeEvidence,
    // very many connections (RITA's strobe): decades beyond what an ordinary pair opens in a window
    strobe: p.timing?.strobe
      ? Math.max(0, Math.log10(p.timing.strobePeakFlows / nulls.strobeOrdinaryFlows))
      : 0,
  };
}

/**
 * Weighted, capped contribution of each channel (decades). Without timestamps (the seed's
 * precomputed rows) size uniformity is all the seed's method has: it then counts in full, weight 1,
 * as no timing channel can restate it.
 */
export function weighChannels(
  raw: Record<ChannelName, number>,
  config: ScoringConfig,
  timingKnown = true,
): Record<ChannelName, number> {
  const out = {} as Record<ChannelName, number>;
  for (const name of Object.keys(config.channels) as ChannelName[]) {
    const { weight, cap } = config.channels[name];
    const w = !timingKnown && name === 'sizeUniformity' ? Math.max(weight, 1) : weight;
    out[name] = w * Math.min(cap, Math.max(0, raw[name] ?? 0));
  }
  return out;
}

export function sumValues(record: Partial<Record<string, number>>): number {
  let s = 0;
  for (const v of Object.values(record)) s += v ?? 0;
  return s;
}

/** Logistic map of combined evidence (decades) to a 0–1 score. */
export function scoreOf(evidence: number, config: ScoringConfig): number {
  return 1 / (1 + 10 ** (-(evidence - config.evidenceMidpoint) / config.evidenceScale));
}

/** The evidence a score corresponds to (inverse of scoreOf). */
export function evidenceFor(score: number, config: ScoringConfig): number {
  const s = Math.min(1 - 1e-12, Math.max(1e-12, score));
  return config.evidenceMidpoint + config.evidenceScale * Math.log10(s / (1 - s));
}

export function severityOf(score: number, config: Pick<ScoringConfig, 'severity'>): Severity {
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

/**
 * Combined evidence: the channels' weighted sum, times every demotion factor, plus intel's decades
 * (a threat-intel hit lifts the demotions).
 * `context` holds multipliers (< 1) by name and `intel` in decades.
 */
export function combineEvidence(
  channels: Partial<Record<string, number>>,
  context: Partial<Record<ContextName, number>>,
): number {
  // a listed destination is not excused by its popularity or its protocol: many hosts calling a
  // listed server is a larger incident, not a smaller one
  let factor = 1;
  if (context.intel === undefined)
    for (const [name, v] of Object.entries(context)) if (name !== 'intel') factor *= v ?? 1;
  return sumValues(channels) * factor + (context.intel ?? 0);
}

/**
 * What each channel of the scoring table reads: the pair's own features (known before timing),
 * its timing, the models, or change detection's episodes. Keyed by the table's channels, so a
 * channel added to SCORING_DEFAULTS must say here what it reads.
 */
export const CHANNEL_READS: Record<ChannelName, 'pair' | 'timing' | 'models' | 'episodes'> = {
  regularity: 'timing',
  spectral: 'timing',
  sizeUniformity: 'pair',
  failedRetries: 'pair',
  persistence: 'pair',
  outlierness: 'models',
  change: 'episodes',
  strobe: 'timing',
};

/**
 * An upper bound on what a pair can reach before its timing, models and episodes are known: the
 * channels read from the pair's features as they are, every other channel of the scoring table at
 * its cap (weights and caps from `config`, nothing named here). The periodogram is skipped where
 * even this bound stays under minScore.
 */
export function evidenceUpperBound(
  known: Record<ChannelName, number>,
  context: Partial<Record<ContextName, number>>,
  config: ScoringConfig,
): number {
  const bounded = { ...known };
  for (const name of Object.keys(config.channels) as ChannelName[])
    if (CHANNEL_READS[name] !== 'pair') bounded[name] = config.channels[name].cap;
  return combineEvidence(weighChannels(bounded, config), context);
}
