/** Windowed change detection: a uniform beacon that turns non-uniform is an operator at the keyboard. */
export {
  type BaselineEntry,
  type BaselineSummary,
  type ChangeEpisode,
  type ChangeEvent,
  closeIfOver,
  type DetectorState,
  episodeCloseIndex,
  foldSeries,
  initialState,
  parseState,
  serializeState,
  step,
  summarizeBaseline,
  testWindow,
  type WindowAlert,
  type WindowFeatures,
  windowFeatures,
} from './detector.js';
export {
  type AttachOptions,
  attachEpisodes,
  changeEpisodes,
  changeEpisodesDetailed,
  detectChanges,
  detectEpisodes,
  episodeReason,
  toEpisode,
} from './episodes.js';
export { CHANGE_DEFAULTS, type ChangeOptions, parseDuration, resolveChangeOptions } from './options.js';
export { type ChangeNumbers, formatBytes, windowReasons } from './reasons.js';
