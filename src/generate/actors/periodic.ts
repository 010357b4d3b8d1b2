import type { Flow } from '../../flow/schema.js';
import type { Rng } from '../../math/random.js';
import type { JitterModel } from './types.js';

/** Seconds until the next check-in under a jitter model. */
export function nextGap(rng: Rng, period: number, jitter: number, model: JitterModel): number {
  switch (model) {
    case 'cobalt-strike':
      return period * (1 - rng.uniform(0, jitter));
    case 'symmetric':
      return period * (1 + rng.uniform(-jitter, jitter));
    case 'slot':
      return period;
  }
}

export interface Schedule {
  /** First check-in is somewhere in [start, start + period): clients do not start in phase. */
  start: number;
  end: number;
  period: number;
  jitter: number;
  model: JitterModel;
  /** Chance that a check-in does not happen (host asleep, lost packet); the schedule goes on. */
  miss?: number;
}

/** Check-in times of a periodic client, lazily. */
export function* checkIns(s: Schedule, rng: Rng): Generator<number> {
  let t = s.start + rng.uniform(0, s.period);
  const miss = s.miss ?? 0;
  while (t < s.end) {
    if (miss === 0 || !rng.chance(miss)) yield t;
    t += nextGap(rng, s.period, s.jitter, s.model);
  }
}

/** Periodic flows: one per check-in, shaped by `emit`. */
export function* periodicFlows(s: Schedule, rng: Rng, emit: (ts: number) => Flow): Generator<Flow> {
  for (const t of checkIns(s, rng)) yield emit(t);
}
