import type { Flow } from '../../flow/schema.js';
import type { ByteWriter } from './bytes.js';

/** What an encoder may need beyond the flows themselves; all of it deterministic. */
export interface EncoderContext {
  /** Seed for format-specific identifiers (Zeek uids), so output stays byte-identical per seed. */
  seed: number;
  /** Capture window, epoch seconds (Zeek's #open / #close lines). */
  window: { start: number; end: number };
}

/** Turns flows into text. Stateful per output file (uid counters, trailers). */
export interface FlowEncoder {
  /** Text before the first flow (header lines), possibly empty. */
  header(): string;
  /** Appends one flow, line terminator included (bytes, not strings: see ByteWriter). */
  write(flow: Flow, out: ByteWriter): void;
  /** Text after the last flow (trailer), possibly empty. */
  footer(): string;
}

/**
 * An output format. Adding one (nfdump CSV, Argus, Suricata EVE, VPC …) is one module exporting a
 * FlowFormat plus one line in writers/index.ts.
 */
export interface FlowFormat {
  /** Name used on the command line (--format). */
  name: string;
  description: string;
  /** Conventional file extension, without the .gz. */
  extension: string;
  create(context: EncoderContext): FlowEncoder;
}
