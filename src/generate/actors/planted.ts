import type { Flow } from '../../flow/schema.js';
import { Rng } from '../../math/random.js';
import { type Endpoint, micros, roundTrip, SourcePorts, tcpRejected, tcpSession } from '../shape.js';
import type { Host, World } from '../world.js';
import { checkIns } from './periodic.js';
import type { Actor, JitterModel, PairKind, PairSpec, Window } from './types.js';

/**
 * The planted malicious pairs. Each is one internal host talking to an external address nobody
 * else contacts, so everything about the pair (count, period, sizes) is what this module emits.
 */

/** Near-constant request/response sizes: a base pair and, rarely, a TLS-record-sized variant. */
interface SizeModel {
  orig: number;
  resp: number;
  /** Chance a check-in differs by a multiple of 16 bytes (cookie/padding changes). */
  variant: number;
}

function beaconSizes(m: SizeModel, rng: Rng): [number, number] {
  if (m.variant > 0 && rng.chance(m.variant)) {
    return [m.orig + 16 * rng.int(1, 3), m.resp + 16 * rng.int(-2, 2)];
  }
  return [m.orig, m.resp];
}

interface BeaconPlan {
  label: string;
  kind: PairKind;
  host: Host;
  dst: string;
  dport: number;
  sni: string | null;
  period: number;
  jitter: number;
  model: JitterModel;
  active: Window;
  miss: number;
  sizes: SizeModel;
  spurts?: Window[];
}

function pairOf(p: BeaconPlan): PairSpec {
  const pair: PairSpec = {
    label: p.label,
    kind: p.kind,
    src: p.host.v4,
    dst: p.dst,
    dport: p.dport,
    proto: 'tcp',
    period_s: p.period,
    jitter: p.jitter,
    jitter_model: p.model,
    host: p.sni,
    active: p.active,
  };
  if (p.spurts) pair.spurts = p.spurts;
  return pair;
}

function endpointOf(p: BeaconPlan, service: string | null = 'ssl'): Endpoint {
  return { src: p.host.v4, dst: p.dst, dport: p.dport, proto: 'tcp', service, host: p.sni };
}

/** One HTTPS check-in: a short connection with the implant's fixed request and the empty task list. */
function checkIn(p: BeaconPlan, ep: Endpoint, ts: number, rng: Rng, ports: SourcePorts): Flow {
  const [orig, resp] = beaconSizes(p.sizes, rng);
  return tcpSession(
    ep,
    micros(ts),
    ports.take(),
    orig,
    resp,
    micros(roundTrip(rng, false) * 4 + rng.uniform(0.005, 0.08)),
  );
}

/** Cobalt-Strike-style (and slow) beacons: sleep = period × (1 − U(0, jitter)). */
function beaconActor(p: BeaconPlan, seed: number): Actor {
  return {
    id: p.label,
    pair: pairOf(p),
    *flows() {
      const rng = new Rng(seed);
      const ports = new SourcePorts(p.host.os, rng);
      const ep = endpointOf(p);
      const schedule = { ...p.active, period: p.period, jitter: p.jitter, model: p.model, miss: p.miss };
      for (const t of checkIns(schedule, rng)) yield checkIn(p, ep, t, rng, ports);
    },
  };
}

/**
 * A beacon whose operator goes interactive: during each spurt the implant sleeps 0 — flows seconds
 * apart, sizes all over the place (commands, file listings, uploads) — then returns to its period.
 */
function activeC2Actor(p: BeaconPlan, seed: number): Actor {
  const spurts = p.spurts ?? [];
  return {
    id: p.label,
    pair: pairOf(p),
    *flows() {
      const rng = new Rng(seed);
      const ports = new SourcePorts(p.host.os, rng);
      const ep = endpointOf(p);
      let t = p.active.start + rng.uniform(0, p.period);
      let next = 0;
      while (t < p.active.end) {
        const spurt = spurts[next];
        if (spurt && t >= spurt.start) {
          for (let u = spurt.start; u <= spurt.end; u += rng.uniform(0.5, 6)) {
            const orig = Math.max(60, Math.round(rng.logNormal(900, 1.4)));
            const resp = Math.max(60, Math.round(rng.logNormal(2500, 1.9)));
            const duration = micros(roundTrip(rng, false) * 4 + rng.logNormal(0.8, 1));
            yield tcpSession(ep, micros(u), ports.take(), orig, resp, duration);
          }
          next++;
          t = spurt.end + p.period * (1 - rng.uniform(0, p.jitter));
          continue;
        }
        if (!rng.chance(p.miss)) yield checkIn(p, ep, t, rng, ports);
        t += p.period * (1 - rng.uniform(0, p.jitter));
      }
    },
  };
}

