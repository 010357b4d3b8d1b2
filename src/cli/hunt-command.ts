import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONFIG, loadConfig } from '../config/config-file.js';
import { HUNT_DEFAULTS } from '../config/defaults.js';
import type { SizeField } from '../features/options.js';
import { type HuntOptions, hunt } from '../hunt/hunt.js';
import { FORMAT_OPTIONS } from '../read/formats.js';
import { findingsCsv } from '../report/csv-report.js';
import { writeHtmlReport } from '../report/html-report.js';
import { findingsJson } from '../report/json-report.js';
import { findingsTable, summaryText } from '../report/terminal-report.js';
import type { HuntResult } from '../score/finding.js';
import { MODEL_CHOICES, type ModelChoice } from '../score/outlierness.js';
import { InputError } from '../util/errors.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { type OutputStyle, progressReporter } from './output-style.js';

/** Options that shape what a hunt reads and how it ranks: shared by `hunt` and `eval`. */
export interface HuntShapeOptions {
  format: string;
  db?: string;
  engine: string;
  bytes?: SizeField;
  seedCompat?: boolean;
  config?: string;
  model: ModelChoice;
  seed: number;
  quiet?: boolean;
  allowAnyTime?: boolean;
}

export interface HuntCliOptions extends HuntShapeOptions {
  json?: string;
  csv?: string;
  html?: string;
  htmlTop?: number;
  top: number;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

/**
 * Output files are checked before any input is read: a path that cannot be written must not fail
 * after a long hunt. A folder, a missing or read-only folder, or a read-only file is an input error.
 */
export async function checkOutputPaths(
  options: Pick<HuntCliOptions, 'json' | 'csv' | 'html'>,
): Promise<void> {
  for (const [flag, path] of [
    ['--json', options.json],
    ['--csv', options.csv],
    ['--html', options.html],
  ] as const) {
    if (path === undefined || (flag === '--json' && path === '-')) continue;
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) throw new InputError(`${flag}: is a directory, give a file name`, path);
    const target = info ? path : dirname(resolve(path));
    const folder = info ? undefined : await stat(target).catch(() => undefined);
    if (!info && !folder?.isDirectory())
      throw new InputError(`${flag}: the folder ${target} does not exist`, path);
    try {
      await access(target, constants.W_OK);
    } catch {
      throw new InputError(`${flag}: cannot write here (permission denied)`, path);
    }
  }
}

/** Write the outputs a hunt was asked for; the terminal table goes to stdout. */
export async function writeOutputs(
  result: HuntResult,
  options: HuntCliOptions,
  style: OutputStyle,
): Promise<void> {
  if (options.json) await writeFile(options.json, findingsJson(result));
  if (options.csv) await writeFile(options.csv, findingsCsv(result.findings));
  if (options.html) {
    await writeHtmlReport(result, options.html);
    if (!options.quiet) process.stderr.write(`report: ${terminalSafe(options.html)}\n`);
  }
  if (options.json === '-') return;
  process.stdout.write(findingsTable(result, options.top, style.color));
  if (!options.quiet) process.stderr.write(summaryText(result, style.colorErr));
}

/** Adds the options of HuntShapeOptions to a command. */
export function addHuntShapeOptions(command: Command): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'input format').choices(FORMAT_OPTIONS).default('auto'))
    .option(
      '--db <file>',
      'DuckDB file: import once, hunt many times (files already in it are not re-imported)',
    )
    .option(
      '--engine <engine>',
      'compute engine: duckdb, or clickhouse://user:pass@host:8123/db[?cluster=NAME] to push the per-pair work into ClickHouse',
      'duckdb',
    )
    .addOption(
      new Option(
        '--bytes <field>',
        "size field for the seed features: resp = server→client, the seed's bytes_out (default; orig for one-direction NetFlow/VPC records)",
      ).choices(['resp', 'orig', 'total']),
    )
    .option(
      '--seed-compat',
      'reproduce the seed post literally: drop 0-byte flows, K-Means k=2 on unscaled features',
    )
    .option(
      '-c, --config <file>',
      'YAML or JSON config: internal networks, direction, allowlists, intel lists, CSV columns',
    )
    .addOption(
      new Option('--model <model>', 'outlier model(s) for the outlierness sub-score')
        .choices(MODEL_CHOICES)
        .default('ensemble'),
    )
    .option('--seed <n>', 'seed for every randomised step (same seed, same result)', positiveInt, 1)
    .option(
      '--allow-any-time',
      'keep flows with implausible times (before 1990 or more than 2 days in the future); they are skipped otherwise',
    )
    .option('-q, --quiet', 'no summary or progress on stderr');
}

