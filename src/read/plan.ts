import type { CanonicalField } from '../flow/schema.js';

/**
 * What a reader decides about one input file, and all an engine needs to load it with its own bulk
 * readers. A reader knows one format; the engine knows the SQL. Raw values are addressed by position
 * (`raw[i]`), so no name taken from a file ever reaches SQL text.
 */
export type ImportPlan = DelimitedPlan | JsonLinesPlan;

interface PlanBase {
  /** Registered format name, e.g. "zeek-tsv". */
  format: string;
  path: string;
  compression: 'none' | 'gzip' | 'zstd';
  /** Display names of the raw columns, for messages only. */
  rawNames: string[];
  fields: FieldMapping;
  /** Rows whose raw value at `column` does not match `pattern` are skipped as non-flow events. */
  eventFilter?: { column: number; pattern: string };
}

export interface DelimitedPlan extends PlanBase {
  kind: 'delimited';
  delimiter: string;
  /** Quote character, or '' for none (Zeek TSV has no quoting). */
  quote: string;
  /** Lines starting with this are not data (Zeek's `#` headers and `#close` trailer). */
  comment: string;
  /** Header lines to skip before the data (a CSV header line). */
  skipLines: number;
  /** Values meaning "unset" (Zeek's `-` and `(empty)`). */
  nullValues: string[];
}

export interface JsonLinesPlan extends PlanBase {
  kind: 'jsonl';
  /** JSON path (keys from the root) of each raw column; alternatives are listed as separate columns. */
  jsonPaths: string[][];
}

/** How one canonical field is obtained: the first alternative that yields a value wins. */
export type FieldMapping = Partial<Record<CanonicalField, ValueSource[]>>;

export interface ValueSource {
  column: number;
  /** Multiply a numeric value, e.g. 1e-6 for microseconds → seconds. */
  scale?: number;
  /** For durations: this column is an end time; the value is end − `startColumn` (both times). */
  endMinusStart?: number;
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
}