/** Number of netcat-relay flows in a 24-hour window: the seed post's headline pair. */
export const NETCAT_FLOWS_PER_DAY = 3865;
/** Share of netcat-relay flows with the dominant response size, and how many sizes there are. */
export const NETCAT_DOMINANT_SHARE = 0.97;
export const NETCAT_DISTINCT_SIZES = 19;

/**
 * A netcat relay in a reconnect loop: one flow per slot, ~97 % of them carrying the same response,
 * the rest spread over 18 other sizes (exactly as the seed's pair: 3 865 flows, 0.97, 19 sizes).
 * Which slots get a rare size is chosen by selection sampling (Knuth's algorithm S): exact shares
 * in O(1) memory, however long the window.
 */
function netcatActor(p: BeaconPlan, count: number, seed: number): Actor {
  return {
    id: p.label,
    pair: pairOf(p),
    *flows() {
      const rng = new Rng(seed);
      const ports = new SourcePorts(p.host.os, rng);
      const ep = endpointOf(p, null);
      const others: number[] = [];
      while (others.length < NETCAT_DISTINCT_SIZES - 1) {
        const size = rng.int(60, 1800);
        if (size !== p.sizes.resp && !others.includes(size)) others.push(size);
      }
      rng.shuffle(others);
      let rare = count - Math.round(count * NETCAT_DOMINANT_SHARE);
      let used = 0;
      for (let i = 0; i < count; i++) {
        const ts = p.active.start + (i + 0.5 + rng.uniform(-p.jitter, p.jitter)) * p.period;
        const pickRare = rare > 0 && rng.float() * (count - i) < rare;
        let resp = p.sizes.resp;
        let orig = p.sizes.orig;
        if (pickRare) {
          rare--;
          const k = used++ % others.length;
          resp = others[k] as number;
          orig = p.sizes.orig + 3 * (k + 1); // the relayed command decides both sizes
        }
        const duration = micros(roundTrip(rng, false) * 3 + rng.uniform(0.01, 0.4));
        yield tcpSession(ep, micros(ts), ports.take(), orig, resp, duration);
      }
    },
  };
}

/** RemcosRAT-like: the implant keeps dialling a C2 that answers every SYN with a reset. */
function refusedActor(p: BeaconPlan, seed: number): Actor {
  return {
    id: p.label,
    pair: pairOf(p),
    *flows() {
      const rng = new Rng(seed);
      const ports = new SourcePorts(p.host.os, rng);
      const ep = endpointOf(p, null);
      const schedule = { ...p.active, period: p.period, jitter: p.jitter, model: p.model };
      for (const t of checkIns(schedule, rng))
        yield tcpRejected(ep, micros(t), ports.take(), micros(roundTrip(rng, false)));
    },
  };
}

/**
 * `fewest`–3 non-overlapping tasking windows of 4–15 minutes, one in each part of the active window.
 * An operator works a session or three a day; 4–15 minutes is long enough for a handful of commands.
 */
function planSpurts(active: Window, rng: Rng, fewest: number): Window[] {
  const count = rng.int(fewest, 3);
  const from = active.start + 0.1 * (active.end - active.start);
  const part = (0.85 * (active.end - active.start)) / count;
  const spurts: Window[] = [];
  for (let i = 0; i < count; i++) {
    const length = Math.min(rng.uniform(240, 900), part / 2);
    const start = Math.round(from + i * part + rng.uniform(0, part - length));
    spurts.push({ start, end: Math.round(start + length) });
  }
  return spurts;
}

/**
 * Sleep settings of the further active-C2 beacons: Cobalt Strike's default 60 s and the values
 * operators commonly set around it, with 0–50 % jitter (the Malleable C2 range seen in the wild).
 */
const C2_SLEEPS = [30, 60, 60, 120, 300] as const;
const C2_JITTERS = [0, 0.1, 0.2, 0.3, 0.5] as const;

export interface PlantOptions {
  /** Include the beacon to a refusing C2 (REJ only). */
  refused: boolean;
  /** Active-C2 pairs: the demo's one (2–3 spurts), then beacons with 1–3 spurts each. */
  activeC2: number;
}

