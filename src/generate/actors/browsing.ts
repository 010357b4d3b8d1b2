import type { Flow } from '../../flow/schema.js';
import { Rng } from '../../math/random.js';
import {
  type Endpoint,
  micros,
  roundTrip,
  SourcePorts,
  tcpRejected,
  tcpSession,
  tcpUnanswered,
  udpExchange,
} from '../shape.js';
import { type ActivityClock, nextSortedUniform } from '../time.js';
import type { Host, World } from '../world.js';
import type { Actor } from './types.js';

/** Share of a host's background events that are DNS lookups rather than web requests. */
const DNS_SHARE = 0.28;
/** Share of web requests that go to the user's personal long tail instead of popular sites. */
const LONG_TAIL_SHARE = 0.25;
/** Dual-stack hosts reach an IPv6-enabled site over IPv6 this often (happy eyeballs usually wins). */
const V6_PREFERENCE = 0.7;

function dnsLookup(world: World, host: Host, rng: Rng, ports: SourcePorts, ts: number): Flow {
  const ep: Endpoint = {
    src: host.v4,
    dst: rng.chance(0.85) ? (world.resolvers[0] as string) : (world.resolvers[1] as string),
    dport: 53,
    proto: 'udp',
    service: 'dns',
    host: null,
  };
  // Query: 12-byte header, a name of 10–60 bytes, type/class. Answer: the query plus records.
  const query = 12 + rng.int(10, 60) + 4;
  const answers = rng.chance(0.05) ? null : query + (rng.chance(0.1) ? rng.int(100, 480) : rng.int(16, 140));
  const sport = host.os === 'windows' ? rng.int(49152, 65535) : ports.take();
  return udpExchange(ep, ts, sport, query, answers, micros(rng.uniform(0.0004, 0.03)));
}

function webRequest(world: World, host: Host, rng: Rng, ports: SourcePorts, ts: number): Flow {
  const siteIndex = rng.chance(LONG_TAIL_SHARE) ? rng.pick(host.favourites) : world.popularity.sample(rng);
  const site = world.sites[siteIndex] as (typeof world.sites)[number];
  const useV6 = host.v6 !== null && site.v6 !== null && rng.chance(V6_PREFERENCE);
  const http = rng.chance(site.httpShare);
  const ep: Endpoint = {
    src: useV6 ? (host.v6 as string) : host.v4,
    dst: useV6 ? (site.v6 as string) : site.v4,
    dport: http ? 80 : 443,
    proto: 'tcp',
    service: http ? 'http' : 'ssl',
    host: site.name,
  };
  const sport = ports.take();
  const roll = rng.float();
  if (roll < 0.025) return tcpUnanswered(ep, ts, sport, rng.int(1, 3), rng);
  if (roll < 0.04) return tcpRejected(ep, ts, sport, micros(roundTrip(rng, false)));
  const rtt = roundTrip(rng, false);
  // Requests: a TLS handshake plus headers, log-normal. Responses: mostly pages and API calls,
  // with a Pareto tail of downloads and video that reaches hundreds of megabytes.
  const orig = Math.round((http ? 0 : 520) + rng.logNormal(650, 0.9));
  const resp = Math.min(
    400_000_000,
    Math.round((http ? 0 : 3400) + (rng.chance(0.75) ? rng.logNormal(4500, 1.4) : rng.pareto(20_000, 1.15))),
  );
  const transfer = resp / rng.logNormal(2_500_000, 1); // bytes per second of this connection
  const idle = rng.chance(0.25) ? rng.logNormal(12, 1.2) : 0; // keep-alive before close
  const duration = micros(rtt * (3 + Math.log2(1 + resp / 14_480)) + transfer + idle);
  const state = roll < 0.06 ? 'RSTO' : roll < 0.07 ? 'RSTR' : 'SF';
  return tcpSession(ep, ts, sport, orig, resp, duration, state);
}

/**
 * A user's background traffic: exactly `count` events (web requests and DNS lookups) spread over
 * the window with the diurnal profile, generated in time order without buffering.
 */
export function browsingActor(
  world: World,
  host: Host,
  count: number,
  clock: ActivityClock,
  seed: number,
): Actor {
  return {
    id: `browse-${host.index}`,
    pair: null,
    *flows() {
      const rng = new Rng(seed);
      const ports = new SourcePorts(host.os, rng);
      let u = 0;
      for (let left = count; left > 0; left--) {
        u = nextSortedUniform(u, left, rng);
        const ts = micros(clock.at(u));
        yield rng.chance(DNS_SHARE)
          ? dnsLookup(world, host, rng, ports, ts)
          : webRequest(world, host, rng, ports, ts);
      }
    },
  };
}
