import { mailActors, ntpActors, telemetryActors } from './actors/benign.js';
import { browsingActor } from './actors/browsing.js';
import { hardNegativeActors } from './actors/hard-negatives.js';
import { plantedActors } from './actors/planted.js';
import type { Actor, Window } from './actors/types.js';
import { type GenerateOptions, type GenerateOptionsInput, resolveOptions, spanOf } from './options.js';
import { apportion, Rng } from './rng.js';
import { ActivityClock, isoTime } from './time.js';
import { measurePair, type Truth } from './truth.js';
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
      window: { start: isoTime(window.start), end: isoTime(window.end) },
      total_flows: recordedFlows + background,
      hosts: world.hosts.length,
      pairs,
    },
  };
}
