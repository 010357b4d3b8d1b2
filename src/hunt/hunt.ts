import { performance } from 'node:perf_hooks';
import { attachEpisodes } from '../change/index.js';
import { type BeaconhuntConfig, DEFAULT_CONFIG, scoringFrom } from '../config/config-file.js';
import { HUNT_DEFAULTS, type ScoringConfig } from '../config/defaults.js';
import { type IntelLists, loadIntel } from '../context/intel.js';
import { type Exclusion, type PairContext, pairContext } from '../context/pair-context.js';
import { huntDns } from '../features/dns/hunt-dns.js';
import type { FeatureOptions, SizeField } from '../features/options.js';
import { type PairFeatures, pairKey } from '../features/pair-features.js';
import { type PairTiming, timingOfSeries } from '../features/pair-timing.js';
import { planImport } from '../read/formats.js';
import { columnMapFromConfig } from '../read/generic-csv.js';
import { expandInputs } from '../read/inputs.js';
import { planNameImport } from '../read/names.js';
import type { FileAccounting } from '../read/plan.js';
import { guardUtf8 } from '../read/utf8-guard.js';
import { contextFactors } from '../score/context-factors.js';
import { evidenceFor } from '../score/evidence.js';
import type { Finding, HuntResult, HuntSummary, ReportData, Severity } from '../score/finding.js';
import { type ModelChoice, pairOutlierness } from '../score/outlierness.js';
import { applyEpisodes, rank, scorePairs, scoreUpperBound, severityOf } from '../score/score-pairs.js';
import { seedCompatRanking } from '../score/seed-compat.js';
import type { DataSummary, Engine } from '../store/engine.js';
import { openEngine } from '../store/open-engine.js';
import { InputError } from '../util/errors.js';
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

/** read → store: every input file into the engine; returns the paths that were already there. */
async function importAll(
  engine: Engine,
  options: HuntOptions,
  emit: Emit,
): Promise<{ files: string[]; previously: Set<string> }> {
  const files = options.inputs.length ? await expandInputs(options.inputs) : [];
  const csv = options.settings?.csv;
  const readerOptions = csv ? { columnMap: columnMapFromConfig(csv, 'config csv') } : {};
  const explicit = new Set(options.inputs);
  const previously = new Set<string>();
  let namesUnsupported = 0;
  let index = 0;
  for (const path of files) {
    emit({ kind: 'file-start', path, index: index++, total: files.length });
    try {
      const names = await planNameImport(path, options.format ?? 'auto');
      if (names && !engine.importNames) {
        namesUnsupported++;
        if (names.onlyNames) continue;
      } else if (names?.onlyNames && engine.importNames) {
        const accounting = await engine.importNames(names.plan);
        if (accounting.alreadyImported) previously.add(accounting.path);
        emit({ kind: 'file-done', accounting });
        continue;
      }
      const plan = await planImport(path, options.format ?? 'auto', readerOptions);
      const guarded = engine.name === 'duckdb' ? await guardUtf8(plan) : { plan, cleanup: async () => {} };
      const accounting = await engine.importFile(guarded.plan).finally(guarded.cleanup);
      if (accounting.alreadyImported) previously.add(accounting.path);
      emit({ kind: 'file-done', accounting });
      // EVE: the same file's tls/http/dns events name its flows
      // (its flows are in: a name-event problem is a warning, not a lost file)
      if (names && engine.importNames) {
        await engine.importNames(names.plan).catch((err: unknown) => {
          if (!(err instanceof InputError)) throw err;
          emit({ kind: 'warning', message: `names not read from ${path}: ${err.message}` });
        });
      }
    } catch (err) {
      // A file named on the command line must be usable; one found inside a directory may be
      // something else (a README, another log type): say so and go on.
      if (!(err instanceof InputError) || explicit.has(path)) throw err;
      emit({ kind: 'file-skipped', path, reason: err.message });
    }
  }
  if (namesUnsupported > 0) {
    emit({
      kind: 'warning',
      message: `${namesUnsupported} name log(s) (ssl/http/dns, EVE tls/http/dns) not used: the ${engine.name} engine does not join names to flows; hunt with the duckdb engine for names`,
    });
  }
  return { files, previously };
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
  context: PairContext;
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
    context,
  };
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
  // context without the fan-out (which needs periods) bounds what the periodogram could change
  const preContext = contextFactors(contextInputs);
  const timing: (PairTiming | undefined)[] = new Array(pairs.length);
  const window = data.timeRange ? { start: data.timeRange[0], end: data.timeRange[1] } : undefined;
  await engine.pairSeries(featureOptions, scoring.minFlows, (series) => {
    const i = index.get(pairKey(series.src, series.dst));
    if (i === undefined || scope.excluded[i]) return;
    const couldMatter =
      scoreUpperBound(pairs, i, preContext[i], scope.inbound[i] === 1, scoring) >= scoring.minScore;
    timing[i] = timingOfSeries(series, window, couldMatter);
  });
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
  );
  clock.lap('models');
  return scorePairs({
    pairs,
    timing,
    outlierness,
    ignored,
    context: contextFactors({ ...contextInputs, timing }),
    inbound: scope.inbound,
    sizeField: featureOptions.sizeField,
    ...(window ? { window } : {}),
    config: scoring,
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

/** The proxy a finding's connections went through, and a name pair's addresses (name resolution). */
function attachProxies(findings: Finding[], pairs: PairFeatures): void {
  if (!pairs.via?.some((v) => v !== null) && !pairs.addresses) return;
  const index = new Map<string, number>();
  for (let i = 0; i < pairs.length; i++)
    index.set(pairKey(pairs.src[i] as string, pairs.dst[i] as string), i);
  for (const f of findings) {
    const i = index.get(pairKey(f.src, f.dst));
    if (i === undefined) continue;
    const via = pairs.via?.[i] ?? null;
    if (via) f.via = via;
    const addresses = pairs.addresses?.[i] ?? null;
    if (addresses) f.addresses = addresses;
  }
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
  const engine = await openEngine(options.engine ?? 'duckdb', options.db);
  engine.watchProgress?.((fraction) => emit({ kind: 'progress', fraction }));
  try {
    const { files, previously } = await importAll(engine, options, emit);
    const names = await engine.resolveNames?.();
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
    attachProxies(findings, pairs);
    if (!options.seedCompat) {
      // DNS tunnels and DGAs, ranked with the pairs
      emit({ kind: 'stage', name: 'dns' });
      const scoring = options.scoring ?? scoringFrom(settings);
      const dns = await huntDns(engine, {
        severityOf: (score) => severityOf(score, scoring),
        evidenceOf: (score) => evidenceFor(score, scoring),
        minScore: scoring.minScore,
        excluded: (src, dst, host) => scope.context.exclusion(src, dst, null, host) !== undefined,
      });
      if (dns.length) {
        findings.push(...dns);
        rank(findings);
      }
    }
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
    const flowPaths = new Set(data.files.filter((f) => !f.names).map((f) => f.path));
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
      // an EVE file's name events are accounted with its flows (one entry per file)
      files: data.files
        .filter((f) => !(f.names && flowPaths.has(f.path)))
        .map((f) => ({
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
          ...(f.names ? { names: true } : {}),
        })),
      ...(names && names.events > 0
        ? {
            names: {
              events: names.events,
              flows_named_by_connection: names.byConnection,
              flows_via_proxy: names.proxied,
              flows_named_by_dns: names.byDns,
              ...(names.httpAsFlows ? { flows_from_http: names.httpAsFlows } : {}),
            },
          }
        : {}),
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
