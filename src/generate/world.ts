import { type Rng, WeightedTable, zipfWeights } from '../math/random.js';
import { ExternalAddresses, internalV4, internalV6 } from './net.js';
import type { GenerateOptions } from './options.js';
import type { ClientOs } from './shape.js';

export interface Host {
  index: number;
  v4: string;
  /** Dual-stack clients also have a unique-local IPv6 address. */
  v6: string | null;
  os: ClientOs;
  /** Relative browsing volume: a few heavy users, many light ones. */
  activity: number;
  /** Sites only this user visits: the long tail that makes one-host destinations common. */
  favourites: readonly number[];
}

export interface Site {
  v4: string;
  v6: string | null;
  /** Server name (SNI / Host), when the site has one we show. */
  name: string | null;
  /** Share of plain-HTTP (port 80) visits. */
  httpShare: number;
}

/** The network the scenario happens in: hosts, servers and the Internet they browse. */
export interface World {
  hosts: readonly Host[];
  resolvers: readonly string[];
  mailServer: string;
  /** The monitoring server and the internal servers it polls (10.0.0.0/24 is the server subnet). */
  monitoringServer: string;
  monitoredServers: readonly string[];
  sites: readonly Site[];
  /** Zipf popularity over `sites`. */
  popularity: WeightedTable;
  /** Every external address handed out so far; later allocations never collide with them. */
  addresses: ExternalAddresses;
}

export const RESOLVERS = ['10.0.0.53', '10.0.0.54'] as const;
export const MAIL_SERVER = '10.0.0.25';
export const MONITORING_SERVER = '10.0.0.40';
/** Ten servers under monitoring: the smallest fleet the fan-out case describes. */
export const MONITORED_SERVERS: readonly string[] = Array.from({ length: 10 }, (_, i) => `10.0.0.${101 + i}`);

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ter',
  'ban',
  'vo',
  'ri',
  'zen',
  'tal',
  'po',
  'nex',
  'qua',
  'sil',
  'dor',
  'fen',
  'gra',
  'hub',
  'jet',
  'lum',
  'mar',
  'nor',
  'pix',
  'ros',
  'sun',
  'tri',
  'vel',
  'wav',
  'xen',
  'yo',
  'zip',
];
const PREFIXES = [
  'www',
  'www',
  'cdn',
  'api',
  'static',
  'img',
  'login',
  'assets',
  'edge',
  'media',
  'news',
  'app',
];
const TLDS = ['com', 'com', 'com', 'net', 'org', 'io', 'de', 'co.uk', 'fr', 'info'];

function siteName(rng: Rng): string {
  const n = rng.int(2, 3);
  let root = '';
  for (let i = 0; i < n; i++) root += rng.pick(SYLLABLES);
  return `${rng.pick(PREFIXES)}.${root}.${rng.pick(TLDS)}`;
}

/** Roughly 2 500 sites for 200 hosts; a bigger network browses a wider Internet. */
export function siteCount(hosts: number): number {
  return Math.max(300, Math.round(2500 * Math.sqrt(hosts / 200)));
}

export function buildWorld(options: GenerateOptions, rng: Rng): World {
  const addresses = new ExternalAddresses(rng.child('addresses'));
  const siteRng = rng.child('sites');
  const sites: Site[] = [];
  for (let i = 0, n = siteCount(options.hosts); i < n; i++) {
    sites.push({
      v4: addresses.v4(),
      v6: siteRng.chance(i < 200 ? 0.6 : 0.25) ? addresses.v6() : null, // big sites are more often on IPv6
      name: siteRng.chance(0.8) ? siteName(siteRng) : null,
      httpShare: siteRng.chance(0.1) ? 0.8 : 0.03,
    });
  }
  const hostRng = rng.child('hosts');
  const hosts: Host[] = [];
  for (let i = 0; i < options.hosts; i++) {
    const roll = hostRng.float();
    const favourites = Array.from({ length: hostRng.int(5, 25) }, () => hostRng.int(0, sites.length - 1));
    hosts.push({
      index: i,
      v4: internalV4(i),
      v6: hostRng.chance(0.2) ? internalV6(i) : null,
      os: roll < 0.7 ? 'windows' : roll < 0.85 ? 'macos' : 'linux',
      activity: hostRng.logNormal(1, 0.9),
      favourites,
    });
  }
  return {
    hosts,
    resolvers: RESOLVERS,
    mailServer: MAIL_SERVER,
    monitoringServer: MONITORING_SERVER,
    monitoredServers: MONITORED_SERVERS,
    sites,
    popularity: new WeightedTable(zipfWeights(sites.length, 1.05)),
    addresses,
  };
}
