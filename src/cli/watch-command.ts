import { type Command, InvalidArgumentError, Option } from 'commander';
import { CHANGE_DEFAULTS, parseDuration, resolveChangeOptions } from '../change/options.js';
import { FORMAT_OPTIONS } from '../read/formats.js';
import { errorMessage, InputError } from '../util/errors.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { isoTime } from '../util/time.js';
import { WATCH_DEFAULTS, type WatchEvent, watch } from '../watch/run.js';

interface WatchCliOptions {
  db: string;
  alerts?: string;
  format: string;
  window: number;
  hop?: number;
  lateness: number;
  poll: number;
  batch: number;
  once?: boolean;
  memoryLimit: string;
  quiet?: boolean;
}

function duration(value: string): number {
  const s = parseDuration(value);
  if (!(Number.isFinite(s) && s >= 0))
    throw new InvalidArgumentError('must be a duration such as 90s, 10m, 1h');
  return s;
}

/** A window or hop of 0 s holds no flows: the change detector needs a positive length. */
function positiveDuration(value: string): number {
  const s = duration(value);
  if (s <= 0) throw new InvalidArgumentError('must be longer than 0 (such as 90s, 10m, 1h)');
  return s;
}

function positiveInt(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

/** How often (at most) a progress line goes to stderr while following. */
const PROGRESS_EVERY_MS = 10_000;

/** Progress on stderr: streams found, warnings at once; stored flows at most every 10 s. */
function reporter(quiet: boolean) {
  let rows = 0;
  let used = 0;
  let alerts = 0;
  let watermark: number | null = null;
  let last = Date.now();
  const flush = () => {
    if (rows === 0 && alerts === 0) return;
    const skipped = rows - used;
    process.stderr.write(
      `stored ${used.toLocaleString('en-US')} flows${skipped ? ` (${skipped.toLocaleString('en-US')} rows skipped)` : ''}` +
        `${watermark !== null ? `, data up to ${isoTime(watermark)}` : ''}${alerts ? `, ${alerts} alert(s)` : ''}\n`,
    );
    rows = 0;
    used = 0;
    alerts = 0;
    last = Date.now();
  };
  return {
    onEvent(event: WatchEvent) {
      if (event.kind === 'warning') {
        process.stderr.write(`warning: ${terminalSafe(event.message)}\n`);
        return;
      }
      if (quiet) return;
      if (event.kind === 'stream') {
        process.stderr.write(`following ${terminalSafe(event.path)} (${event.format})\n`);
        return;
      }
      rows += event.rows;
      used += event.used;
      alerts += event.alerts;
      watermark = event.watermark;
      if (event.alerts > 0 || Date.now() - last >= PROGRESS_EVERY_MS) flush();
    },
    flush: () => {
      if (!quiet) flush();
    },
  };
}

/** `beaconhunt watch`: follow growing logs, store them, alert when a beacon starts taking orders. */
export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('follow growing flow logs (Zeek conn.log) and alert when a beacon turns into active C2')
    .argument('<input>', 'a conn.log (followed across rotation) or a directory of logs')
    .option('--db <file>', 'DuckDB file for flows, read offsets, pair state and alerts', WATCH_DEFAULTS.db)
    .option('--alerts <file>', 'append alerts as NDJSON to this file (default: stdout)')
    .addOption(new Option('-f, --format <format>', 'input format').choices(FORMAT_OPTIONS).default('auto'))
    .addOption(
      new Option('--window <duration>', 'window the change detector compares (90s, 10m, 1h)')
        .argParser(positiveDuration)
        .default(CHANGE_DEFAULTS.windowSeconds, '10m'),
    )
    .option(
      '--hop <duration>',
      'step between windows for sliding windows (default: the window, i.e. tumbling)',
      positiveDuration,
    )
    .addOption(
      new Option(
        '--lateness <duration>',
        'how late a flow may arrive after newer ones (Zeek logs a connection when it ends)',
      )
        .argParser(duration)
        .default(WATCH_DEFAULTS.latenessSeconds, '10m'),
    )
    .addOption(
      new Option('--poll <duration>', 'pause between looks at the logs when nothing is new')
        .argParser(duration)
        .default(WATCH_DEFAULTS.pollSeconds, '1s'),
    )
    .option('--batch <lines>', 'lines stored per transaction at most', positiveInt, WATCH_DEFAULTS.batchLines)
    .option('--memory-limit <size>', 'DuckDB memory limit, keeps a long run flat', WATCH_DEFAULTS.memoryLimit)
    .option('--once', 'read what is there now, then exit (no following)')
    .option('-q, --quiet', 'no progress on stderr (warnings still)')
    .addHelpText(
      'after',
      `
Alerts (one JSON object per line): "episode-start" when a pair that was a uniform beacon turns
non-uniform (many new sizes, avgcount collapses, gaps shrink to seconds, bytes jump), with the
window, before/after numbers and reasons; "episode-end" when the spurt is over. Verdict active-c2.

Examples:
  beaconhunt watch /opt/zeek/logs/current/conn.log                 alerts on stdout
  beaconhunt watch /opt/zeek/logs/current/ --alerts alerts.ndjson  every conn log in the folder
  beaconhunt watch conn.log --db live.duckdb --window 5m           finer windows
  beaconhunt watch conn.log --once                                 catch up, then exit (cron)
  beaconhunt hunt --db beaconhunt-watch.duckdb                     rank what was stored (watch stopped)

Stop with Ctrl-C or SIGTERM: the current batch is finished, the database closed, exit code 0.
After a crash or kill -9, run the same command again: it resumes at the last stored line; no flow
is stored twice and no alert (in an --alerts file) is written twice.`,
    )
    .action(async (input: string, options: WatchCliOptions) => {
      const change = {
        windowSeconds: options.window,
        ...(options.hop !== undefined ? { hopSeconds: options.hop } : {}),
      };
      try {
        resolveChangeOptions(change); // a window/hop combination that cannot work is a usage error
      } catch (err) {
        throw new InputError(`--window/--hop: ${errorMessage(err)}`);
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const progress = reporter(options.quiet ?? false);
      try {
        const summary = await watch({
          target: input,
          db: options.db,
          ...(options.alerts ? { alerts: options.alerts } : {}),
          format: options.format,
          change,
          latenessSeconds: options.lateness,
          pollSeconds: options.poll,
          batchLines: options.batch,
          once: options.once ?? false,
          memoryLimit: options.memoryLimit,
          signal: controller.signal,
          onEvent: progress.onEvent,
        });
        progress.flush();
        if (!options.quiet) {
          process.stderr.write(
            `${controller.signal.aborted ? 'stopped' : 'done'}: ${summary.flowsStored.toLocaleString('en-US')} flows in ${options.db}, ${summary.alerts} alert(s) written this run\n`,
          );
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
