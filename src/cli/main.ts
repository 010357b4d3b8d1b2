import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { errorMessage, InputError } from '../util/errors.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { registerDemo } from './demo-command.js';
import { registerEval } from './eval-command.js';
import { registerGenerate } from './generate-command.js';
import { registerHunt } from './hunt-command.js';
import { outputStyle } from './output-style.js';
import { registerSpl } from './spl-command.js';
import { registerWatch } from './watch-command.js';

/** Exit codes (brief): 0 ran, 2 usage or input error, 1 internal error. */
const EXIT_USAGE = 2;
const EXIT_INTERNAL = 1;

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

async function main(argv: string[]): Promise<number> {
  const style = outputStyle(argv, process.env);
  const program = new Command('beaconhunt')
    .description('Find C2 beacons and active C2 sessions in network flow logs')
    .version(pkg.version)
    .option('--no-color', 'no colours (also NO_COLOR=1)')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  beaconhunt demo                         generate demo flows with planted beacons and hunt them
  beaconhunt hunt conn.log                rank suspicious pairs in a Zeek conn.log
  beaconhunt hunt export.csv --json f.json  Splunk Stream export, findings as JSON
  beaconhunt watch conn.log --alerts alerts.ndjson   follow a log, alert when a beacon turns active
  beaconhunt eval --truth truth.json conn.log        measure the ranking against labelled pairs`,
    );
  registerHunt(program, style);
  registerEval(program, style);
  registerDemo(program, style);
  registerGenerate(program);
  registerSpl(program);
  registerWatch(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are normal exits
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
        return 0;
      return EXIT_USAGE;
    }
    if (err instanceof InputError) {
      process.stderr.write(`beaconhunt: ${terminalSafe(err.describe())}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`beaconhunt: internal error: ${terminalSafe(errorMessage(err))}\n`);
    if (process.env.BEACONHUNT_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return EXIT_INTERNAL;
  }
}

// Anything that escapes main() (a library's stray rejection): one line, exit 1, no stack unless asked.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    process.stderr.write(`beaconhunt: internal error: ${terminalSafe(errorMessage(err))}\n`);
    if (process.env.BEACONHUNT_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exit(EXIT_INTERNAL);
  });
}

// `beaconhunt hunt … | head` closes our stdout early: that ends the run quietly, not with a trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    process.exit(EXIT_INTERNAL);
  });
}

process.exitCode = await main(process.argv);
