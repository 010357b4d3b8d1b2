import pc from 'picocolors';
import { terminalSafe } from '../util/terminal-safe.js';
import { type CorpusResult, passed } from './corpus.js';
import { type CaseMetrics, RANK_SLACK, type TopFinding } from './metrics.js';

const fixed = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));
const rankText = (r: number | null) => (r === null ? 'missed' : String(r));
const pair = (src: string, dst: string) => terminalSafe(`${src} → ${dst.includes(':') ? `[${dst}]` : dst}`);

/** Pad columns of plain-text cells; the header row is bold. */
function table(header: string[], rows: string[][], c: ReturnType<typeof pc.createColors>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [c.bold(line(header)), ...rows.map(line)];
}

export interface CaseReportContext {
  truthFile: string;
  caseName: string | null;
  truthRows: number;
  flowsUsed: number;
}

/** The human report of `beaconhunt eval`: primary ranks, recall/precision at k, MRR, the pass rule. */
export function caseReport(
  m: CaseMetrics,
  top: readonly TopFinding[],
  ctx: CaseReportContext,
  useColor: boolean,
): string {
  const c = pc.createColors(useColor);
  const lines: string[] = [];
  const where = ctx.caseName === null ? ctx.truthFile : `${ctx.truthFile}, case ${ctx.caseName}`;
  lines.push(`Truth: ${terminalSafe(where)}: ${ctx.truthRows} labelled rows, ${m.P} primary pair(s)`);
  lines.push(`Hunt: ${ctx.flowsUsed.toLocaleString('en-US')} flows used, ${m.findings} finding(s)`);
  lines.push('');
  if (m.primaries.length) {
    lines.push(
      ...table(
        ['primary pair', 'rank'],
        m.primaries.map((p) => [pair(p.src, p.dst), rankText(p.rank)]),
        c,
      ),
    );
    lines.push('');
  }
  lines.push(
    ...table(
      ['', ...m.recall.map((r) => `@${r.k}`)],
      [
        ['recall', ...m.recall.map((r) => fixed(r.value))],
        ['precision', ...m.precision.map((r) => fixed(r.value))],
      ],
      c,
    ),
  );
  lines.push(`MRR (filtered ranks): ${fixed(m.mrr)}`);
  lines.push(`best rank of a non-malicious pair: ${m.bestBenignRank ?? '–'}`);
  lines.push(`high/critical findings on non-malicious pairs: ${m.falseAlerts.length}`);
  for (const f of m.falseAlerts.slice(0, 5))
    lines.push(c.dim(`  · #${f.rank} ${pair(f.src, f.dst)} ${f.severity}`));
  if (top.length) {
    lines.push('', c.bold('top findings [truth roles they match]'));
    for (const f of top) lines.push(topLine(f, '  '));
  }
  lines.push('');
  const rule = `every primary within the top P + ${RANK_SLACK} = ${m.P + RANK_SLACK}, no high/critical on a non-malicious pair`;
  lines.push(
    m.pass ? `${c.green('PASS')}: ${rule}` : `${c.red('FAIL')}: ${m.failures.map(terminalSafe).join('; ')}`,
  );
  return `${lines.join('\n')}\n`;
}

interface Group {
  title: string;
  results: CorpusResult[];
}

/**
 * Totals of a group: passes over evaluated cases, the ones without a flows input, the mean MRR over
 * the cases that have primary pairs, and all high/critical findings on non-malicious pairs.
 */
export function groupTotals(results: readonly CorpusResult[]): {
  pass: number;
  evaluated: number;
  noInput: number;
  meanMrr: number | null;
  falseAlerts: number;
} {
  const evaluated = results.filter((r) => r.status !== 'no-input');
  const mrrs = evaluated.flatMap((r) => (r.metrics?.mrr == null ? [] : [r.metrics.mrr]));
  return {
    pass: evaluated.filter(passed).length,
    evaluated: evaluated.length,
    noInput: results.length - evaluated.length,
    meanMrr: mrrs.length ? mrrs.reduce((a, b) => a + b, 0) / mrrs.length : null,
    falseAlerts: evaluated.reduce((n, r) => n + (r.metrics?.falseAlerts.length ?? 0), 0),
  };
}

function topLine(f: TopFinding, indent: string): string {
  const port = f.dport === null ? '' : `:${f.dport}`;
  const roles = f.roles.length ? f.roles.join(',') : 'unlabelled';
  return `${indent}#${f.rank} ${pair(f.src, f.dst)}${port} ${f.score.toFixed(2)} ${f.severity} ${f.verdict} [${terminalSafe(roles)}]`;
}

/** Under a failing row: why, and the first findings with the truth roles they match. */
function whyLines(r: CorpusResult): string[] {
  const lines = (r.metrics?.failures ?? []).map((f) => `    ${terminalSafe(f)}`);
  for (const f of r.top ?? []) lines.push(topLine(f, '      '));
  return lines;
}

/** The one table of `npm run eval:calibration`, grouped (calibration main inputs, variants, fixtures). */
export function corpusTable(groups: readonly Group[], useColor: boolean, details = false): string {
  const c = pc.createColors(useColor);
  const header = ['case', 'input', 'P', 'primary ranks', 'MRR', 'best benign', 'high/crit benign', 'result'];
  const rows: string[][] = [];
  const out: string[] = [];
  const resultText = (r: CorpusResult) =>
    r.status === 'no-input'
      ? 'no flows input'
      : r.status === 'error'
        ? 'error'
        : r.metrics?.pass
          ? 'pass'
          : 'FAIL';
  for (const g of groups) {
    for (const r of g.results) {
      const m = r.metrics;
      rows.push([
        terminalSafe(r.case),
        terminalSafe(r.input),
        m ? String(m.P) : '',
        m ? m.primaries.map((p) => (p.rank === null ? 'x' : String(p.rank))).join(',') || '–' : '',
        m ? fixed(m.mrr) : '',
        m ? String(m.bestBenignRank ?? '–') : '',
        m ? String(m.falseAlerts.length) : '',
        resultText(r),
      ]);
    }
  }
  const lines = table(header, rows, c);
  out.push(lines[0] as string);
  let i = 1;
  for (const g of groups) {
    out.push(c.dim(`— ${g.title}`));
    for (const r of g.results) {
      const line = lines[i++] as string;
      out.push(passed(r) ? line : r.status === 'no-input' ? c.dim(line) : c.red(line));
      if (r.status === 'error' && r.message) out.push(c.dim(`    ${terminalSafe(r.message)}`));
      if (details && r.status === 'ok' && !passed(r)) out.push(...whyLines(r).map((l) => c.dim(l)));
    }
  }
  out.push('');
  for (const g of groups) {
    const t = groupTotals(g.results);
    const skipped = t.noInput ? ` (${t.noInput} without a flows input)` : '';
    out.push(
      `${g.title}: ${t.pass} of ${t.evaluated} cases pass${skipped}; mean MRR ${fixed(t.meanMrr)}, ${t.falseAlerts} high/critical on non-malicious pairs`,
    );
  }
  out.push(
    c.dim(
      `pass = every primary pair within the top P + ${RANK_SLACK} findings and no high/critical finding on a non-malicious pair; x = missed`,
    ),
  );
  return `${out.join('\n')}\n`;
}
