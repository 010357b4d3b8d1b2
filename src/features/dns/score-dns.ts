import type { Finding, Severity } from '../../score/finding.js';
import { isoTime } from '../../util/time.js';
import type { TimingFeatures } from '../timing/index.js';
import type { ClientDnsFeatures, DomainFeatures } from './dns-features.js';

/**
 * Constants of the DNS tunnel and DGA scores; each is the point where a feature starts to say
 * something (0) and where it says all it can (1), on a line between (log scale for counts).
 */
export const DNS_DEFAULTS = {
  /**
   * Unique subdomains of one registered domain asked by one client: CDNs and cloud APIs give a
   * client tens (r1---sn-….googlevideo.com); a tunnel carries data in every name, so thousands.
   */
  uniqueSubdomains: { from: 10, full: 1000 },
  /**
   * Longest label left of the domain, mean over names: host names are words or short tokens
   * (www, mail, r3---sn-4g5e6nsz: ~3–16); tunnels pack bytes into labels up to the 63 limit.
   */
  labelLength: { from: 16, full: 40 },
  /** Entropy (bits/char) of the subdomain part: names ~2–3, hex/base32 payloads ~3.5–4.5. */
  entropy: { from: 2.8, full: 3.8 },
  /** Weights of length, entropy, TXT/NULL share and regular timing under the unique-subdomain factor. */
  tunnelWeights: { labelLength: 0.35, entropy: 0.3, txtNull: 0.2, timing: 0.15 },
  /**
   * Registered domains that do not exist (NXDOMAIN, never NOERROR) asked by one client: a user's
   * typos and stale links give a few a day; a DGA cycles through tens to thousands (Conficker.C
   * 500 a day, Simda tens a minute), so 20 is already far past what people mistype.
   */
  nxDomains: { from: 4, full: 20 },
  /** Share of a client's registered domains that do not exist at which the DGA factor is full. */
  nxDomainShare: 0.3,
  /** A (client, domain) needs this many queries before its timing is read. */
  minTimingQueries: 6,
} as const;