/** The hunt() options a command line asks for. */
export async function huntOptionsFrom(inputs: string[], options: HuntShapeOptions): Promise<HuntOptions> {
  if (inputs.length === 0 && !options.db) {
    throw new InputError('give flow files, directories, globs or - (or --db with an imported dataset)');
  }
  return {
    inputs,
    format: options.format,
    ...(options.db ? { db: options.db } : {}),
    engine: options.engine,
    ...(options.bytes ? { sizeField: options.bytes } : {}),
    seedCompat: options.seedCompat ?? false,
    settings: options.config ? await loadConfig(options.config) : DEFAULT_CONFIG,
    model: options.model,
    seed: options.seed,
    allowAnyTime: options.allowAnyTime ?? false,
  };
}

export function registerHunt(program: Command, style: OutputStyle): void {
  addHuntShapeOptions(
    program
      .command('hunt')
      .description('rank the host pairs in flow logs that look like C2 beacons or active C2')
      .argument('[inputs...]', 'flow files, directories, globs, or - for stdin'),
  )
    .option('--json <file>', 'write all findings and the summary as JSON')
    .option('--csv <file>', 'write all findings as CSV')
    .option('--html <file>', 'write a self-contained offline HTML report (3-D scatter, table, drill-down)')
    .option('--html-top <n>', 'findings with per-flow drill-down in the HTML report', positiveInt, 50)
    .option('-n, --top <n>', 'findings shown in the terminal', positiveInt, HUNT_DEFAULTS.top)
    .addHelpText(
      'after',
      `
Examples:
  beaconhunt hunt conn.log                      Zeek conn.log (TSV or JSON, .gz too)
  beaconhunt hunt conn.log --html report.html   offline report: 3-D scatter, table, drill-down
  beaconhunt hunt /data/zeek/2024-03-05/        a Zeek log folder: its conn logs
  beaconhunt hunt stream_tcp.csv --json out.json --top 50
  beaconhunt hunt big.log --db flows.duckdb     import once...
  beaconhunt hunt --db flows.duckdb --bytes orig   ...hunt again without re-reading
  zcat conn.log.gz | beaconhunt hunt -          stdin, format sniffed from content
  beaconhunt hunt conn.log --seed-compat        the seed post's method, as published
  beaconhunt hunt conn.log -c beaconhunt.yaml   networks, allowlists and intel from a config file
  beaconhunt hunt conn.log --model iforest      one outlier model instead of the ensemble
  beaconhunt hunt conn.log --engine clickhouse://default@ch1:8123/flows?cluster=prod
                                                import into ClickHouse and hunt there (docs/SCALING.md)`,
    )
    .action(async (inputs: string[], options: HuntCliOptions) => {
      const base = await huntOptionsFrom(inputs, options);
      await checkOutputPaths(options);
      const progress = progressReporter(style, options.quiet ?? false);
      try {
        const result = await hunt({
          ...base,
          ...(options.html ? { reportTop: options.htmlTop ?? 50, reportFlowLimit: 5000 } : {}),
          onEvent: progress.onEvent,
        });
        progress.stop();
        await writeOutputs(result, options, style);
      } finally {
        progress.stop();
      }
    });
}
