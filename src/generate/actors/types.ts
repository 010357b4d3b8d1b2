import type { Flow } from '../../flow/schema.js';

/** What a recorded pair is, as written to the truth file. */
export type PairKind =
  | 'beacon'
  | 'slow-beacon'
  | 'active-c2'
  | 'netcat-relay'
  | 'refused-beacon'
  | 'benign-ntp'
  | 'benign-telemetry'
  | 'benign-mail'
  /** Hard negatives: clockwork pairs that are benign by what they are, not by how they look. */
  | 'benign-license-check'
  | 'benign-market-data'
  | 'benign-monitoring';

/**
 * How `jitter` is applied to `period_s`:
 * - `cobalt-strike`: sleep = period × (1 − U(0, jitter)) (gaps never exceed the period);
 * - `symmetric`: gap = period × (1 + U(−jitter, +jitter));
 * - `slot`: one flow per slot of `period_s`, placed at the slot centre ± jitter × period.
 */
export type JitterModel = 'cobalt-strike' | 'symmetric' | 'slot';

/** A time window, epoch seconds. */
export interface Window {
  start: number;
  end: number;
}

/** A pair whose flows all come from one actor, so its truth is exactly what that actor emits. */
export interface PairSpec {
  /** Stable, human-readable name (beacon-jitter-50, ntp-10.0.1.7 …). */
  label: string;
  kind: PairKind;
  src: string;
  dst: string;
  dport: number;
  proto: 'tcp' | 'udp';
  period_s: number;
  jitter: number;
  jitter_model: JitterModel;
  /** SNI / Host the client sends, when it sends one. */
  host: string | null;
  /** When the actor starts (infection time for planted pairs). */
  active: Window;
  /** active-c2 only: where the beacon turns into interactive tasking. */
  spurts?: Window[];
}

/**
 * One source of flows (a host's browsing, one heartbeat, one implant). `flows()` returns a fresh,
 * time-ordered iterator each call and yields the same flows every time: the scenario first replays
 * recorded pairs to count them, then the writer replays them again.
 */
export interface Actor {
  id: string;
  /** Set for pairs listed in the truth file; null for background traffic. */
  pair: PairSpec | null;
  flows(): Iterator<Flow>;
}
