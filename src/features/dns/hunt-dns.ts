import type { Finding, Severity } from '../../score/finding.js';
import type { Engine } from '../../store/engine.js';
import { analyzeTiming, type TimingFeatures } from '../timing/index.js';
import { dnsFeatures } from './dns-features.js';
import { DNS_DEFAULTS, domainKey, scoreDns, tunnelScore } from './score-dns.js';

/**
 * DNS tunnels and DGAs from the engine's DNS logs: features per (client, registered domain) and per
 * client, timing of the candidates' query times, then the pure scorer. No DNS log, no work.
 */
export async function huntDns(
  engine: Engine,
  options: {
    severityOf: (score: number) => Severity;
    /** The evidence (decades) a score stands for in the pair scorer's model, so both rank together. */
    evidenceOf: (score: number) => number;
    minScore: number;
    /** Why a (client, domain or resolver) is left out (direction, allowlists), or undefined. */
    excluded: (src: string, dst: string, host: string | null) => boolean;
  },
): Promise<Finding[]> {
  if (!engine.dnsNameRows || !engine.dnsQueryTimes) return [];
  const { rows, servers } = await engine.dnsNameRows();
  if (rows.length === 0) return [];
  const { domains, clients } = dnsFeatures(rows);
  // a host that answers others' queries is a resolver: its queries are the clients', forwarded
  const resolvers = new Set(clients.map((c) => c.client).filter((c) => servers.has(c)));
  // timing only where it could lift the score over the line (timing taken as perfect)
  const candidates = domains.filter(
    (d) =>
      !resolvers.has(d.client) &&
      d.queries >= DNS_DEFAULTS.minTimingQueries &&
      tunnelScore(d, { timingScore: 1 } as TimingFeatures).score >= options.minScore,
  );
  const times = await engine.dnsQueryTimes(candidates);
  const timing = new Map<string, TimingFeatures>();
  candidates.forEach((d, i) => {
    const ts = times[i];
    if (ts && ts.length >= DNS_DEFAULTS.minTimingQueries)
      timing.set(domainKey(d.client, d.domain), analyzeTiming(ts, undefined, { periodogramWhen: 'needed' }));
  });
  return scoreDns({
    domains,
    clients,
    resolvers,
    timing,
    severityOf: options.severityOf,
    evidenceOf: options.evidenceOf,
    minScore: options.minScore,
  }).filter((f) => !options.excluded(f.src, f.dst, f.host));
}
