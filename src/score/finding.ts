import type { PairFlows } from '../features/pair-features.js';

/** The findings schema (brief §Findings JSON). Add fields, never rename them. */
export type Verdict =
  | 'beacon'
  | 'active-c2'
  | 'strobe'
  | 'long-connection'
  | 'anomaly'
  /** Data carried in DNS names under one domain (src/features/dns). */
  | 'dns-tunnel'
  /** A client cycling through generated domains that do not exist (src/features/dns). */
  | 'dga';
export type Severity = 'none' | 'low' | 'medium' | 'high' | 'critical';

export interface Episode {
  start: string;
  end: string;
  kind: 'active-c2';
  reasons: string[];
}

export interface Finding {
  rank: number;
  src: string;
  dst: string;
  dport: number | null;
  proto: string | null;
  host: string | null;
  /**
   * The explicit proxy (address) the pair's connections went through; `dst` and `host` are then
   * the target the client asked the proxy for and `dport` is the proxy's port. Null or absent
   * otherwise.
   */
  via?: string | null;
  score: number;
  severity: Severity;
  verdict: Verdict;
  flows: number;
  first_seen: string;
  last_seen: string;
  features: Record<string, number | null>;
  /**
   * Every address of a destination that rotates: within one network (dst is the one with most
   * flows), or behind one server name (dst is the name). Absent for plain pairs.
   */
  addresses?: string[];
  /** Each evidence channel's contribution, in decades (−log10 p, weighted and capped; docs/SCORING.md). */
  components: Record<string, number>;
  /**
   * Context factors that applied: demotions as multipliers of the channels' evidence (prevalence,
   * protocolProfile, fanOut, noPayload, inbound), intel as decades added.
   */
  context?: Record<string, number>;
  reasons: string[];
  episodes: Episode[];
}

export interface HuntSummary {
  flows_read: number;
  flows_used: number;
  lines_skipped: number;
  skipped_by_reason: Record<string, number>;
  pairs: number;
  /** Pairs not scored, by why: multicast/broadcast destination, direction, allowlist. */
  pairs_excluded: Record<string, number>;
  /** Internal sources seen (the denominator of prevalence). */
  internal_hosts: number;
  findings_by_severity: Record<Severity, number>;
  time_range: [string, string] | null;
  files: {
    path: string;
    format: string;
    rows: number;
    used: number;
    skipped: Record<string, number>;
    examples: string[];
    already_imported: boolean;
    /** Lines that are not data (a trailer such as nfdump's Summary). */
    non_data_lines?: number;
    notes?: string[];
    directionality?: 'bidirectional' | 'unidirectional';
    precomputed?: boolean;
    /** Not read: why (a file in a folder that could not be read or recognised). */
    error?: string;
    /** Not read again: the same content was read under this name. */
    same_content_as?: string;
    /** A name log (ssl/http/dns): its rows name flows, they are not flows (not in flows_read). */
    names?: boolean;
  }[];
  /** Name logs joined to the flows: events read, flows named by their connection, via a proxy, by DNS. */
  names?: {
    events: number;
    flows_named_by_connection: number;
    flows_via_proxy: number;
    flows_named_by_dns: number;
    /** Without a flow file: HTTP connections of an http.log used as the flows. */
    flows_from_http?: number;
  };
  engine: string;
  mode: 'default' | 'seed-compat';
  size_field: string;
  elapsed_s: number;
  stages_s: Record<string, number>;
}

export interface HuntResult {
  findings: Finding[];
  summary: HuntSummary;
  /** Only when asked for (HuntOptions.reportTop): what the HTML report draws. Not part of --json. */
  report?: ReportData;
}

/** The per-pair scatter data and the top findings' flows, keyed by pairKey(src, dst). */
export interface ReportData {
  pairs: {
    src: string[];
    dst: string[];
    avgcount: Float64Array;
    t_bytecount: Float64Array;
    distinct_byte_count: Float64Array;
    /** 1 for pairs left out of scoring (multicast/broadcast destinations). */
    ignored: Uint8Array;
  };
  flows: Map<string, PairFlows>;
}
