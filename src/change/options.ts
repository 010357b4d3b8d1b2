/**
 * Change detection settings. Every constant that changes a result is here, with its reason in
 * docs/CHANGE.md; `resolveChangeOptions` applies the defaults in one step.
 */
export interface ChangeOptions {
  /** Window length in seconds. Spurts last minutes, so windows are minutes too. */
  windowSeconds: number;
  /** Seconds between window starts: equal to windowSeconds for tumbling windows, a divisor of it for sliding ones. */
  hopSeconds: number;
  /** The baseline is the pair's last this-many windows that did not alert. */
  baselineWindows: number;
  /** No window is tested before the baseline holds this many windows… */
  minBaselineWindows: number;
  /** …and this many flows. */
  minBaselineFlows: number;
  /** The baseline is "uniform" when at least this share of its flows carry one size (either direction). */
  uniformShare: number;
  /** A window with fewer flows never alerts: it cannot show a spurt. */
  minAlertFlows: number;
  /** Robust z-score (against the baseline's median and MAD) both the sizes and the activity must reach. */
  zAlert: number;
  /**
   * Lower bar for a window that directly follows an alert window: the same spurt continuing over a
   * window edge (hysteresis).
   */
  zContinue: number;
  /** Alert windows less than this many seconds apart (end of one to start of the next) are one episode. */
  mergeGapSeconds: number;
  /** A pair silent for longer starts afresh: new baseline. */
  idleResetSeconds: number;
  /** An episode longer than this is the pair's new normal: it is closed and the baseline restarts. */
  maxEpisodeSeconds: number;
  /** Batch mode without a pair list: pairs with fewer flows in all are not examined. */
  minFlows: number;
}

export const CHANGE_DEFAULTS: Readonly<ChangeOptions> = Object.freeze({
  windowSeconds: 600,
  hopSeconds: 600,
  baselineWindows: 48,
  minBaselineWindows: 6,
  minBaselineFlows: 6,
  uniformShare: 0.8,
  minAlertFlows: 6,
  zAlert: 5,
  zContinue: 3,
  mergeGapSeconds: 600,
  idleResetSeconds: 24 * 3600,
  maxEpisodeSeconds: 6 * 3600,
  minFlows: 24,
});

/**
 * Robust scale floors: the smallest spread assumed for a feature, so a baseline that never varies
 * (MAD 0) does not turn every small wobble into an infinite z-score. Counts get a Poisson floor
 * (√median, at least 1); the others are in their own units.
 */
export const SCALE_FLOORS = Object.freeze({
  /** avgcount (a share, 0–1); widened to 1/√flows for windows with few flows. */
  share: 0.05,
  /** natural log of the median gap in seconds (0.2 ≈ ±22 %). */
  logGap: 0.2,
  /** natural log of bytes per window (0.3 ≈ ±35 %). */
  logBytes: 0.3,
});

/** Normal-consistent MAD: 1.4826·MAD estimates σ for normal data. */
export const MAD_TO_SIGMA = 1.4826;

export function resolveChangeOptions(input: Partial<ChangeOptions> = {}): ChangeOptions {
  const o: ChangeOptions = { ...CHANGE_DEFAULTS, ...stripUndefined(input) };
  if (input.windowSeconds !== undefined && input.hopSeconds === undefined) o.hopSeconds = o.windowSeconds;
  const positive = (name: keyof ChangeOptions) => {
    const v = o[name];
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number, got ${v}`);
  };
  for (const name of ['windowSeconds', 'hopSeconds', 'zAlert', 'zContinue'] as const) positive(name);
  const k = o.windowSeconds / o.hopSeconds;
  if (!Number.isInteger(k) || k > 64) {
    throw new RangeError(
      `the window (${o.windowSeconds} s) must be a whole multiple (at most 64) of the hop (${o.hopSeconds} s)`,
    );
  }
  for (const name of [
    'baselineWindows',
    'minBaselineWindows',
    'minBaselineFlows',
    'minAlertFlows',
    'minFlows',
  ] as const) {
    if (!(Number.isInteger(o[name]) && o[name] >= 1))
      throw new RangeError(`${name} must be a whole number ≥ 1, got ${o[name]}`);
  }
  if (o.minBaselineWindows > o.baselineWindows)
    throw new RangeError('minBaselineWindows cannot exceed baselineWindows');
  if (!(o.uniformShare > 0 && o.uniformShare <= 1))
    throw new RangeError(`uniformShare must be in (0, 1], got ${o.uniformShare}`);
  for (const name of ['mergeGapSeconds', 'idleResetSeconds', 'maxEpisodeSeconds'] as const) {
    if (!(Number.isFinite(o[name]) && o[name] >= 0))
      throw new RangeError(`${name} must be ≥ 0, got ${o[name]}`);
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "10m", "1h", "90s", "600" → seconds; NaN when unreadable. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)?\s*$/i.exec(text);
  if (!m) return Number.NaN;
  const value = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const scale: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86400 };
  return value * (scale[unit] as number);
}
