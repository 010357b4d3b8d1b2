import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { attachEpisodes } from '../change/index.js';
import { type BeaconhuntConfig, DEFAULT_CONFIG, scoringFrom } from '../config/config-file.js';
import { HUNT_DEFAULTS, type ScoringConfig } from '../config/defaults.js';
import { type IntelLists, loadIntel } from '../context/intel.js';
import { type Exclusion, pairContext } from '../context/pair-context.js';
import type { FeatureOptions, SizeField } from '../features/options.js';
import { type PairFeatures, pairKey } from '../features/pair-features.js';
import { type PairTiming, timingOfSeries } from '../features/pair-timing.js';
import { defaultTimingWorkers, TimingPool } from '../features/timing-pool.js';
import { SKIP_REASONS } from '../flow/schema.js';
import { planImport } from '../read/formats.js';
import { columnMapFromConfig } from '../read/generic-csv.js';
import { expandInputs } from '../read/inputs.js';
import type { FileAccounting, ImportPlan } from '../read/plan.js';
import { TRUNCATED_NOTE_START } from '../read/utf8-guard.js';
import { contextFactors } from '../score/context-factors.js';
import type { Finding, HuntResult, HuntSummary, ReportData, Severity } from '../score/finding.js';
import { type ModelChoice, pairOutlierness } from '../score/outlierness.js';
import {
  extendRows,
  mergeSeries,
  type RotationGroup,
  resolveRotations,
  rotationGroups,
  withGroupRows,
} from '../score/rotation.js';
import { applyEpisodes, findingEvidence, rank, scorePairs, scoreUpperBound } from '../score/score-pairs.js';
import { seedCompatRanking } from '../score/seed-compat.js';
import type { DuckDbSettings } from '../store/duckdb/settings.js';
import type { DataSummary, Engine } from '../store/engine.js';
import { openEngine } from '../store/open-engine.js';
import { errorMessage, InputError } from '../util/errors.js';
import { isoTime } from '../util/time.js';

export interface HuntOptions {
  inputs: string[];
  format?: string;
  /** Engine: "duckdb" (default) or a clickhouse:// URL. */
  engine?: string;
  /** DuckDB file; in memory when absent. */
  db?: string;
  sizeField?: SizeField;
  seedCompat?: boolean;
  /** The config file's content: networks, direction, allowlists, intel. */
  settings?: BeaconhuntConfig;
  scoring?: ScoringConfig;
  /** Outlier model(s) behind the outlierness sub-score (default: all, rank-averaged). */
  model?: ModelChoice;
  /**
   * Pairs the outlier models are fitted on at most (seeded sample; all pairs are scored). Default
   * MODEL_FIT_SAMPLE (src/models/ensemble.ts); Infinity fits on every pair (the reference path).
   */
  modelFitSample?: number;
  /**
   * Worker threads for the per-pair timing analysis (default: BEACONHUNT_TIMING_WORKERS, else 2 on
   * a multi-core machine); 0 runs it in this thread. The findings are the same either way.
   */
  timingWorkers?: number;
  /** Seed of every randomised step (models, permutation tests): same seed, same result. */
  seed?: number;
  /**
   * Also collect what the HTML report draws: the seed's three features for every pair (the 3-D
   * scatter) and the flows of the top `reportTop` findings (timelines, histograms).
   */
  reportTop?: number;
  /** Flows kept per top finding for the report (sampled evenly over time beyond this). */
  reportFlowLimit?: number;
  /** Keep rows whatever their timestamp (times before 1990 or in the future are otherwise skipped). */
  allowAnyTime?: boolean;
  /** The embedded DuckDB's memory cap, spill folder and threads (default: env, then settings.ts). */
  duckdb?: Partial<DuckDbSettings>;
  /** Progress and warnings for the user (stderr); results never go here. */
  onEvent?: (event: HuntEvent) => void;
}

export type HuntEvent =
  | { kind: 'file-start'; path: string; index: number; total: number }
  | { kind: 'file-done'; accounting: FileAccounting }
  | { kind: 'file-skipped'; path: string; reason: string }
  | { kind: 'warning'; message: string }
  | { kind: 'stage'; name: string }
  /** Progress (0–1) of the engine's running statement within the current file or stage. */
  | { kind: 'progress'; fraction: number };

type Emit = (event: HuntEvent) => void;

