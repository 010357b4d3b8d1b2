/** Generator options. Everything the generator produces is a pure function of these values. */
export interface GenerateOptions {
  /** Seed of every random draw: the same options give byte-identical output. Default 1. */
  seed: number;
  /**
   * Approximate total number of flows. Benign browsing absorbs whatever the periodic and planted
   * actors leave, so the total is exact unless those alone exceed it. Default 250 000.
   */
  flows: number;
  /** Length of the capture window in hours. Default 24. */
  hours: number;
  /** Start of the capture window, ISO 8601 (UTC). Default 2024-03-05T00:00:00Z. */
  start: string;
  /** Number of internal hosts. Default grows mildly with `flows`: 200 at 250 000 flows. */
  hosts: number;
  /** Also plant a beacon whose C2 refuses every connection (REJ, 0 bytes). Default true. */
  refused: boolean;
  /**
   * Active-C2 pairs (Cobalt-Strike-like beacons that take orders in 1–3 tasking spurts). Default 1,
   * the demo's; more make the 24-hour scenario where active C2 must outrank every benign pair.
   */
  activeC2: number;
  /**
   * Also emit the hard negatives: a license check and a market-data widget (one host each, a rare
   * destination, clockwork timing, constant sizes) and a monitoring server polling 10 internal
   * servers every 30 s. Default true.
   */
  hardNegatives: boolean;
}

export type GenerateOptionsInput = Partial<GenerateOptions>;

export const DEFAULT_SEED = 1;
export const DEFAULT_FLOWS = 250_000;
export const DEFAULT_HOURS = 24;
export const DEFAULT_START = '2024-03-05T00:00:00Z';
export const MIN_HOSTS = 12;
export const MAX_HOSTS = 100_000;
/** Planted pairs besides the active-C2 ones: three beacons, the slow beacon, the netcat relay. */
const OTHER_PLANTED = 5;

/** Planted pairs of a scenario: each needs a host of its own. */
export function plantedCount(o: Pick<GenerateOptions, 'activeC2' | 'refused'>): number {
  return OTHER_PLANTED + o.activeC2 + (o.refused ? 1 : 0);
}

/** ~200 hosts at the default volume, growing with flows^0.3 (40 … 2000). */
export function defaultHostCount(flows: number): number {
  const scaled = 200 * (Math.max(flows, 1) / DEFAULT_FLOWS) ** 0.3;
  return Math.min(2000, Math.max(40, Math.round(scaled)));
}

/** Fills defaults and validates; throws RangeError with a user-facing message. */
export function resolveOptions(input: GenerateOptionsInput = {}): GenerateOptions {
  const seed = input.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const flows = input.flows ?? DEFAULT_FLOWS;
  if (!Number.isSafeInteger(flows) || flows < 0)
    throw new RangeError(`flows must be a non-negative integer, got ${flows}`);
  const hours = input.hours ?? DEFAULT_HOURS;
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 366) {
    throw new RangeError(`hours must be > 0 and at most one year, got ${hours}`);
  }
  const start = input.start ?? DEFAULT_START;
  const startMs = Date.parse(start);
  if (Number.isNaN(startMs))
    throw new RangeError(`start must be an ISO 8601 date, got ${JSON.stringify(start)}`);
  const hosts = input.hosts ?? defaultHostCount(flows);
  if (!Number.isSafeInteger(hosts) || hosts < MIN_HOSTS || hosts > MAX_HOSTS) {
    throw new RangeError(`hosts must be an integer between ${MIN_HOSTS} and ${MAX_HOSTS}, got ${hosts}`);
  }
  const activeC2 = input.activeC2 ?? 1;
  if (!Number.isSafeInteger(activeC2) || activeC2 < 0)
    throw new RangeError(`activeC2 must be a non-negative integer, got ${activeC2}`);
  const refused = input.refused ?? true;
  const planted = plantedCount({ activeC2, refused });
  if (planted > hosts) {
    throw new RangeError(`${planted} planted pairs need as many hosts (each on its own), got hosts ${hosts}`);
  }
  return {
    seed,
    flows,
    hours,
    start: new Date(startMs).toISOString(),
    hosts,
    refused,
    activeC2,
    hardNegatives: input.hardNegatives ?? true,
  };
}

/** The capture window in epoch seconds. */
export function spanOf(options: GenerateOptions): { start: number; end: number } {
  const start = Date.parse(options.start) / 1000;
  return { start, end: start + options.hours * 3600 };
}
