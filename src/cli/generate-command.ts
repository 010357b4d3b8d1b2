import { type Command, InvalidArgumentError, Option } from 'commander';
import { writeZeekDnsLog } from '../generate/dns-log.js';
import { generateToFile } from '../generate/generate.js';
import {
  DEFAULT_FLOWS,
  DEFAULT_HOURS,
  DEFAULT_SEED,
  DEFAULT_START,
  resolveOptions,
} from '../generate/options.js';
import { FORMAT_NAMES } from '../generate/writers/index.js';
import { errorMessage, InputError } from '../util/errors.js';

function integer(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}.`);
    return n;
  };
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number.');
  return n;
}

interface GenerateCliOptions {
  flows: number;
  format: string;
  out: string;
  seed: number;
  hours: number;
  start: string;
  hosts?: number;
  truth?: string;
  refused: boolean;
  activeC2: number;
  hardNegatives: boolean;
  gzip?: boolean;
  dnsOut?: string;
}

/** `beaconhunt generate`: the demo's seeded generator, writing flow files in any supported format. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write realistic synthetic flows with planted beacons (seeded, deterministic)')
    .option('--flows <n>', 'approximate total number of flows', integer('--flows', 0), DEFAULT_FLOWS)
    .addOption(new Option('--format <format>', 'output format').choices([...FORMAT_NAMES]).default('zeek'))
    .requiredOption('--out <path>', 'output file (.gz compresses), or - for stdout')
    .option(
      '--seed <n>',
      'random seed: the same seed gives the same bytes',
      integer('--seed', 0),
      DEFAULT_SEED,
    )
    .option('--hours <h>', 'length of the capture window in hours', positive, DEFAULT_HOURS)
    .option('--start <iso>', 'start of the capture window (ISO 8601, UTC)', DEFAULT_START)
    .option(
      '--hosts <n>',
      'internal hosts (default: about 200, growing slowly with --flows)',
      integer('--hosts', 1),
    )
    .option('--truth <path>', 'also write the truth file (planted and benign periodic pairs) as JSON')
    .option('--no-refused', 'do not plant the beacon whose C2 refuses connections')
    .option(
      '--active-c2 <n>',
      'active-C2 pairs (beacons that take orders in tasking spurts)',
      integer('--active-c2', 0),
      1,
    )
    .option(
      '--no-hard-negatives',
      'leave out the benign clockwork pairs (license check, market-data widget, monitoring fan-out)',
    )
    .option('--gzip', 'gzip the output whatever its name')
    .option(
      '--dns-out <path>',
      "also write a Zeek dns.log: the hosts' lookups and a planted dnscat2-like DNS tunnel",
    )
    .addHelpText(
      'after',
      `
Examples:
  beaconhunt generate --flows 300000 --out demo/conn.log --truth demo/truth.json
  beaconhunt generate --flows 10000000 --out bench/conn.log.gz          benchmark input, gzip
  beaconhunt generate --format splunk-csv --out stream.csv --seed 7     Splunk Stream export
  beaconhunt generate --format zeek-json --hours 168 --out - | head     a week, JSON lines on stdout
  beaconhunt generate --active-c2 4 --out day.log --truth day.json      24 h, four active-C2 pairs

Formats: ${FORMAT_NAMES.join(', ')}. Planted pairs (beacons with 0/20/50 % jitter, a 1-hour beacon,
active C2 with tasking spurts, a netcat relay, a refused beacon) are listed in the truth file, with
the benign periodic pairs: NTP, telemetry, mail, and the hard negatives (a license check every 600 s
and a market-data widget every 300 s to rare destinations, a monitoring server polling 10 internal
servers every 30 s) that look like beacons pair by pair.`,
    )
    .action(async (opts: GenerateCliOptions) => {
      const toStdout = opts.out === '-';
      const started = Date.now();
      const progress = process.stderr.isTTY
        ? (n: number) => process.stderr.write(`\r${n.toLocaleString('en-US')} flows…`)
        : undefined;
      const scenario = {
        flows: opts.flows,
        seed: opts.seed,
        hours: opts.hours,
        start: opts.start,
        refused: opts.refused,
        activeC2: opts.activeC2,
        hardNegatives: opts.hardNegatives,
        ...(opts.hosts !== undefined ? { hosts: opts.hosts } : {}),
      };
      try {
        resolveOptions(scenario); // a bad --start or too few --hosts is a usage error, not a crash
      } catch (err) {
        throw new InputError(errorMessage(err));
      }
      let result: Awaited<ReturnType<typeof generateToFile>>;
      try {
        result = await generateToFile({
          ...scenario,
          format: opts.format,
          out: toStdout ? process.stdout : opts.out,
          ...(opts.truth !== undefined ? { truthOut: opts.truth } : {}),
          ...(opts.gzip ? { gzip: true } : {}),
          ...(progress && !toStdout ? { onProgress: progress } : {}),
        });
      } catch (err) {
        // `generate --out - | head` closes the pipe early: that is the reader's choice, not an error.
        if (toStdout && (err as NodeJS.ErrnoException).code === 'EPIPE') return;
        throw err;
      }
      if (progress && !toStdout) process.stderr.write('\r');
      if (opts.dnsOut) {
        const tunnel = await writeZeekDnsLog(opts.dnsOut, scenario);
        process.stderr.write(
          `wrote ${opts.dnsOut}${tunnel ? `: DNS tunnel ${tunnel.client} → ${tunnel.domain}, ${tunnel.queries.toLocaleString('en-US')} TXT queries` : ''}\n`,
        );
      }
      const seconds = (Date.now() - started) / 1000;
      const planted = result.truth.pairs.filter((p) => p.planted).length;
      if (result.flows > opts.flows) {
        process.stderr.write(
          `note: the periodic and planted pairs alone take ${result.flows.toLocaleString('en-US')} flows at these settings (try fewer --hosts or --hours)\n`,
        );
      }
      process.stderr.write(
        `wrote ${result.flows.toLocaleString('en-US')} flows (${planted} planted pairs) to ${toStdout ? 'stdout' : opts.out} in ${seconds.toFixed(1)} s${opts.truth ? `; truth: ${opts.truth}` : ''}\n`,
      );
    });
}
