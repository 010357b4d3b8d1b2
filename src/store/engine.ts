import type { DnsNameRow } from '../features/dns/dns-features.js';
import type { FeatureOptions } from '../features/options.js';
import type { PairFeatures, PairFlows, PairSeries, SeedRows } from '../features/pair-features.js';
import type { NamePlan } from '../read/names.js';
import type { DelimitedPlan, FileAccounting, ImportPlan, JsonLinesPlan } from '../read/plan.js';

/** What name resolution did: flows named by their connection, proxied, by DNS; events read. */
export interface NameResolution {
  byConnection: number;
  proxied: number;
  byDns: number;
  events: number;
  /** Flows made from HTTP requests because no flow file was given (an http.log alone). */
  httpAsFlows: number;
}

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
  /** The engine honours FeatureOptions.stitchSplitRecords in pairSeries (window functions). */
  readonly stitchesSplitRecords?: boolean;
  readonly name: string;
  /** Load one file; a file already in the store (same fingerprint) is not loaded twice. */
  importFile(plan: ImportPlan): Promise<FileAccounting>;
  /**
   * Optional: many small files read the same way in one go. Returns each plan's accounting, or
   * undefined for each plan it left to importFile.
   */
  importFiles?(plans: readonly ImportPlan[]): Promise<(FileAccounting | undefined)[]>;
  summary(): Promise<DataSummary>;
  /**
   * Load a name log (Zeek ssl/http/dns, EVE tls/http/dns events; src/read/names.ts). Optional: an
   * engine without it cannot name flows from separate logs (the hunt says so).
   */
  importNames?(plan: NamePlan): Promise<FileAccounting>;
  /** Join the imported name logs to the flows (SNI, Host, proxy targets, passive DNS). */
  resolveNames?(): Promise<NameResolution>;
  /** DNS queries per (client, name), and the addresses that serve DNS (src/features/dns). */
  dnsNameRows?(): Promise<{ rows: DnsNameRow[]; servers: Set<string> }>;
  /** Sorted query times of each (client, registered domain). */
  dnsQueryTimes?(pairs: readonly { client: string; domain: string }[]): Promise<Float64Array[]>;
  /** The seed's features and the other per-pair aggregates, one row per (src, dst). */
  pairFeatures(options: FeatureOptions): Promise<PairFeatures>;
  /**
   * What the sensor says about each address (Zeek's local_orig/local_resp): true when a flow marks
   * it local, false when flows that mark their other end local do not. Addresses only seen in flows
   * without the flags, or marked F/F, are absent. Optional: an engine without it leaves direction to
   * the configured networks.
   */
  localMarks?(): Promise<Map<string, boolean>>;
  /** The seed's literal rows: one per (src, dst, dport, size), for `--seed-compat`. */
  seedRows(options: FeatureOptions): Promise<SeedRows>;
  /**
   * Stream each pair's flows sorted by time (timestamps and sizes), for timing analysis in
   * batches so memory stays bounded by the largest pair. When `visit` returns a promise, the
   * engine waits for it before reading on (backpressure from a worker pool). Pairs with fewer than `minFlows` flows
   * are left out: no timing can be read from them.
   */
  pairSeries(
    options: FeatureOptions,
    minFlows: number,
    visit: (series: PairSeries) => void | Promise<void>,
  ): Promise<void>;
  /**
   * The flows of a few pairs (the top findings), for the report's timelines and histograms; at most
   * `limitPerPair` flows each, evenly spread over the pair's time range when it has more.
   */
  pairFlows(
    pairs: readonly { src: string; dst: string }[],
    limitPerPair: number,
  ): Promise<Map<string, PairFlows>>;
  /**
   * Report the running statement's progress (0–1) to `listener` while it runs, for progress bars
   * on long imports and queries; undefined stops reporting. Optional: not every engine can.
   */
  watchProgress?(listener: ((fraction: number) => void) | undefined): void;
  close(): Promise<void>;
  /**
   * Change detection (src/change): per pair and time window, the seed's size features, volume and
   * the median gap, streamed one pair at a time with its windows in time order. Optional: an
   * engine without it yields no change episodes.
   */
  pairWindows?(query: WindowQuery, visit: (series: PairWindowSeries) => void): Promise<void>;
  /** Live mode (src/watch): incremental ingest with durable offsets, pair state and alerts. Optional. */
  watchStore?(options?: WatchStoreOptions): Promise<WatchStore>;
}

/** Which (pair, window) aggregates `pairWindows` computes. */
export interface WindowQuery {
  /** Window length in seconds; windows are aligned to the epoch (floor(ts / hop)). */
  windowSeconds: number;
  /** Seconds between window starts; a divisor of windowSeconds. Default windowSeconds (tumbling). */
  hopSeconds?: number;
  /** Only these pairs (e.g. the findings). */
  pairs?: readonly { src: string; dst: string }[];
  /** Without `pairs`: only pairs with at least this many flows in all. */
  minFlows?: number;
  /** Only windows whose index (start / hop) is in [from, to): the windows a live run just closed. */
  windows?: { from: number; to: number };
}

/**
 * One pair's non-empty windows, column by column, ascending by window index. Sizes are canonical
 * resp_bytes (server→client, the seed's bytes_out) and orig_bytes (client→server), unset as 0.
 */
