import { performance } from 'node:perf_hooks';
import { HUNT_DEFAULTS, SCORING_DEFAULTS, type ScoringConfig } from '../config/defaults.js';
import { DEFAULT_INTERNAL_NETWORKS, isIgnoredDestination, networkSet } from '../context/networks.js';
import type { FeatureOptions, SizeField } from '../features/options.js';
import { pairKey } from '../features/pair-features.js';
import { planImport } from '../read/formats.js';
import { expandInputs } from '../read/inputs.js';
import type { FileAccounting } from '../read/plan.js';
import type { Finding, HuntResult, HuntSummary, Severity } from '../score/finding.js';
import { isoTime } from '../score/finding.js';
import { type ModelChoice, pairOutlierness } from '../score/outlierness.js';
import { type PairTiming, scorePairs } from '../score/score-pairs.js';
import { seedCompatRanking } from '../score/seed-compat.js';
import { timingOfSeries } from '../features/pair-timing.js';
import { DuckDbEngine } from '../store/duckdb/duckdb-engine.js';
import type { Engine } from '../store/engine.js';
import { InputError } from '../util/errors.js';

export interface HuntOptions {
  inputs: string[];
  format?: string;
  /** DuckDB file; in memory when absent. */
  db?: string;
  sizeField?: SizeField;
  seedCompat?: boolean;
  internalNetworks?: readonly string[];
  config?: ScoringConfig;
  /** Outlier model(s) behind the outlierness sub-score (default: all, rank-averaged). */
  model?: ModelChoice;
  /** Seed of every randomised step (models, permutation tests): same seed, same result. */
  seed?: number;
  /**
   * Also collect what the HTML report draws: the seed's three features for every pair (the 3-D
   * scatter) and the flows of the top `reportTop` findings (timelines, histograms).
   */
  reportTop?: number;
  /** Flows kept per top finding for the report (sampled evenly over time beyond this). */
  reportFlowLimit?: number;
  /** Progress and warnings for the user (stderr); results never go here. */
  onEvent?: (event: HuntEvent) => void;
}

export type HuntEvent =
  | { kind: 'file-start'; path: string; index: number; total: number }
  | { kind: 'file-done'; accounting: FileAccounting }
  | { kind: 'file-skipped'; path: string; reason: string }
  | { kind: 'stage'; name: string };

const STAGES = ['read', 'features', 'timing', 'rank'] as const;

/** read → store → features → models → score: the whole hunt, returning findings and a summary. */
export async function hunt(options: HuntOptions): Promise<HuntResult> {
  const started = performance.now();
  const stages: Record<string, number> = {};
  let mark = started;
  const lap = (name: (typeof STAGES)[number]) => {
    const now = performance.now();
    stages[name] = Math.round(now - mark) / 1000;
    mark = now;
  };
  const emit = options.onEvent ?? (() => {});
  const config = options.config ?? SCORING_DEFAULTS;
  const internalNetworks = options.internalNetworks ?? DEFAULT_INTERNAL_NETWORKS;
  const featureOptions: FeatureOptions = {
    sizeField: options.sizeField ?? HUNT_DEFAULTS.sizeField,
    dropZeroBytes: options.seedCompat ?? false,
    internalNetworks,
  };
  const files = options.inputs.length ? await expandInputs(options.inputs) : [];
  const engine: Engine = await DuckDbEngine.open(options.db);
  try {
    const explicit = new Set(options.inputs);
    const previouslyImported = new Set<string>();
    let index = 0;
    for (const path of files) {
      emit({ kind: 'file-start', path, index: index++, total: files.length });
      try {
        const plan = await planImport(path, options.format ?? 'auto');
        const accounting = await engine.importFile(plan);
        if (accounting.alreadyImported) previouslyImported.add(accounting.path);
        emit({ kind: 'file-done', accounting });
      } catch (err) {
        // A file named on the command line must be usable; one found inside a directory may be
        // something else (a README, another log type): say so and go on.
        if (!(err instanceof InputError) || explicit.has(path)) throw err;
        emit({ kind: 'file-skipped', path, reason: err.message });
      }
    }
    lap('read');
    emit({ kind: 'stage', name: 'features' });
    const data = await engine.summary();
    if (data.files.length === 0) throw new InputError('no input: give flow files, directories or - for stdin');
    const pairs = await engine.pairFeatures(featureOptions);
    const internal = networkSet(internalNetworks);
    const internalHosts = new Set(pairs.src.filter((s) => internal.contains(s))).size;
    const ignored = Uint8Array.from(pairs.dst, (d) => (isIgnoredDestination(d) ? 1 : 0));
    lap('features');
    let findings: Finding[];
    if (options.seedCompat) {
      lap('timing');
      emit({ kind: 'stage', name: 'rank' });
      findings = seedCompatRanking(pairs, await engine.seedRows(featureOptions), ignored);
    } else {
      emit({ kind: 'stage', name: 'timing' });
      const index = new Map<string, number>();
      pairs.src.forEach((s, i) => index.set(pairKey(s, pairs.dst[i] as string), i));
      const timing: (PairTiming | undefined)[] = new Array(pairs.length);
      const window = data.timeRange ? { start: data.timeRange[0], end: data.timeRange[1] } : undefined;
      await engine.pairSeries(featureOptions, config.minFlows, (series) => {
        const i = index.get(pairKey(series.src, series.dst));
        if (i !== undefined && !ignored[i]) timing[i] = timingOfSeries(series, window);
      });
      lap('timing');
      emit({ kind: 'stage', name: 'rank' });
      const include = Uint8Array.from(ignored, (x, i) => (x || (pairs.numeric.flows[i] as number) < config.minFlows ? 0 : 1));
      findings = scorePairs({
        pairs,
        timing,
        outlierness: await pairOutlierness(pairs, include, timing, options.model ?? 'ensemble', options.seed ?? 1),
        ignored,
        internalHosts,
        sizeField: featureOptions.sizeField,
        config,
      });
    }
    lap('rank');
    const report = options.reportTop
      ? {
          pairs: {
            src: pairs.src,
            dst: pairs.dst,
            avgcount: pairs.numeric.avgcount,
            t_bytecount: pairs.numeric.t_bytecount,
            distinct_byte_count: pairs.numeric.distinct_byte_count,
            ignored,
          },
          flows: await engine.pairFlows(findings.slice(0, options.reportTop), options.reportFlowLimit ?? 5000),
        }
      : undefined;
    const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, none: 0 };
    for (const f of findings) bySeverity[f.severity]++;
    const summary: HuntSummary = {
      flows_read: data.flowsRead,
      flows_used: data.flowsUsed,
      lines_skipped: data.flowsRead - data.flowsUsed,
      skipped_by_reason: data.skippedByReason,
      pairs: pairs.length,
      findings_by_severity: bySeverity,
      time_range: data.timeRange ? [isoTime(data.timeRange[0]), isoTime(data.timeRange[1])] : null,
      files: data.files.map((f) => ({
        path: f.path,
        format: f.format,
        rows: f.dataRows,
        used: f.used,
        skipped: f.skipped,
        examples: f.examples,
        already_imported: previouslyImported.has(f.path) || !files.includes(f.path),
      })),
      engine: engine.name,
      mode: options.seedCompat ? 'seed-compat' : 'default',
      size_field: featureOptions.sizeField,
      elapsed_s: Math.round(performance.now() - started) / 1000,
      stages_s: stages,
    };
    return report ? { findings, summary, report } : { findings, summary };
  } finally {
    await engine.close();
  }
}
