import { InputError } from '../util/errors.js';
import { argusPlan, looksLikeArgus } from './argus.js';
import { type ColumnMap, genericCsvPlan } from './generic-csv.js';
import { looksLikeNfdumpCsv, looksLikeNfdumpFmt, nfdumpCsvPlan, nfdumpFmtPlan } from './nfdump.js';
import type { ImportPlan } from './plan.js';
import { looksLikeSeedOutput, seedOutputPlan } from './seed-output.js';
import { type FileHead, looksBinary, sniffFile } from './sniff.js';
import { looksLikeSplunkCsv, looksLikeSplunkJson, splunkCsvPlan, splunkJsonPlan } from './splunk.js';
import { looksLikeSuricata, suricataPlan } from './suricata.js';
import { looksLikeVpc, vpcPlan } from './vpc.js';
import { looksLikeZeekJson, looksLikeZeekTsv, zeekJsonPlan, zeekTsvPlan } from './zeek.js';

/** One supported input format: how to recognise it by content and how to plan its import. */
export interface FormatReader {
  name: string;
  /** The `--format` value that selects it (several readers may share one, e.g. zeek). */
  option: string;
  description: string;
  detect(head: FileHead): boolean;
  plan(head: FileHead): ImportPlan;
}

/**
 * In detection order: the most specific signatures first (Suricata's event_type before Splunk
 * JSON's src_ip/dest_ip; the seed output's feature columns before Splunk CSV's src_ip/dest_ip).
 */
export const READERS: readonly FormatReader[] = [
  {
    name: 'zeek-tsv',
    option: 'zeek',
    description: 'Zeek conn.log, tab-separated with #fields header',
    detect: looksLikeZeekTsv,
    plan: zeekTsvPlan,
  },
  {
    name: 'zeek-json',
    option: 'zeek',
    description: 'Zeek conn.log as JSON lines',
    detect: looksLikeZeekJson,
    plan: zeekJsonPlan,
  },
  {
    name: 'suricata-eve',
    option: 'suricata',
    description: 'Suricata EVE JSON (flow and netflow events)',
    detect: looksLikeSuricata,
    plan: suricataPlan,
  },
  {
    name: 'splunk-json',
    option: 'splunk',
    description: 'Splunk Stream export as JSON lines',
    detect: looksLikeSplunkJson,
    plan: splunkJsonPlan,
  },
  {
    name: 'seed-output',
    option: 'seed',
    description: "the seed's Splunk search output (precomputed features, CSV)",
    detect: looksLikeSeedOutput,
    plan: seedOutputPlan,
  },
  {
    name: 'splunk-csv',
    option: 'splunk',
    description: 'Splunk Stream export (stream:tcp/udp) as CSV',
    detect: looksLikeSplunkCsv,
    plan: splunkCsvPlan,
  },
  {
    name: 'nfdump-csv',
    option: 'nfdump',
    description: 'NetFlow/IPFIX: nfdump -o csv (1.6, 1.7)',
    detect: looksLikeNfdumpCsv,
    plan: nfdumpCsvPlan,
  },
  {
    name: 'nfdump-fmt',
    option: 'nfdump',
    description: "NetFlow/IPFIX: nfdump -o 'fmt:…' with comma-separated fields",
    detect: looksLikeNfdumpFmt,
    plan: nfdumpFmtPlan,
  },
  {
    name: 'argus',
    option: 'argus',
    description: 'Argus ra CSV with a header line, CTU-13 .binetflow',
    detect: looksLikeArgus,
    plan: argusPlan,
  },
  {
    name: 'vpc-flow',
    option: 'vpc',
    description: 'AWS VPC Flow Logs (default v2 or custom fields, header line)',
    detect: looksLikeVpc,
    plan: vpcPlan,
  },
];

const JSON_READERS = new Set(['zeek-json', 'suricata-eve', 'splunk-json']);

/** `--format` values, in the order the CLI lists them. `csv` is the generic reader (needs a column map). */
export const FORMAT_OPTIONS = ['auto', 'zeek', 'splunk', 'nfdump', 'argus', 'suricata', 'vpc', 'csv', 'seed'];

export interface ReadOptions {
  /** Column map for the generic CSV reader (`--format csv`, or files no other reader recognises). */
  columnMap?: ColumnMap;
}

/**
 * Recognise a file by its content (never by its name) and plan its import. `format` forces a
 * reader (`--format`); `auto` tries every reader in order, then the generic CSV reader when a
 * column map is given.
 */
export async function planImport(
  path: string,
  format = 'auto',
  options: ReadOptions = {},
): Promise<ImportPlan> {
  if (!FORMAT_OPTIONS.includes(format) && !READERS.some((r) => r.name === format)) {
    throw new InputError(`unknown format "${format}" (known: ${FORMAT_OPTIONS.join(', ')})`);
  }
  if (format === 'csv' && !options.columnMap) {
    throw new InputError(
      '--format csv needs a column map (the csv: section of the config file; see docs/FORMATS.md)',
      path,
    );
  }
  const head = await sniffFile(path);
  if (head.text.trim() === '' && head.complete) throw new InputError('empty file', path);
  if (looksBinary(head)) throw new InputError('binary data, not a text flow log', path);
  if (format === 'csv' && options.columnMap) return genericCsvPlan(head, options.columnMap);
  const candidates =
    format === 'auto' ? READERS : READERS.filter((r) => r.option === format || r.name === format);
  const reader = candidates.find((r) => r.detect(head));
  if (reader) return reader.plan(head);
  if (format === 'auto' && options.columnMap) return genericCsvPlan(head, options.columnMap);
  // Forced: the format's reader for this shape (JSON or text) says what it misses (e.g. no sa/da).
  if (format !== 'auto') {
    const json = head.firstJson !== undefined;
    return (
      candidates.find((r) => JSON_READERS.has(r.name) === json) ?? (candidates[0] as FormatReader)
    ).plan(head);
  }
  const tried = [...candidates.map((r) => r.name), ...(options.columnMap ? ['csv'] : [])].join(', ');
  throw new InputError(`unrecognised format (tried ${tried}); use --format to force one`, path, 1);
}
