import { pairKey } from '../features/pair-features.js';
import type { Episode, Finding } from '../score/finding.js';
import type { Engine, PairWindowSeries } from '../store/engine.js';
import { isoTime } from '../util/time.js';
import { type ChangeEpisode, foldSeries, initialState } from './detector.js';
import { type ChangeOptions, resolveChangeOptions } from './options.js';

/** One pair's change episodes over its whole series (rich form: first and peak window, numbers). */
export function detectChanges(
  series: PairWindowSeries,
  options: Partial<ChangeOptions> = {},
): ChangeEpisode[] {
  const o = resolveChangeOptions(options);
  const state = initialState();
  const episodes: ChangeEpisode[] = [];
  for (const event of foldSeries(state, series, o)) if (event.type === 'end') episodes.push(event.episode);
  // The data ends: an episode still open ends with it.
  if (state.episode) episodes.push(state.episode);
  return episodes;
}

/** The findings schema's episode: start and end (first and last flow of the spurt), the peak window's reasons. */
export function toEpisode(e: ChangeEpisode): Episode {
  return { start: isoTime(e.start), end: isoTime(e.end), kind: 'active-c2', reasons: e.peak.reasons };
}

/** Where one pair's uniform pattern turned non-uniform: the findings' `episodes`. */
export function detectEpisodes(series: PairWindowSeries, options: Partial<ChangeOptions> = {}): Episode[] {
  return detectChanges(series, options).map(toEpisode);
}

/**
 * Change episodes of the given pairs (or, without a list, of every pair with at least
 * `minFlows` flows), keyed by pairKey(src, dst). The per-window aggregates are computed by the
 * engine; an engine without `pairWindows` gives an empty map.
 */
export async function changeEpisodesDetailed(
  engine: Engine,
  pairs: readonly { src: string; dst: string }[] | undefined,
  options: Partial<ChangeOptions> = {},
): Promise<Map<string, ChangeEpisode[]>> {
  const o = resolveChangeOptions(options);
  const out = new Map<string, ChangeEpisode[]>();
  if (!engine.pairWindows || (pairs && pairs.length === 0)) return out;
  await engine.pairWindows(
    {
      windowSeconds: o.windowSeconds,
      hopSeconds: o.hopSeconds,
      ...(pairs ? { pairs } : { minFlows: o.minFlows }),
    },
    (series) => {
      const episodes = detectChanges(series, o);
      if (episodes.length) out.set(pairKey(series.src, series.dst), episodes);
    },
  );
  return out;
}

/** `changeEpisodesDetailed` in the findings schema. */
export async function changeEpisodes(
  engine: Engine,
  pairs: readonly { src: string; dst: string }[] | undefined,
  options: Partial<ChangeOptions> = {},
): Promise<Map<string, Episode[]>> {
  const detailed = await changeEpisodesDetailed(engine, pairs, options);
  return new Map([...detailed].map(([k, v]) => [k, v.map(toEpisode)]));
}

/** Episodes listed in a finding's reasons (the terminal shows reasons); more are in `episodes`. */
const EPISODES_IN_REASONS = 3;

function clock(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** "active C2 2024-03-05 10:02:11 → 10:14:40 UTC: distinct sizes 3 → 41, gap 60 s → 2 s" */
export function episodeReason(e: Episode): string {
  const start = clock(e.start);
  const end = clock(e.end);
  const sameDay = start.slice(0, 10) === end.slice(0, 10);
  return `active C2 ${start} → ${sameDay ? end.slice(11) : end} UTC: ${e.reasons.slice(0, 3).join(', ')}`;
}

export interface AttachOptions extends Partial<ChangeOptions> {
  /** Set the verdict of a finding with episodes to `active-c2` (default true). */
  verdict?: boolean;
  /** Add one reason per episode (the first three) so the terminal table shows them (default true). */
  reasons?: boolean;
}

/**
 * The hunt's one call: fills `episodes` of every finding (a beacon that started taking orders),
 * sets its verdict to active-c2 and says so in its reasons. Returns the number of findings with
 * episodes. Findings are changed in place.
 */
export async function attachEpisodes(
  engine: Engine,
  findings: Finding[],
  options: AttachOptions = {},
): Promise<number> {
  const { verdict = true, reasons = true, ...change } = options;
  const byPair = await changeEpisodes(engine, findings, change);
  let n = 0;
  for (const f of findings) {
    const episodes = byPair.get(pairKey(f.src, f.dst));
    if (!episodes?.length) continue;
    n++;
    f.episodes = episodes;
    if (verdict) f.verdict = 'active-c2';
    if (reasons) {
      const lines = episodes.slice(0, EPISODES_IN_REASONS).map(episodeReason);
      if (episodes.length > EPISODES_IN_REASONS)
        lines.push(
          `… ${episodes.length - EPISODES_IN_REASONS} more active-C2 episodes (see episodes in --json)`,
        );
      f.reasons = [...f.reasons, ...lines];
    }
  }
  return n;
}
