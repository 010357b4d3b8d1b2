import type { PairFlows } from '../features/pair-features.js';

/** The findings schema (brief §Findings JSON). Add fields, never rename them. */
export type Verdict = 'beacon' | 'active-c2' | 'strobe' | 'long-connection' | 'anomaly';
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
  score: number;
  severity: Severity;
  verdict: Verdict;
  flows: number;
  first_seen: string;
  last_seen: string;
  features: Record<string, number | null>;
  /**
   * A destination that rotates within one network: every address of the group (dst is the one
   * with most flows). Absent for plain pairs.
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
  }[];
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