/** Stage timer: seconds spent in each named stage. */
function stageClock() {
  const stages: Record<string, number> = {};
  let mark = performance.now();
  return {
    stages,
    lap(name: string) {
      const now = performance.now();
      stages[name] = Math.round(now - mark) / 1000;
      mark = now;
    },
  };
}

/**
 * Files up to this size are imported in batches: below ~1 MiB a file's own statements (~40 ms)
 * cost more than reading it (DuckDB parses ~100 MB/s of CSV).
 */
const SMALL_FILE_BYTES = 1 << 20;
/** Files per batch at most, so a failing batch (then read file by file) costs little. */
const MAX_BATCH_FILES = 256;

/** An input that is in the summary's file list without rows of its own: why. */
interface InputNote {
  path: string;
  /** It could not be read (a folder's unreadable or unrecognised file). */
  error?: string;
  /** Its content was already read under this other name. */
  sameContentAs?: string;
}

/** The most frequent skip reason of a file, for "no usable rows" messages. */
function topReason(accounting: FileAccounting): string {
  const [reason, count] = Object.entries(accounting.skipped).sort((a, b) => b[1] - a[1])[0] ?? ['?', 0];
  const hint = reason === SKIP_REASONS.implausibleTime ? ' (--allow-any-time keeps them)' : '';
  return `${reason} (${count.toLocaleString('en-US')} of ${accounting.dataRows.toLocaleString('en-US')})${hint}`;
}

/** read → store: every input file into the engine; returns the paths that were already there. */
async function importAll(
  engine: Engine,
  options: HuntOptions,
  emit: Emit,
): Promise<{ files: string[]; previously: Set<string>; inputNotes: InputNote[] }> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const files = options.inputs.length
      ? await expandInputs(options.inputs, {
          cleanups,
          onWaiting: (name) =>
            emit({ kind: 'warning', message: `waiting for data on ${name} (nothing written to it yet)` }),
        })
      : [];
    const csv = options.settings?.csv;
    const readerOptions = csv ? { columnMap: columnMapFromConfig(csv, 'config csv') } : {};
    const explicit = new Set(options.inputs);
    const previously = new Set<string>();
    const inputNotes: InputNote[] = [];
    /** What happens after a file is stored (or failed): warnings, checks, events. */
    const settle = async (
      path: string,
      plan: ImportPlan | undefined,
      work: () => Promise<FileAccounting>,
    ) => {
      let stored = false; // in the engine, so in the summary's file list already
      try {
        const accounting = await work();
        stored = true;
        if (accounting.sameContentAs) {
          emit({
            kind: 'warning',
            message: `${path} has the same content as ${accounting.sameContentAs}: not read again, so no row is counted twice`,
          });
          inputNotes.push({ path, sameContentAs: accounting.sameContentAs });
        } else if (accounting.alreadyImported) previously.add(accounting.path);
        const cut = accounting.notes?.find((n) => n.startsWith(TRUNCATED_NOTE_START));
        if (plan && plan.compression !== 'none' && cut) emit({ kind: 'warning', message: `${path}: ${cut}` });
        // Rows but not one usable: the reading is wrong (a header that does not fit the data), not the data.
        if (!accounting.sameContentAs && accounting.dataRows > 0 && accounting.used === 0)
          throw new InputError(`no usable rows: all skipped, most as ${topReason(accounting)}`, path);
        emit({ kind: 'file-done', accounting });
      } catch (err) {
        // A file named on the command line must be usable; one found inside a directory may be
        // something else (a README, another log type, no permission): say so, list it, go on.
        const known = err instanceof InputError || isFileAccessError(err);
        if (!known || explicit.has(path)) {
          if (known && !(err instanceof InputError)) throw new InputError(errorMessage(err), path);
          throw err;
        }
        const reason = err instanceof InputError ? err.message : errorMessage(err);
        emit({ kind: 'file-skipped', path, reason });
        if (!stored) inputNotes.push({ path, error: reason });
      }
    };
    // Small files read the same way go to the engine together (one statement instead of one each).
    let batch: { path: string; plan: ImportPlan }[] = [];
    const flush = async () => {
      const todo = batch;
      batch = [];
      const done =
        todo.length > 1 && engine.importFiles ? await engine.importFiles(todo.map((t) => t.plan)) : [];
      for (const [k, { path, plan }] of todo.entries()) {
        const accounting = done[k];
        await settle(path, plan, () => (accounting ? Promise.resolve(accounting) : engine.importFile(plan)));
      }
    };
    let index = 0;
    for (const path of files) {
      emit({ kind: 'file-start', path, index: index++, total: files.length });
      let plan: ImportPlan;
      try {
        const planned = await planImport(path, options.format ?? 'auto', readerOptions);
        plan = options.allowAnyTime ? { ...planned, allowAnyTime: true } : planned;
      } catch (err) {
        await settle(path, undefined, () => Promise.reject(err));
        continue;
      }
      const small = engine.importFiles !== undefined && (await stat(path)).size <= SMALL_FILE_BYTES;
      if (!small || (batch[0] && batch[0].plan.format !== plan.format) || batch.length >= MAX_BATCH_FILES)
        await flush();
      if (small) batch.push({ path, plan });
      else await settle(path, plan, () => engine.importFile(plan));
    }
    await flush();
    return { files, previously, inputNotes };
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

