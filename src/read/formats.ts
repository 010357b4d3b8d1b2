import { InputError } from '../util/errors.js';
import type { ImportPlan } from './plan.js';
import { type FileHead, looksBinary, sniffFile } from './sniff.js';
import { looksLikeSplunkCsv, looksLikeSplunkJson, SEED_OUTPUT_COLUMNS, splunkCsvPlan, splunkJsonPlan } from './splunk.js';
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
    name: 'splunk-csv',
    option: 'splunk',
    description: 'Splunk Stream export (stream:tcp/udp) as CSV',
    detect: looksLikeSplunkCsv,
    plan: splunkCsvPlan,
  },
  {
    name: 'splunk-json',
    option: 'splunk',
    description: 'Splunk Stream export as JSON lines',
    detect: looksLikeSplunkJson,
    plan: splunkJsonPlan,
  },
];

export const FORMAT_OPTIONS = ['auto', ...new Set(READERS.map((r) => r.option))];

/** Recognise a file by its content (never by its name) and plan its import. */
export async function planImport(path: string, format = 'auto'): Promise<ImportPlan> {
  const head = await sniffFile(path);
  if (head.text.trim() === '' && head.complete) throw new InputError('empty file', path);
  if (looksBinary(head)) throw new InputError('binary data, not a text flow log', path);
  const candidates = format === 'auto' ? READERS : READERS.filter((r) => r.option === format || r.name === format);
  if (candidates.length === 0) {
    throw new InputError(`unknown format "${format}" (known: ${FORMAT_OPTIONS.join(', ')})`);
  }
  const reader = candidates.find((r) => r.detect(head));
  if (reader) return reader.plan(head);
  if (format !== 'auto' && candidates.length === 1) return (candidates[0] as FormatReader).plan(head);
  const firstLine = head.lines.find((l) => l.trim() !== '') ?? '';
  if (SEED_OUTPUT_COLUMNS.some((c) => firstLine.includes(c))) {
    throw new InputError('this is the seed search output (precomputed features); reading it is not supported yet', path);
  }
  const tried = candidates.map((r) => r.name).join(', ');
  throw new InputError(`unrecognised format (tried ${tried}); use --format to force one`, path, 1);
}
