import type { Flow } from '../../flow/schema.js';
import { Rng } from '../../math/random.js';
import { type Endpoint, micros, roundTrip, SourcePorts, tcpSession, udpExchange } from '../shape.js';
import type { Host, World } from '../world.js';
import { periodicFlows } from './periodic.js';
import type { Actor, PairSpec, Window } from './types.js';

/**
 * Benign heartbeats: perfectly periodic, near-constant sizes, and shared by many hosts. They look
 * exactly like beacons pair by pair; only prevalence (how many hosts talk to the destination) and
 * allowlists tell them apart, which is the point of having them.
 */

/** A heartbeat: one pair, one schedule, one flow shape; `miss` is the chance a check-in is skipped. */
export function heartbeat(
  pair: PairSpec,
  seed: number,
  host: Pick<Host, 'os'>,
  shape: (ts: number, rng: Rng, ports: SourcePorts) => Flow,
  miss = 0.002,
): Actor {
  return {
    id: pair.label,
    pair,
    flows() {
      const rng = new Rng(seed);
      const ports = new SourcePorts(host.os, rng);
      const schedule = {
        start: pair.active.start,
        end: pair.active.end,
        period: pair.period_s,
        jitter: pair.jitter,
        model: pair.jitter_model,
        miss,
      };
      return periodicFlows(schedule, rng, (ts) => shape(micros(ts), rng, ports));
    },
  };
}

/** ntpd / chrony poll intervals, 2^6 … 2^10 s; most clients settle at the longest. */
const NTP_POLLS = [64, 128, 256, 512, 1024] as const;
const NTP_POLL_WEIGHTS = [0.01, 0.03, 0.08, 0.18, 0.7] as const;

function pickPoll(rng: Rng): number {
  let roll = rng.float();
  for (let i = 0; i < NTP_POLLS.length; i++) {
    roll -= NTP_POLL_WEIGHTS[i] as number;
    if (roll < 0) return NTP_POLLS[i] as number;
  }
  return 1024;
}

/** NTP: about 60 % of hosts poll one of four pool servers with 48-byte packets each way. */
export function ntpActors(world: World, window: Window, rng: Rng): Actor[] {
  const servers = Array.from({ length: 4 }, () => world.addresses.v4());
  const actors: Actor[] = [];
  for (const host of world.hosts) {
    if (!rng.chance(0.6)) continue;
    const server = rng.pick(servers);
    const fixedPort = host.os === 'linux' && rng.chance(0.5); // classic ntpd binds 123
    const pair: PairSpec = {
      label: `ntp-${host.v4}-${server}`,
      kind: 'benign-ntp',
      src: host.v4,
      dst: server,
      dport: 123,
      proto: 'udp',
      period_s: pickPoll(rng),
      jitter: 0.02,
      jitter_model: 'symmetric',
      host: null,
      active: window,
    };
    const ep: Endpoint = { src: host.v4, dst: server, dport: 123, proto: 'udp', service: 'ntp', host: null };
    actors.push(
      heartbeat(pair, rng.int(0, 0x7fffffff), host, (ts, r, ports) =>
        udpExchange(
          ep,
          ts,
          fixedPort ? 123 : ports.take(),
          48,
          r.chance(0.003) ? null : 48,
          micros(roundTrip(r, false)),
        ),
      ),
    );
  }
  return actors;
}

interface TelemetryService {
  name: string;
  period: number;
  jitter: number;
  /** Share of hosts running the agent. */
  share: number;
  windowsOnly: boolean;
  orig: number;
  resp: number;
}

const TELEMETRY: readonly TelemetryService[] = [
  {
    name: 'heartbeat.edr-agent.example',
    period: 900,
    jitter: 0.03,
    share: 0.92,
    windowsOnly: false,
    orig: 1187,
    resp: 634,
  },
  {
    name: 'update.os-vendor.example',
    period: 3600,
    jitter: 0.05,
    share: 0.95,
    windowsOnly: true,
    orig: 893,
    resp: 1452,
  },
  {
    name: 'telemetry.office-suite.example',
    period: 1800,
    jitter: 0.1,
    share: 0.6,
    windowsOnly: false,
    orig: 2210,
    resp: 311,
  },
];

/** Software-update and telemetry agents: one destination each, contacted by most hosts. */
export function telemetryActors(world: World, window: Window, rng: Rng): Actor[] {
  const actors: Actor[] = [];
  for (const service of TELEMETRY) {
    const dst = world.addresses.v4();
    for (const host of world.hosts) {
      if (service.windowsOnly && host.os !== 'windows') continue;
      if (!rng.chance(service.share)) continue;
      const pair: PairSpec = {
        label: `telemetry-${service.name}-${host.v4}`,
        kind: 'benign-telemetry',
        src: host.v4,
        dst,
        dport: 443,
        proto: 'tcp',
        period_s: service.period,
        jitter: service.jitter,
        jitter_model: 'symmetric',
        host: service.name,
        active: window,
      };
      const ep: Endpoint = {
        src: host.v4,
        dst,
        dport: 443,
        proto: 'tcp',
        service: 'ssl',
        host: service.name,
      };
      actors.push(
        heartbeat(pair, rng.int(0, 0x7fffffff), host, (ts, r, ports) => {
          // Agents resume TLS sessions, so sizes barely move; now and then a full handshake.
          const full = r.chance(0.04);
          const orig = service.orig + (full ? 320 : 0) + (r.chance(0.3) ? r.int(-3, 3) : 0);
          const resp = service.resp + (full ? 2900 : 0) + (r.chance(0.1) ? r.int(-2, 2) : 0);
          const rtt = roundTrip(r, false);
          return tcpSession(ep, ts, ports.take(), orig, resp, micros(rtt * 4 + r.uniform(0.001, 0.05)));
        }),
      );
    }
  }
  return actors;
}

/** Mail clients polling IMAPS every 5 min: most to the internal server, a few to a hosted one. */
export function mailActors(world: World, window: Window, rng: Rng): Actor[] {
  const hosted = world.addresses.v4();
  const actors: Actor[] = [];
  for (const host of world.hosts) {
    const roll = rng.float();
    if (roll >= 0.18) continue;
    const external = roll < 0.03;
    const dst = external ? hosted : world.mailServer;
    const name = external ? 'imap.hosted-mail.example' : null;
    const pair: PairSpec = {
      label: `mail-${host.v4}-${dst}`,
      kind: 'benign-mail',
      src: host.v4,
      dst,
      dport: 993,
      proto: 'tcp',
      period_s: 300,
      jitter: 0.01,
      jitter_model: 'symmetric',
      host: name,
      active: window,
    };
    const ep: Endpoint = { src: host.v4, dst, dport: 993, proto: 'tcp', service: 'ssl', host: name };
    actors.push(
      heartbeat(pair, rng.int(0, 0x7fffffff), host, (ts, r, ports) => {
        // LOGIN/SELECT/LOGOUT is constant; a new message now and then makes the answer bigger.
        const orig = 612 + r.int(0, 6);
        const resp = 2380 + r.int(0, 12) + (r.chance(0.08) ? Math.round(r.logNormal(9000, 1.2)) : 0);
        const rtt = roundTrip(r, !external);
        return tcpSession(ep, ts, ports.take(), orig, resp, micros(rtt * 8 + r.uniform(0.01, 0.2)));
      }),
    );
  }
  return actors;
}
