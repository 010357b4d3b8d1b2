import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import fg from 'fast-glob';
import { type HuntOptions, hunt } from '../hunt/hunt.js';
import { errorMessage, InputError } from '../util/errors.js';
import { type CaseMetrics, evaluateRanking, type TopFinding, topFindings } from './metrics.js';
import { loadTruth, type TruthRow } from './truth.js';

/** One hunt to run and judge: a case of a labelled corpus on one of its inputs. */
export interface CorpusEntry {
  case: string;
  /** Which of the case's inputs: argus, nfdump, zeek, … */
  input: string;
  /** What `hunt` is given (files, folders or globs). */
  inputs: string[];
  truth: TruthRow[];
  /** The case's main input (counted in the headline "N of M cases pass"); false for variants. */
  main: boolean;
  /**
   * A log folder may hold no flow log a reader takes today (only http or open_conn logs): that is
   * reported as "no flows input", not as an error.
   */
  mayHoldNoFlows: boolean;
}

export type CorpusStatus = 'ok' | 'no-input' | 'error';

export interface CorpusResult {
  case: string;
  input: string;
  main: boolean;
  status: CorpusStatus;
  /** Why there is no metric (status no-input or error). */
  message?: string;
  metrics?: CaseMetrics;
  /** The first findings with the truth roles they match, to see what outranks a primary. */
  top?: TopFinding[];
  flows_used?: number;
  elapsed_s: number;
}

/** The case passes the rule of issue 11 on this input. */
export function passed(result: CorpusResult): boolean {
  return result.status === 'ok' && (result.metrics?.pass ?? false);
}

function groupByCase(rows: readonly TruthRow[]): Map<string, TruthRow[]> {
  const byCase = new Map<string, TruthRow[]>();
  for (const row of rows) {
    const key = row.case ?? '';
    byCase.set(key, [...(byCase.get(key) ?? []), row]);
  }
  return byCase;
}

/** Pcap-derived cases of the calibration corpus carry these exports; Zeek cases carry logs. */
const BIDIRECTIONAL_FLOWS = 'flows.argus.csv';
const UNIDIRECTIONAL_FLOWS = 'flows.nfdump.csv';

/**
 * Every case folder of a calibration corpus laid out as ../shared/data/calibration (its README):
 * the Argus flows (bidirectional, the main input) and the nfdump records (a variant) of pcap cases;
 * the case's Zeek logs otherwise, given as `*.log` of the folder so that the evidence under `truth/`
 * never reaches the tool. Truth comes from the corpus's truth-all.csv.
 */
export async function calibrationEntries(corpusDir: string): Promise<CorpusEntry[]> {
  const byCase = groupByCase(await loadTruth(join(corpusDir, 'truth-all.csv')));
  const folders = readdirSync(corpusDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !/^[_.]/.test(d.name))
    .map((d) => d.name)
    .sort();
  const entries: CorpusEntry[] = [];
  for (const name of folders) {
    const dir = join(corpusDir, name);
    const truth = byCase.get(name) ?? [];
    const base = { case: name, truth, mayHoldNoFlows: false };
    if (existsSync(join(dir, BIDIRECTIONAL_FLOWS))) {
      entries.push({ ...base, input: 'argus', inputs: [join(dir, BIDIRECTIONAL_FLOWS)], main: true });
      if (existsSync(join(dir, UNIDIRECTIONAL_FLOWS)))
        entries.push({ ...base, input: 'nfdump', inputs: [join(dir, UNIDIRECTIONAL_FLOWS)], main: false });
    } else {
      const logs = `${fg.escapePath(dir)}/*.log`;
      entries.push({ ...base, input: 'zeek', inputs: [logs], main: true, mayHoldNoFlows: true });
    }
  }
  return entries;
}

/**
 * The shared fixtures with a known C2 pair (../shared/data/<fixture>/TRUTH.md) and the input of each
 * that the truth describes; their truth rows are in a CSV of truth-all.csv's columns.
 */
export const SHARED_FIXTURES: readonly { case: string; input: string; path: string; main: boolean }[] = [
  { case: 'zeek-remcos', input: 'zeek', path: 'zeek-remcos/conn.log', main: true },
  {
    case: 'pcap-curl-loop',
    input: 'argus',
    path: 'pcap-curl-loop/argus/test-cc-capture-1.ra.csv',
    main: true,
  },
  {
    case: 'pcap-curl-loop',
    input: 'nfdump',
    path: 'pcap-curl-loop/nfdump/test-cc-capture-1.nfdump.csv',
    main: false,
  },
  { case: 'rita-proxy', input: 'zeek', path: 'rita-proxy/proxy', main: true },
];

export async function fixtureEntries(dataDir: string, truthFile: string): Promise<CorpusEntry[]> {
  const byCase = groupByCase(await loadTruth(truthFile));
  return SHARED_FIXTURES.map((f) => {
    const truth = byCase.get(f.case);
    if (!truth) throw new InputError(`no truth rows for fixture ${f.case}`, truthFile);
    return {
      case: f.case,
      input: f.input,
      inputs: [join(dataDir, f.path)],
      truth,
      main: f.main,
      mayHoldNoFlows: false,
    };
  });
}

/** Hunt one entry and measure the ranking; a failing hunt is a result, not an exception. */
export async function runEntry(
  entry: CorpusEntry,
  options: Omit<HuntOptions, 'inputs' | 'onEvent'> = {},
): Promise<CorpusResult> {
  const started = performance.now();
  const head = { case: entry.case, input: entry.input, main: entry.main };
  const elapsed = () => Math.round(performance.now() - started) / 1000;
  let imported = 0;
  try {
    const result = await hunt({
      ...options,
      inputs: entry.inputs,
      onEvent: (e) => {
        if (e.kind === 'file-done') imported++;
      },
    });
    return {
      ...head,
      status: 'ok',
      metrics: evaluateRanking(result.findings, entry.truth),
      top: topFindings(result.findings, entry.truth),
      flows_used: result.summary.flows_used,
      elapsed_s: elapsed(),
    };
  } catch (err) {
    const message = err instanceof InputError ? err.describe() : errorMessage(err);
    const noFlows = entry.mayHoldNoFlows && imported === 0 && err instanceof InputError;
    return { ...head, status: noFlows ? 'no-input' : 'error', message, elapsed_s: elapsed() };
  }
}

/** Entries one after the other, in one process (the engines are in-process and use every core). */
export async function runCorpus(
  entries: readonly CorpusEntry[],
  options: Omit<HuntOptions, 'inputs' | 'onEvent'> = {},
): Promise<CorpusResult[]> {
  const results: CorpusResult[] = [];
  for (const entry of entries) results.push(await runEntry(entry, options));
  return results;
}

export interface CorpusGroup {
  title: string;
  entries: CorpusEntry[];
}

/**
 * Everything `npm run eval:calibration` measures in a shared data folder: the calibration cases on
 * their main input, the same cases on their nfdump records, and the fixtures with a known C2.
 */
export async function sharedDataGroups(dataDir: string, fixtureTruth: string): Promise<CorpusGroup[]> {
  const calibration = await calibrationEntries(join(dataDir, 'calibration'));
  return [
    { title: 'calibration, main input', entries: calibration.filter((e) => e.main) },
    { title: 'calibration, nfdump records', entries: calibration.filter((e) => !e.main) },
    { title: 'shared fixtures', entries: await fixtureEntries(dataDir, fixtureTruth) },
  ];
}
