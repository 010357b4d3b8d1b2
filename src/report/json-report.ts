import type { HuntResult } from '../score/finding.js';

/** The findings JSON of the brief. `top` limits findings; the summary always describes all data. */
export function findingsJson(result: HuntResult, top?: number): string {
  const findings = top === undefined ? result.findings : result.findings.slice(0, top);
  return `${JSON.stringify({ findings, summary: result.summary }, null, 2)}\n`;
}
