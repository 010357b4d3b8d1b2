import type { PairFeatures, PairFlows, PairSeries, SeedRows } from '../features/pair-features.js';
import type { FeatureOptions } from '../features/options.js';
import type { FileAccounting, ImportPlan } from '../read/plan.js';

/** What the stored data holds, for the summary. */
export interface DataSummary {
  files: FileAccounting[];
  flowsRead: number;
  flowsUsed: number;
  skippedByReason: Record<string, number>;
  /** Epoch seconds of the first and last flow, or null when there is none. */
  timeRange: [number, number] | null;
}

/**
 * A storage and compute engine. It owns every SQL statement of its dialect: readers hand it
 * import plans, features are asked for by meaning, and only per-pair rows come back.
 */
export interface Engine {
  readonly name: string;
  /** Load one file; a file already in the store (same fingerprint) is not loaded twice. */
  importFile(plan: ImportPlan): Promise<FileAccounting>;
  summary(): Promise<DataSummary>;
  /** The seed's features and the other per-pair aggregates, one row per (src, dst). */
  pairFeatures(options: FeatureOptions): Promise<PairFeatures>;
  /** The seed's literal rows: one per (src, dst, dport, size), for `--seed-compat`. */
  seedRows(options: FeatureOptions): Promise<SeedRows>;
  /**
   * Stream each pair's flows sorted by time (timestamps and sizes), for timing analysis in
   * batches so memory stays bounded by the largest pair. Pairs with fewer than `minFlows` flows
   * are left out: no timing can be read from them.
   */
  pairSeries(options: FeatureOptions, minFlows: number, visit: (series: PairSeries) => void): Promise<void>;
  /**
   * The flows of a few pairs (the top findings), for the report's timelines and histograms; at most
   * `limitPerPair` flows each, evenly spread over the pair's time range when it has more.
   */
  pairFlows(pairs: readonly { src: string; dst: string }[], limitPerPair: number): Promise<Map<string, PairFlows>>;
  close(): Promise<void>;
}
