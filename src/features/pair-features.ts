/**
 * Per-pair features, column by column (one typed array per feature, index = pair).
 * Every engine computes the same columns with the same meaning; see docs/ARCHITECTURE.md.
 */
export interface PairFeatures {
  length: number;
  src: string[];
  dst: string[];
  /** dport of the pair's most common (dport, size) row; null when the pair has no port (ICMP). */
  dport: (number | null)[];
  proto: (string | null)[];
  /** Most common server name (SNI/Host) of the pair, when the format has one. */
  host: (string | null)[];
  /** The explicit proxy the pair's flows went through (dst is then the proxy's target), when known. */
  via?: (string | null)[];
  /** For a (client, server name) pair: the addresses the name's flows went to (null for address pairs). */
  addresses?: (string[] | null)[];
  numeric: Record<NumericPairFeature, Float64Array>;
}

export const NUMERIC_PAIR_FEATURES = {
  t_bytecount: 'seed: flows of the pair (src, dst) counted for the size features',
  i_bytecount: 'seed: flows of the most common (dport, size) of the pair',
  distinct_byte_count: 'seed: distinct sizes of the pair',
  avgcount: 'seed: i_bytecount / t_bytecount, the share of the most common size',
  mode_size: 'the most common size in bytes (on the selected size field)',
  orig_mode_share: 'share of flows with the most common client→server size',
  orig_distinct_sizes: 'distinct client→server sizes',
  orig_mode_size: 'the most common client→server size in bytes',
  flows: 'all flows of the pair',
  first_ts: 'epoch seconds of the first flow',
  last_ts: 'epoch seconds of the last flow',
  distinct_dports: 'distinct destination ports',
  orig_bytes_total: 'client→server bytes, summed',
  resp_bytes_total: 'server→client bytes, summed',
  duration_total: 'connection seconds, summed',
  duration_max: 'longest connection, seconds',
  failed_share: 'share of flows whose connection failed (REJ, S0, ...)',
  zero_byte_share: 'share of flows with no payload in either direction',
  prevalence: 'share of internal sources that contact this destination',
  dst_sources: 'distinct sources that contact this destination',
} as const;

export type NumericPairFeature = keyof typeof NUMERIC_PAIR_FEATURES;

/** The seed's literal rows: (src, dst, dport, size) with its i_bytecount and pair-level counts. */
export interface SeedRows {
  length: number;
  src: string[];
  dst: string[];
  dport: (number | null)[];
  size: Float64Array;
  i_bytecount: Float64Array;
  t_bytecount: Float64Array;
  distinct_byte_count: Float64Array;
  avgcount: Float64Array;
}

/** One pair's flows sorted by time. */
export interface PairSeries {
  src: string;
  dst: string;
  ts: Float64Array;
  sizes: Float64Array;
}

export function pairKey(src: string, dst: string): string {
  return `${src}\u0000${dst}`;
}

/** A pair's flows, column by column, sorted by time (for timelines and histograms). */
export interface PairFlows {
  /** Flows the pair has in all (the columns may hold a sample of them). */
  total: number;
  ts: Float64Array;
  duration: Float64Array;
  origBytes: Float64Array;
  respBytes: Float64Array;
  dport: Int32Array;
  connState: (string | null)[];
}
