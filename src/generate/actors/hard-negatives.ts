import type { Rng } from '../../math/random.js';
import { type Endpoint, micros, roundTrip, tcpSession } from '../shape.js';
import type { Host, World } from '../world.js';
import { heartbeat } from './benign.js';
import type { Actor, PairKind, PairSpec, Window } from './types.js';

/**
 * Hard negatives: benign pairs that look, pair by pair, exactly like a clockwork beacon — one
 * host, one rare destination, a fixed period, constant sizes, no jitter, no spurts. Nothing in the
 * flows says they are benign (prevalence does not help: one host each), so a beacon with 0 % jitter
 * may rank beside them; an active-C2 pair, which adds tasking spurts, must rank above them. The
 * monitoring fan-out is the one benign pattern that shows in the flows: one source, many internal
 * servers, one port, one schedule.
 */

/** A per-seat desktop service calling its vendor on a fixed timer over HTTPS. */
interface DesktopTimer {
  label: string;
  kind: PairKind;
  name: string;
  /** Seconds between calls: a hard-coded timer, so no jitter. */
  period: number;
  orig: number;
  resp: number;
}

const DESKTOP_TIMERS: readonly DesktopTimer[] = [
  // a floating-licence client re-validating its seat every 10 min
  {
    label: 'license-check',
    kind: 'benign-license-check',
    name: 'licensing.cad-vendor.example',
    period: 600,
    orig: 517,
    resp: 1338,
  },
  // a desktop stock-ticker widget refreshing its quotes every 5 min
  {
    label: 'market-data-widget',
    kind: 'benign-market-data',
    name: 'quotes.market-widget.example',
    period: 300,
    orig: 689,
    resp: 2204,
  },
];

/** Zabbix-style passive agent checks: the server asks every agent for the same item. */
const MONITORING = { port: 10050, period: 30, orig: 37, resp: 29 } as const;

function pairSpec(label: string, kind: PairKind, ep: Endpoint, period: number, active: Window): PairSpec {
  return {
    label,
    kind,
    src: ep.src,
    dst: ep.dst,
    dport: ep.dport,
    proto: ep.proto,
    period_s: period,
    jitter: 0,
    jitter_model: 'symmetric',
    host: ep.host,
    active,
  };
}

/**
 * The hard negatives: each desktop timer on its own host to a destination nobody else contacts,
 * and the monitoring server polling every monitored server. Constant sizes both ways, no jitter
 * and no missed check-ins: the hardest form of each.
 */
export function hardNegativeActors(world: World, window: Window, rng: Rng): Actor[] {
  const actors: Actor[] = [];
  const seats = rng.shuffle(world.hosts.slice());
  DESKTOP_TIMERS.forEach((timer, i) => {
    const host = seats[i % seats.length] as Host;
    const ep: Endpoint = {
      src: host.v4,
      dst: world.addresses.v4(),
      dport: 443,
      proto: 'tcp',
      service: 'ssl',
      host: timer.name,
    };
    const pair = pairSpec(timer.label, timer.kind, ep, timer.period, window);
    actors.push(
      heartbeat(
        pair,
        rng.int(0, 0x7fffffff),
        host,
        (ts, r, ports) =>
          tcpSession(
            ep,
            ts,
            ports.take(),
            timer.orig,
            timer.resp,
            micros(roundTrip(r, false) * 4 + r.uniform(0.01, 0.06)),
          ),
        0,
      ),
    );
  });
  for (const server of world.monitoredServers) {
    const ep: Endpoint = {
      src: world.monitoringServer,
      dst: server,
      dport: MONITORING.port,
      proto: 'tcp',
      service: null,
      host: null,
    };
    const pair = pairSpec(`monitoring-${server}`, 'benign-monitoring', ep, MONITORING.period, window);
    actors.push(
      heartbeat(
        pair,
        rng.int(0, 0x7fffffff),
        { os: 'linux' },
        (ts, r, ports) =>
          tcpSession(
            ep,
            ts,
            ports.take(),
            MONITORING.orig,
            MONITORING.resp,
            micros(roundTrip(r, true) * 3 + r.uniform(0.0005, 0.004)),
          ),
        0,
      ),
    );
  }
  return actors;
}
