import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Rng } from '../math/random.js';
import { type GenerateOptionsInput, resolveOptions, spanOf } from './options.js';
import { buildWorld, RESOLVERS } from './world.js';
import { ZeekUids, zeekLogTime } from './writers/zeek-common.js';

/*
 * A Zeek dns.log for the generator's world: the hosts' lookups of the sites they browse (A/AAAA,
 * a few CDN-style numbered subdomains, the odd typo answered NXDOMAIN), the site resolver
 * forwarding cache misses upstream, and a planted dnscat2-like tunnel: TXT queries of long random
 * hex labels under one domain every 1–5 s, in quiet phases (short polls every 4–5 s) and busy ones
 * (full 63-character labels every 1–2 s).
 */

export interface DnsTunnelTruth {
  client: string;
  domain: string;
  resolver: string;
  queries: number;
  start: number;
  end: number;
}

export interface DnsLogOptions extends GenerateOptionsInput {
  /** Benign lookups; default one per 20 flows (at least 2 000, at most 500 000). */
  lookups?: number;
  /** Plant the tunnel. Default true. */
  tunnel?: boolean;
}

interface Query {
  ts: number;
  client: string;
  server: string;
  name: string;
  qtype: 'A' | 'AAAA' | 'TXT';
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: string | null;
}

const UPSTREAM = '9.9.9.9';
/** Share of lookups the site resolver cannot answer from its cache and forwards upstream. */
const CACHE_MISS = 0.3;

function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(0, 15)];
  return s;
}

function tunnelQueries(rng: Rng, client: string, domain: string, start: number, end: number): Query[] {
  const out: Query[] = [];
  let t = start;
  let busy = false;
  while (t < end) {
    const phaseEnd = Math.min(end, t + (busy ? rng.uniform(120, 300) : rng.uniform(600, 1200)));
    while (t < phaseEnd) {
      // dnscat2 names: hex of (session id, sequence, data) split in labels of at most 63 chars
      const payload = busy ? hex(rng, rng.int(100, 120)) : hex(rng, rng.int(18, 30));
      const labels = payload.match(/.{1,63}/g) as string[];
      out.push({
        ts: t,
        client,
        server: RESOLVERS[0],
        name: `${labels.join('.')}.${domain}`,
        qtype: 'TXT',
        rcode: 'NOERROR',
        answers: `TXT ${busy ? 60 : 20} ${hex(rng, busy ? 60 : 20)}`,
      });
      t += busy ? rng.uniform(1, 2) : rng.uniform(4, 5);
    }
    busy = !busy;
  }
  return out;
}

/** The queries of a dns.log for these options, sorted by time, and where the tunnel is. */
export function dnsLogQueries(input: DnsLogOptions = {}): {
  queries: Query[];
  tunnel: DnsTunnelTruth | null;
} {
  const options = resolveOptions(input);
  const window = spanOf(options);
  const root = new Rng(options.seed);
  // the same world as the flows of the same options (same seed stream), so names meet addresses
  const world = buildWorld(options, root.child('world'));
  const rng = new Rng(options.seed).child('dns-log');
  const named = world.sites.filter((s) => s.name !== null);
  const lookups = input.lookups ?? Math.min(500_000, Math.max(2000, Math.round(options.flows / 20)));
  const queries: Query[] = [];
  for (let i = 0; i < lookups; i++) {
    const host = world.hosts[rng.int(0, world.hosts.length - 1)] as (typeof world.hosts)[number];
    const site = named[rng.int(0, named.length - 1)] as (typeof named)[number];
    const ts = rng.uniform(window.start, window.end);
    const server = RESOLVERS[rng.int(0, RESOLVERS.length - 1)] as string;
    const base = site.name as string;
    let name = base;
    // CDN-style numbered hosts: a few tens of unique names per domain at most
    if (rng.chance(0.1)) name = `img${rng.int(1, 40)}.${base.slice(base.indexOf('.') + 1)}`;
    const typo = rng.chance(0.005);
    if (typo) name = `${base.slice(0, -4)}x${base.slice(-4)}`;
    const v6 = site.v6 !== null && rng.chance(0.5);
    const q: Query = {
      ts,
      client: host.v4,
      server,
      name,
      qtype: v6 ? 'AAAA' : 'A',
      rcode: typo ? 'NXDOMAIN' : 'NOERROR',
      answers: typo ? null : v6 ? site.v6 : site.v4,
    };
    queries.push(q);
    if (rng.chance(CACHE_MISS)) queries.push({ ...q, ts: ts + 0.001, client: server, server: UPSTREAM });
  }
  let tunnel: DnsTunnelTruth | null = null;
  if (input.tunnel ?? true) {
    const host = world.hosts[rng.int(0, world.hosts.length - 1)] as (typeof world.hosts)[number];
    const domain = `${rng.pick(['kel', 'vor', 'sta', 'min', 'dra'])}${rng.pick(['tix', 'bel', 'nor', 'cas'])}-sync.net`;
    const span = window.end - window.start;
    const start = window.start + span * 0.25;
    const end = Math.min(window.end, start + Math.min(2 * 3600, span / 2));
    const t = tunnelQueries(rng.child('tunnel'), host.v4, domain, start, end);
    queries.push(...t);
    // the resolver forwards the tunnel's queries too: they must stay the client's
    for (const q of t) queries.push({ ...q, ts: q.ts + 0.001, client: q.server, server: UPSTREAM });
    tunnel = { client: host.v4, domain, resolver: RESOLVERS[0], queries: t.length, start, end };
  }
  queries.sort((a, b) => a.ts - b.ts);
  return { queries, tunnel };
}

const FIELDS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'trans_id',
  'rtt',
  'query',
  'qclass',
  'qclass_name',
  'qtype',
  'qtype_name',
  'rcode',
  'rcode_name',
  'AA',
  'TC',
  'RD',
  'RA',
  'Z',
  'answers',
  'TTLs',
  'rejected',
];
const QTYPE = { A: 1, AAAA: 28, TXT: 16 } as const;
const RCODE = { NOERROR: 0, NXDOMAIN: 3 } as const;

/** Writes the dns.log (Zeek TSV) and returns the tunnel's truth (null without a tunnel). */
export async function writeZeekDnsLog(
  path: string,
  input: DnsLogOptions = {},
): Promise<DnsTunnelTruth | null> {
  const options = resolveOptions(input);
  const { queries, tunnel } = dnsLogQueries(input);
  const rng = new Rng(options.seed).child('dns-log-fields');
  const uids = new ZeekUids(options.seed ^ 0x5eed);
  const window = spanOf(options);
  const lines = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tdns',
    `#open\t${zeekLogTime(window.start)}`,
    `#fields\t${FIELDS.join('\t')}`,
    `#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool`,
  ];
  for (const q of queries) {
    lines.push(
      [
        q.ts.toFixed(6),
        uids.next(),
        q.client,
        rng.int(1024, 65535),
        q.server,
        53,
        'udp',
        rng.int(0, 65535),
        rng.uniform(0.001, 0.05).toFixed(6),
        q.name,
        1,
        'C_INTERNET',
        QTYPE[q.qtype],
        q.qtype,
        RCODE[q.rcode],
        q.rcode,
        'F',
        'F',
        'T',
        'T',
        0,
        q.answers ?? '-',
        q.answers ? '300.000000' : '-',
        'F',
      ].join('\t'),
    );
  }
  lines.push(`#close\t${zeekLogTime(window.end)}`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${lines.join('\n')}\n`);
  return tunnel;
}
