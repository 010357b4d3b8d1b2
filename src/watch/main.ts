/**
 * `node dist/watch/main.js watch …`: the watch command on its own, the same code the beaconhunt CLI
 * registers (registerWatch). Lets tests and scripts run live mode without the rest of the CLI.
 */
import { Command, CommanderError } from 'commander';
import { registerWatch } from '../cli/watch-command.js';
import { errorMessage, InputError } from '../util/errors.js';
import { terminalSafe } from '../util/terminal-safe.js';

async function main(argv: string[]): Promise<number> {
  const program = new Command('beaconhunt').exitOverride().showHelpAfterError('(add --help for usage)');
  registerWatch(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError)
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' ? 0 : 2;
    if (err instanceof InputError) {
      process.stderr.write(`beaconhunt: ${terminalSafe(err.describe())}\n`);
      return 2;
    }
    process.stderr.write(`beaconhunt: internal error: ${terminalSafe(errorMessage(err))}\n`);
    if (process.env.BEACONHUNT_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
