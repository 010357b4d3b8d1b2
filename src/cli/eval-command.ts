import type { Command } from 'commander';
import { evaluateRanking, topFindings } from '../eval/metrics.js';
import { caseReport } from '../eval/report.js';
import { loadTruth, selectCase } from '../eval/truth.js';
import { hunt } from '../hunt/hunt.js';
import { summaryText } from '../report/terminal-report.js';
import { addHuntShapeOptions, type HuntShapeOptions, huntOptionsFrom } from './hunt-command.js';
import { type OutputStyle, progressReporter } from './output-style.js';

interface EvalCliOptions extends HuntShapeOptions {
  truth: string;
  case?: string;
  json?: boolean;
}

export function registerEval(program: Command, style: OutputStyle): void {
  addHuntShapeOptions(
    program
      .command('eval')
      .description('hunt labelled flows and measure the ranking against a truth file')
      .argument('[inputs...]', 'flow files, directories, globs, or - for stdin (as for hunt)')
      .requiredOption(
        '--truth <file>',
        "truth: the generator's truth.json, or a CSV with src,dst,role,primary[,case,dport,proto,notes]",
      )
      .option('--case <name>', 'the case to take from a truth CSV that holds several (a case column)')
      .option('--json', 'print the measurements as JSON on stdout'),
  )
    .addHelpText(
      'after',
      `
A finding matches a truth row when src is the same address and dst is the same address, lies in the
row's network (CIDR), or is the row's server name (or a subdomain of it) as seen in the finding's host.
Pass rule: every primary pair within the top P + 2 findings (P = primary pairs) and no high/critical
finding on a pair that no malicious row (c2_*, malicious_*, infection_*, long_connection) matches.
Exit 0 when the evaluation ran, whether or not the rule passed. Metric definitions: docs/EVAL.md.

Examples:
  beaconhunt generate --flows 100000 --out conn.log --truth truth.json
  beaconhunt eval --truth truth.json conn.log
  beaconhunt eval --truth calibration/truth-all.csv --case mta-2017-03-25-kovter \\
      calibration/mta-2017-03-25-kovter/flows.argus.csv --json`,
    )
    .action(async (inputs: string[], options: EvalCliOptions) => {
      // the truth first: a bad truth file should not cost a hunt
      const truth = selectCase(await loadTruth(options.truth), options.case, options.truth);
      const base = await huntOptionsFrom(inputs, options);
      const progress = progressReporter(style, options.quiet ?? false);
      try {
        const result = await hunt({ ...base, onEvent: progress.onEvent });
        progress.stop();
        const metrics = evaluateRanking(result.findings, truth);
        const top = topFindings(result.findings, truth);
        if (options.json) {
          const out = {
            truth: { file: options.truth, case: options.case ?? null, rows: truth.length },
            metrics,
            top,
            summary: result.summary,
          };
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          const context = {
            truthFile: options.truth,
            caseName: options.case ?? null,
            truthRows: truth.length,
            flowsUsed: result.summary.flows_used,
          };
          process.stdout.write(caseReport(metrics, top, context, style.color));
        }
        if (!options.quiet) process.stderr.write(summaryText(result, style.colorErr));
      } finally {
        progress.stop();
      }
    });
}
