import { parse } from 'tldts';

/*
 * DNS features for tunnels and DGAs, pure functions over per-(client, query name) aggregates that
 * an engine computes from its name logs. Registered domains come from the Public Suffix List (the
 * `tldts` package, ICANN section: a private suffix such as a dynamic-DNS provider is a registrable
 * name owners share, and a tunnel under it is still one domain of one owner).
 */

/** What an engine returns: one row per (client, query name). */
export interface DnsNameRow {
  client: string;
  name: string;
  queries: number;
  /** Answers with NXDOMAIN. */
  nx: number;
  /** Answers with NOERROR. */
  ok: number;
  /** Queries of types that carry data in their answers (TXT, NULL). */
  txtNull: number;
  firstTs: number;
  lastTs: number;
  /** The server the client asked most for this name. */
  server: string | null;
}

/** Per (client, registered domain): what a tunnel shows. */
export interface DomainFeatures {
  client: string;
  domain: string;
  queries: number;
  uniqueSubdomains: number;
  /** Mean over unique names of the longest label left of the registered domain. */
  meanLabelLength: number;
  /** Mean over unique names of the Shannon entropy (bits/char) of the part left of the domain. */
  meanEntropy: number;
  txtNullShare: number;
  nxShare: number;
  firstTs: number;
  lastTs: number;
  server: string | null;
}

/** Per client: what a DGA shows (many registered domains that do not exist). */
export interface ClientDnsFeatures {
  client: string;
  queries: number;
  domains: number;
  /** Registered domains answered NXDOMAIN and never NOERROR. */
  nxDomains: number;
  /** Mean length of the registrable label (`lykymox` of lykymox.com) of the NXDOMAIN domains. */
  nxLabelLength: number;
  nxExamples: string[];
  firstTs: number;
  lastTs: number;
  server: string | null;
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export interface SplitName {
  domain: string;
  /** The labels left of the registered domain, '' for the domain itself. */
  subdomain: string;
  /** The registrable label (`example` of www.example.co.uk). */
  label: string;
}

/** Registered domain of a DNS name; undefined for names without a public suffix (.local, .arpa, bare hosts). */
export function splitName(name: string): SplitName | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n.endsWith('.arpa')) return undefined;
  const p = parse(n, { allowPrivateDomains: false, validateHostname: false });
  if (!p.domain || !p.isIcann || p.isIp) return undefined;
  return { domain: p.domain, subdomain: p.subdomain ?? '', label: p.domainWithoutSuffix ?? p.domain };
}

/** Group (client, name) rows into per-(client, domain) and per-client features. */
export function dnsFeatures(rows: readonly DnsNameRow[]): {
  domains: DomainFeatures[];
  clients: ClientDnsFeatures[];
} {
  const split = new Map<string, SplitName | undefined>();
  const splitOf = (name: string) => {
    if (!split.has(name)) split.set(name, splitName(name));
    return split.get(name);
  };
  interface DomainAcc {
    f: DomainFeatures;
    labelSum: number;
    entropySum: number;
    names: number;
    txt: number;
    nx: number;
    servers: Map<string, number>;
  }
  interface ClientAcc {
    f: ClientDnsFeatures;
    perDomain: Map<string, { queries: number; nx: number; ok: number; label: string }>;
    servers: Map<string, number>;
  }
  const byDomain = new Map<string, DomainAcc>();
  const byClient = new Map<string, ClientAcc>();
  for (const r of rows) {
    const s = splitOf(r.name);
    if (!s) continue;
    const key = `${r.client}\u0000${s.domain}`;
    let d = byDomain.get(key);
    if (!d) {
      d = {
        f: {
          client: r.client,
          domain: s.domain,
          queries: 0,
          uniqueSubdomains: 0,
          meanLabelLength: 0,
          meanEntropy: 0,
          txtNullShare: 0,
          nxShare: 0,
          firstTs: r.firstTs,
          lastTs: r.lastTs,
          server: null,
        },
        labelSum: 0,
        entropySum: 0,
        names: 0,
        txt: 0,
        nx: 0,
        servers: new Map(),
      };
      byDomain.set(key, d);
    }
    d.f.queries += r.queries;
    d.f.firstTs = Math.min(d.f.firstTs, r.firstTs);
    d.f.lastTs = Math.max(d.f.lastTs, r.lastTs);
    d.txt += r.txtNull;
    d.nx += r.nx;
    if (r.server) d.servers.set(r.server, (d.servers.get(r.server) ?? 0) + r.queries);
    if (s.subdomain !== '') {
      d.f.uniqueSubdomains++;
      d.names++;
      d.labelSum += Math.max(...s.subdomain.split('.').map((l) => l.length));
      d.entropySum += entropy(s.subdomain.replaceAll('.', ''));
    }
    let c = byClient.get(r.client);
    if (!c) {
      c = {
        f: {
          client: r.client,
          queries: 0,
          domains: 0,
          nxDomains: 0,
          nxLabelLength: 0,
          nxExamples: [],
          firstTs: r.firstTs,
          lastTs: r.lastTs,
          server: null,
        },
        perDomain: new Map(),
        servers: new Map(),
      };
      byClient.set(r.client, c);
    }
    c.f.queries += r.queries;
    c.f.firstTs = Math.min(c.f.firstTs, r.firstTs);
    c.f.lastTs = Math.max(c.f.lastTs, r.lastTs);
    if (r.server) c.servers.set(r.server, (c.servers.get(r.server) ?? 0) + r.queries);
    const pd = c.perDomain.get(s.domain) ?? { queries: 0, nx: 0, ok: 0, label: s.label };
    pd.queries += r.queries;
    pd.nx += r.nx;
    pd.ok += r.ok;
    c.perDomain.set(s.domain, pd);
  }
  const topServer = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;
  const domains = [...byDomain.values()].map((d) => ({
    ...d.f,
    meanLabelLength: d.names ? d.labelSum / d.names : 0,
    meanEntropy: d.names ? d.entropySum / d.names : 0,
    txtNullShare: d.f.queries ? d.txt / d.f.queries : 0,
    nxShare: d.f.queries ? Math.min(1, d.nx / d.f.queries) : 0,
    server: topServer(d.servers),
  }));
  const clients = [...byClient.values()].map((c) => {
    // a domain does not exist when it was answered NXDOMAIN and never NOERROR (unanswered retries aside)
    const nx = [...c.perDomain.entries()].filter(([, v]) => v.nx > 0 && v.ok === 0);
    nx.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return {
      ...c.f,
      domains: c.perDomain.size,
      nxDomains: nx.length,
      nxLabelLength: nx.length ? nx.reduce((s, [, v]) => s + v.label.length, 0) / nx.length : 0,
      nxExamples: nx.slice(0, 3).map(([d]) => d),
      server: topServer(c.servers),
    };
  });
  const order = <T extends { client: string }>(a: T, b: T, k: (x: T) => string) =>
    a.client < b.client ? -1 : a.client > b.client ? 1 : k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0;
  domains.sort((a, b) => order(a, b, (x) => x.domain));
  clients.sort((a, b) => order(a, b, () => ''));
  return { domains, clients };
}