export interface PairWindowSeries {
  src: string;
  dst: string;
  /** Window index: the window is [index·hop, index·hop + window) in epoch seconds. */
  index: Float64Array;
  /** Flows in the window (the seed's t_bytecount, per window). */
  flows: Float64Array;
  firstTs: Float64Array;
  lastTs: Float64Array;
  /** Median gap between consecutive flows inside the window; NaN with fewer than two flows. */
  gapMedian: Float64Array;
  respBytes: Float64Array;
  origBytes: Float64Array;
  /** distinct_byte_count, the most common size and its flows (i_bytecount), per side. */
  respDistinct: Float64Array;
  respModeSize: Float64Array;
  respModeCount: Float64Array;
  origDistinct: Float64Array;
  origModeSize: Float64Array;
  origModeCount: Float64Array;
  /** Most common destination port in the window; -1 when none. */
  dport: Float64Array;
  /**
   * First and last flow of the window whose size differs from the window's most common size (either
   * direction): a spurt without the check-ins around it. first/lastTs when every flow is usual.
   */
  oddFirstTs: Float64Array;
  oddLastTs: Float64Array;
  /**
   * First and last flow of the window's dense part: flows with a neighbour within twice the window's
   * median gap (a spurt is seconds apart, check-ins a period). first/lastTs when none.
   */
  denseFirstTs: Float64Array;
  denseLastTs: Float64Array;
}

export interface WatchStoreOptions {
  /** Cap on the engine's memory (DuckDB memory_limit, e.g. "256MB"), so a long run stays flat. */
  memoryLimit?: string;
}

/** One followed log stream (a file, recognised across renames and compression by its head). */
export interface WatchStream {
  /** Also the stream's file_id in the flows and files tables. */
  id: number;
  /** sha256 of the stream's head: its bytes up to the end of the first data line. */
  headHash: string;
  headBytes: number;
  /** Inode and path where the stream was last read. */
  inode: number;
  path: string;
  format: string;
  /** Bytes (decompressed) and lines consumed so far: everything before is stored. */
  offset: number;
  lines: number;
  /** The stream is complete (Zeek's #close read, or a compressed file read to its end). */
  done: boolean;
}

/** Complete lines read from a stream, and where the stream stands after them. */
export interface WatchChunk {
  streamId: number;
  /** How the lines are converted: the stream's import plan (delimited without quotes, or JSON lines). */
  plan: DelimitedPlan | JsonLinesPlan;
  /** Data lines only (no comments or blank lines), without line ends. */
  lines: string[];
  /** 1-based line number of each data line in the stream, for examples of skipped rows. */
  lineNumbers: number[];
  /** Stream position after this chunk. */
  offset: number;
  totalLines: number;
  done: boolean;
  path: string;
  inode: number;
  /** Flows stamped after this (epoch seconds; a sensor with a wrong clock) do not count for maxTs. */
  maxBelievableTs?: number;
}

/** What one chunk added. */
export interface WatchIngest {
  rows: number;
  used: number;
  skipped: Record<string, number>;
  /** Epoch seconds of the newest usable flow in the chunk (up to maxBelievableTs), or null. */
  maxTs: number | null;
  minTs: number | null;
}

/** A pair's change-detector state as stored (JSON text) with when its open episode closes. */
export interface WatchPairState {
  src: string;
  dst: string;
  state: string;
  /** Window index of the pair's last window. */
  lastIndex: number;
  /** Window index from which an open episode is over if no new alert window came; null when none is open. */
  closeAt: number | null;
}

/**
 * Durable state of a live run, all in the database. A batch is one transaction: the flows of its
 * chunks, the streams' offsets, the pairs' detector states and the alerts they raise commit
 * together, so a run killed at any moment resumes exactly where the last commit left it.
 */
export interface WatchStore {
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Run settings and progress (window, watermark, next window to evaluate, …). */
  getMeta(): Promise<Record<string, string>>;
  setMeta(values: Record<string, string>): Promise<void>;
  streams(): Promise<WatchStream[]>;
  /** Registers a new stream (and its files row, so `hunt --db` sees its flows). */
  addStream(stream: Omit<WatchStream, 'id' | 'offset' | 'lines' | 'done'>): Promise<WatchStream>;
  /** Converts and stores the lines with the bulk import's validation, and advances the stream. */
  ingest(chunk: WatchChunk): Promise<WatchIngest>;
  /** Where a stream was last seen (after a rename or compression). */
  moveStream(id: number, path: string, inode: number): Promise<void>;
  /** Stored detector states of these pairs. */
  pairStates(pairs: readonly { src: string; dst: string }[]): Promise<Map<string, WatchPairState>>;
  /** Pairs whose open episode is over once windows before `index` are closed. */
  episodesClosingBefore(index: number): Promise<WatchPairState[]>;
  savePairStates(states: readonly WatchPairState[]): Promise<void>;
  /** Drops the state of pairs idle since before `index` (their next window starts afresh). */
  forgetPairsIdleBefore(index: number): Promise<number>;
  /** The sequence number the next alert gets (1 for the first). */
  nextAlertSeq(): Promise<number>;
  /** Stores alerts (JSON text, carrying its seq) to be written out after the commit. */
  addAlerts(alerts: readonly { seq: number; alert: string }[]): Promise<void>;
  /** The stored text of alert `seq`, or null. */
  alertText(seq: number): Promise<string | null>;
  /** Alerts not yet written out, in order. */
  pendingAlerts(): Promise<{ seq: number; alert: string }[]>;
  markEmitted(uptoSeq: number): Promise<void>;
  /** Usable flows stored (all streams). */
  flowCount(): Promise<number>;
}