/** Errors of the file system about one file (permission, vanished, a folder), not of the program. */
function isFileAccessError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'EISDIR' || code === 'ELOOP';
}

interface ScopedPairs {
  excluded: (Exclusion | undefined)[];
  /** External client to an internal server (only scored under direction: both). */
  inbound: Uint8Array;
  isInternal: (address: string) => boolean;
  excludedCounts: Record<Exclusion, number>;
  intel: (string | undefined)[];
  internalHosts: number;
  anyInternal: boolean;
}

/** Context: which pairs are scored (direction, allowlists, multicast) and which hit intel. */
function scopePairs(
  pairs: PairFeatures,
  settings: BeaconhuntConfig,
  intel: IntelLists | undefined,
): ScopedPairs {
  const probe = pairContext(settings, intel, true);
  const internalSources = new Set(pairs.src.filter((s) => probe.isInternal(s)));
  const anyInternal = internalSources.size > 0;
  const context = anyInternal ? probe : pairContext(settings, intel, false);
  const excludedCounts: Record<Exclusion, number> = { multicast: 0, direction: 0, allowlist: 0 };
  const excluded = pairs.src.map((src, i) => {
    const why = context.exclusion(src, pairs.dst[i] as string, pairs.dport[i] ?? null, pairs.host[i] ?? null);
    if (why) excludedCounts[why]++;
    return why;
  });
  const intelHits = pairs.dst.map((dst, i) => context.intelHit(dst, pairs.host[i] ?? null));
  const inbound = Uint8Array.from(pairs.src, (src, i) =>
    !context.isInternal(src) && context.isInternal(pairs.dst[i] as string) ? 1 : 0,
  );
  return {
    excluded,
    excludedCounts,
    inbound,
    isInternal: (a) => context.isInternal(a),
    intel: intelHits,
    internalHosts: internalSources.size,
    anyInternal,
  };
}

/**
 * 1 for the pairs whose score can still reach minScore whatever their timing and outlierness turn
 * out to be (scoreUpperBound, under the context known before timing: the fan-out, which needs
 * periods, only demotes). Only they get the periodogram and keep their timing in words.
 */
function timingCandidates(
  pairs: PairFeatures,
  scope: ScopedPairs,
  contextInputs: Parameters<typeof contextFactors>[0],
  scoring: ScoringConfig,
): Uint8Array {
  const context = contextFactors(contextInputs);
  const out = new Uint8Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    if (scope.excluded[i] || (pairs.numeric.flows[i] as number) < scoring.minFlows) continue;
    const bound = scoreUpperBound(pairs, i, context[i], scope.inbound[i] === 1, scoring);
    if (bound >= scoring.minScore) out[i] = 1;
  }
  return out;
}

