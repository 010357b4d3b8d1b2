/**
 * What every beaconhunt entry point does around its commander program: exit codes, one-line errors
 * (stack only with BEACONHUNT_DEBUG), and process-level guards. Shared by the CLI (main.ts) and the
 * watch-only entry (watch-main.ts).
 */
import { type Command, CommanderError } from 'commander';
import { errorMessage, InputError } from '../util/errors.js';
import { terminalSafe } from '../util/terminal-safe.js';

/** Exit codes (brief): 0 ran, 2 usage or input error, 1 internal error. */
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 1;

function reportInternal(err: unknown): void {
  process.stderr.write(`beaconhunt: internal error: ${terminalSafe(errorMessage(err))}\n`);
  if (process.env.BEACONHUNT_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
}

/** Parses argv with `program` (which must use exitOverride) and maps every outcome to an exit code. */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
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
    reportInternal(err);
    return EXIT_INTERNAL;
  }
}

/**
 * Anything that escapes the program (a library's stray rejection): one line, exit 1. A closed stdout
 * pipe (`beaconhunt hunt … | head`) ends the run quietly, not with a trace.
 */
export function guardProcess(): void {
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (err: unknown) => {
      reportInternal(err);
      process.exit(EXIT_INTERNAL);
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      process.exit(err.code === 'EPIPE' ? 0 : EXIT_INTERNAL);
    });
  }
}
