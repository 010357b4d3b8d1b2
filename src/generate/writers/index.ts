import { argusBinetflow } from './argus-binetflow.js';
import { nfdumpCsv } from './nfdump-csv.js';
import { splunkCsv } from './splunk-csv.js';
import { suricataEve } from './suricata-eve.js';
import type { FlowFormat } from './types.js';
import { vpcFlowLogs } from './vpc.js';
import { zeekJson } from './zeek-json.js';
import { zeekTsv } from './zeek-tsv.js';

export type { EncoderContext, FlowEncoder, FlowFormat } from './types.js';

/** Every output format, by --format name. Register a new format here. */
export const FORMATS: readonly FlowFormat[] = [
  zeekTsv,
  zeekJson,
  splunkCsv,
  nfdumpCsv,
  argusBinetflow,
  suricataEve,
  vpcFlowLogs,
];

export const FORMAT_NAMES: readonly string[] = FORMATS.map((f) => f.name);

export function formatByName(name: string): FlowFormat {
  const format = FORMATS.find((f) => f.name === name);
  if (!format)
    throw new RangeError(`unknown output format "${name}" (expected one of: ${FORMAT_NAMES.join(', ')})`);
  return format;
}