/** features → models → score, the default ranking. */
async function rankDefault(
  engine: Engine,
  pairs: PairFeatures,
  scope: ScopedPairs,
  featureOptions: FeatureOptions,
  data: DataSummary,
  options: HuntOptions,
  clock: ReturnType<typeof stageClock>,
  emit: Emit,
): Promise<Finding[]> {
  const scoring = options.scoring ?? scoringFrom(options.settings ?? DEFAULT_CONFIG);
  emit({ kind: 'stage', name: 'timing' });
  const index = new Map<string, number>();
  for (let i = 0; i < pairs.length; i++)
    index.set(pairKey(pairs.src[i] as string, pairs.dst[i] as string), i);
  const ignored = Uint8Array.from(scope.excluded, (x) => (x ? 1 : 0));
  const contextInputs = {
    pairs,
    ignored,
    intel: scope.intel,
    isInternal: scope.isInternal,
    internalHosts: scope.internalHosts,
    config: scoring,
  };
  const couldMatter = timingCandidates(pairs, scope, contextInputs, scoring);
  const timing: (PairTiming | undefined)[] = new Array(pairs.length);
  const window = data.timeRange ? { start: data.timeRange[0], end: data.timeRange[1] } : undefined;
  const pool = new TimingPool(timing, window, options.timingWorkers ?? defaultTimingWorkers());
  try {
    await engine.pairSeries(featureOptions, scoring.minFlows, (series) => {
      const i = index.get(pairKey(series.src, series.dst));
      if (i === undefined || scope.excluded[i]) return;
      return pool.add(i, series, couldMatter[i] === 1);
    });
  } finally {
    await pool.finish();
  }
  clock.lap('timing');
  emit({ kind: 'stage', name: 'models' });
  const include = Uint8Array.from(pairs.src, (_, i) =>
    scope.excluded[i] || (pairs.numeric.flows[i] as number) < scoring.minFlows ? 0 : 1,
  );
  const outlierness = await pairOutlierness(
    pairs,
    include,
    timing,
    options.model ?? 'ensemble',
    options.seed ?? 1,
    options.modelFitSample,
  );
  clock.lap('models');
  // rotating destinations: each group of one source's pairs into one network is one more row
  const groups = rotationGroups(pairs, ignored, scoring.minFlows, scope.isInternal);
  const groupTiming = await rotationTiming(engine, pairs, groups, featureOptions.sizeField, window);
  const rows = extendRows(
    { timing, outlierness, ignored, intel: scope.intel, inbound: scope.inbound },
    groups,
    groupTiming,
    pairs,
  );
  const all = withGroupRows(pairs, groups);
  const findings = scorePairs({
    pairs: all,
    timing: rows.timing,
    outlierness: rows.outlierness,
    ignored: rows.ignored,
    context: contextFactors({
      ...contextInputs,
      pairs: all,
      ignored: rows.ignored,
      intel: rows.intel,
      timing: rows.timing,
    }),
    inbound: rows.inbound,
    addresses: rows.addresses,
    sizeField: featureOptions.sizeField,
    ...(window ? { window } : {}),
    config: scoring,
  });
  return groups.length ? rank(resolveRotations(findings, findingEvidence)) : findings;
}

/** Flows kept per member when a rotation group's series is assembled (sampled evenly beyond). */
const ROTATION_FLOWS_PER_MEMBER = 100_000;

/** Timing of each rotation group over its members' merged flows. */
async function rotationTiming(
  engine: Engine,
  pairs: PairFeatures,
  groups: readonly RotationGroup[],
  sizeField: SizeField,
  window: { start: number; end: number } | undefined,
): Promise<(PairTiming | undefined)[]> {
  if (!groups.length) return [];
  const members = groups.flatMap((g) =>
    g.members.map((i) => ({ src: pairs.src[i] as string, dst: pairs.dst[i] as string })),
  );
  const flows = await engine.pairFlows(members, ROTATION_FLOWS_PER_MEMBER);
  return groups.map((g) => {
    const parts = g.members.flatMap((i) => {
      const p = flows.get(pairKey(pairs.src[i] as string, pairs.dst[i] as string));
      if (!p) return [];
      const sizes =
        sizeField === 'orig'
          ? p.origBytes
          : sizeField === 'total'
            ? Float64Array.from(p.origBytes, (x, k) => x + (p.respBytes[k] as number))
            : p.respBytes;
      return [{ ts: p.ts, sizes }];
    });
    const first = g.members[0] as number;
    const merged = mergeSeries(parts);
    return timingOfSeries({ src: pairs.src[first] as string, dst: g.network, ...merged }, window, true);
  });
}

/**
 * The seed measures response sizes; unidirectional records (NetFlow, VPC) carry one direction
 * each, so their "response" is always 0 and the request size is the one to measure.
 */
function defaultSizeField(data: DataSummary): SizeField {
  const flowFiles = data.files.filter((f) => !f.precomputed);
  const unidirectional =
    flowFiles.length > 0 && flowFiles.every((f) => f.directionality === 'unidirectional');
  return unidirectional ? 'orig' : HUNT_DEFAULTS.sizeField;
}

