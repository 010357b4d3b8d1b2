/** Seeded, realistic flow generator with planted beacons (beaconhunt demo / generate). */
export type { Actor, JitterModel, PairKind, PairSpec, Window } from './actors/types.js';
export { type GenerateToFileOptions, generateFlows, generateToFile, scenarioFlows } from './generate.js';
export { mergeByTime } from './merge.js';
export {
  DEFAULT_FLOWS,
  DEFAULT_HOURS,
  DEFAULT_SEED,
  DEFAULT_START,
  defaultHostCount,
  type GenerateOptions,
  type GenerateOptionsInput,
  resolveOptions,
} from './options.js';
export { buildScenario, type Scenario } from './scenario.js';
export { type Truth, type TruthPair, type TruthSpurt, writeTruth } from './truth.js';
export { FORMAT_NAMES, FORMATS, formatByName } from './writers/index.js';
export { type SinkOptions, writeFlows } from './writers/sink.js';
export type { EncoderContext, FlowEncoder, FlowFormat } from './writers/types.js';
