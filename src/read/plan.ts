import type { CanonicalField } from '../flow/schema.js';

/**
 * What a reader decides about one input file, and all an engine needs to load it with its own bulk
 * readers. A reader knows one format; the engine knows the SQL. Raw values are addressed by position
 * (`raw[i]`), so no name taken from a file ever reaches SQL text; patterns, reasons and time formats
 * in a plan are handed to the engine's SQL as bound parameters.
 *
 * - `delimited` / `jsonl`: flow records, converted to canonical flows (table `flows`).
 * - `precomputed`: the seed's Splunk search output, per-(src, dst, dport, size) feature rows with no
 *   timestamps; stored apart (table `seed_rows`) and used as pairs without timing.
 */
export type ImportPlan = DelimitedPlan | JsonLinesPlan | PrecomputedPlan;

/** Where a format's byte counts start counting: the link-layer frame or the IP packet (PlanBase.headerBytes). */
export type HeaderBytes = 'frame' | 'ip';

/** Whether a format's records are whole connections or one direction each. */
export type Directionality = 'bidirectional' | 'unidirectional';

interface PlanBase {
  /** Registered format name, e.g. "zeek-tsv". */
  format: string;
  path: string;
  compression: 'none' | 'gzip' | 'zstd';
  /** Read the bytes from this copy instead of `path` (which still names the file to the user). */
  readFrom?: { path: string; compression: 'none' };
  /**
   * Why the (compressed) stream ended before its end: truncated or corrupt. The rows before the cut
   * are used; the user is told the file is incomplete.
   */
  truncated?: string;
  /** SHA-256 of the whole (decompressed) content, when it was read before the import. */
  contentHash?: string;
  /** Only the bytes after this offset are new (the file grew since it was imported): read from `readFrom`. */
  appendedAfter?: number;
  /** Keep rows whatever their time (`--allow-any-time`); otherwise times before 1990 or in the future are skipped. */
  allowAnyTime?: boolean;
  /** Rows skipped before the engine saw them (lines blanked in `readFrom`), by reason. */
  preSkipped?: Record<string, number>;
  /** Display names of the raw columns, for messages only. */
  rawNames: string[];
  fields: FieldMapping;
  /** Rows whose raw value at `column` does not match `pattern` are skipped as non-flow events. */
  eventFilter?: { column: number; pattern: string };
  /** Rows whose raw value at `column` matches `pattern` are skipped with `reason` (VPC's NODATA). */
  skipRules?: SkipRule[];
  /**
   * Unidirectional records (NetFlow, VPC) carry one direction each: the record's own bytes are in
   * orig_bytes and nothing is invented for the reverse (resp_* stay unset).
   */
  directionality?: Directionality;
  /**
   * The byte counts include every packet's headers: from the link layer on (`frame`: Argus SrcBytes)
   * or from the IP header on (`ip`: NetFlow octets). Absent: they are payload (Zeek orig_bytes).
   */
  headerBytes?: HeaderBytes;
  /** Things the user should know about this file's reading (shown with its accounting). */
  notes?: string[];
  /** Raw column of the connection id (Zeek `uid`, EVE `flow_id`), kept to join name logs. */
  uidColumn?: number;
}

export interface SkipRule {
  column: number;
  /** Regular expression (RE2, as DuckDB's regexp_matches) on the trimmed raw value. */
  pattern: string;
  reason: string;
}

/** How a delimited text file is split into raw columns. */
export interface DelimitedOptions {
  delimiter: string;
  /** Quote character, or '' for none (Zeek TSV has no quoting). */
  quote: string;
  /** Lines starting with this are not data (Zeek's `#` headers and `#close` trailer). */
  comment: string;
  /** Header lines to skip before the data (a CSV header line). */
  skipLines: number;
  /** Values meaning "unset" (Zeek's `-` and `(empty)`). */
  nullValues: string[];
  /**
   * Lines a tool writes after its records (nfdump's `Summary`): a regular expression for such a
   * line. A row whose first raw column matches, an unparseable line that matches, and every
   * unparseable line after the first such one are not data rows and are not counted.
   */
  trailer?: string;
}

