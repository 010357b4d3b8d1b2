import { Rng } from '../math/random.js';
import { isoTime } from '../util/time.js';
import { mailActors, ntpActors, telemetryActors } from './actors/benign.js';
import { browsingActor } from './actors/browsing.js';
import { hardNegativeActors } from './actors/hard-negatives.js';
import { plantedActors } from './actors/planted.js';
import type { Actor, Window } from './actors/types.js';
import { type GenerateOptions, type GenerateOptionsInput, resolveOptions, spanOf } from './options.js';
import { ActivityClock } from './time.js';
import { measurePair, TRUTH_TIME, type Truth } from './truth.js';
import { buildWorld } from './world.js';

/** Everything needed to emit the flows: the actors, and the truth measured from them. */
export interface Scenario {
  options: GenerateOptions;
  window: Window;
  /** Recorded pairs first (planted, benign heartbeats, hard negatives), then one browsing actor per host. */
  actors: readonly Actor[];
  truth: Truth;
}

/**
 * Builds the scenario. Recorded pairs are replayed once here to count them (they are small: at
 * most a few hundred thousand flows), then browsing gets exactly the remaining flow budget.
 */
export function buildScenario(input: GenerateOptionsInput = {}): Scenario {
  const options = resolveOptions(input);
  const window = spanOf(options);
  const root = new Rng(options.seed);
  const world = buildWorld(options, root.child('world'));

  // Order matters for determinism: every actor family draws from its own named stream, and
  // external addresses are allocated in this fixed order.
  const recorded: Actor[] = [
    ...plantedActors(world, window, root.child('planted'), {
      refused: options.refused,
      activeC2: options.activeC2,
    }),
    ...ntpActors(world, window, root.child('ntp')),
    ...telemetryActors(world, window, root.child('telemetry')),
    ...mailActors(world, window, root.child('mail')),
    ...(options.hardNegatives ? hardNegativeActors(world, window, root.child('hard-negatives')) : []),
  ];
  const pairs = recorded.map(measurePair);
  const recordedFlows = pairs.reduce((sum, p) => sum + p.flows, 0);

  const background = Math.max(0, options.flows - recordedFlows);
  const budgets = apportion(
    background,
    world.hosts.map((h) => h.activity),
  );
  const clock = new ActivityClock(window.start, window.end);
  const browseRng = root.child('browse');
  const browsing = world.hosts.map((host, i) =>
    browsingActor(world, host, budgets[i] as number, clock, browseRng.child(i).seed),
  );

  return {
    options,
    window,
    actors: [...recorded, ...browsing],
    truth: {
      generator: 'beaconhunt',
      version: 1,
      options,
      window: { start: isoTime(window.start, TRUTH_TIME), end: isoTime(window.end, TRUTH_TIME) },
      total_flows: recordedFlows + background,
      hosts: world.hosts.length,
      pairs,
    },
  };
}

/**
 * Splits `total` into integer shares proportional to `weights` (largest remainder), so per-actor
 * budgets add up exactly to the requested total.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + Math.max(0, b), 0);
  if (total <= 0 || sum <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (Math.max(0, w) / sum) * total);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => [e - Math.floor(e), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) {
    const i = (order[k] as readonly [number, number])[1];
    shares[i] = (shares[i] as number) + 1;
  }
  return shares;
}
