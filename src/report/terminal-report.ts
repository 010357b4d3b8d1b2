import pc from 'picocolors';
import type { Finding, HuntResult, Severity } from '../score/finding.js';
import { terminalSafe } from '../util/terminal-safe.js';

type Colors = ReturnType<typeof pc.createColors>;

const SEVERITY_COLOR: Record<Severity, keyof Colors> = {
  critical: 'red',
  high: 'magenta',
  medium: 'yellow',
  low: 'cyan',
  none: 'dim',
};

function endpoint(f: Finding): string {
  const bracket = (a: string) => (a.includes(':') ? `[${a}]` : a);
  const port = f.dport === null ? '' : `:${f.dport}`;
  const proto = f.proto ? `/${f.proto}` : '';
  // through an explicit proxy the port is the proxy's
  if (f.via) return terminalSafe(`${f.src} → ${bracket(f.dst)} via ${bracket(f.via)}${port}${proto}`);
  return terminalSafe(`${f.src} → ${bracket(f.dst)}${port}${proto}`);
}

/** Ranked table of the top findings, each with its reasons underneath. */
export function findingsTable(result: HuntResult, top: number, useColor: boolean): string {
  const c = pc.createColors(useColor);
  const shown = result.findings.slice(0, top);
  if (shown.length === 0) return `${c.green('No findings.')}\n`;
  const rows = shown.map((f) => ({
    rank: String(f.rank),
    score: f.score.toFixed(2),
    severity: f.severity,
    verdict: f.verdict,
    pair: endpoint(f),
    flows: f.flows.toLocaleString('en-US'),
    host: f.host ? terminalSafe(f.host) : '',
  }));
  const width = (k: keyof (typeof rows)[number], title: string) =>
    Math.max(title.length, ...rows.map((r) => r[k].length));
  const w = {
    rank: width('rank', '#'),
    score: width('score', 'score'),
    severity: width('severity', 'severity'),
    verdict: width('verdict', 'verdict'),
    pair: width('pair', 'pair'),
    flows: width('flows', 'flows'),
  };
  const lines = [
    c.bold(
      `${'#'.padStart(w.rank)}  ${'score'.padEnd(w.score)}  ${'severity'.padEnd(w.severity)}  ${'verdict'.padEnd(w.verdict)}  ${'pair'.padEnd(w.pair)}  ${'flows'.padStart(w.flows)}`,
    ),
  ];
  shown.forEach((f, i) => {
    const r = rows[i] as (typeof rows)[number];
    const sev = (c[SEVERITY_COLOR[f.severity]] as (s: string) => string)(r.severity.padEnd(w.severity));
    lines.push(
      `${r.rank.padStart(w.rank)}  ${r.score.padEnd(w.score)}  ${sev}  ${r.verdict.padEnd(w.verdict)}  ${r.pair.padEnd(w.pair)}  ${r.flows.padStart(w.flows)}${r.host ? `  ${c.dim(r.host)}` : ''}`,
    );
    for (const reason of f.reasons) lines.push(c.dim(`${' '.repeat(w.rank + 2)}· ${terminalSafe(reason)}`));
  });
  const more = result.findings.length - shown.length;
  if (more > 0) lines.push(c.dim(`… ${more} more findings (--top N to show more, --json for all)`));
  return `${lines.join('\n')}\n`;
}

/** Rows, pairs, findings by severity, skips by reason, elapsed. */
export function summaryText(result: HuntResult, useColor: boolean): string {
  const c = pc.createColors(useColor);
  const s = result.summary;
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `${c.bold('Read')} ${n(s.flows_read)} rows from ${s.files.length} file(s): ${n(s.flows_used)} used, ${n(s.lines_skipped)} skipped`,
  ];
  for (const [reason, count] of Object.entries(s.skipped_by_reason).sort((a, b) => b[1] - a[1])) {
    lines.push(`  skipped ${n(count)} × ${reason}`);
  }
  for (const f of s.files) {
    if (f.error) lines.push(c.dim(`  ${terminalSafe(f.path)}: not read: ${terminalSafe(f.error)}`));
    if (f.same_content_as)
      lines.push(
        c.dim(
          `  ${terminalSafe(f.path)}: same content as ${terminalSafe(f.same_content_as)}, not read again`,
        ),
      );
    for (const note of f.notes ?? []) lines.push(c.dim(`  ${terminalSafe(f.path)}: ${terminalSafe(note)}`));
    if (f.examples.length)
      lines.push(c.dim(`  ${terminalSafe(f.path)}: ${f.examples.slice(0, 3).map(terminalSafe).join('; ')}`));
  }
  if (s.time_range) lines.push(`${c.bold('Time')} ${s.time_range[0]} → ${s.time_range[1]}`);
  const sev = s.findings_by_severity;
  lines.push(
    `${c.bold('Pairs')} ${n(s.pairs)}, ${c.bold('findings')} ${result.findings.length}: ${c.red(`${sev.critical} critical`)}, ${c.magenta(`${sev.high} high`)}, ${c.yellow(`${sev.medium} medium`)}, ${c.cyan(`${sev.low} low`)}${sev.none ? `, ${sev.none} unrated (severity none)` : ''}`,
  );
  lines.push(c.dim(`${s.engine}, ${s.mode} ranking on ${s.size_field} sizes, ${s.elapsed_s.toFixed(2)} s`));
  return `${lines.join('\n')}\n`;
}