export interface DelimitedPlan extends PlanBase, DelimitedOptions {
  kind: 'delimited';
}

export interface JsonLinesPlan extends PlanBase {
  kind: 'jsonl';
  /** JSON path (keys from the root) of each raw column; alternatives are listed as separate columns. */
  jsonPaths: string[][];
}

/** The columns of the seed's search output (one row per src, dst, dport and size). */
export const SEED_FEATURE_COLUMNS = [
  'src',
  'dst',
  'dport',
  'size',
  'i_bytecount',
  't_bytecount',
  'distinct_byte_count',
  'avgcount',
  /** Optional: the server name (SNI/Host) the search added (`beaconhunt spl`, Splunk Stream's server_name/site). */
  'host',
] as const;
export type SeedFeatureColumn = (typeof SEED_FEATURE_COLUMNS)[number];

/**
 * The seed's search output. `fields` is empty (there are no flows to convert): the raw columns of
 * the seed's columns are in `columns`. An engine that does not store seed rows must reject it.
 */
export interface PrecomputedPlan extends PlanBase, DelimitedOptions {
  kind: 'precomputed';
  fields: Record<string, never>;
  /** Raw column of each seed column; dport and avgcount may be absent (avgcount = i / t). */
  columns: Partial<Record<SeedFeatureColumn, number>>;
  /** Which direction the rows' size is: bytes_out = resp (server→client), bytes_in = orig. */
  sizeField: 'resp' | 'orig';
}

/** How one canonical field is obtained: the first alternative that yields a valid value wins. */
export type FieldMapping = Partial<Record<CanonicalField, ValueSource[]>>;

export interface ValueSource {
  column: number;
  /** Multiply a numeric value, e.g. 1e-6 for microseconds → seconds. */
  scale?: number;
  /** For durations: this column is an end time; the value is end − `startColumn` (both times). */
  endMinusStart?: number;
  /** For counts: the value is this column minus column `minus` (binetflow: TotBytes − SrcBytes). */
  minus?: number;
  /** For ports: `0x`-prefixed hexadecimal is accepted too (Argus writes ICMP "ports" in hex). */
  hex?: boolean;
  /** For durations: `HH:MM:SS.mmm` is accepted too (nfdump fmt: without -N). */
  clock?: boolean;
  /** For counts: nfdump's abbreviations (`1.5 M`, `12 K`; ×1000) are accepted too, as approximations. */
  abbreviated?: boolean;
  /** For text: raw value → canonical value (a format's state names → Zeek's conn_state, where they mean the same). */
  values?: Record<string, string>;
  /** For times: a strptime format (e.g. `%d/%m/%Y %H:%M:%S`) instead of epoch seconds or ISO 8601. */
  timeFormat?: string;
}

/** Rows read and skipped for one input file. Invariant: used + Σ skipped = dataRows. */
export interface FileAccounting {
  path: string;
  format: string;
  dataRows: number;
  used: number;
  skipped: Record<string, number>;
  /** A few examples of skipped rows ("line 17: bad address"), for the user. */
  examples: string[];
  /** True when this file was already in the database and was not imported again. */
  alreadyImported?: boolean;
  /** Not imported: the same content is in the database under this other name (a copy, or .gz of it). */
  sameContentAs?: string;
  /** Lines that are not data (a tool's trailer such as nfdump's Summary), not in dataRows. */
  nonDataLines?: number;
  /** Notes from the reader (unidirectional records, precomputed features without timing). */
  notes?: string[];
  /** From the plan: unidirectional records (NetFlow, VPC) call for --bytes orig. */
  directionality?: Directionality;
  /** From the plan: the sizes include packet headers (Argus frames, NetFlow IP octets). */
  headerBytes?: HeaderBytes;
  /** True for the seed's search output: features without timestamps (no timing analysis). */
  precomputed?: boolean;
  /** True for a name log (ssl/http/dns records, src/read/names.ts): rows are name events, not flows. */
  names?: boolean;
}