export interface DnsScoringInput {
  domains: readonly DomainFeatures[];
  clients: readonly ClientDnsFeatures[];
  /** Hosts that answer other hosts' DNS queries: their own queries are forwards, not theirs. */
  resolvers: ReadonlySet<string>;
  /** Timing of a (client, domain)'s query times, when read (see minTimingQueries). */
  timing?: ReadonlyMap<string, TimingFeatures>;
  severityOf: (score: number) => Severity;
  /**
   * The evidence (decades) a score stands for in the pair scorer's model: a DNS finding's one
   * channel (`dns`), so findings of both kinds rank by the same measure. Default: the score itself.
   */
  evidenceOf?: (score: number) => number;
  minScore: number;
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const linear = (x: number, r: { from: number; full: number }) => clamp01((x - r.from) / (r.full - r.from));
const logScale = (x: number, r: { from: number; full: number }) =>
  x <= r.from ? 0 : clamp01(Math.log(x / r.from) / Math.log(r.full / r.from));
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number) => `${Math.round(x * 100)} %`;
const round = (x: number, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

export function domainKey(client: string, domain: string): string {
  return `${client}\u0000${domain}`;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** Tunnel score of one (client, domain): many unique names, long random labels, data-carrying types, a clock. */
export function tunnelScore(
  d: DomainFeatures,
  timing?: TimingFeatures,
): { score: number; components: Record<string, number> } {
  const w = DNS_DEFAULTS.tunnelWeights;
  const components = {
    uniqueSubdomains: logScale(d.uniqueSubdomains, DNS_DEFAULTS.uniqueSubdomains),
    labelLength: linear(d.meanLabelLength, DNS_DEFAULTS.labelLength),
    entropy: linear(d.meanEntropy, DNS_DEFAULTS.entropy),
    txtNull: clamp01(d.txtNullShare),
    timing: clamp01(timing?.timingScore ?? 0),
  };
  const shape =
    w.labelLength * components.labelLength +
    w.entropy * components.entropy +
    w.txtNull * components.txtNull +
    w.timing * components.timing;
  return { score: clamp01(components.uniqueSubdomains * shape), components };
}

/** DGA score of one client: many registered domains that do not exist, as a large share of all it asked. */
export function dgaScore(c: ClientDnsFeatures): { score: number; components: Record<string, number> } {
  const share = c.domains ? c.nxDomains / c.domains : 0;
  const components = {
    nxDomains: logScale(c.nxDomains, DNS_DEFAULTS.nxDomains),
    nxDomainShare: clamp01(share / DNS_DEFAULTS.nxDomainShare),
  };
  return { score: clamp01(components.nxDomains * (0.5 + 0.5 * components.nxDomainShare)), components };
}

/** DNS findings (verdicts dns-tunnel and dga), unranked (rank 0): the hunt ranks them with the rest. */
export function scoreDns(input: DnsScoringInput): Finding[] {
  const out: Finding[] = [];
  const evidenceOf = input.evidenceOf ?? ((score: number) => score);
  // the 0–1 factors behind the score, as features (components hold the model's evidence)
  const factors = (c: Record<string, number>) =>
    Object.fromEntries(Object.entries(c).map(([k, v]) => [`factor_${k}`, round(v)]));
  for (const d of input.domains) {
    if (input.resolvers.has(d.client)) continue;
    const timing = input.timing?.get(domainKey(d.client, d.domain));
    const { score, components } = tunnelScore(d, timing);
    if (score < input.minScore) continue;
    const span = d.lastTs - d.firstTs;
    const reasons = [
      `${int(d.uniqueSubdomains)} unique subdomains of ${d.domain} in ${duration(span)}, mean label ${Math.round(d.meanLabelLength)} chars (entropy ${d.meanEntropy.toFixed(1)} bits/char)`,
    ];
    if (d.txtNullShare >= 0.05)
      reasons.push(`${pct(d.txtNullShare)} of ${int(d.queries)} queries are TXT/NULL`);
    else reasons.push(`${int(d.queries)} queries`);
    if (timing && (timing.periodic || timing.timingScore >= 0.5)) reasons.push(...timing.reasons.slice(0, 1));
    if (d.server) reasons.push(`asked through ${d.server}`);
    out.push({
      rank: 0,
      src: d.client,
      dst: d.domain,
      dport: null,
      proto: null,
      host: d.domain,
      score: round(score) ?? 0,
      severity: input.severityOf(score),
      verdict: 'dns-tunnel',
      flows: d.queries,
      first_seen: isoTime(d.firstTs),
      last_seen: isoTime(d.lastTs),
      features: {
        ...factors(components),
        queries: d.queries,
        unique_subdomains: d.uniqueSubdomains,
        mean_label_length: round(d.meanLabelLength),
        mean_entropy: round(d.meanEntropy),
        txt_null_share: round(d.txtNullShare),
        nx_share: round(d.nxShare),
        gap_median_s: round(timing?.gaps.median ?? Number.NaN),
        timing_score: round(timing?.timingScore ?? Number.NaN),
      },
      components: { dns: round(evidenceOf(score)) ?? 0 },
      reasons,
      episodes: [],
    });
  }
  for (const c of input.clients) {
    if (input.resolvers.has(c.client)) continue;
    const { score, components } = dgaScore(c);
    if (score < input.minScore) continue;
    const span = c.lastTs - c.firstTs;
    out.push({
      rank: 0,
      src: c.client,
      dst: c.server ?? '(dns)',
      dport: null,
      proto: null,
      host: null,
      score: round(score) ?? 0,
      severity: input.severityOf(score),
      verdict: 'dga',
      flows: c.queries,
      first_seen: isoTime(c.firstTs),
      last_seen: isoTime(c.lastTs),
      features: {
        ...factors(components),
        queries: c.queries,
        domains: c.domains,
        nx_domains: c.nxDomains,
        nx_domain_share: round(c.domains ? c.nxDomains / c.domains : 0),
        nx_label_length: round(c.nxLabelLength),
      },
      components: { dns: round(evidenceOf(score)) ?? 0 },
      reasons: [
        `${int(c.nxDomains)} of ${int(c.domains)} registered domains asked in ${duration(span)} do not exist (NXDOMAIN), e.g. ${c.nxExamples.join(', ')}`,
        ...(c.server ? [`asked through ${c.server}`] : []),
      ],
      episodes: [],
    });
  }
  return out;
}