/** read → store → features → models → score: the whole hunt, returning findings and a summary. */
export async function hunt(options: HuntOptions): Promise<HuntResult> {
  const started = performance.now();
  const clock = stageClock();
  const emit: Emit = options.onEvent ?? (() => {});
  const settings = options.settings ?? DEFAULT_CONFIG;
  const intel = settings.intel.length ? await loadIntel(settings.intel) : undefined;
  for (const bad of intel?.badLines.slice(0, 5) ?? [])
    emit({ kind: 'warning', message: `intel: not an address, network or domain: ${bad}` });
  const engine = await openEngine(options.engine ?? 'duckdb', options.db, options.duckdb);
  engine.watchProgress?.((fraction) => emit({ kind: 'progress', fraction }));
  try {
    const { files, previously, inputNotes } = await importAll(engine, options, emit);
    clock.lap('read');
    emit({ kind: 'stage', name: 'features' });
    const data = await engine.summary();
    if (data.files.length === 0)
      throw new InputError('no input: give flow files, directories or - for stdin');
    const unidirectional = data.files.some((f) => f.directionality === 'unidirectional');
    const featureOptions: FeatureOptions = {
      sizeField: options.sizeField ?? defaultSizeField(data),
      dropZeroBytes: options.seedCompat ?? false,
      internalNetworks: settings.internal_networks,
      stitchSplitRecords: unidirectional,
    };
    if (unidirectional && !engine.stitchesSplitRecords)
      emit({
        kind: 'warning',
        message: `the ${engine.name} engine does not stitch split NetFlow records: a held connection may count as several check-ins`,
      });
    if (data.files.some((f) => f.precomputed)) {
      emit({ kind: 'warning', message: 'precomputed seed features: timing is unavailable for those pairs' });
    }
    const pairs = await engine.pairFeatures(featureOptions);
    const scope = scopePairs(pairs, settings, intel?.intel);
    if (!scope.anyInternal && pairs.length > 0) {
      emit({
        kind: 'warning',
        message:
          'no source address is in the internal networks; every pair is scored (set internal_networks in the config)',
      });
    }
    clock.lap('features');
    const findings = options.seedCompat
      ? seedCompatRanking(
          pairs,
          await engine.seedRows(featureOptions),
          Uint8Array.from(scope.excluded, (x) => (x ? 1 : 0)),
        )
      : await rankDefault(engine, pairs, scope, featureOptions, data, options, clock, emit);
    if (!options.seedCompat) {
      // change over time: a beacon that turned non-uniform in spurts becomes active-c2
      emit({ kind: 'stage', name: 'change' });
      await attachEpisodes(engine, findings);
      applyEpisodes(findings, options.scoring ?? scoringFrom(settings));
    }
    clock.lap('rank');
    const report: ReportData | undefined = options.reportTop
      ? {
          pairs: {
            src: pairs.src,
            dst: pairs.dst,
            avgcount: pairs.numeric.avgcount,
            t_bytecount: pairs.numeric.t_bytecount,
            distinct_byte_count: pairs.numeric.distinct_byte_count,
            ignored: Uint8Array.from(scope.excluded, (x) => (x ? 1 : 0)),
          },
          flows: await engine.pairFlows(
            findings.slice(0, options.reportTop),
            options.reportFlowLimit ?? 5000,
          ),
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
      pairs_excluded: scope.excludedCounts,
      internal_hosts: scope.internalHosts,
      findings_by_severity: bySeverity,
      time_range: data.timeRange ? [isoTime(data.timeRange[0]), isoTime(data.timeRange[1])] : null,
      files: [
        ...data.files.map((f) => ({
          path: f.path,
          format: f.format,
          rows: f.dataRows,
          used: f.used,
          skipped: f.skipped,
          examples: f.examples,
          already_imported: previously.has(f.path) || !files.includes(f.path),
          ...(f.nonDataLines ? { non_data_lines: f.nonDataLines } : {}),
          ...(f.notes?.length ? { notes: f.notes } : {}),
          ...(f.directionality ? { directionality: f.directionality } : {}),
          ...(f.precomputed ? { precomputed: true } : {}),
        })),
        ...inputNotes.map((note) => ({
          path: note.path,
          format: 'none',
          rows: 0,
          used: 0,
          skipped: {},
          examples: [],
          already_imported: note.sameContentAs !== undefined,
          ...(note.error ? { error: note.error } : {}),
          ...(note.sameContentAs ? { same_content_as: note.sameContentAs } : {}),
        })),
      ],
      engine: engine.name,
      mode: options.seedCompat ? 'seed-compat' : 'default',
      size_field: featureOptions.sizeField,
      elapsed_s: Math.round(performance.now() - started) / 1000,
      stages_s: clock.stages,
    };
    return report ? { findings, summary, report } : { findings, summary };
  } finally {
    await engine.close();
  }
}
