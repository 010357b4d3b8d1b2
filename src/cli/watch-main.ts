/**
 * `node dist/cli/watch-main.js watch …`: the watch command on its own, the same code the beaconhunt
 * CLI registers (registerWatch). Lets tests and scripts run live mode without the rest of the CLI.
 */
import { Command } from 'commander';
import { guardProcess, runProgram } from './run.js';
import { registerWatch } from './watch-command.js';

guardProcess();
const program = new Command('beaconhunt').exitOverride().showHelpAfterError('(add --help for usage)');
registerWatch(program);
process.exitCode = await runProgram(program, process.argv);
