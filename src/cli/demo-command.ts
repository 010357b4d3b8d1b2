import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { DEFAULT_FLOWS, DEFAULT_SEED, generateToFile, type Truth } from '../generate/index.js';
import { hunt } from '../hunt/hunt.js';
import { writeHtmlReport } from '../report/html-report.js';
import { findingsJson } from '../report/json-report.js';
import type { Finding } from '../score/finding.js';
import { positiveInt, writeOutputs } from './hunt-command.js';
import { type OutputStyle, progressReporter } from './output-style.js';

interface DemoOptions {
  flows: number;
  seed: number;
  outDir: string;
  top: number;
  quiet?: boolean;
}

/** How each planted pair ranked: the demo checks itself against the generator's truth file. */
export function plantedRanks(truth: Truth, findings: readonly Finding[]) {
  return truth.pairs
    .filter((p) => p.planted)
    .map((p) => {
      const found = findings.find((f) => f.src === p.src && f.dst === p.dst);
      return {
        label: p.label,
        kind: p.kind,
        src: p.src,
        dst: p.dst,
        rank: found?.rank ?? null,
        verdict: found?.verdict ?? null,
      };
    });
}

export function registerDemo(program: Command, style: OutputStyle): void {
  program
    .command('demo')
    .description(
      'generate realistic flows with planted beacons, hunt them, and show how the planted pairs rank',
    )
    .option('--flows <n>', 'approximate number of flows to generate', positiveInt, DEFAULT_FLOWS)
    .option('--seed <n>', 'random seed (same seed, same data)', positiveInt, DEFAULT_SEED)
    .option(
      '--out-dir <dir>',
      'where the demo writes conn.log, truth.json, findings.json and report.html',
      'beaconhunt-demo',
    )
    .option('-n, --top <n>', 'findings shown', positiveInt, 15)
    .option('-q, --quiet', 'no summary on stderr')
    .addHelpText(
      'after',
      `
Examples:
  beaconhunt demo                          ${DEFAULT_FLOWS.toLocaleString('en-US')} flows over 24 h, hunted in seconds
  beaconhunt demo --flows 1000000 --seed 7 --out-dir /tmp/demo`,
    )
    .action(async (options: DemoOptions) => {
      const dir = resolve(options.outDir);
      await mkdir(dir, { recursive: true });
      const log = join(dir, 'conn.log');
      const truthPath = join(dir, 'truth.json');
      if (!options.quiet)
        process.stderr.write(`generating ~${options.flows.toLocaleString('en-US')} flows into ${log}\n`);
      const { truth } = await generateToFile({
        format: 'zeek',
        out: log,
        truthOut: truthPath,
        flows: options.flows,
        seed: options.seed,
      });
      const progress = progressReporter(style, options.quiet ?? false);
      const result = await hunt({
        inputs: [log],
        seed: options.seed,
        reportTop: 50,
        reportFlowLimit: 5000,
        onEvent: progress.onEvent,
      });
      progress.stop();
      const jsonPath = join(dir, 'findings.json');
      await writeFile(jsonPath, findingsJson(result));
      const htmlPath = join(dir, 'report.html');
      await writeHtmlReport(result, htmlPath);
      await writeOutputs(
        result,
        {
          format: 'auto',
          top: options.top,
          engine: 'duckdb',
          bytes: 'resp',
          model: 'ensemble',
          seed: options.seed,
          quiet: options.quiet ?? false,
        },
        style,
      );
      const c = pc.createColors(style.color);
      const ranks = plantedRanks(truth, result.findings);
      const lines = ['', c.bold('Planted pairs (from truth.json) and where they ranked:')];
      for (const r of ranks) {
        const where =
          r.rank === null
            ? c.red('not found')
            : r.rank <= 10
              ? c.green(`#${r.rank}`)
              : c.yellow(`#${r.rank}`);
        lines.push(`  ${where.padEnd(8)} ${r.kind.padEnd(15)} ${r.src} → ${r.dst}  ${c.dim(r.label)}`);
      }
      lines.push(c.dim(`\nfiles: ${log}, ${truthPath}, ${jsonPath}`));
      lines.push(`report: ${c.bold(htmlPath)} (open it in a browser; it works offline)`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
