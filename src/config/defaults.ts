/**
 * Every constant that changes a result, in one place. docs/SCORING.md gives the reason for each.
 */
export const SCORING_DEFAULTS = {
  /** A pair needs this many flows before it can be called a beacon at all. */
  minFlows: 6,
  /** Flows at which the volume factor saturates (log scale from minFlows). */
  fullVolumeFlows: 24,
  /** Size uniformity at or above which a pair's sizes count as "uniform". */
  uniformShare: 0.8,
  /** Weights of the sub-scores in the combined score (normalised over those present). */
  weights: { sizeUniformity: 0.35, timing: 0.4, outlierness: 0.15, failedRetries: 0.1 },
  /** Prevalence (share of internal hosts contacting the destination) where demotion starts / is full. */
  prevalenceStart: 0.02,
  prevalenceFull: 0.15,
  /** Score multiplier at full prevalence: popular destinations are rarely C2, but not never. */
  prevalenceFloor: 0.15,
  /** Prevalence needs enough internal hosts to mean anything. */
  prevalenceMinHosts: 10,
  /** Share of the remaining distance to 1 that a threat-intel hit adds to the score. */
  intelBoost: 0.7,
  /** Severity thresholds on the 0–1 score. */
  severity: { critical: 0.85, high: 0.7, medium: 0.55, low: 0.4 },
  /** Findings below this score are not listed. */
  minScore: 0.4,
} as const;

/** The same shape with plain numbers, so a config file can override any of them. */
export type ScoringConfig = {
  [K in keyof typeof SCORING_DEFAULTS]: (typeof SCORING_DEFAULTS)[K] extends number
    ? number
    : { [J in keyof (typeof SCORING_DEFAULTS)[K]]: number };
};

export const HUNT_DEFAULTS = {
  top: 20,
  sizeField: 'resp',
} as const;
