import type { Writable } from 'node:stream';
import type { Flow } from '../flow/schema.js';
import { mergeByTime } from './merge.js';
import type { GenerateOptionsInput } from './options.js';
import { buildScenario, type Scenario } from './scenario.js';
import { type Truth, writeTruth } from './truth.js';
import { formatByName } from './writers/index.js';
import { writeFlows } from './writers/sink.js';

/** All flows of a scenario, merged into time order. Lazy: memory stays flat. */
export function scenarioFlows(scenario: Scenario): Generator<Flow> {
  return mergeByTime(scenario.actors.map((a) => a.flows()));
}

/** Convenience for tests and the demo: the flows and the truth for some options. */
export function generateFlows(options: GenerateOptionsInput = {}): { flows: Generator<Flow>; truth: Truth } {
  const scenario = buildScenario(options);
  return { flows: scenarioFlows(scenario), truth: scenario.truth };
}

export interface GenerateToFileOptions extends GenerateOptionsInput {
  /** Output format name: zeek, zeek-json, splunk-csv (see writers/index.ts). */
  format: string;
  /** File path (gzip when it ends in .gz) or a Writable such as process.stdout. */
  out: string | Writable;
  /** Where to write the truth file, if anywhere. */
  truthOut?: string;
  /** Gzip regardless of the file name. */
  gzip?: boolean;
  /** Progress callback, every `progressEvery` flows (default 1 000 000). */
  onProgress?: (flows: number) => void;
  progressEvery?: number;
}

/** Generates a scenario and streams it to `out` in `format`; optionally writes the truth file. */
export async function generateToFile(
  options: GenerateToFileOptions,
): Promise<{ flows: number; truth: Truth }> {
  const { format, out, truthOut, gzip, onProgress, progressEvery, ...scenarioOptions } = options;
  const writer = formatByName(format); // fail on a bad format before doing any work
  const scenario = buildScenario(scenarioOptions);
  const encoder = writer.create({ seed: scenario.options.seed, window: scenario.window });
  const sinkOptions: Parameters<typeof writeFlows>[3] = {};
  if (gzip !== undefined) sinkOptions.gzip = gzip;
  if (onProgress) sinkOptions.onProgress = onProgress;
  if (progressEvery !== undefined) sinkOptions.progressEvery = progressEvery;
  const flows = await writeFlows(scenarioFlows(scenario), encoder, out, sinkOptions);
  if (flows !== scenario.truth.total_flows) {
    throw new Error(
      `internal error: wrote ${flows} flows, the truth file says ${scenario.truth.total_flows}`,
    );
  }
  if (truthOut) await writeTruth(truthOut, scenario.truth);
  return { flows, truth: scenario.truth };
}
