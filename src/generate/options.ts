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
}

export type GenerateOptionsInput = Partial<GenerateOptions>;

export const DEFAULT_SEED = 1;
export const DEFAULT_FLOWS = 250_000;
export const DEFAULT_HOURS = 24;
export const DEFAULT_START = '2024-03-05T00:00:00Z';
export const MIN_HOSTS = 12;
export const MAX_HOSTS = 100_000;

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
  return {
    seed,
    flows,
    hours,
    start: new Date(startMs).toISOString(),
    hosts,
    refused: input.refused ?? true,
  };
}

/** The capture window in epoch seconds. */
export function spanOf(options: GenerateOptions): { start: number; end: number } {
  const start = Date.parse(options.start) / 1000;
  return { start, end: start + options.hours * 3600 };
}
