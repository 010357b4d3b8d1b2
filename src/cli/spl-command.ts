import { type Command, InvalidArgumentError, Option } from 'commander';

/**
 * `beaconhunt spl`: the Splunk search that computes the seed's features, so a Splunk user can run
 * it, export the result as CSV and hunt that file here (it is recognised as the seed output).
 *
 * The seed's steps, one pipe each: flows with bytes > 0; i_bytecount = flows per (src_ip, dest_ip,
 * dest_port, bytes); t_bytecount = flows per (src_ip, dest_ip); distinct_byte_count = distinct
 * sizes per (src_ip, dest_ip); avgcount = i_bytecount / t_bytecount. `stats` first and `eventstats`
 * on its (much smaller) result gives the same numbers as eventstats over raw events.
 */
export interface SeedSearchOptions {
  /** Splunk index holding the Stream events. */
  index: string;
  sourcetype: string;
  /** bytes_out = server→client (the seed's choice, canonical resp_bytes); bytes_in = client→server. */
  bytesField: 'bytes_out' | 'bytes_in';
  /** Splunk time modifiers, e.g. -7d@d, now, 1709596800. */
  earliest?: string;
  latest?: string;
  /** One line instead of one pipe per line (for the Splunk CLI or REST API). */
  oneLine?: boolean;
  /**
   * Also the server name of each row (`server_name`: Stream's TLS SNI `server_name`, else the HTTP
   * `site`, else `dest_host`), the most frequent per row; the seed's numbers are unchanged.
   */
  names?: boolean;
}

export const SPL_DEFAULTS = { index: 'main', sourcetype: 'stream:tcp', bytesField: 'bytes_out' } as const;

/** A double-quoted SPL string: backslashes and quotes escaped. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function seedSearch(options: SeedSearchOptions): string {
  const b = options.bytesField;
  const time = [
    ...(options.earliest ? [`earliest=${options.earliest}`] : []),
    ...(options.latest ? [`latest=${options.latest}`] : []),
  ];
  const pipes = [
    [
      'search',
      `index=${quoted(options.index)}`,
      `sourcetype=${quoted(options.sourcetype)}`,
      ...time,
      `${b}>0`,
    ].join(' '),
    ...(options.names ? ['eval server_name = coalesce(server_name, site, dest_host)'] : []),
    `stats count AS i_bytecount${options.names ? ', mode(server_name) AS server_name' : ''} BY src_ip, dest_ip, dest_port, ${b}`,
    `eventstats sum(i_bytecount) AS t_bytecount, dc(${b}) AS distinct_byte_count BY src_ip, dest_ip`,
    'eval avgcount = i_bytecount / t_bytecount',
    `table src_ip, dest_ip, dest_port, ${b}, i_bytecount, t_bytecount, distinct_byte_count, avgcount${options.names ? ', server_name' : ''}`,
  ];
  return options.oneLine ? pipes.join(' | ') : pipes.join('\n| ');
}

const UNIT =
  '(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w\\d?|weeks?|mon|months?|q|qtrs?|quarters?|y|yrs?|years?)';
const RELATIVE = new RegExp(`^([-+]\\d*${UNIT})?(@${UNIT})?([-+]\\d*${UNIT})?$`, 'i');
const ABSOLUTE = /^(now|\d+(\.\d+)?|\d{1,2}\/\d{1,2}\/\d{4}:\d{1,2}:\d{2}:\d{2})$/i;

/** Splunk time modifiers: relative (-24h, -7d@d), snapped (@d), now, epoch seconds, MM/DD/YYYY:HH:MM:SS. */
function timeModifier(value: string): string {
  if (value === '' || !(ABSOLUTE.test(value) || RELATIVE.test(value))) {
    throw new InvalidArgumentError(
      'must be a Splunk time modifier such as -24h, -7d@d, now or epoch seconds',
    );
  }
  return value;
}

function splunkName(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (value.trim() === '' || /[\x00-\x1f]/.test(value))
    throw new InvalidArgumentError('must be a non-empty name');
  return value;
}

interface SplCliOptions {
  index: string;
  sourcetype: string;
  bytesField: 'bytes_out' | 'bytes_in';
  earliest?: string;
  latest?: string;
  oneLine?: boolean;
  names: boolean;
}

export function registerSpl(program: Command): void {
  program
    .command('spl')
    .description(
      "print the Splunk search that computes the seed's features (export its result, hunt it here)",
    )
    .option('--index <name>', 'Splunk index with the Stream events', splunkName, SPL_DEFAULTS.index)
    .option('--sourcetype <name>', 'sourcetype of the flow events', splunkName, SPL_DEFAULTS.sourcetype)
    .addOption(
      new Option(
        '--bytes-field <field>',
        "size field: bytes_out = server→client (the seed's), bytes_in = client→server",
      )
        .choices(['bytes_out', 'bytes_in'])
        .default(SPL_DEFAULTS.bytesField),
    )
    .option(
      '--earliest <time>',
      'start of the time range (Splunk time modifier: -7d@d, epoch seconds)',
      timeModifier,
    )
    .option(
      '--latest <time>',
      'end of the time range (Splunk time modifier: now, @d, epoch seconds)',
      timeModifier,
    )
    .option('--one-line', 'print the search on one line (for the Splunk CLI or REST API)')
    .option('--no-names', "leave out the server name column (the seed's search exactly)")
    .addHelpText(
      'after',
      `
Examples:
  beaconhunt spl                                        stream:tcp in index main, bytes_out
  beaconhunt spl --index botsv3 --earliest -7d@d --latest @d
  beaconhunt spl --sourcetype stream:udp --bytes-field bytes_in
  splunk search "$(beaconhunt spl --one-line)" -output csv -maxout 0 > seed.csv
  beaconhunt hunt seed.csv                              hunt the exported result

The result has one row per (src_ip, dest_ip, dest_port, size) with i_bytecount, t_bytecount,
distinct_byte_count, avgcount and server_name (SNI, else HTTP site, else dest_host; --no-names
leaves it out). It has no timestamps, so beaconhunt ranks it without timing.`,
    )
    .action((options: SplCliOptions) => {
      process.stdout.write(
        `${seedSearch({
          index: options.index,
          sourcetype: options.sourcetype,
          bytesField: options.bytesField,
          ...(options.earliest ? { earliest: options.earliest } : {}),
          ...(options.latest ? { latest: options.latest } : {}),
          oneLine: options.oneLine ?? false,
          names: options.names,
        })}\n`,
      );
    });
}
