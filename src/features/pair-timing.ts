import type { PairTiming } from '../score/score-pairs.js';
import type { PairSeries } from './pair-features.js';

/** Timing analysis of one pair's sorted flows. */
export function timingOfSeries(_series: PairSeries): PairTiming | undefined {
  return undefined;
}
