import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerDemo } from './demo-command.js';
import { registerEval } from './eval-command.js';
import { registerGenerate } from './generate-command.js';
import { registerHunt } from './hunt-command.js';
import { outputStyle } from './output-style.js';
import { guardProcess, runProgram } from './run.js';
import { registerSpl } from './spl-command.js';
import { registerWatch } from './watch-command.js';

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
  return runProgram(program, argv);
}

guardProcess();
process.exitCode = await main(process.argv);