/** All planted pairs, each on its own internal host, each to a fresh external address. */
export function plantedActors(world: World, window: Window, rng: Rng, options: PlantOptions): Actor[] {
  const hostOrder = rng.shuffle(world.hosts.slice());
  let nextHost = 0;
  const span = window.end - window.start;
  // Infection happens early in the window, so the first-seen time is inside the data.
  const infected = (): Window => ({
    start: Math.round(window.start + rng.uniform(0.02, 0.2) * span),
    end: window.end,
  });
  const plan = (
    label: string,
    kind: PairKind,
    fields: Omit<BeaconPlan, 'label' | 'kind' | 'host' | 'dst' | 'active'> & { active?: Window },
  ): BeaconPlan => ({
    label,
    kind,
    host: hostOrder[nextHost++] as Host,
    dst: world.addresses.v4(),
    active: fields.active ?? infected(),
    ...fields,
  });
  const seed = () => rng.int(0, 0x7fffffff);
  const actors: Actor[] = [];

  const beacons: [string, number, number, string | null][] = [
    ['beacon-jitter-0', 60, 0, 'cdn.update-cloudsync.com'],
    ['beacon-jitter-20', 300, 0.2, null],
    ['beacon-jitter-50', 60, 0.5, 'api.metrics-gateway.net'],
  ];
  for (const [label, period, jitter, sni] of beacons) {
    const sizes = { orig: rng.int(200, 1300), resp: rng.int(120, 4200), variant: jitter === 0 ? 0 : 0.05 };
    const p = plan(label, 'beacon', {
      dport: 443,
      sni,
      period,
      jitter,
      model: 'cobalt-strike',
      miss: jitter === 0 ? 0 : 0.01,
      sizes,
    });
    actors.push(beaconActor(p, seed()));
  }

  const slow = plan('slow-beacon-1h', 'slow-beacon', {
    dport: 443,
    sni: 'portal.office-assets.org',
    period: 3600,
    jitter: 0.03,
    model: 'symmetric',
    miss: 0,
    sizes: { orig: rng.int(300, 900), resp: rng.int(200, 900), variant: 0.02 },
  });
  actors.push(beaconActor(slow, seed()));

  if (options.activeC2 > 0) {
    const activeWindow = infected();
    const active = plan('active-c2', 'active-c2', {
      dport: 443,
      sni: null,
      period: 60,
      jitter: 0.1,
      model: 'cobalt-strike',
      miss: 0.005,
      sizes: { orig: rng.int(250, 700), resp: rng.int(90, 400), variant: 0.03 },
      active: activeWindow,
      spurts: planSpurts(activeWindow, rng, 2),
    });
    actors.push(activeC2Actor(active, seed()));
  }

  const netcatCount = Math.max(1, Math.round((NETCAT_FLOWS_PER_DAY * span) / 86400));
  const netcat = plan('netcat-relay', 'netcat-relay', {
    dport: 8080,
    sni: null,
    period: span / netcatCount,
    jitter: 0.35,
    model: 'slot',
    miss: 0,
    sizes: { orig: rng.int(30, 90), resp: 52, variant: 0 },
    active: window,
  });
  actors.push(netcatActor(netcat, netcatCount, seed()));

  if (options.refused) {
    const refused = plan('refused-beacon', 'refused-beacon', {
      dport: 2404,
      sni: null,
      period: 30,
      jitter: 0.05,
      model: 'symmetric',
      miss: 0,
      sizes: { orig: 0, resp: 0, variant: 0 },
    });
    actors.push(refusedActor(refused, seed()));
  }

  // Further active-C2 pairs come last, so the pairs above keep their draws whatever their number.
  for (let k = 2; k <= options.activeC2; k++) {
    const activeWindow = infected();
    const p = plan(`active-c2-${k}`, 'active-c2', {
      dport: 443,
      sni: null,
      period: rng.pick(C2_SLEEPS),
      jitter: rng.pick(C2_JITTERS),
      model: 'cobalt-strike',
      miss: 0.005,
      sizes: { orig: rng.int(250, 900), resp: rng.int(90, 600), variant: 0.03 },
      active: activeWindow,
      spurts: planSpurts(activeWindow, rng, 1),
    });
    actors.push(activeC2Actor(p, seed()));
  }
  return actors;
}
